package linux

import (
	"errors"
	"fmt"

	"github.com/opencontainers/cgroups"
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

// Umask is the umask the container's process runs with, nil for the
// default or a container never completely created.
func (ct *Container) Umask() *uint32 {
	if ct.lc == nil {
		return nil
	}
	return ct.lc.Config().Umask
}

// Exec starts proc in the running container, joining its namespaces,
// cgroups and security settings. In the foreground it returns the
// process's exit status (128+signal when killed); detached, 0. The
// container is locked until the process has started, not while it runs.
func (ct *Container) Exec(proc *spec.Process, o ExecOptions) (int, error) {
	if err := ct.lockState(); err != nil {
		return -1, err
	}
	defer ct.unlock()
	ct.t.Mark("load")
	failpoint("exec:locked")
	if ct.lc == nil {
		return -1, fmt.Errorf("cannot exec in a stopped container: %q: %w", ct.l.id, ct.notCreated())
	}
	c := ct.lc
	status, err := c.Status()
	if err != nil {
		return -1, fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	switch status {
	case libcontainer.Stopped:
		return -1, fmt.Errorf("cannot exec in a stopped container: %q: %w", c.ID(), libcontainer.ErrNotRunning)
	case libcontainer.Paused:
		if !o.IgnorePaused {
			return -1, fmt.Errorf("cannot exec in a paused container (use --ignore-paused to override): %q; resume it first", c.ID())
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
		onStart: func(*libcontainer.Process) error {
			failpoint("exec:started")
			return nil
		},
		release: ct.unlock,
		timings: ct.t,
	}
	if err := CheckStdio(proc.Terminal, lo, 3); err != nil {
		return -1, err
	}
	p := newProcess(proc)
	p.SubCgroupPaths = o.SubCgroupPaths
	if len(o.SubCgroupPaths) > 0 && cgroups.IsCgroup2UnifiedMode() {
		st, err := c.State()
		if err != nil {
			return -1, fmt.Errorf("state of container %q: %w", c.ID(), err)
		}
		if p.SubCgroupPaths, err = unifiedSubCgroup(o.SubCgroupPaths, st.CgroupPaths[""]); err != nil {
			return -1, err
		}
	}
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
		return -1, fmt.Errorf("cannot exec in a stopped container: %q: %w", c.ID(), err)
	}
	return code, err
}

// noHooks: an exec'd process runs no poststart hooks.
func noHooks() error { return nil }
