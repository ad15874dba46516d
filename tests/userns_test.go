package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// usernsMap is the mapping the tests' user namespaces get, as written to
// uid_map and gid_map.
const usernsMap = "0 100000 65536"

// TestUserNamespaceJoinedByPath: a container joins an existing user
// namespace given by a /proc/PID/ns/user path, or by a file it is
// bind-mounted on (how engines pin namespaces) once no process is left
// in it, also when another user owns it; inside, it has the namespace's
// mappings. runc 1.5, where installed, gives the same output.
func TestUserNamespaceJoinedByPath(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare(1) (util-linux) is needed to make the user namespaces to join")
	}
	for _, tc := range []struct {
		name   string
		owner  int  // uid that creates the namespace
		pinned bool // joined by a bind-mounted file, its process gone
	}{
		{"proc path", 0, false},
		{"pinned file", 0, true},
		{"pinned file owned by nobody", 65534, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			pid, stop := userNSProcess(t, tc.owner)
			path := fmt.Sprintf("/proc/%d/ns/user", pid)
			if tc.pinned {
				path = pinNamespace(t, h, path)
				stop()
			}
			var st unix.Stat_t
			if err := unix.Stat(path, &st); err != nil {
				t.Fatal(err)
			}
			nsID := fmt.Sprintf("user:[%d]", st.Ino)
			join := func(s *specs.Spec) {
				s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: path})
				if tc.owner != 0 {
					// Neither runc 1.5 nor hull can set rlimits in a user
					// namespace another user owns: EPERM.
					s.Process.Rlimits = nil
				}
			}

			id := h.id()
			h.ok("run", "-d", "--bundle", h.bundle(longRunning, join), id)
			if got, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", h.state(id).Pid)); got != nsID {
				t.Errorf("the container's init is in user namespace %s, want %s", got, nsID)
			}
			h.ok("delete", "--force", id)
			h.assertClean(id)

			b := h.bundle([]string{"cat", "/proc/self/uid_map", "/proc/self/gid_map"}, join)
			out := h.runOut(b)
			if got := strings.Join(fieldsOfLines(out), "|"); got != usernsMap+"|"+usernsMap {
				t.Errorf("uid_map and gid_map inside: %q, want %q twice", out, usernsMap)
			}

			t.Run("runc", func(t *testing.T) {
				runc := requireRunc(t)
				rh := newH(t)
				runcRoot := filepath.Join(rh.dir, "runc-state")
				runcID := rh.runcID(runc, runcRoot)
				want := runCmd(t, rh.dir, cmdOpts{}, runc, "--root", runcRoot, "run", "--bundle", b, runcID)
				if want.Code != 0 || want.Stdout != out {
					t.Errorf("runc differs:\nrunc:\n%s\nhull:\n%s", want, sysproc.Indent(out))
				}
				rh.assertClean(runcID)
			})
		})
	}
}

// userNSProcess starts a sleep that uid puts in a new user namespace of its
// own (so uid owns it), maps it with usernsMap, and returns its pid and a
// function that kills it (also called when the test ends).
func userNSProcess(t *testing.T, uid int) (pid int, stop func()) {
	t.Helper()
	cmd := exec.Command("unshare", "--user", "sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	if err := reaper.Start(cmd); err != nil {
		t.Fatalf("unshare --user: %v", err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = reaper.Wait(cmd)
		}
	}
	t.Cleanup(stop)
	pid = cmd.Process.Pid
	self, _ := os.Readlink("/proc/self/ns/user")
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(5 * time.Millisecond) {
		// unshare execs sleep once the namespace exists.
		if ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid)); ns != self && ns != "" && len(sysproc.Cmdline(pid)) > 0 && sysproc.Cmdline(pid)[0] == "sleep" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unshare --user sleep (pid %d) did not get a user namespace of its own", pid)
		}
	}
	// Root of the parent namespace may map any ids, whoever owns it.
	for _, f := range []string{"uid_map", "gid_map"} {
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/%s", pid, f), []byte(usernsMap), 0); err != nil {
			t.Fatalf("write %s of pid %d: %v", f, pid, err)
		}
	}
	return pid, stop
}

// pinNamespace bind-mounts the namespace file nsPath on a new file under
// the test's directory, unmounted when the test ends.
func pinNamespace(t *testing.T, h *H, nsPath string) string {
	t.Helper()
	pin := filepath.Join(h.dir, "pinned-userns")
	if err := os.WriteFile(pin, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(nsPath, pin, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind-mount %s on %s: %v", nsPath, pin, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(pin, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", pin, err)
		}
	})
	return pin
}

// fieldsOfLines normalises map lines ("  0  100000  65536") to single spaces.
func fieldsOfLines(s string) []string {
	var out []string
	for _, l := range lines(s) {
		out = append(out, strings.Join(strings.Fields(l), " "))
	}
	return out
}

func TestExtrasUserNamespace(t *testing.T) {
	t.Parallel()
	h := newH(t)
	const hostID, size = 100000, 65536
	mapping := []specs.LinuxIDMapping{{ContainerID: 0, HostID: hostID, Size: size}}
	id := h.id()
	// The shared busybox rootfs is root-owned and world-readable, which is
	// all the mapped root needs.
	h.ok("run", "-d", "--bundle", h.bundle(longRunning,
		withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
		withNamespace(specs.UserNamespace), withNamespace(specs.CgroupNamespace),
		func(s *specs.Spec) {
			s.Linux.UIDMappings, s.Linux.GIDMappings = mapping, mapping
		}), id)
	pid := h.state(id).Pid

	r := h.ok("exec", id, "sh", "-c", `id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f; stat -c %u:%g /tmp/f`)
	out := lines(r.Stdout)
	wantMap := fmt.Sprintf("0 %d %d", hostID, size)
	if len(out) != 5 || out[0] != "0" || out[1] != "0" || strings.Join(strings.Fields(out[2]), " ") != wantMap ||
		strings.Join(strings.Fields(out[3]), " ") != wantMap || out[4] != "0:0" {
		t.Errorf("inside the user namespace: want uid 0, gid 0, uid_map and gid_map %q, a new file owned 0:0; got:\n%s", wantMap, sysproc.Indent(r.Stdout))
	}
	// The same file seen from the host belongs to the mapped ids.
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d/root/tmp/f", pid), &st); err != nil {
		t.Errorf("stat the container's file from the host: %v", err)
	} else if st.Uid != hostID || st.Gid != hostID {
		t.Errorf("the container's file is %d:%d on the host, want %d:%d", st.Uid, st.Gid, hostID, hostID)
	}
	if hostMap, _ := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", pid)); strings.Join(strings.Fields(string(hostMap)), " ") != wantMap {
		t.Errorf("init's uid_map read from the host: %q, want %q", hostMap, wantMap)
	}
	selfNS, _ := os.Readlink("/proc/self/ns/user")
	if ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid)); ns == selfNS {
		t.Errorf("init is in the host's user namespace %s", ns)
	}

	// The cgroup namespace: every hierarchy's path is the namespace root.
	r = h.ok("exec", id, "cat", "/proc/self/cgroup")
	for _, l := range lines(r.Stdout) {
		if parts := strings.SplitN(l, ":", 3); len(parts) != 3 || parts[2] != "/" {
			t.Errorf("/proc/self/cgroup inside a cgroup namespace: line %q, want path /\n%s", l, sysproc.Indent(r.Stdout))
		}
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
