package app

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"

	"github.com/hullrt/hull/spec"
)

// containerID returns the only argument, a valid container ID; other
// commands say what their arguments are.
func containerID(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", fmt.Errorf("%s needs exactly one container ID, got %d arguments; usage: hull %s [options] <container-id>", c.Command.Name, c.NArg(), c.Command.Name)
	}
	id := c.Args().First()
	if err := spec.ValidateID(id); err != nil {
		return "", err
	}
	return id, nil
}

// onContainer is the action of a command whose one argument is the ID of
// an existing container: it loads the container and hands it to do.
func onContainer(g *globalOptions, do func(c *cli.Context, ct *linux.Container) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		id, err := containerID(c)
		if err != nil {
			return err
		}
		ct, err := linux.Open(g.root, id)
		if err != nil {
			return err
		}
		g.timings.Mark("load")
		ct.SetTimings(g.timings)
		return do(c, ct)
	}
}
