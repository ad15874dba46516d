package main

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
			ct, err := linux.Load(g.root, id)
			if err != nil {
				return err
			}
			return linux.Start(ct, g.root, linux.NewNotifySocket(g.root, id))
		},
	}
}
