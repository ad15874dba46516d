package app

import (
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

// restoreCommand has runc's flags, names and defaults. Like `run`, it
// stays in the foreground and exits with the container's status unless
// --detach, and deletes the container when it exits.
func restoreCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "restore",
		Usage:     "restore a container from a checkpoint",
		ArgsUsage: "<container-id>",
		Description: "Creates container <container-id> from the bundle, as 'hull run' does, and brings back\n" +
			"the processes that 'hull checkpoint' saved in --image-path, instead of starting config.json's.",
		// runc's restore has these of create's flags, and not
		// --no-new-keyring, --preserve-fds or --pidfd-socket.
		Flags: append(append(pickFlags(launchFlags(), "bundle", "console-socket", "pid-file", "no-pivot"),
			&cli.StringFlag{Name: "image-path", Usage: "directory of the checkpoint's image files (default: ./checkpoint)"},
			&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the container is restored"},
			&cli.BoolFlag{Name: "no-subreaper", Usage: "do not become the child subreaper (hull then cannot wait for the container)"},
			&cli.StringFlag{Name: "lsm-profile", Usage: "LSM profile for the restored processes, as TYPE:NAME"},
			&cli.StringFlag{Name: "lsm-mount-context", Usage: "LSM mount context for the restored container's mounts"},
		), criuFlags()...),
		Action: func(c *cli.Context) error {
			cr, err := criuOptions(c, g)
			if err != nil {
				return err
			}
			status, err := launch(c, g, linux.LaunchOptions{
				Run:         true,
				Detach:      c.Bool("detach"),
				NoSubreaper: c.Bool("no-subreaper"),
				Restore:     &cr,
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

// pickFlags returns the flags of list with the given names, in list's order.
func pickFlags(list []cli.Flag, names ...string) []cli.Flag {
	var out []cli.Flag
	for _, f := range list {
		for _, n := range names {
			if f.Names()[0] == n {
				out = append(out, f)
			}
		}
	}
	return out
}
