package linux

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/opencontainers/cgroups"
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
			return c.initExited()
		}
		return fmt.Errorf("signal container %q: %w", c.lc.ID(), err)
	}
	return nil
}

// Kill is Open(root, id) followed by Signal(sig, all). A signal to the
// init alone, unless it is a SIGKILL that libcontainer turns into a kill
// of every process (no PID namespace of its own), is sent from the state
// file without building libcontainer's container (see Query), as
// libcontainer's Signal does: the init's start time checked, then the
// signal, then for SIGKILL a frozen cgroup thawed.
func Kill(root, id string, sig unix.Signal, all bool) error {
	c, err := New(root, id)
	if err != nil {
		return err
	}
	if !all {
		sf, err := readStateFile(c.l)
		if err != nil {
			return err
		}
		if sf != nil && (sig != unix.SIGKILL || sf.Config.Namespaces.IsPrivate(configs.NEWPID)) {
			return c.signalInit(sf, sig)
		}
	}
	if err := c.load(); err != nil {
		return err
	}
	return c.Signal(sig, all)
}

// signalInit is Signal(sig, false) from the state file.
func (c *Container) signalInit(sf *stateFile, sig unix.Signal) error {
	failpoint("kill:loaded")
	if !sf.hasInit() {
		return c.initExited()
	}
	p, err := os.FindProcess(sf.InitProcessPid)
	if err == nil {
		err = p.Signal(sig)
	}
	if err != nil {
		return fmt.Errorf("signal container %q: unable to signal init: %w", c.l.id, err)
	}
	if sig == unix.SIGKILL {
		// A frozen process dies of SIGKILL only once thawed (cgroup v1).
		if m, err := sf.cgroupManager(c.l); err == nil {
			if st, err := m.GetFreezerState(); err == nil && st == cgroups.Frozen {
				_ = m.Freeze(cgroups.Thawed)
			}
		}
	}
	return nil
}

func (c *Container) initExited() error {
	return fmt.Errorf("%w: cannot signal container %q, its init has exited", libcontainer.ErrNotRunning, c.l.id)
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
	if err != nil && c.Config().RootlessCgroups {
		// A rootless container with no cgroup (none delegated to the
		// user): its processes cannot be listed, so the init alone is
		// signalled, as runc 1.5 does for every --all (with a PID
		// namespace of its own, a SIGKILL of the init ends them all).
		if err := c.Signal(sig); err != nil && !errors.Is(err, libcontainer.ErrNotRunning) {
			return fmt.Errorf("signal container %q: %w", c.ID(), err)
		}
		return nil
	}
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
// seconds, until its init is gone. The wait is on a pidfd of the init,
// which wakes the moment it exits, rather than polling on a timer; a
// kernel without pidfds (before 5.3) gets the polling.
func killAndWait(c *libcontainer.Container) error {
	pidfd := openInitPidfd(c)
	if pidfd >= 0 {
		defer unix.Close(pidfd)
	}
	if c.Config().Namespaces.IsPrivate(configs.NEWPID) {
		_ = c.Signal(unix.SIGKILL)
	} else {
		_ = killAll(c, unix.SIGKILL)
	}
	if pidfd >= 0 {
		if gone, err := waitPidfd(pidfd, killWait); err == nil {
			if gone {
				return nil
			}
			return initSurvived(c)
		}
	}
	for range int(killWait / killPoll) {
		if err := c.Signal(unix.Signal(0)); err != nil {
			return nil
		}
		time.Sleep(killPoll)
	}
	return initSurvived(c)
}

const (
	// killWait is how long a delete waits for a killed init, as runc.
	killWait = 10 * time.Second
	// killPoll is the polling period without a pidfd.
	killPoll = 50 * time.Millisecond
)

func initSurvived(c *libcontainer.Container) error {
	return fmt.Errorf("delete container %q: its init process survived SIGKILL for %s", c.ID(), killWait)
}

// openInitPidfd returns a pidfd of the container's init, or -1 when it
// has none or the kernel cannot make one. The pidfd is opened before
// libcontainer checks the init's start time, so a pidfd that passes the
// check names the init and not a process that reused its PID.
func openInitPidfd(c *libcontainer.Container) int {
	st, err := c.State()
	if err != nil || st.InitProcessPid <= 0 {
		return -1
	}
	fd, err := unix.PidfdOpen(st.InitProcessPid, 0)
	if err != nil {
		return -1
	}
	if c.Signal(unix.Signal(0)) != nil {
		unix.Close(fd)
		return -1
	}
	return fd
}

// waitPidfd waits up to timeout for the process of pidfd to exit (a
// zombie has exited); gone is false when the time ran out.
func waitPidfd(pidfd int, timeout time.Duration) (gone bool, err error) {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false, nil
		}
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return false, fmt.Errorf("poll pidfd: %w", err)
		case n > 0:
			return true, nil
		}
	}
}
