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
		Action: onContainer(g, func(c *cli.Context, ct *linux.Container) error {
			return ct.Start(linux.NewNotifySocket(g.root, ct.ID()))
		}),
	}
}
