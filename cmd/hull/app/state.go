package app

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func stateCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "state",
		Usage:     "print the state of a container as JSON",
		ArgsUsage: "<container-id>",
		Action: onContainer(g, func(c *cli.Context, ct *linux.Container) error {
			st, err := ct.State()
			if err != nil {
				return err
			}
			data, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.App.Writer, string(data))
			return err
		}),
	}
}
