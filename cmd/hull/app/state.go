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
		Action: func(c *cli.Context) error {
			id, err := containerID(c)
			if err != nil {
				return err
			}
			// Query reads the state file without building libcontainer's
			// container: state is polled often (shims, kubelet).
			st, err := linux.Query(g.root, id)
			if err != nil {
				return err
			}
			data, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.App.Writer, string(data))
			return err
		},
	}
}
