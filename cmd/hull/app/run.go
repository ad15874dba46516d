package app

import (
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func runCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "create and start a container; in the foreground, exit with its status",
		ArgsUsage: "<container-id>",
		Flags: append(launchFlags(),
			&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the container has started"},
			&cli.BoolFlag{Name: "keep", Usage: "do not delete the container after it exits"},
			&cli.BoolFlag{Name: "no-subreaper", Usage: "do not become the child subreaper (hull then cannot wait for the container)"},
		),
		Action: func(c *cli.Context) error {
			status, err := launch(c, g, linux.LaunchOptions{
				Run:         true,
				Detach:      c.Bool("detach"),
				Keep:        c.Bool("keep"),
				NoSubreaper: c.Bool("no-subreaper"),
			})
			if err != nil {
				return err
			}
			if status != 0 {
				return exitStatus(status)
			}
			return nil
		},
	}
}
