package tests

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// notifyListener is a stand-in for systemd's notify socket: it collects
// the datagrams hull sends and answers BARRIER=1 by closing the fd.
type notifyListener struct {
	path string
	msgs chan string
}

func listenNotify(t *testing.T, dir string) *notifyListener {
	t.Helper()
	path := filepath.Join(dir, "systemd-notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &notifyListener{path: path, msgs: make(chan string, 16)}
	go func() {
		buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4*4))
		for {
			size, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
			if err != nil {
				close(n.msgs)
				return
			}
			if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
				for _, m := range msgs {
					fds, _ := unix.ParseUnixRights(&m)
					for _, fd := range fds {
						unix.Close(fd)
					}
				}
			}
			n.msgs <- string(buf[:size])
		}
	}()
	return n
}

func (n *notifyListener) next(t *testing.T) string {
	t.Helper()
	select {
	case m, ok := <-n.msgs:
		if !ok {
			t.Fatal("notify socket closed")
		}
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no message on the notify socket")
	}
	return ""
}

// TestNotifySocket: with NOTIFY_SOCKET set, hull gives the container a
// socket and relays its READY=1 with MAINPID, then a barrier.
func TestNotifySocket(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"run-detach", "create-start"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			n := listenNotify(t, h.dir)
			id := h.id()
			b := h.bundle([]string{"sh", "-c", "echo $NOTIFY_SOCKET > /dev/null; sleep 0.3; sdnotify READY=1 STATUS=up; sleep 1000"})
			env := cmdOpts{Env: []string{"NOTIFY_SOCKET=" + n.path}}
			if mode == "run-detach" {
				if r := h.hullOpts(env, "run", "-d", "--bundle", b, id); r.Code != 0 {
					t.Fatalf("run -d:\n%s", r)
				}
			} else {
				if r := h.hullOpts(env, "create", "--bundle", b, id); r.Code != 0 {
					t.Fatalf("create:\n%s", r)
				}
				if r := h.hullOpts(env, "start", id); r.Code != 0 {
					t.Fatalf("start:\n%s", r)
				}
			}
			// hull returned only after READY: the message is already there.
			pid := h.state(id).Pid
			msg := n.next(t)
			want := fmt.Sprintf("READY=1\nMAINPID=%d", pid)
			if msg != want {
				t.Fatalf("notify message %q, want %q", msg, want)
			}
			if b := n.next(t); b != "BARRIER=1" {
				t.Fatalf("second message %q, want BARRIER=1", b)
			}
			h.ok("delete", "--force", id)
			h.assertClean(id)
		})
	}
}

// TestListenFDs: under socket activation (LISTEN_FDS/LISTEN_PID for hull)
// the sockets reach the container as fds 3.. with LISTEN_FDS set, and
// --preserve-fds counts from after them.
func TestListenFDs(t *testing.T) {
	t.Parallel()
	h := newH(t)
	files := make([]*os.File, 2)
	for i, content := range []string{"activated", "preserved"} {
		p := filepath.Join(h.dir, content)
		if err := os.WriteFile(p, []byte(content+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files[i] = f
	}
	b := h.bundle([]string{"sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; cat <&3; cat <&4"})
	id := h.id()
	// LISTEN_PID must be hull's own pid: a shell that execs hull keeps it.
	r := runCmd(t, h.dir, cmdOpts{ExtraFiles: files}, "/bin/sh", "-c",
		`LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" --root "$1" run --preserve-fds 1 --bundle "$2" "$3"`, hullBin, h.root, b, id)
	if r.Code != 0 {
		t.Fatalf("run under socket activation:\n%s", r)
	}
	if got := strings.Join(lines(r.Stdout), "|"); got != "1 1|activated|preserved" {
		t.Fatalf("container saw %q, want LISTEN_FDS=1 LISTEN_PID=1, the activated fd 3 and the preserved fd 4", got)
	}
}
