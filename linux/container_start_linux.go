package linux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/system"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// StartByID lets a created container's process run (the OCI `start`),
// then runs its poststart hooks; if one fails, the container is stopped
// and deleted. With a notify socket it returns once the container has
// said READY=1 (or its init has exited).
//
// It does so without building
// libcontainer's container on the way everyone takes (no poststart
// hooks): it reads state.json's few fields (see Query) and opens the exec
// fifo itself, as libcontainer's Container.Exec does. Decoding the whole
// configs.Config, twice (Open, then under the lock), was most of start.
func StartByID(root, id string, t *Timings) error {
	c, err := New(root, id)
	if err != nil {
		return err
	}
	c.SetTimings(t)
	n := NewNotifySocket(root, id)
	var sf *stateFile
	if err := c.lockStateWith(func() (err error) { sf, err = c.loadStateFile(); return err }); err != nil {
		return err
	}
	defer c.unlock()
	c.t.Mark("load")
	failpoint("start:locked")
	if sf == nil {
		if c.halfStatus() == statusCreating {
			return fmt.Errorf("cannot start container %q: it is still being created", id)
		}
		return fmt.Errorf("cannot start a container that has stopped: %q; delete it and create it again", id)
	}
	status, err := sf.status(c.l)
	if err != nil {
		return err
	}
	switch status {
	case libcontainer.Created:
	case libcontainer.Stopped:
		return fmt.Errorf("cannot start a container that has stopped: %q; delete it and create it again", id)
	case libcontainer.Running:
		return fmt.Errorf("cannot start an already running container: %q", id)
	default:
		return fmt.Errorf("cannot start a container in the %s state: %q", status, id)
	}
	if err := n.Listen(); err != nil {
		return err
	}
	defer n.Close()
	if err := execFifo(filepath.Join(c.l.lcDir(), "exec.fifo"), sf.InitProcessPid); err != nil {
		return &startError{id: id, err: err}
	}
	c.t.Mark("exec")
	failpoint("start:executed")
	h, err := loadRuntimeHooks(c.l)
	if err != nil {
		return err
	}
	if len(h.Poststart) > 0 {
		// Hooks get libcontainer's OCI state and, when one fails, the
		// container is killed and destroyed: both need the container.
		if err := c.load(); err != nil {
			return err
		}
		if c.lc == nil {
			return c.notCreated()
		}
		err = runPoststart(c.lc, h)
		c.t.Mark("hooks")
		if err != nil {
			if derr := c.killAndDestroy(); derr != nil {
				logrus.Warn(derr)
			}
			return err
		}
	} else {
		// No hooks: the phase is there, empty, so that --timings lists
		// the same phases for every start.
		c.t.Mark("hooks")
	}
	if n == nil {
		return nil
	}
	// Waiting for READY is no state change: others may act meanwhile.
	c.unlock()
	return n.Forward(context.Background(), sf.InitProcessPid, sf.InitProcessPid)
}

// execFifo lets the init of pid run, as libcontainer's Container.exec:
// opening the fifo for reading unblocks the init's write; while the open
// blocks, the init is checked every 100 ms, and once it is gone the fifo
// is opened without blocking for what it wrote before it ended.
func execFifo(path string, pid int) error {
	opened := make(chan fifoResult, 1)
	go func() { opened <- openFifo(path, true) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-opened:
			return r.read()
		case <-tick.C:
			if st, err := system.Stat(pid); err != nil || st.State == system.Zombie {
				if openFifo(path, false).read() != nil {
					return errors.New("container process is already dead")
				}
				return nil
			}
		}
	}
}

type fifoResult struct {
	f   *os.File
	err error
}

func openFifo(path string, block bool) fifoResult {
	flags := os.O_RDONLY
	if !block {
		flags |= unix.O_NONBLOCK
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return fifoResult{err: fmt.Errorf("exec fifo: %w", err)}
	}
	return fifoResult{f: f}
}

// read takes the init's byte and removes the fifo: the container is
// running from then on.
func (r fifoResult) read() error {
	if r.err != nil {
		return r.err
	}
	defer r.f.Close()
	data, err := io.ReadAll(r.f)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("cannot start an already running container")
	}
	if err := os.Remove(r.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
