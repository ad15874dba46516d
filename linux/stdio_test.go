package linux

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"
)

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(r, w)
	if isTerminal(r) {
		t.Error("a pipe is a terminal")
	}
	_, slave := newPty(t)
	if !isTerminal(slave) {
		t.Error("a pty slave is not a terminal")
	}
}

// listenUnix listens on a stream socket in a temp dir (what a caller of
// --console-socket or --pidfd-socket does) and returns its path.
func listenUnix(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return path
}

func TestDialSocket(t *testing.T) {
	path := listenUnix(t)
	f, err := dialSocket("--console-socket", path)
	if err != nil {
		t.Fatalf("dialSocket to a listening socket: %v", err)
	}
	f.Close()
	missing := filepath.Join(t.TempDir(), "none.sock")
	_, err = dialSocket("--console-socket", missing)
	if err == nil || !strings.HasPrefix(err.Error(), "--console-socket "+missing+": ") {
		t.Errorf("dialSocket to a missing socket: %v, want an error naming the flag and the path", err)
	}
}

func TestAttachPidfdSocket(t *testing.T) {
	for _, tc := range []struct {
		name    string
		path    func(t *testing.T) string
		wantErr bool
	}{
		{"not asked", func(*testing.T) string { return "" }, false},
		{"listening", listenUnix, false},
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "none.sock") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &libcontainer.Process{}
			path := tc.path(t)
			done, err := attachPidfdSocket(p, path)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "--pidfd-socket") {
					t.Errorf("attachPidfdSocket: %v, want an error naming --pidfd-socket", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (p.PidfdSocket != nil) != (path != "") {
				t.Errorf("PidfdSocket %v for path %q", p.PidfdSocket, path)
			}
			done()
		})
	}
}

// closeRecorder records that it was closed.
type closeRecorder struct{ closed int }

func (c *closeRecorder) Close() error { c.closed++; return nil }

// started closes the container's ends once, then takes the terminal;
// close closes hull's ends.
func TestStdioStartedAndClose(t *testing.T) {
	for _, tc := range []struct {
		name    string
		receive error
	}{
		{"pipes", nil},
		{"terminal received", nil},
		{"terminal lost", errors.New("init closed the socket")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			theirs, ours := &closeRecorder{}, &closeRecorder{}
			s := &stdio{closeAfterStart: []io.Closer{theirs}, closers: []io.Closer{ours}}
			received := 0
			if tc.name != "pipes" {
				s.receive = func() error { received++; return tc.receive }
			}
			if err := s.started(); !errors.Is(err, tc.receive) {
				t.Errorf("started: %v, want %v", err, tc.receive)
			}
			if theirs.closed != 1 || (s.receive != nil && received != 1) {
				t.Errorf("started: container's end closed %d times, receive called %d times", theirs.closed, received)
			}
			s.close()
			if theirs.closed != 1 || ours.closed != 1 {
				t.Errorf("close: container's end closed %d times, hull's %d; want 1 and 1", theirs.closed, ours.closed)
			}
		})
	}
}

// drain waits for every copier to finish.
func TestStdioCopyOutDrain(t *testing.T) {
	s := &stdio{}
	var out, errOut bytes.Buffer
	s.copyOut(&out, strings.NewReader("hello\n"))
	s.copyOut(&errOut, strings.NewReader("oops\n"))
	s.drain()
	if out.String() != "hello\n" || errOut.String() != "oops\n" {
		t.Errorf("after drain: stdout %q, stderr %q", out.String(), errOut.String())
	}
}

// preservedFiles wraps fds the caller passed; the test passes its own
// (dup'd high up), as an os.File closes its fd when collected.
func TestPreservedFiles(t *testing.T) {
	for _, tc := range []struct {
		name     string
		first, n int
	}{
		{"none", 300, 0},
		{"two", 300, 2},
		{"three", 310, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			null, err := os.Open(os.DevNull)
			if err != nil {
				t.Fatal(err)
			}
			defer null.Close()
			for fd := tc.first; fd < tc.first+tc.n; fd++ {
				if err := unix.Dup3(int(null.Fd()), fd, unix.O_CLOEXEC); err != nil {
					t.Fatal(err)
				}
			}
			fs := preservedFiles(tc.first, tc.n)
			if len(fs) != tc.n {
				t.Fatalf("%d files, want %d", len(fs), tc.n)
			}
			for i, f := range fs {
				if int(f.Fd()) != tc.first+i || !strings.HasPrefix(f.Name(), "preserved-fd-") {
					t.Errorf("file %d: fd %d name %q, want fd %d", i, f.Fd(), f.Name(), tc.first+i)
				}
				f.Close()
			}
		})
	}
}
