package linux

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/opencontainers/runc/libcontainer"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/hooks"
)

// Delete removes the container, then runs its poststop hooks. A running
// or paused one is refused unless force, which kills it first; a created
// one is killed, as its process never ran user code.
//
// A container whose create was cut short (no libcontainer state, only
// the intent record) is removed from what the intent names: its
// processes, cgroups in every controller, systemd unit and state. A
// delete cut short is finished by the next one: the intent record is the
// last thing to go.
//
// Deleting a container that does not exist is an error ("container does
// not exist"), except with force, as the shims' cleanup expects; either
// way a state directory left without state by an older hull is removed.
func (c *Container) Delete(force bool) error {
	if err := c.lockState(); err != nil {
		if errors.Is(err, libcontainer.ErrNotExist) {
			if rmErr := c.removeStale(); rmErr != nil {
				return rmErr
			}
			if force {
				return nil
			}
		}
		return err
	}
	defer c.unlock()
	c.t.Mark("load")
	// Destroying the container and its poststop hooks.
	defer c.t.Mark("delete")
	failpoint("delete:locked")
	if c.lc == nil {
		// With the lock held, the hull that was creating the container
		// is gone: it held the lock until it was done.
		if !force && c.halfStatus() == statusCreating {
			return fmt.Errorf("cannot delete container %s that is not stopped: %s; use 'hull delete --force'", c.l.id, statusCreating)
		}
		failpoint("delete:killed")
		h, herr := loadRuntimeHooks(c.l)
		if err := c.removeTraces(); err != nil {
			return err
		}
		if herr == nil {
			c.runPoststop(h)
		}
		return nil
	}
	status, err := c.lc.Status()
	if err != nil {
		return fmt.Errorf("status of container %q: %w", c.l.id, err)
	}
	switch status {
	case libcontainer.Stopped:
	case libcontainer.Created:
		return c.killAndDestroy()
	default:
		if !force {
			return fmt.Errorf("cannot delete container %s that is not stopped: %s; stop it with 'hull kill' first or use 'hull delete --force'", c.l.id, status)
		}
		return c.killAndDestroy()
	}
	return c.destroy()
}

// killAndDestroy sends SIGKILL and destroys the container once its init
// is gone, waiting up to ten seconds like runc.
func (c *Container) killAndDestroy() error {
	if err := killAndWait(c.lc); err != nil {
		return err
	}
	c.t.Mark("kill")
	failpoint("delete:killed")
	return c.destroy()
}

// destroy removes a container whose processes are gone: libcontainer's
// state and cgroups, the poststop hooks, then hull's state.
func (c *Container) destroy() error {
	h, err := loadRuntimeHooks(c.l)
	if err != nil {
		logrus.Warn(err)
		h = &runtimeHooks{}
	}
	if err := destroyWithHooks(c.lc, h); err != nil {
		return err
	}
	failpoint("delete:destroyed")
	return c.removeTraces()
}

// destroyWithHooks deletes the libcontainer container and then runs its
// poststop hooks; a failing poststop hook is logged as a warning, as
// runtime-spec asks, and does not fail the delete.
func destroyWithHooks(c *libcontainer.Container, h *runtimeHooks) error {
	var st *specs.State
	if len(h.Poststop) > 0 {
		st, _ = c.OCIState()
	}
	if err := c.Destroy(); err != nil {
		return fmt.Errorf("delete container %q: %w", c.ID(), err)
	}
	if st != nil {
		st.Status = specs.StateStopped
		st.Pid = 0
		for _, err := range hooks.RunAll(context.Background(), hooks.Poststop, h.Poststop, st) {
			logrus.Warnf("%v; container %q", err, c.ID())
		}
	}
	return nil
}

// removeTraces removes whatever of the container is left once
// libcontainer is done with it, or when it never got that far: what the
// intent names, libcontainer's directory, hull's.
func (c *Container) removeTraces() error {
	if c.in != nil {
		if err := c.in.purge(); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(c.l.lcDir()); err != nil {
		return fmt.Errorf("delete container %q: %w", c.l.id, err)
	}
	return c.l.removeDir()
}

// removeStale removes a libcontainer directory without state (a create
// of an older hull that was cut short) and a hull directory without an
// intent record (a delete cut short after the intent went).
func (c *Container) removeStale() error {
	if _, err := os.Lstat(c.l.lcDir()); err == nil {
		if err := os.RemoveAll(c.l.lcDir()); err != nil {
			return fmt.Errorf("remove stale state %s: %w", c.l.lcDir(), err)
		}
	}
	return c.l.removeDir()
}

// runPoststop runs the poststop hooks of a container whose create was
// cut short after they were saved; runtime-spec runs them on every delete
// after create.
func (c *Container) runPoststop(h *runtimeHooks) {
	if len(h.Poststop) == 0 {
		return
	}
	st := &specs.State{Version: c.in.OCIVersion, ID: c.l.id, Status: specs.StateStopped, Bundle: c.in.Bundle, Annotations: c.in.Annotations}
	for _, err := range hooks.RunAll(context.Background(), hooks.Poststop, h.Poststop, st) {
		logrus.Warnf("%v; container %q", err, c.l.id)
	}
}
