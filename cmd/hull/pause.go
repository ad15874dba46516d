package main

import (
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func pauseCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "pause",
		Usage:     "freeze every process of a container",
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
			return linux.Pause(ct)
		},
	}
}

func resumeCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "resume",
		Usage:     "thaw the processes of a paused container",
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
			return linux.Resume(ct)
		},
	}
}
