package linux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"

	"github.com/opencontainers/runc/libcontainer"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// LaunchOptions are the command-line choices of `create` and `run`.
type LaunchOptions struct {
	// Run starts the user process right away (`run`); otherwise the
	// container waits in "created" for `start` (`create`).
	Run bool
	// Detach returns as soon as the container is up. `create` always
	// detaches.
	Detach bool
	// Keep leaves a foreground `run` container in place after it exits.
	Keep bool
	// ConsoleSocket is the AF_UNIX socket that receives the pty master.
	ConsoleSocket string
	// PidfdSocket is the AF_UNIX socket that receives a pidfd of the
	// container's process (pidfd_open(2)), for callers that want to
	// watch it without pid reuse races.
	PidfdSocket string
	// PidFile receives the host PID of the container's init process.
	PidFile string
	// PreserveFDs passes this many fds on to the container, from fd 3 or,
	// under socket activation, after the LISTEN_FDS ones.
	PreserveFDs int
	// NoSubreaper stops a foreground run from becoming the child
	// subreaper (go-runc passes -no-subreaper; see startAttached).
	NoSubreaper bool
	// Notify, when hull was given a NOTIFY_SOCKET, relays the
	// container's sd_notify READY to it.
	Notify *NotifySocket
	// Hooks are config.json's hooks; hull runs poststart and poststop
	// itself (see runtimeHooks), libcontainer the others from cfg.
	Hooks *specs.Hooks
	// Restore, for `restore` (with Run), brings the container's process
	// back from a CRIU checkpoint instead of starting config.json's. As
	// in runc, a restored process gets no poststart hooks and no notify
	// socket: it started, and said READY, before its checkpoint.
	Restore *Criu

	// onStart, set by Launch, records a started init before anything
	// else runs.
	onStart func(p *libcontainer.Process) error
	// timings, set by Launch and Exec from their Container, gets the
	// phases of the start ("init", "exec", "wait").
	timings *Timings
	// release, set by Launch and Exec, drops the container's lock once
	// the process has started: the lock covers state changes, not a
	// foreground process's whole life.
	release func()
}

// startedThen returns the callback that runs once p has started: o's own
// bookkeeping, then f (if not nil).
func (o LaunchOptions) startedThen(p *libcontainer.Process, f func() error) func() error {
	if o.onStart == nil {
		return f
	}
	return func() error {
		if err := o.onStart(p); err != nil {
			return err
		}
		if f != nil {
			return f()
		}
		return nil
	}
}

func (o LaunchOptions) releaseLock() {
	if o.release != nil {
		o.release()
	}
}

func (o LaunchOptions) detached() bool { return o.Detach || !o.Run }

// CheckStdio refuses terminal and console-socket combinations that cannot
// work, and --preserve-fds of fds that are not open, before anything is
// created. The preserved fds start at firstPreservedFD.
func CheckStdio(terminal bool, o LaunchOptions, firstPreservedFD int) error {
	switch {
	case o.detached() && terminal && o.ConsoleSocket == "":
		return errors.New("cannot allocate tty without --console-socket: process.terminal is true but the container will run detached; pass --console-socket to receive its terminal, or set process.terminal to false")
	case o.ConsoleSocket != "" && !terminal:
		return fmt.Errorf("--console-socket %s was given but process.terminal is false: set process.terminal to true or drop --console-socket", o.ConsoleSocket)
	case o.ConsoleSocket != "" && !o.detached():
		return fmt.Errorf("--console-socket %s needs a detached container: add --detach, or drop --console-socket to use this terminal", o.ConsoleSocket)
	}
	for i := range o.PreserveFDs {
		fd := firstPreservedFD + i
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return fmt.Errorf("--preserve-fds %d: fd %d is not open: %w", o.PreserveFDs, fd, err)
		}
	}
	return nil
}

// startDetached starts p and returns; the caller's stdio (or the console
// socket) becomes the container's.
func startDetached(c *libcontainer.Container, p *libcontainer.Process, terminal bool, o LaunchOptions, poststart func() error) error {
	if terminal {
		sock, err := dialSocket("--console-socket", o.ConsoleSocket)
		if err != nil {
			return err
		}
		defer sock.Close()
		p.ConsoleSocket = sock
	} else {
		p.Stdin, p.Stdout, p.Stderr = os.Stdin, os.Stdout, os.Stderr
	}
	if err := o.start(c, p, o.startedThen(p, nil)); err != nil {
		return err
	}
	if err := poststart(); err != nil {
		return err
	}
	if err := writePidFile(o.PidFile, p); err != nil {
		return err
	}
	o.releaseLock()
	if o.Run && o.Notify != nil {
		pid, err := p.Pid()
		if err != nil {
			return err
		}
		return o.Notify.Forward(context.Background(), pid, pid)
	}
	return nil
}

// startAttached runs p in the foreground: it relays stdio (or the
// terminal), forwards every signal hull receives to the container's init,
// and returns init's exit status.
func startAttached(c *libcontainer.Container, p *libcontainer.Process, terminal bool, o LaunchOptions, poststart func() error) (int, error) {
	// nsexec clones the container's init with CLONE_PARENT, so it is
	// hull's own child; as child subreaper hull also inherits, and reaps,
	// the orphans of a container without a PID namespace of its own.
	if !o.NoSubreaper {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return -1, fmt.Errorf("become child subreaper: %w", err)
		}
	}
	// Catch signals before the process exists, so none is lost between
	// its start and the forwarding loop. They stay caught (and unused)
	// after it: hull exits soon, and a signal during the cleanup that
	// follows must not leave the container half deleted. (Undoing Notify
	// for every signal also costs a millisecond.)
	signals := make(chan os.Signal, 128)
	signal.Notify(signals)
	// Except SIGTTIN and SIGTTOU, which keep their default action: a hull
	// in a background job that reads its terminal is stopped, like any
	// program, until the shell brings it to the foreground. Caught, they
	// would make the kernel restart the read for ever, spinning.
	signal.Reset(unix.SIGTTIN, unix.SIGTTOU)

	var sio *stdio
	var err error
	if terminal {
		sio, err = attachTerminal(p)
	} else {
		sio, err = attachPipes(p)
	}
	if err != nil {
		return -1, err
	}
	defer sio.close()

	if err := o.start(c, p, o.startedThen(p, sio.started)); err != nil {
		return -1, err
	}
	if err := poststart(); err != nil {
		kill(p)
		return -1, err
	}
	if err := writePidFile(o.PidFile, p); err != nil {
		kill(p)
		return -1, err
	}
	pid, err := p.Pid()
	if err != nil {
		kill(p)
		return -1, err
	}
	o.releaseLock()
	if o.Notify != nil {
		// In the foreground hull itself is the service's main process.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			if err := o.Notify.Forward(ctx, pid, os.Getpid()); err != nil {
				logrus.Warn(err)
			}
		}()
	}
	status := forwardUntilExit(p, pid, signals, sio)
	sio.drain()
	o.timings.Mark("wait")
	return status, nil
}

// startOrRun starts p; with run, an init then execs the user process.
// Start and Exec are separate (libcontainer's Run is the two together) so
// that the init's cgroups are checked in between: systemd can move it.
// started, if not nil, runs once p has started and, for an init, before
// the user process does (so that its terminal is set up before it writes
// to it); if it fails, p is killed.
//
// t gets "init" (libcontainer's start: the init cloned, in its namespaces
// and rootfs, waiting to exec; for an exec'd process, until it has
// exec'd) and "exec" (the user process exec'd by a started init).
func startOrRun(c *libcontainer.Container, p *libcontainer.Process, run bool, started func() error, t *Timings) (retErr error) {
	release := holdWarnings()
	defer func() { release(retErr != nil) }()
	if err := c.Start(p); err != nil {
		if !p.Init {
			return fmt.Errorf("%w (exec in container %q)", err, c.ID())
		}
		return &startError{id: c.ID(), err: withCgroupField(err)}
	}
	if started != nil {
		if err := started(); err != nil {
			kill(p)
			return err
		}
	}
	if !p.Init {
		t.Mark("init")
		return nil
	}
	// On error the init has not run the user process; the caller's
	// cleanup kills and destroys the container.
	if err := rejoinSystemdCgroups(c); err != nil {
		return err
	}
	t.Mark("init")
	if run {
		if err := c.Exec(); err != nil {
			return &startError{id: c.ID(), err: err}
		}
		t.Mark("exec")
	}
	return nil
}

// startError is libcontainer's failure to start a container. Its words
// ("unable to start container process: ...", "exec: ...") lead, as with
// runc, because callers and scripts match them; the container's ID
// follows.
type startError struct {
	id  string
	err error
}

func (e *startError) Error() string { return fmt.Sprintf("%v (starting container %q)", e.err, e.id) }
func (e *startError) Unwrap() error { return e.err }

// startMessage is the text of libcontainer's error inside err, which
// ends with the errno when it crossed the pipe from the container's init.
func startMessage(err error) string {
	var se *startError
	if errors.As(err, &se) {
		return se.err.Error()
	}
	return err.Error()
}

func kill(p *libcontainer.Process) {
	_ = p.Signal(unix.SIGKILL)
	_, _ = p.Wait()
}

// forwardUntilExit relays signals to the container's init until it exits,
// reaping every child hull has inherited as subreaper on the way.
func forwardUntilExit(p *libcontainer.Process, initPid int, signals <-chan os.Signal, sio *stdio) int {
	for sig := range signals {
		switch sig {
		case unix.SIGCHLD:
			if status, exited := reap(initPid); exited {
				return status
			}
		case unix.SIGWINCH:
			sio.resize()
		case unix.SIGURG:
			// The Go runtime preempts goroutines with SIGURG; it is not
			// meant for the container.
		default:
			if err := p.Signal(sig); err != nil {
				logrus.Debugf("forward %v to container init %d: %v", sig, initPid, err)
			}
		}
	}
	return -1
}

// reap collects every exited child; it reports init's exit status once
// init is among them.
func reap(initPid int) (status int, exited bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return status, exited
		}
		if pid == initPid {
			status, exited = exitStatus(ws), true
		}
	}
}

// exitStatus is the shell's convention: the exit code, or 128+signal.
func exitStatus(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// writePidFile writes the pid atomically (a temporary file renamed into
// place) and without a newline, as runc does: callers read it while it is
// being written.
func writePidFile(path string, p *libcontainer.Process) error {
	if path == "" {
		return nil
	}
	pid, err := p.Pid()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(strconv.Itoa(pid)))
}

// holdWarnings keeps what libcontainer logs to stderr while it starts a
// container until the outcome is known: on success it is written out, on
// failure dropped, for then libcontainer's warnings about the half-made
// container it is removing (an OOM count it cannot read, a cgroup already
// gone) would only bury the one line that says what failed. With --log
// or --debug nothing is held.
func holdWarnings() (release func(failed bool)) {
	std := logrus.StandardLogger()
	if std.Out != os.Stderr || std.GetLevel() >= logrus.DebugLevel {
		return func(bool) {}
	}
	var held bytes.Buffer
	std.SetOutput(&held)
	return func(failed bool) {
		std.SetOutput(os.Stderr)
		if !failed {
			_, _ = os.Stderr.Write(held.Bytes())
		}
	}
}
