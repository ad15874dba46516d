package linux

import (
	"errors"
	"fmt"

	"github.com/opencontainers/runc/libcontainer"
)

// Pause freezes the container's processes.
func (c *Container) Pause() error {
	if err := c.lockState(); err != nil {
		return err
	}
	defer c.unlock()
	failpoint("pause:locked")
	if c.lc == nil {
		return c.notCreated()
	}
	if err := c.lc.Pause(); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			return fmt.Errorf("%w: cannot pause container %q", libcontainer.ErrNotRunning, c.l.id)
		}
		return fmt.Errorf("pause container %q: %w", c.l.id, err)
	}
	failpoint("pause:frozen")
	return nil
}

// Resume thaws a paused container.
func (c *Container) Resume() error {
	if err := c.lockState(); err != nil {
		return err
	}
	defer c.unlock()
	if c.lc == nil {
		return fmt.Errorf("%w: cannot resume container %q: it was never completely created", libcontainer.ErrNotPaused, c.l.id)
	}
	if err := c.lc.Resume(); err != nil {
		if errors.Is(err, libcontainer.ErrNotPaused) {
			return fmt.Errorf("%w: cannot resume container %q", libcontainer.ErrNotPaused, c.l.id)
		}
		return fmt.Errorf("resume container %q: %w", c.l.id, err)
	}
	return nil
}
