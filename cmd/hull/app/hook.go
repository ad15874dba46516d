package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/hooks"
)

// hookCommand runs one prestart or createRuntime hook for libcontainer
// (see linux.wrapHooks): libcontainer's own runner waits for the hook's
// output to close, so a hook whose child outlives it, or a timed-out one,
// would hang create.
// This runs the hook with hooks.Exec, passes its output and exit status
// on, and on timeout kills its whole process group.
func hookCommand() *cli.Command {
	return &cli.Command{
		Name:      "hook",
		Hidden:    true,
		Usage:     "run an OCI hook for libcontainer (internal)",
		ArgsUsage: "[--timeout SECONDS] PATH [ARGV0 ARGS...]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "timeout", Usage: "kill the hook after this many seconds"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 {
				return errors.New("hook needs the hook's path")
			}
			args := c.Args().Slice()
			h := specs.Hook{Path: args[0], Args: args[1:]}
			if c.IsSet("timeout") {
				t := c.Int("timeout")
				h.Timeout = &t
			}
			stdin, err := io.ReadAll(os.Stdin)
			if err != nil {
				return fmt.Errorf("hook %s: read the state: %w", h.Path, err)
			}
			stdout, stderr, err := hooks.Exec(c.Context, h, stdin)
			os.Stdout.Write(stdout)
			os.Stderr.Write(stderr)
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.ExitCode() > 0 {
				return exitStatus(ee.ExitCode())
			}
			return err
		},
	}
}
