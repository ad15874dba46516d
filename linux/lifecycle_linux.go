package linux

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// Start lets a created container's process run (the OCI `start`), then
// runs its poststart hooks; if one fails, the container is stopped and
// deleted. With a notify socket it returns once the container has said
// READY=1 (or its init has exited).
func Start(c *libcontainer.Container, root string, n *NotifySocket) error {
	status, err := c.Status()
	if err != nil {
		return fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	switch status {
	case libcontainer.Created:
		if err := n.Listen(); err != nil {
			return err
		}
		defer n.Close()
		if err := c.Exec(); err != nil {
			return &startError{id: c.ID(), err: err}
		}
		h, err := loadRuntimeHooks(root, c.ID())
		if err != nil {
			return err
		}
		if err := runPoststart(c, h); err != nil {
			if derr := killAndDestroy(c, root); derr != nil {
				logrus.Warn(derr)
			}
			return err
		}
		if n == nil {
			return nil
		}
		st, err := c.State()
		if err != nil {
			return fmt.Errorf("state of container %q: %w", c.ID(), err)
		}
		return n.Forward(context.Background(), st.InitProcessPid, st.InitProcessPid)
	case libcontainer.Stopped:
		return fmt.Errorf("cannot start a container that has stopped: %q; delete it and create it again", c.ID())
	case libcontainer.Running:
		return fmt.Errorf("cannot start an already running container: %q", c.ID())
	default:
		return fmt.Errorf("cannot start a container in the %s state: %q", status, c.ID())
	}
}

// Kill sends sig to the container's init, or with all to every process in
// its cgroup. "container not running" is the error for a container whose
// init has gone (containerd looks for those words); with all, that case
// is not an error, as in runc. Signal 0 sends nothing and only checks
// that the init is alive (kill -0), so it never freezes the container,
// with all or not.
func Kill(c *libcontainer.Container, sig unix.Signal, all bool) error {
	if all && sig != 0 {
		return killAll(c, sig)
	}
	if err := c.Signal(sig); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			if all {
				return nil
			}
			return fmt.Errorf("%w: cannot signal container %q, its init has exited", libcontainer.ErrNotRunning, c.ID())
		}
		return fmt.Errorf("signal container %q: %w", c.ID(), err)
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

// Delete removes a container under root, then runs its poststop hooks.
// A running or paused one is refused unless force, which kills it first;
// a created one is killed, as its process never ran user code.
func Delete(c *libcontainer.Container, root string, force bool) error {
	status, err := c.Status()
	if err != nil {
		return fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	switch status {
	case libcontainer.Stopped:
	case libcontainer.Created:
		return killAndDestroy(c, root)
	default:
		if !force {
			return fmt.Errorf("cannot delete container %s that is not stopped: %s; stop it with 'hull kill' first or use 'hull delete --force'", c.ID(), status)
		}
		return killAndDestroy(c, root)
	}
	return Destroy(c, root)
}

// killAndDestroy sends SIGKILL and destroys the container once its init
// is gone, waiting up to ten seconds like runc.
func killAndDestroy(c *libcontainer.Container, root string) error {
	if err := killAndWait(c); err != nil {
		return err
	}
	return Destroy(c, root)
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

// RemoveStale removes the state directory of a container that has none
// of its state file (a create that was cut short); it reports whether
// there was one.
func RemoveStale(root, id string) (bool, error) {
	dir := filepath.Join(root, id)
	if _, err := os.Lstat(dir); err != nil {
		return false, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return true, fmt.Errorf("remove stale state %s: %w", dir, err)
	}
	return true, nil
}

// Pause freezes the container's processes.
func Pause(c *libcontainer.Container) error {
	if err := c.Pause(); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			return fmt.Errorf("%w: cannot pause container %q", libcontainer.ErrNotRunning, c.ID())
		}
		return fmt.Errorf("pause container %q: %w", c.ID(), err)
	}
	return nil
}

// Resume thaws a paused container.
func Resume(c *libcontainer.Container) error {
	if err := c.Resume(); err != nil {
		if errors.Is(err, libcontainer.ErrNotPaused) {
			return fmt.Errorf("%w: cannot resume container %q", libcontainer.ErrNotPaused, c.ID())
		}
		return fmt.Errorf("resume container %q: %w", c.ID(), err)
	}
	return nil
}
