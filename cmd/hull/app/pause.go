package app

import (
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func pauseCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "pause",
		Usage:     "freeze every process of a container",
		ArgsUsage: "<container-id>",
		Action: onContainer(g, func(c *cli.Context, ct *linux.Container) error {
			return ct.Pause()
		}),
	}
}

func resumeCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "resume",
		Usage:     "thaw the processes of a paused container",
		ArgsUsage: "<container-id>",
		Action: onContainer(g, func(c *cli.Context, ct *linux.Container) error {
			return ct.Resume()
		}),
	}
}
