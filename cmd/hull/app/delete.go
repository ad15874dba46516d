package app

import (
	"errors"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func deleteCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "delete",
		Usage:     "delete a container and everything it holds",
		ArgsUsage: "<container-id>",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill the container first if it is running"},
		},
		Action: func(c *cli.Context) error {
			id, err := containerID(c)
			if err != nil {
				return err
			}
			force := c.Bool("force")
			ct, err := linux.Load(g.root, id)
			if errors.Is(err, libcontainer.ErrNotExist) {
				// A create that was cut short can leave a state directory
				// without state; delete removes it. With --force a missing
				// container is not an error, as the shims' cleanup expects.
				if _, rmErr := linux.RemoveStale(g.root, id); rmErr != nil {
					return rmErr
				}
				if force {
					return nil
				}
			}
			if err != nil {
				return err
			}
			return linux.Delete(ct, g.root, force)
		},
	}
}
