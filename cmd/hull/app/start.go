package app

import (
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func startCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "start",
		Usage:     "start the process of a created container",
		ArgsUsage: "<container-id>",
		Action: func(c *cli.Context) error {
			id, err := containerID(c)
			if err != nil {
				return err
			}
			// StartByID reads the state file without building
			// libcontainer's container (see linux.Query).
			return linux.StartByID(g.root, id, g.timings)
		},
	}
}
