package linux

import (
	"errors"
	"fmt"
	"time"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"
)

// Signal sends sig to the container's init, or with all to every process
// in its cgroup. "container not running" is the error for a container
// whose init has gone (containerd looks for those words); with all, that
// case is not an error, as in runc. Signal 0 sends nothing and only
// checks that the init is alive (kill -0), so it never freezes the
// container, with all or not.
//
// Signal takes no lock: a signal changes no state of hull's, and a kill
// must get through while another command (a stuck hook, say) holds it.
func (c *Container) Signal(sig unix.Signal, all bool) error {
	failpoint("kill:loaded")
	if c.lc == nil {
		if all {
			return nil
		}
		return c.notCreated()
	}
	if all && sig != 0 {
		return killAll(c.lc, sig)
	}
	if err := c.lc.Signal(sig); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			if all {
				return nil
			}
			return fmt.Errorf("%w: cannot signal container %q, its init has exited", libcontainer.ErrNotRunning, c.lc.ID())
		}
		return fmt.Errorf("signal container %q: %w", c.lc.ID(), err)
	}
	return nil
}

// killAll signals every process of the container. Processes are frozen
// first so that none can fork a child that escapes the signal.
func killAll(c *libcontainer.Container, sig unix.Signal) error {
	status, err := c.Status()
	if err != nil {
		return fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	if status == libcontainer.Stopped {
		return nil
	}
	switch {
	case status != libcontainer.Paused:
		if c.Pause() == nil {
			defer func() { _ = c.Resume() }()
			failpoint("kill:frozen")
		}
	case sig == unix.SIGKILL:
		// A frozen process dies of SIGKILL only once thawed (cgroup v1);
		// the container is not coming back from this pause.
		defer func() { _ = c.Resume() }()
	}
	pids, err := c.Processes()
	if err != nil {
		return fmt.Errorf("processes of container %q: %w", c.ID(), err)
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("signal process %d of container %q: %w", pid, c.ID(), err)
		}
	}
	return nil
}

// killAndWait kills the container's processes and waits, up to ten
// seconds, until its init is gone.
func killAndWait(c *libcontainer.Container) error {
	if c.Config().Namespaces.IsPrivate(configs.NEWPID) {
		_ = c.Signal(unix.SIGKILL)
	} else {
		_ = killAll(c, unix.SIGKILL)
	}
	for range 200 {
		if err := c.Signal(unix.Signal(0)); err != nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("delete container %q: its init process survived SIGKILL for 10s", c.ID())
}
