package app

import (
	"encoding/json"
	"fmt"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func stateCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "state",
		Usage:     "print the state of a container as JSON",
		ArgsUsage: "<container-id>",
		Action: onContainer(g, func(c *cli.Context, ct *libcontainer.Container) error {
			st, err := linux.StateOf(ct, linux.Owner(g.root, ct.ID()))
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
