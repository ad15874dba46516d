package tests

// Seccomp: filters, the notify listener, and what `features` advertises
// of it, with real containers.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// extSeccompNotif is struct seccomp_notif of linux/seccomp.h (80 bytes,
// the size encoded in SECCOMP_IOCTL_NOTIF_RECV).
type extSeccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Nr    int32
	Arch  uint32
	IP    uint64
	Args  [6]uint64
}

// extSeccompNotifResp is struct seccomp_notif_resp (24 bytes).
type extSeccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// extNotifyMsg is what arrived on the listenerPath socket.
type extNotifyMsg struct {
	state specs.ContainerProcessState
	raw   string
	fds   []int
	err   error
}

func extListenSeccomp(t *testing.T, path string) <-chan extNotifyMsg {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() }) // also removes the socket file
	ch := make(chan extNotifyMsg, 1)
	go func() {
		var m extNotifyMsg
		defer func() { ch <- m }()
		c, err := ln.AcceptUnix()
		if err != nil {
			m.err = err
			return
		}
		defer c.Close()
		buf, oob := make([]byte, 1<<20), make([]byte, unix.CmsgSpace(4*4))
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			m.err = fmt.Errorf("recvmsg: %w", err)
			return
		}
		m.raw = string(buf[:n])
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			m.err = fmt.Errorf("control message: %w", err)
			return
		}
		for i := range msgs {
			fds, _ := unix.ParseUnixRights(&msgs[i])
			m.fds = append(m.fds, fds...)
		}
		m.err = json.Unmarshal(buf[:n], &m.state)
	}()
	return ch
}

func TestExtrasSeccompNotify(t *testing.T) {
	t.Parallel()
	h := newH(t)
	sock := filepath.Join(h.dir, "seccomp-agent.sock")
	agent := extListenSeccomp(t, sock)
	const metadata = "hulltest-agent=extras"
	b := h.bundle(sh(`mkdir /tmp/first 2>&1; echo "first=$?"; mkdir /tmp/second 2>&1; echo "second=$?"`),
		withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
		func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
				ListenerPath:  sock, ListenerMetadata: metadata,
				Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActNotify}},
			}
		})
	id := h.id()
	done := make(chan result, 1)
	go func() { done <- h.hull("run", "--bundle", b, id) }()

	var m extNotifyMsg
	select {
	case m = <-agent:
	case r := <-done:
		t.Fatalf("hull run ended before anything arrived on listenerPath:\n%s", r)
	case <-time.After(10 * time.Second):
		h.hull("kill", id, "KILL")
		t.Fatalf("nothing arrived on listenerPath %s within 10s; run:\n%s", sock, <-done)
	}
	if m.err != nil {
		h.hull("kill", id, "KILL")
		t.Fatalf("listenerPath message: %v\n%q; run:\n%s", m.err, m.raw, <-done)
	}
	defer func() {
		for _, fd := range m.fds {
			unix.Close(fd)
		}
	}()
	st := h.state(id) // the container waits in mkdir for our answer
	ps := m.state
	if len(m.fds) != 1 || len(ps.Fds) != 1 || ps.Fds[0] != specs.SeccompFdName {
		t.Errorf("got %d fds named %q, want one named %q:\n%s", len(m.fds), ps.Fds, specs.SeccompFdName, m.raw)
	}
	if ps.Metadata != metadata || ps.State.ID != id || ps.State.Bundle != b || ps.State.Pid != st.Pid || ps.Pid != st.Pid ||
		ps.Version == "" || ps.State.Version == "" {
		t.Errorf("listenerPath state: want metadata %q, id %s, bundle %s, pid %d (state and process) and the OCI version:\n%s",
			metadata, id, b, st.Pid, m.raw)
	}
	if len(m.fds) == 1 {
		fd := m.fds[0]
		if link, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)); link != "anon_inode:seccomp notify" {
			t.Errorf("the received fd is %q, want a seccomp notify fd", link)
		}
		// Answer the first mkdir with EACCES through the fd, then close
		// it: the kernel fails the second mkdir with ENOSYS.
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if n, err := unix.Poll(pfd, 10000); n != 1 || err != nil {
			t.Errorf("no notification on the seccomp fd within 10s (poll: %d, %v)", n, err)
		} else {
			var req extSeccompNotif
			if err := extIoctl(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&req)); err != nil {
				t.Errorf("SECCOMP_IOCTL_NOTIF_RECV: %v", err)
			} else {
				if req.Nr != unix.SYS_MKDIR && req.Nr != unix.SYS_MKDIRAT {
					t.Errorf("notification for syscall %d, want mkdir (%d) or mkdirat (%d)", req.Nr, unix.SYS_MKDIR, unix.SYS_MKDIRAT)
				}
				resp := extSeccompNotifResp{ID: req.ID, Error: -int32(unix.EACCES)}
				if err := extIoctl(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&resp)); err != nil {
					t.Errorf("SECCOMP_IOCTL_NOTIF_SEND: %v", err)
				}
			}
		}
		unix.Close(fd)
		m.fds = nil
	}
	r := <-done
	if r.Code != 0 {
		t.Fatalf("hull run:\n%s", r)
	}
	mustContain(t, "container output", r.Stdout, "Permission denied", "first=1", "Function not implemented", "second=1")
	h.assertClean(id)
}

func extIoctl(fd int, req uint, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

// TestSeccomp applies a small filter (hull is built with -tags seccomp).
func TestSeccomp(t *testing.T) {
	t.Parallel()
	h := newH(t)
	errno := uint(1) // EPERM
	out := h.runOut(h.bundle(sh(`grep ^Seccomp: /proc/self/status; mkdir /tmp/x 2>&1 || true; echo after`),
		withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
		func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
				Syscalls: []specs.LinuxSyscall{{
					Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: &errno,
				}},
			}
		}))
	mustContain(t, "seccomp container", out, "Seccomp:\t2", "Operation not permitted", "after")
}

func TestFeaturesSeccomp(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	sc := f.Linux.Seccomp
	if sc == nil || sc.Enabled == nil || !*sc.Enabled {
		t.Fatalf("hull features: seccomp not enabled (%+v); hull is built with -tags seccomp", sc)
	}
	if featNativeArch == "" {
		t.Fatalf("this test does not know the libseccomp name of GOARCH %s", runtime.GOARCH)
	}
	if !slices.Contains(sc.Archs, featNativeArch) {
		t.Errorf("hull features archs %q lack the native %s", sc.Archs, featNativeArch)
	}

	// filter is a filter allowing everything but rules, for the native
	// arch.
	filter := func(rules ...specs.LinuxSyscall) *specs.LinuxSeccomp {
		return &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
			Architectures: []specs.Arch{specs.Arch(featNativeArch)}, Syscalls: rules}
	}
	// run starts a container with filter sc and wants it to work under it.
	run := func(t *testing.T, h *H, sc *specs.LinuxSeccomp) string {
		t.Helper()
		out := h.runOut(h.bundle(sh(`grep ^Seccomp: /proc/self/status; echo ran`),
			func(s *specs.Spec) { s.Linux.Seccomp = sc }))
		mustContain(t, "container output", out, "Seccomp:\t2", "ran")
		return out
	}
	// acct(2) is a syscall no container process here makes.
	const unused = "acct"
	eperm := uint(unix.EPERM)

	for _, a := range sc.Actions {
		t.Run("action="+a, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			rule := specs.LinuxSyscall{Names: []string{unused}, Action: specs.LinuxSeccompAction(a)}
			if a == string(specs.ActErrno) {
				rule.ErrnoRet = &eperm
			}
			flt := filter(rule)
			var agent <-chan string
			if a == string(specs.ActNotify) {
				flt.ListenerPath, agent = featSeccompAgent(t, h.dir)
				flt.ListenerMetadata = "hulltest"
			}
			run(t, h, flt)
			if agent != nil {
				select {
				case msg := <-agent:
					if !strings.HasPrefix(msg, "1 fd(s)") || !strings.Contains(msg, "hulltest") {
						t.Errorf("seccomp agent got %q, want the notify fd and the state with listenerMetadata", msg)
					}
				case <-time.After(5 * time.Second):
					t.Errorf("no message on the seccomp listenerPath")
				}
			}
		})
	}

	t.Run("errno-mkdir", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle(sh(`mkdir /tmp/x 2>&1; echo mkdir=$?; touch /tmp/y && echo touch-ok`),
			withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
			func(s *specs.Spec) {
				s.Linux.Seccomp = filter(specs.LinuxSyscall{Names: []string{"mkdir", "mkdirat"},
					Action: specs.ActErrno, ErrnoRet: &eperm})
			}))
		mustContain(t, "mkdir under SCMP_ACT_ERRNO", out, "Operation not permitted", "mkdir=1", "touch-ok")
	})

	for _, op := range sc.Operators {
		t.Run("operator="+op, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			arg := specs.LinuxSeccompArg{Index: 0, Value: 1, Op: specs.LinuxSeccompOperator(op)}
			if op == string(specs.OpMaskedEqual) {
				arg.Value, arg.ValueTwo = 0xff, 1 // (arg0 & 0xff) == 1
			}
			run(t, h, filter(specs.LinuxSyscall{Names: []string{unused}, Action: specs.ActErrno,
				ErrnoRet: &eperm, Args: []specs.LinuxSeccompArg{arg}}))
		})
	}

	for _, fl := range sc.SupportedFlags {
		if !slices.Contains(sc.KnownFlags, fl) {
			t.Errorf("supported flag %s is not among knownFlags %q", fl, sc.KnownFlags)
		}
		t.Run("flag="+fl, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			flt := filter(specs.LinuxSyscall{Names: []string{unused}, Action: specs.ActErrno, ErrnoRet: &eperm})
			flt.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlag(fl)}
			run(t, h, flt)
		})
	}

	// Every filter libcontainer builds starts with the native arch, so an
	// advertised arch is usable here only beside it: one this libseccomp
	// does not know, or one of the other byte order (libseccomp answers
	// EDOM), is this host's lack. Either the container runs with it, or
	// check --host and create both refuse it; they must agree.
	for _, arch := range sc.Archs {
		if arch == featNativeArch {
			continue
		}
		t.Run("arch="+arch, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			flt := filter(specs.LinuxSyscall{Names: []string{unused}, Action: specs.ActErrno, ErrnoRet: &eperm})
			flt.Architectures = append(flt.Architectures, specs.Arch(arch))
			b := h.bundle(sh(`grep ^Seccomp: /proc/self/status; echo ran`), func(s *specs.Spec) { s.Linux.Seccomp = flt })
			if r := h.hull("check", "--host", "--bundle", b); r.Code != 0 {
				t.Logf("check --host refuses %s beside %s here", arch, featNativeArch)
				featHostLacks(t, h, b, "linux.seccomp.architectures[1]")
				return
			}
			mustContain(t, "container output", h.runOut(b), "Seccomp:\t2", "ran")
		})
	}
}
