package linux

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/spec"
)

// Create makes the container from cfg with proc as its process, waiting
// in "created" for Start (the OCI `create`); o.Run is ignored.
func (c *Container) Create(cfg *configs.Config, proc *spec.Process, o LaunchOptions) error {
	o.Run = false
	_, err := c.Launch(cfg, proc, o)
	return err
}

// Run makes the container and starts proc in it (`run`); see Launch.
func (c *Container) Run(cfg *configs.Config, proc *spec.Process, o LaunchOptions) (int, error) {
	o.Run = true
	return c.Launch(cfg, proc, o)
}

// Launch creates the container from cfg and starts proc in it. With
// o.Run and not Detach it waits for the process and returns its exit
// status (128+signal when killed), then deletes the container unless Keep.
// On any error the container is destroyed: nothing is left behind.
//
// The intent record is on disk before anything else exists, and the
// container stays locked until its process has started, so that a hull
// killed at any point leaves a container `delete --force` can remove.
func (c *Container) Launch(cfg *configs.Config, proc *spec.Process, o LaunchOptions) (status int, retErr error) {
	// Under systemd socket activation the sockets are fds 3 and up; the
	// container gets them at the same numbers, as runc does.
	listenFDs := listenFiles()
	if o.Restore != nil {
		if err := o.Restore.checkRestore(); err != nil {
			return -1, err
		}
		r := *o.Restore
		r.binDir = c.l.file(criuBinDir)
		o.Restore = &r
	}
	if err := CheckStdio(proc.Terminal, o, 3+len(listenFDs)); err != nil {
		return -1, err
	}
	// libcontainer wants the rootfs as a real path; a bundle whose rootfs
	// is a symlink (to a shared image directory, say) is common, and runc
	// refuses it with "not an absolute path, or a symlink".
	rootfs, err := filepath.EvalSymlinks(cfg.Rootfs)
	if err != nil {
		return -1, fmt.Errorf("root.path %s: %w", cfg.Rootfs, err)
	}
	cfg.Rootfs = rootfs
	if o.Notify != nil {
		o.Notify.addTo(cfg, proc)
	}
	rh := takeRuntimeHooks(cfg, o.Hooks)
	if err := wrapHooks(cfg, o.Hooks); err != nil {
		return -1, err
	}
	c.t.Mark("setup")

	if err := c.begin(cfg); err != nil {
		return -1, err
	}
	c.t.Mark("intent")
	defer func() {
		if retErr != nil {
			c.abort(rh)
		}
		c.unlock()
	}()
	failpoint("create:intent-written")
	lc, err := libcontainer.Create(c.l.root, c.l.id, cfg)
	if err != nil {
		// Another hull's create of the ID has the lock first; this one can
		// only be an older hull's, or a state directory made by hand.
		if errors.Is(err, libcontainer.ErrExist) || errors.Is(err, os.ErrExist) {
			return -1, c.exists()
		}
		return -1, fmt.Errorf("create container %q: %w", c.l.id, err)
	}
	c.lc = lc
	c.t.Mark("libcontainer create")
	failpoint("create:container-created")
	if err := rh.save(c.l); err != nil {
		return -1, err
	}
	failpoint("create:hooks-saved")
	if err := o.Notify.MakeDir(); err != nil {
		return -1, err
	}
	if o.Run && o.Restore == nil {
		if err := o.Notify.Listen(); err != nil {
			return -1, err
		}
		defer o.Notify.Close()
	}

	p := newProcess(proc)
	p.Init = true
	closePidfd, err := attachPidfdSocket(p, o.PidfdSocket)
	if err != nil {
		return -1, err
	}
	defer closePidfd()
	if len(listenFDs) > 0 {
		p.Env = append(p.Env, "LISTEN_FDS="+strconv.Itoa(len(listenFDs)), "LISTEN_PID=1")
		p.ExtraFiles = listenFDs
	}
	p.ExtraFiles = append(p.ExtraFiles, preservedFiles(3+len(listenFDs), o.PreserveFDs)...)

	o.onStart = c.recordInit
	o.timings = c.t
	o.release = c.unlock
	// poststart runs once the user process does, before hull returns.
	poststart := func() error {
		if !o.Run || o.Restore != nil {
			return nil
		}
		failpoint("run:started")
		defer c.t.Mark("hooks")
		return runPoststart(lc, rh)
	}
	if o.detached() {
		return 0, startDetached(lc, p, proc.Terminal, o, poststart)
	}
	status, err = startAttached(lc, p, proc.Terminal, o, poststart)
	if err != nil {
		return -1, err
	}
	if !o.Keep {
		failpoint("run:exited")
		c.deleteAfterRun(rh)
		c.t.Mark("delete")
	}
	return status, nil
}

// begin locks the new container's state directory and writes its intent
// record, refusing an ID in use. Nothing else exists yet.
func (c *Container) begin(cfg *configs.Config) error {
	// libcontainer makes the root 0700 too; hull's directory is in it.
	if err := os.MkdirAll(c.l.root, 0o700); err != nil {
		return fmt.Errorf("create container %q: state root: %w", c.l.id, err)
	}
	lk, err := acquireLock(c.l.dir(), true)
	if err != nil {
		return fmt.Errorf("create container %q: %w", c.l.id, err)
	}
	c.lock = lk
	failpoint("create:locked")
	in, err := c.l.readIntent()
	if err == nil && in == nil {
		if _, serr := os.Lstat(c.l.lcDir()); serr == nil {
			err = c.exists()
		}
	} else if err == nil {
		err = c.exists()
	}
	if err != nil {
		c.unlock()
		return err
	}
	c.in = newIntent(c.l.id, cfg, selfRef())
	if err := c.l.writeIntent(c.in); err != nil {
		_ = c.l.removeDir()
		c.unlock()
		return err
	}
	return nil
}

func (c *Container) exists() error {
	return fmt.Errorf("container with given ID already exists: %q (state root %s); pick another ID or 'hull delete' it first", c.l.id, c.l.root)
}

// recordInit adds the started init to the intent record, so that a
// container whose hull dies before libcontainer has written its state
// still has its init killed by `delete --force`.
func (c *Container) recordInit(p *libcontainer.Process) error {
	failpoint("create:started")
	pid, err := p.Pid()
	if err != nil {
		return err
	}
	start, err := procStart(pid)
	if err != nil {
		// Gone already: nothing to record, and libcontainer will say why.
		return nil
	}
	c.in.Init = &procRef{Pid: pid, Start: start}
	if err := c.l.writeIntent(c.in); err != nil {
		return err
	}
	failpoint("create:pid-recorded")
	return nil
}

// abort undoes a create that failed: whatever failed, the container
// goes, and a failed create still ends with the poststop hooks.
func (c *Container) abort(rh *runtimeHooks) {
	if c.lc == nil {
		// libcontainer made nothing: the cgroups the intent names may
		// be someone else's (libcontainer refuses a busy one).
		if err := c.l.removeDir(); err != nil {
			logrus.Warn(err)
		}
		return
	}
	if st, err := c.lc.Status(); err == nil && st != libcontainer.Stopped {
		if err := killAndWait(c.lc); err != nil {
			logrus.Warn(err)
		}
	}
	if err := destroyWithHooks(c.lc, rh); err != nil {
		logrus.Warn(err)
	}
	if err := c.removeTraces(); err != nil {
		logrus.Warn(err)
	}
}

// deleteAfterRun deletes a foreground container once its process has
// exited, unless another hull deleted it meanwhile.
func (c *Container) deleteAfterRun(rh *runtimeHooks) {
	if err := c.lockStateWith(c.loadUnlessOwn); err != nil {
		if !errors.Is(err, libcontainer.ErrNotExist) {
			logrus.Warn(err)
		}
		return
	}
	defer c.unlock()
	if c.lc != nil {
		if err := destroyWithHooks(c.lc, rh); err != nil {
			logrus.Warn(err)
		}
	}
	if err := c.removeTraces(); err != nil {
		logrus.Warn(err)
	}
}

// loadUnlessOwn is load for the hull that made the container, which holds
// it (c.lc, c.in) already: while the intent record on disk is still the
// one this hull wrote and libcontainer's state is there, it keeps them,
// as runc's run destroys the container it made. When another hull has
// made a new container of the same ID meanwhile, it is ErrNotExist: this
// run's container is gone and the new one is not its to delete (runc's
// run would destroy it). Otherwise (another hull deleted the container,
// or a delete was cut short) it loads what is there now. Not decoding state.json again
// saves a foreground run ~0.5 ms.
func (c *Container) loadUnlessOwn() error {
	if c.lc != nil && c.in != nil {
		in, err := c.l.readIntent()
		switch {
		case err == nil && in != nil && in.Hull != c.in.Hull:
			// Another hull deleted this container (delete --force)
			// and made a new one of the same ID: that one is not
			// this run's to delete.
			return fmt.Errorf("container %q was made again by another hull: %w", c.l.id, libcontainer.ErrNotExist)
		case err == nil && in != nil:
			if _, err := os.Lstat(c.l.stateFile()); err == nil {
				c.in = in
				return nil
			}
		}
	}
	return c.load()
}
