package linux

import (
	"context"
	"fmt"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/sirupsen/logrus"
)

// Start lets a created container's process run (the OCI `start`), then
// runs its poststart hooks; if one fails, the container is stopped and
// deleted. With a notify socket it returns once the container has said
// READY=1 (or its init has exited).
func (c *Container) Start(n *NotifySocket) error {
	if err := c.lockState(); err != nil {
		return err
	}
	defer c.unlock()
	c.t.Mark("load")
	failpoint("start:locked")
	if c.lc == nil {
		if c.halfStatus() == statusCreating {
			return fmt.Errorf("cannot start container %q: it is still being created", c.l.id)
		}
		return fmt.Errorf("cannot start a container that has stopped: %q; delete it and create it again", c.l.id)
	}
	lc := c.lc
	status, err := lc.Status()
	if err != nil {
		return fmt.Errorf("status of container %q: %w", lc.ID(), err)
	}
	switch status {
	case libcontainer.Created:
		if err := n.Listen(); err != nil {
			return err
		}
		defer n.Close()
		if err := lc.Exec(); err != nil {
			return &startError{id: lc.ID(), err: err}
		}
		c.t.Mark("exec")
		failpoint("start:executed")
		h, err := loadRuntimeHooks(c.l)
		if err != nil {
			return err
		}
		err = runPoststart(lc, h)
		c.t.Mark("hooks")
		if err != nil {
			if derr := c.killAndDestroy(); derr != nil {
				logrus.Warn(derr)
			}
			return err
		}
		if n == nil {
			return nil
		}
		st, err := lc.State()
		if err != nil {
			return fmt.Errorf("state of container %q: %w", lc.ID(), err)
		}
		// Waiting for READY is no state change: others may act meanwhile.
		c.unlock()
		return n.Forward(context.Background(), st.InitProcessPid, st.InitProcessPid)
	case libcontainer.Stopped:
		return fmt.Errorf("cannot start a container that has stopped: %q; delete it and create it again", lc.ID())
	case libcontainer.Running:
		return fmt.Errorf("cannot start an already running container: %q", lc.ID())
	default:
		return fmt.Errorf("cannot start a container in the %s state: %q", status, lc.ID())
	}
}
