package app

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
	"github.com/hullrt/hull/spec"
)

func killCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "kill",
		Usage:     "send a signal (default SIGTERM) to the container's init, or with --all to all its processes; signal 0 only checks that the init is alive",
		ArgsUsage: "<container-id> [signal]",
		Flags: []cli.Flag{
			// runc hides --all, but containerd and podman still send it.
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "signal every process in the container"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return fmt.Errorf("kill needs a container ID and optionally a signal, got %d arguments; usage: hull kill [--all] <container-id> [signal]", c.NArg())
			}
			id := c.Args().Get(0)
			if err := spec.ValidateID(id); err != nil {
				return err
			}
			name := c.Args().Get(1)
			if name == "" {
				name = "SIGTERM"
			}
			sig, err := spec.ParseSignal(name)
			if err != nil {
				return err
			}
			return linux.Kill(g.root, id, sig, c.Bool("all"))
		},
	}
}
