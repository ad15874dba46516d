package linux

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"
)

// drainTimeout bounds how long hull keeps copying output after the
// container's init has exited: a process that escaped the container may
// hold the pipe open forever.
const drainTimeout = 2 * time.Second

// stdio relays a foreground container's input and output.
type stdio struct {
	// closeAfterStart are the container's ends, which hull must close
	// once the container holds them, so that EOF reaches the copiers.
	closeAfterStart []io.Closer
	// receive, for a terminal, fetches the pty master from init.
	receive func() error
	// master is the container's pty master, once received.
	master *os.File
	// terminal is the terminal hull's user sits at (hostTerminal), if
	// any; saved is its mode before hull made it raw.
	terminal *os.File
	saved    *unix.Termios
	outputs  sync.WaitGroup
	closers  []io.Closer
}

// attachPipes gives the container pipes instead of hull's own stdio:
// libcontainer changes the owner of the container's stdio to the
// container's user, which must not happen to the caller's terminal.
func attachPipes(p *libcontainer.Process) (*stdio, error) {
	s := &stdio{}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW)
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW, outR, outW)
		return nil, err
	}
	p.Stdin, p.Stdout, p.Stderr = inR, outW, errW
	s.closeAfterStart = []io.Closer{inR, outW, errW}
	s.closers = []io.Closer{inW, outR, errR}
	go func() {
		_, _ = io.Copy(inW, os.Stdin)
		inW.Close()
	}()
	s.copyOut(os.Stdout, outR)
	s.copyOut(os.Stderr, errR)
	return s, nil
}

// attachTerminal asks init for a new pty and relays it to hull's stdio.
func attachTerminal(p *libcontainer.Process) (*stdio, error) {
	parent, child, err := socketPair()
	if err != nil {
		return nil, err
	}
	p.ConsoleSocket = child
	s := &stdio{closeAfterStart: []io.Closer{child}, closers: []io.Closer{parent}}
	s.terminal = hostTerminal()
	if s.terminal != nil {
		if ws, err := unix.IoctlGetWinsize(int(s.terminal.Fd()), unix.TIOCGWINSZ); err == nil {
			p.ConsoleWidth, p.ConsoleHeight = ws.Col, ws.Row
		}
	}
	// The master is taken as soon as init sends it, while libcontainer
	// still starts the process: an exec'd process runs right after, and
	// its first output must find ONLCR already cleared.
	type received struct {
		master *os.File
		err    error
	}
	got := make(chan received, 1)
	go func() {
		master, err := recvFile(parent)
		if err != nil {
			got <- received{err: fmt.Errorf("receive the container's terminal: %w", err)}
			return
		}
		// As runc does: the container's terminal does not turn "\n" into
		// "\r\n", so that a caller reading hull's stdout gets the bytes
		// the process wrote; a terminal on hull's side adds the "\r"
		// itself (makeRaw keeps its output processing).
		if err := clearONLCR(master); err != nil {
			master.Close()
			got <- received{err: err}
			return
		}
		got <- received{master: master}
	}()
	s.receive = func() error {
		r := <-got
		if r.err != nil {
			return r.err
		}
		master := r.master
		s.master = master
		s.closers = append(s.closers, master)
		if s.terminal != nil {
			if err := s.makeRaw(); err != nil {
				return err
			}
			s.resize()
		}
		go func() { _, _ = io.Copy(master, os.Stdin) }()
		s.copyOut(os.Stdout, master)
		return nil
	}
	return s, nil
}

// hostTerminal is the terminal hull's user sits at, chosen as runc
// chooses it: the first of stderr, stdout and stdin that is a terminal.
// Where none is, runc falls back to /dev/tty and fails without one; hull
// leaves the controlling terminal alone (a background job writing to
// files would be stopped by SIGTTOU when it changed the terminal's modes,
// and parallel runs would save and restore each other's modes) and runs
// the container all the same (nil), so that programs can run a terminal
// container through pipes.
func hostTerminal() *os.File {
	for _, f := range []*os.File{os.Stderr, os.Stdout, os.Stdin} {
		if isTerminal(f) {
			return f
		}
	}
	return nil
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// clearONLCR stops the terminal whose master or slave f is from mapping
// "\n" to "\r\n" on output (termios(3) ONLCR). On a pty master, TCSETS
// sets the slave's modes, which are the ones that process output.
func clearONLCR(f *os.File) error {
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("read the container terminal's mode: %w", err)
	}
	t.Oflag &^= unix.ONLCR
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return fmt.Errorf("clear ONLCR on the container's terminal: %w", err)
	}
	return nil
}

func (s *stdio) copyOut(w io.Writer, r io.Reader) {
	s.outputs.Add(1)
	go func() {
		defer s.outputs.Done()
		// A pty master reads EIO once the last slave is closed; that is
		// its end of file.
		_, _ = io.Copy(w, r)
	}()
}

// started is called once libcontainer has started the process.
func (s *stdio) started() error {
	closeAll(s.closeAfterStart...)
	s.closeAfterStart = nil
	if s.receive != nil {
		return s.receive()
	}
	return nil
}

// makeRaw passes every key straight to the container's terminal, which
// does the line editing and echo itself (cfmakeraw(3)). Output processing
// (OPOST) stays on, as runc leaves it: the container's terminal has ONLCR
// off, so this one turns "\n" into "\r\n" for the screen.
func (s *stdio) makeRaw() error {
	fd := int(s.terminal.Fd())
	if inBackground(fd) {
		// A background job that changed its terminal's modes would be
		// stopped (SIGTTOU), and would take the keyboard from the shell
		// in the foreground: the terminal stays as it is.
		return nil
	}
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("read this terminal's mode: %w", err)
	}
	saved := *t
	rawMode(t)
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return fmt.Errorf("put this terminal in raw mode: %w", err)
	}
	s.saved = &saved
	return nil
}

// inBackground reports whether fd is this process's controlling terminal
// and another process group is in its foreground (tcgetpgrp(3)). A
// terminal that is not the controlling one has no foreground to be
// outside of.
func inBackground(fd int) bool {
	pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return err == nil && pgrp != unix.Getpgrp()
}

// rawMode is cfmakeraw(3) without clearing OPOST.
func rawMode(t *unix.Termios) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
}

// resize gives the container's terminal the size of hull's.
func (s *stdio) resize() {
	if s.master == nil || s.terminal == nil {
		return
	}
	if ws, err := unix.IoctlGetWinsize(int(s.terminal.Fd()), unix.TIOCGWINSZ); err == nil {
		_ = unix.IoctlSetWinsize(int(s.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// drain waits, for a bounded time, until the container's output is
// copied out.
func (s *stdio) drain() {
	done := make(chan struct{})
	go func() { s.outputs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainTimeout):
	}
}

func (s *stdio) close() {
	if s.saved != nil {
		_ = unix.IoctlSetTermios(int(s.terminal.Fd()), unix.TCSETS, s.saved)
	}
	closeAll(s.closeAfterStart...)
	closeAll(s.closers...)
}

func closeAll(cs ...io.Closer) {
	for _, c := range cs {
		_ = c.Close()
	}
}

// dialSocket connects to a socket the caller listens on (--console-socket,
// --pidfd-socket); init sends the pty master or its pidfd there itself.
func dialSocket(flag, path string) (*os.File, error) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	defer conn.Close()
	f, err := conn.File()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return f, nil
}

// attachPidfdSocket gives p the socket that receives its pidfd, if the
// caller asked for one; the returned func closes hull's copy.
func attachPidfdSocket(p *libcontainer.Process, path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := dialSocket("--pidfd-socket", path)
	if err != nil {
		return nil, err
	}
	p.PidfdSocket = f
	return func() { f.Close() }, nil
}

func socketPair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console-parent"), os.NewFile(uintptr(fds[1]), "console-child"), nil
}

// recvFile receives one file descriptor sent with SCM_RIGHTS.
func recvFile(sock *os.File) (*os.File, error) {
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(int(sock.Fd()), name, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if n == 0 && oobn == 0 {
		return nil, errors.New("container init closed the socket without sending a terminal")
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("unexpected control message from init (%d messages): %v", len(msgs), err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("unexpected rights message from init: %v", err)
	}
	return os.NewFile(uintptr(fds[0]), string(name[:n])), nil
}
