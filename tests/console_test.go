package tests

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// consoleListener accepts one connection on a unix socket and receives the
// pty master that hull sends with SCM_RIGHTS.
type consoleListener struct {
	path   string
	ln     *net.UnixListener
	master chan *os.File
	err    chan error
}

func listenConsole(t *testing.T, dir string) *consoleListener {
	t.Helper()
	path := filepath.Join(dir, "console.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	cl := &consoleListener{path: path, ln: ln, master: make(chan *os.File, 1), err: make(chan error, 1)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		f, err := cl.accept()
		if err != nil {
			cl.err <- err
			return
		}
		cl.master <- f
	}()
	return cl
}

func (cl *consoleListener) accept() (*os.File, error) {
	conn, err := cl.ln.AcceptUnix()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4*4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, fmt.Errorf("recvmsg on console socket: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("parse control message: %w", err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("got %d control messages, want 1", len(msgs))
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil {
		return nil, fmt.Errorf("parse SCM_RIGHTS: %w", err)
	}
	if len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("got %d fds, want 1", len(fds))
	}
	// Non-blocking so that read deadlines work through the poller.
	if err := unix.SetNonblock(fds[0], true); err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fds[0]), "pty-master"), nil
}

func (cl *consoleListener) wait(t *testing.T) *os.File {
	t.Helper()
	select {
	case f := <-cl.master:
		t.Cleanup(func() { f.Close() })
		return f
	case err := <-cl.err:
		t.Fatalf("console socket: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatalf("hull sent no pty master on the console socket within 10s")
	}
	return nil
}

// ptyReader collects everything read from the master.
type ptyReader struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func readPty(f *os.File) *ptyReader {
	pr := &ptyReader{}
	go func() {
		b := make([]byte, 1024)
		for {
			n, err := f.Read(b)
			pr.mu.Lock()
			pr.buf.Write(b[:n])
			pr.mu.Unlock()
			if err != nil {
				return // EIO once the last slave fd closes
			}
		}
	}()
	return pr
}

func (pr *ptyReader) String() string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.buf.String()
}

func (pr *ptyReader) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(pr.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("terminal output lacks %q after %v:\n%q", s, waitLimit, pr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConsoleSocket(t *testing.T) {
	t.Parallel()
	script := `tty; stty size; echo ready; read line; echo "got:$line"`
	for _, mode := range []string{"create-start", "run-detach"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			cl := listenConsole(t, h.dir)
			bundle := h.bundle(sh(script), func(s *specs.Spec) {
				s.Process.Terminal = true
				s.Process.ConsoleSize = &specs.Box{Height: 30, Width: 100}
			})
			id := h.id()
			if mode == "create-start" {
				h.ok("create", "--console-socket", cl.path, "--bundle", bundle, id)
			} else {
				h.ok("run", "--detach", "--console-socket", cl.path, "--bundle", bundle, id)
			}
			master := cl.wait(t)
			assertONLCR(t, master)
			out := readPty(master)
			if mode == "create-start" {
				h.ok("start", id)
			}
			out.waitFor(t, "ready")
			got := out.String()
			if !strings.Contains(got, "/dev/pts/0\r\n") {
				t.Errorf("tty inside: %q, want /dev/pts/0", got)
			}
			if !strings.Contains(got, "30 100\r\n") {
				t.Errorf("stty size inside: %q, want 30 100 (process.consoleSize)", got)
			}
			if _, err := master.Write([]byte("hello\n")); err != nil {
				t.Fatalf("write to pty master: %v", err)
			}
			out.waitFor(t, "got:hello")
			h.waitStatus(id, "stopped")
			h.ok("delete", id)
			h.assertClean(id)
		})
	}
}

// assertONLCR checks that the master sent on --console-socket comes as
// the kernel made it, ONLCR on: runc clears ONLCR only on the terminal of
// a foreground run or exec, whose output it copies itself; a caller of
// --console-socket copies the output and chooses (containerd's shim and
// conmon set their own modes). The "\r\n" this test reads is therefore
// what runc's callers read too.
func assertONLCR(t *testing.T, master *os.File) {
	t.Helper()
	tm, err := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatalf("the console socket's fd is not a terminal: %v", err)
	}
	if tm.Oflag&(unix.OPOST|unix.ONLCR) != unix.OPOST|unix.ONLCR {
		t.Errorf("terminal sent on --console-socket: oflag %#o, want OPOST and ONLCR as the kernel sets them (runc leaves them)", tm.Oflag)
	}
}

// TestConsoleSocketExec: exec --detach --tty sends the master of the new
// process's terminal, modes untouched as for create.
func TestConsoleSocketExec(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	cl := listenConsole(t, h.dir)
	h.ok("exec", "-d", "--tty", "--console-socket", cl.path, id, "sh", "-c", "tty; echo done")
	master := cl.wait(t)
	assertONLCR(t, master)
	out := readPty(master)
	out.waitFor(t, "done")
	if got := out.String(); got != "/dev/pts/0\r\ndone\r\n" {
		t.Errorf("exec'd terminal printed %q, want /dev/pts/0 and done, as a terminal with ONLCR writes them", got)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
