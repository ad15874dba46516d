package linux

import (
	"errors"
	"fmt"

	"github.com/opencontainers/runc/libcontainer"

	"github.com/hullrt/hull/spec"
)

// ExecOptions are the command-line choices of `exec`.
type ExecOptions struct {
	Detach        bool
	ConsoleSocket string
	PidfdSocket   string
	PidFile       string
	PreserveFDs   int
	// IgnorePaused allows an exec into a paused container; the process
	// then stays frozen with the rest until `resume`.
	IgnorePaused bool
	// SubCgroupPaths puts the process in a sub-cgroup of the container's,
	// per controller ("" for all, and for cgroup v2).
	SubCgroupPaths map[string]string
}

// Exec starts proc in the running container c, joining its namespaces,
// cgroups and security settings. In the foreground it returns the
// process's exit status (128+signal when killed); detached, 0.
func Exec(c *libcontainer.Container, proc *spec.Process, o ExecOptions) (int, error) {
	status, err := c.Status()
	if err != nil {
		return -1, fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	switch status {
	case libcontainer.Stopped:
		return -1, fmt.Errorf("cannot exec in a stopped container: %q (%w)", c.ID(), libcontainer.ErrNotRunning)
	case libcontainer.Paused:
		if !o.IgnorePaused {
			return -1, fmt.Errorf("cannot exec in a paused container: %q; resume it first, or use --ignore-paused", c.ID())
		}
	}
	lo := LaunchOptions{
		Run:           true,
		Detach:        o.Detach,
		ConsoleSocket: o.ConsoleSocket,
		PidFile:       o.PidFile,
		PreserveFDs:   o.PreserveFDs,
		// nsexec starts the process with CLONE_PARENT: it is hull's own
		// child, so hull can wait for it without being a subreaper.
		NoSubreaper: true,
	}
	if err := CheckStdio(proc.Terminal, lo, 3); err != nil {
		return -1, err
	}
	p := newProcess(proc)
	p.SubCgroupPaths = o.SubCgroupPaths
	closePidfd, err := attachPidfdSocket(p, o.PidfdSocket)
	if err != nil {
		return -1, err
	}
	defer closePidfd()
	p.ExtraFiles = preservedFiles(3, o.PreserveFDs)
	if lo.detached() {
		return 0, startDetached(c, p, proc.Terminal, lo, noHooks)
	}
	code, err := startAttached(c, p, proc.Terminal, lo, noHooks)
	if errors.Is(err, libcontainer.ErrNotRunning) {
		return -1, fmt.Errorf("cannot exec in a stopped container: %q (%w)", c.ID(), err)
	}
	return code, err
}

// noHooks: an exec'd process runs no poststart hooks.
func noHooks() error { return nil }
