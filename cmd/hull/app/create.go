package app

import (
	"errors"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

// launchFlags are the flags `create` and `run` share.
func launchFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Usage: "path to the bundle directory (default: the current directory)"},
		&cli.StringFlag{Name: "console-socket", Usage: "AF_UNIX socket that receives the pty master when process.terminal is true"},
		&cli.StringFlag{Name: "pid-file", Usage: "write the container init's host PID to this file"},
		&cli.BoolFlag{Name: "no-pivot", Usage: "do not use pivot_root to jail the process in its rootfs"},
		&cli.BoolFlag{Name: "no-new-keyring", Usage: "do not create a new session keyring for the container"},
		&cli.UintFlag{Name: "preserve-fds", Usage: "pass N extra file descriptors (from fd 3) to the container"},
		&cli.StringFlag{Name: "pidfd-socket", Usage: "AF_UNIX socket that receives a pidfd of the process"},
	}
}

func createCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "create",
		Usage:     "create a container; its process waits for 'hull start'",
		ArgsUsage: "<container-id>",
		Flags:     launchFlags(),
		Action: func(c *cli.Context) error {
			_, err := launch(c, g, linux.LaunchOptions{})
			return err
		},
	}
}

// launch loads the bundle, translates it and starts the container.
func launch(c *cli.Context, g *globalOptions, o linux.LaunchOptions) (int, error) {
	id, err := containerID(c)
	if err != nil {
		return -1, err
	}
	if g.noCgroups {
		// libcontainer has no container without a cgroup of its own:
		// joining the caller's, delete would try to remove it.
		return -1, errors.New("--cgroup-manager disabled is not supported: hull always gives a container its own cgroup; use cgroupfs or systemd (for podman, leave hull out of runtime_supports_nocgroup)")
	}
	plan, findings := linux.Prepare(c.String("bundle"), linux.PrepareOptions{
		ID:            id,
		SystemdCgroup: g.systemdCgroup,
		NoPivotRoot:   c.Bool("no-pivot"),
		NoNewKeyring:  c.Bool("no-new-keyring"),
		RootlessEUID:  os.Geteuid() != 0,
		// runc's rule, with --rootless.
		RootlessCgroups: linux.RootlessCgroups(g.rootless, g.systemdCgroup),
		Host:            true, // the container is made here
		Timings:         g.timings,
	})
	if err := findings.Err(); err != nil {
		return -1, err
	}
	// What runc accepts silently, hull accepts too, but says so.
	for _, w := range plan.Warnings {
		logrus.Warn(w.Err)
	}
	o.ConsoleSocket = c.String("console-socket")
	o.PidfdSocket = c.String("pidfd-socket")
	o.PidFile = c.String("pid-file")
	o.PreserveFDs = int(c.Uint("preserve-fds"))
	o.Notify = linux.NewNotifySocket(g.root, id)
	o.Hooks = plan.Hooks
	ct, err := linux.New(g.root, id)
	if err != nil {
		return -1, err
	}
	ct.SetTimings(g.timings)
	status, err := ct.Launch(plan.Config, plan.Process, o)
	return status, linux.ExplainStartError(err, plan.Bundle)
}
