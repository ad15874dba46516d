package app

import (
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
			ct, err := linux.New(g.root, id)
			if err != nil {
				return err
			}
			ct.SetTimings(g.timings)
			return ct.Delete(c.Bool("force"))
		},
	}
}
