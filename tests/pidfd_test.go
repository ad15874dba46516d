package tests

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// listenPidfd accepts one connection on a new unix socket and sends back
// the fd it receives.
func listenPidfd(t *testing.T, dir, name string) (string, <-chan int) {
	t.Helper()
	path := filepath.Join(dir, name)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan int, 1)
	go func() {
		defer close(got)
		_ = l.SetDeadline(time.Now().Add(20 * time.Second))
		conn, err := l.AcceptUnix()
		if err != nil {
			return
		}
		defer conn.Close()
		buf, oob := make([]byte, 64), make([]byte, unix.CmsgSpace(4))
		_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			return
		}
		if fds, err := unix.ParseUnixRights(&msgs[0]); err == nil && len(fds) == 1 {
			got <- fds[0]
		}
	}()
	return path, got
}

// pidfdPid reads the pid a pidfd refers to from its fdinfo.
func pidfdPid(t *testing.T, fd int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines(string(data)) {
		if v, ok := strings.CutPrefix(l, "Pid:"); ok {
			pid, _ := strconv.Atoi(strings.TrimSpace(v))
			return pid
		}
	}
	t.Fatalf("fd %d is not a pidfd:\n%s", fd, data)
	return 0
}

// TestPidfdSocket: --pidfd-socket gets a pidfd of the container's init
// (run, create) or of the exec'd process.
func TestPidfdSocket(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	sock, got := listenPidfd(t, h.dir, "init.sock")
	h.ok("run", "-d", "--pidfd-socket", sock, "--bundle", h.bundle(longRunning), id)
	fd, ok := <-got
	if !ok {
		t.Fatal("no pidfd arrived for the container's init")
	}
	defer unix.Close(fd)
	if pid, want := pidfdPid(t, fd), h.state(id).Pid; pid != want {
		t.Fatalf("pidfd of pid %d, want the init's %d", pid, want)
	}

	sock, got = listenPidfd(t, h.dir, "exec.sock")
	pidFile := filepath.Join(h.dir, "exec.pid")
	h.ok("exec", "-d", "--pidfd-socket", sock, "--pid-file", pidFile, id, "sleep", "1000")
	efd, ok := <-got
	if !ok {
		t.Fatal("no pidfd arrived for the exec'd process")
	}
	defer unix.Close(efd)
	want, _ := strconv.Atoi(string(readFile(t, pidFile)))
	if pid := pidfdPid(t, efd); pid != want {
		t.Fatalf("exec pidfd of pid %d, want %d", pid, want)
	}
	// The pidfd works: a signal through it reaches the process.
	if err := unix.PidfdSendSignal(efd, unix.SIGKILL, nil, 0); err != nil {
		t.Fatalf("pidfd_send_signal: %v", err)
	}

	bad := h.id()
	r := h.fail("run", "-d", "--pidfd-socket", filepath.Join(h.dir, "nobody-listens"), "--bundle", h.bundle(longRunning), bad)
	if !strings.Contains(r.Stderr, "--pidfd-socket") {
		t.Errorf("a pidfd socket nobody listens on: want the flag named:\n%s", r)
	}
	h.assertClean(bad)
}
