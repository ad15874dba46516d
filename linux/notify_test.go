package linux

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

func TestNotifySocketUnset(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n := NewNotifySocket(t.TempDir(), "c")
	if n != nil {
		t.Fatalf("NewNotifySocket without NOTIFY_SOCKET = %+v, want nil", n)
	}
	// A nil relay does nothing, so callers need not check.
	if err := n.MakeDir(); err != nil {
		t.Error(err)
	}
	if err := n.Listen(); err != nil {
		t.Error(err)
	}
	if err := n.Forward(context.Background(), os.Getpid(), 1); err != nil {
		t.Error(err)
	}
	n.Close()
}

// fakeManager is the service manager's end of NOTIFY_SOCKET: it records
// each datagram and, like systemd, closes the fd a BARRIER=1 brings.
func fakeManager(t *testing.T, path string) <-chan string {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	msgs := make(chan string, 4)
	go func() {
		buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
		for {
			n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
			if err != nil {
				close(msgs)
				return
			}
			if cms, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
				for _, cm := range cms {
					fds, _ := unix.ParseUnixRights(&cm)
					for _, fd := range fds {
						unix.Close(fd)
					}
				}
			}
			msgs <- string(buf[:n])
		}
	}()
	return msgs
}

// The container's READY=1 reaches the host's socket with MAINPID set to
// the container's init, then a barrier that the manager answers.
func TestNotifySocketForwardsReady(t *testing.T) {
	dir := t.TempDir()
	host := filepath.Join(dir, "host.sock")
	msgs := fakeManager(t, host)
	t.Setenv("NOTIFY_SOCKET", host)
	if err := os.Mkdir(filepath.Join(dir, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	n := NewNotifySocket(dir, "c")
	if n == nil {
		t.Fatal("NewNotifySocket with NOTIFY_SOCKET set returned nil")
	}
	for i := 0; i < 2; i++ { // a second MakeDir (restart of create) is fine
		if err := n.MakeDir(); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Listen(); err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	cfg, proc := &configs.Config{}, &spec.Process{}
	n.addTo(cfg, proc)
	if len(cfg.Mounts) != 1 || cfg.Mounts[0].Source != filepath.Join(dir, "c", "notify") || cfg.Mounts[0].Destination != "/run/notify" {
		t.Errorf("addTo mounts %+v, want the socket's directory at /run/notify", cfg.Mounts)
	}
	if strings.Join(proc.Env, " ") != "NOTIFY_SOCKET=/run/notify/notify.sock" {
		t.Errorf("addTo env %q", proc.Env)
	}

	done := make(chan error, 1)
	go func() { done <- n.Forward(context.Background(), os.Getpid(), 4242) }()
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: filepath.Join(dir, "c", "notify", "notify.sock"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("STATUS=starting\nREADY=1\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Forward did not return within 10s")
	}
	var got []string
	for i := 0; i < 2; i++ {
		got = append(got, <-msgs)
	}
	want := []string{"READY=1\nMAINPID=4242", "BARRIER=1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the manager got %q, want %q", got, want)
	}
}

// Forward gives up, without error, when the watched process is gone or
// the caller cancels.
func TestNotifySocketForwardEnds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		watchPid int
		cancel   bool
	}{
		{"process gone", 1 << 30, false}, // above any pid_max: ESRCH
		{"cancelled", os.Getpid(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("NOTIFY_SOCKET", filepath.Join(dir, "host.sock"))
			n := NewNotifySocket(dir, "")
			if err := n.MakeDir(); err != nil {
				t.Fatal(err)
			}
			if err := n.Listen(); err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			ctx, cancel := context.WithCancel(context.Background())
			if tc.cancel {
				cancel()
			}
			defer cancel()
			if err := n.Forward(ctx, tc.watchPid, 1); err != nil {
				t.Errorf("Forward: %v", err)
			}
		})
	}
}

// A host socket nobody listens on is an error naming it.
func TestNotifySocketHostGone(t *testing.T) {
	dir := t.TempDir()
	host := filepath.Join(dir, "host.sock")
	t.Setenv("NOTIFY_SOCKET", host)
	n := NewNotifySocket(dir, "")
	err := n.notifyHost([]byte("READY=1"), 1)
	if err == nil || !strings.Contains(err.Error(), host) {
		t.Errorf("notifyHost to a missing socket: %v, want an error naming %s", err, host)
	}
	if err := (&NotifySocket{dir: filepath.Join(dir, "missing")}).Listen(); err == nil || !strings.Contains(err.Error(), "notify socket") {
		t.Errorf("Listen in a missing directory: %v", err)
	}
}
