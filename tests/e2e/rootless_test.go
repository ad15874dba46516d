//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// userSession is an unprivileged user as a person on a systemd host has
// one: logged in (here: lingering), with its own systemd (user@UID.service),
// a D-Bus session bus, $XDG_RUNTIME_DIR, subordinate id ranges in
// /etc/subuid and /etc/subgid, and the cgroup v2 subtree systemd delegates
// to it. The test creates the user and removes it, its files and its
// processes, even when it fails.
type userSession struct {
	name, home, runtimeDir string
	uid                    int
	env                    []string
}

// startUserSession makes the user and waits for its systemd. It skips
// where there is no systemd to delegate a cgroup v2 subtree (this
// machine's cgroup v1 without systemd: make vm-test runs it).
func startUserSession(t *testing.T) *userSession {
	t.Helper()
	need(t, "useradd", "userdel", "loginctl", "runuser", "newuidmap")
	if !systemdCgroups() {
		t.Skip("needs cgroup v2 with systemd as PID 1, which delegates a cgroup subtree to a user's session (make vm-test)")
	}
	name := tag + "u"
	if r := runCmd(cmdOpts{}, "useradd", "--create-home", "--user-group", "--shell", "/bin/sh", name); r.Code != 0 {
		t.Fatalf("useradd:\n%s", r)
	}
	u := &userSession{name: name, home: "/home/" + name}
	t.Cleanup(func() { u.remove(t) })
	uid, err := strconv.Atoi(strings.TrimSpace(runCmd(cmdOpts{}, "id", "-u", name).Stdout))
	if err != nil {
		t.Fatalf("id -u %s: %v", name, err)
	}
	u.uid = uid
	u.runtimeDir = fmt.Sprintf("/run/user/%d", uid)
	u.env = []string{"HOME=" + u.home, "XDG_RUNTIME_DIR=" + u.runtimeDir,
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + u.runtimeDir + "/bus", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	if !subIDs(name, "/etc/subuid") || !subIDs(name, "/etc/subgid") {
		t.Fatalf("useradd gave %s no range in /etc/subuid or /etc/subgid", name)
	}
	if r := runCmd(cmdOpts{}, "loginctl", "enable-linger", name); r.Code != 0 {
		t.Fatalf("loginctl enable-linger:\n%s", r)
	}
	if !eventually(2*time.Minute, func() bool { return isSocket(u.runtimeDir + "/bus") }) {
		t.Fatalf("the session bus of %s (%s/bus) did not appear", name, u.runtimeDir)
	}
	return u
}

// run runs argv as the user, in its home, with its session's environment
// (and nothing of the test's).
func (u *userSession) run(o cmdOpts, argv ...string) result {
	if o.Dir == "" {
		o.Dir = u.home
	}
	args := append([]string{"-u", u.name, "--", "env", "-i"}, u.env...)
	args = append(args, o.Env...)
	o.Env = nil
	return runCmd(o, "runuser", append(args, argv...)...)
}

func (u *userSession) ok(t *testing.T, argv ...string) result {
	t.Helper()
	r := u.run(cmdOpts{}, argv...)
	if r.Code != 0 {
		t.Fatalf("as %s: want exit 0:\n%s", u.name, r)
	}
	return r
}

// remove ends the session and deletes the user with everything it had,
// then fails t for whatever is left.
func (u *userSession) remove(t *testing.T) {
	runCmd(cmdOpts{}, "loginctl", "disable-linger", u.name)
	if u.uid != 0 {
		runCmd(cmdOpts{}, "systemctl", "stop", fmt.Sprintf("user@%d.service", u.uid))
		runCmd(cmdOpts{}, "loginctl", "terminate-user", u.name)
		runCmd(cmdOpts{}, "systemctl", "stop", fmt.Sprintf("user-%d.slice", u.uid))
		// Rootless podman's pause process and conmon outlive the session.
		killProcs(func(p sysproc.Proc, _ string) bool { return procUID(p.PID) == u.uid })
		_ = os.Remove(fmt.Sprintf("/dev/shm/libpod_rootless_lock_%d", u.uid))
	}
	if r := runCmd(cmdOpts{}, "userdel", "--remove", "--force", u.name); r.Code != 0 {
		t.Errorf("userdel:\n%s", r)
	}
	// Files of the user's subordinate ids (vfs layers) are not its own.
	_ = os.RemoveAll(u.home)
	var left []string
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		if subIDs(u.name, f) {
			left = append(left, f+" entry")
		}
	}
	if u.uid != 0 {
		if !eventually(30*time.Second, func() bool { _, err := os.Stat(u.runtimeDir); return os.IsNotExist(err) }) {
			left = append(left, u.runtimeDir)
		}
		slice := fmt.Sprintf("/sys/fs/cgroup/user.slice/user-%d.slice", u.uid)
		if !eventually(time.Minute, func() bool { _, err := os.Stat(slice); return os.IsNotExist(err) }) {
			left = append(left, slice+" (holding: "+strings.Join(cgroupTreeBelow(slice), ", ")+")")
		}
	}
	if _, err := os.Stat(u.home); err == nil {
		left = append(left, u.home)
	}
	if len(left) > 0 {
		t.Errorf("user %s: left behind: %s", u.name, strings.Join(left, ", "))
	}
}

// subIDs says whether file (/etc/subuid or /etc/subgid) has a range for
// name.
func subIDs(name, file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), name+":") {
			return true
		}
	}
	return false
}

func isSocket(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode()&os.ModeSocket != 0
}

// procUID is the real uid of pid, or -1.
func procUID(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "Uid:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return -1
}

// userBundle writes a busybox bundle the user owns under its home, its
// config.json from `hull spec --rootless`, edited by edit.
func (u *userSession) userBundle(t *testing.T, name string, edit func(map[string]any)) string {
	t.Helper()
	b := filepath.Join(u.home, name)
	if err := writeRootfsDir(filepath.Join(b, "rootfs")); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(cmdOpts{}, "chown", "-R", u.name+":", b); r.Code != 0 {
		t.Fatalf("chown:\n%s", r)
	}
	u.ok(t, hullBin, "spec", "--rootless", "--bundle", b)
	editSpec(t, filepath.Join(b, "config.json"), edit)
	return b
}

// cgroupFileOf reads file in the cgroup v2 cgroup of pid.
func cgroupFileOf(pid int, file string) (cgroup, value string) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return "", "<" + err.Error() + ">"
	}
	cgroup = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(data)), "0::"))
	return cgroup, readTrim(filepath.Join("/sys/fs/cgroup", cgroup, file))
}

// TestRootlessSession: an unprivileged user on a cgroup v2 host with
// systemd runs hull as a person would, in its login session: state under
// $XDG_RUNTIME_DIR/hull, a user namespace with its subordinate ids, its
// resource limits applied in the cgroup subtree its systemd delegates
// (--systemd-cgroup through its session bus), exec and a terminal.
func TestRootlessSession(t *testing.T) {
	u := startUserSession(t)
	b := u.userBundle(t, "bundle", func(s map[string]any) {
		p := s["process"].(map[string]any)
		p["args"] = []string{"sleep", "1000"}
		p["terminal"] = false
		l := s["linux"].(map[string]any)
		l["resources"] = map[string]any{
			"memory": map[string]any{"limit": 64 << 20},
			"pids":   map[string]any{"limit": 20},
		}
	})
	id := tag + "-rootless"
	u.ok(t, hullBin, "--systemd-cgroup", "run", "--detach", "--bundle", b, id)
	t.Cleanup(func() { u.run(cmdOpts{}, hullBin, "delete", "--force", id) })

	st := u.ok(t, hullBin, "state", id).Stdout
	var pid int
	for _, l := range strings.Split(st, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), `"pid": `); ok {
			pid, _ = strconv.Atoi(strings.TrimSuffix(v, ","))
		}
	}
	if pid == 0 || !strings.Contains(st, `"status": "running"`) {
		t.Fatalf("state as %s:\n%s", u.name, st)
	}
	if _, err := os.Stat(filepath.Join(u.runtimeDir, "hull", id)); err != nil {
		t.Errorf("no state under $XDG_RUNTIME_DIR/hull: %v", err)
	}
	cg, max := cgroupFileOf(pid, "memory.max")
	if want := fmt.Sprintf("/user.slice/user-%d.slice/user@%d.service/", u.uid, u.uid); !strings.HasPrefix(cg, want) {
		t.Errorf("container's cgroup %s, want one in the user's delegated subtree %s", cg, want)
	}
	if max != strconv.Itoa(64<<20) {
		t.Errorf("memory.max of %s: %s, want %d", cg, max, 64<<20)
	}
	if _, pids := cgroupFileOf(pid, "pids.max"); pids != "20" {
		t.Errorf("pids.max of %s: %s, want 20", cg, pids)
	}
	if uid := procUID(pid); uid == 0 || uid == -1 {
		t.Errorf("the container's init runs as host uid %d, want the user's or a subordinate id", uid)
	}

	if r := u.ok(t, hullBin, "exec", id, "id", "-u"); r.Stdout != "0\n" {
		t.Errorf("exec id -u printed %q, want 0 (root in the user namespace)", r.Stdout)
	}
	// A terminal: the user's pty, inherited through runuser.
	pty := runPTY(cmdOpts{}, "runuser", append(append([]string{"-u", u.name, "--", "env", "-i"}, u.env...),
		hullBin, "exec", "--tty", id, "sh", "-c", "sleep 0.3; tty")...)
	if pty.Code != 0 || !strings.Contains(pty.Stdout, "/dev/pts/") {
		t.Errorf("exec --tty as %s: want exit 0 and a /dev/pts terminal:\n%s", u.name, pty)
	}

	u.ok(t, hullBin, "kill", id, "KILL")
	if !eventually(30*time.Second, func() bool {
		return strings.Contains(u.run(cmdOpts{}, hullBin, "state", id).Stdout, `"status": "stopped"`)
	}) {
		t.Fatalf("container did not stop after kill KILL")
	}
	u.ok(t, hullBin, "delete", id)
	if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", cg)); err == nil {
		t.Errorf("cgroup %s left after delete", cg)
	}
	if r := u.run(cmdOpts{}, hullBin, "state", id); r.Code == 0 {
		t.Errorf("state after delete: want an error:\n%s", r)
	}
}

// TestRootlessPodman: rootless podman, as the user with its own storage,
// runs, execs into and stops containers through hull, with a memory limit
// applied through the user's systemd.
func TestRootlessPodman(t *testing.T) {
	u := startUserSession(t)
	need(t, "podman", "conmon", "catatonit")
	conf := filepath.Join(u.home, "containers.conf")
	storage := filepath.Join(u.home, "storage.conf")
	for path, content := range map[string]string{
		conf: fmt.Sprintf(`[containers]
init_path = "/usr/bin/catatonit"
netns = "none"
log_driver = "k8s-file"
[engine]
cgroup_manager = "systemd"
events_logger = "file"
runtime = "hull"
[engine.runtimes]
hull = [%q]
`, hullBin),
		storage: fmt.Sprintf("[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n",
			filepath.Join(u.home, "storage"), filepath.Join(u.runtimeDir, "containers")),
	} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"CONTAINERS_CONF=" + conf, "CONTAINERS_STORAGE_CONF=" + storage}
	podman := func(args ...string) result { return u.run(cmdOpts{Env: env}, append([]string{"podman"}, args...)...) }
	ok := func(args ...string) result {
		t.Helper()
		r := podman(args...)
		if r.Code != 0 {
			t.Fatalf("as %s: want exit 0:\n%s", u.name, r)
		}
		return r
	}
	if r := ok("info", "--format", "{{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}} {{.Host.Security.Rootless}}"); strings.TrimSpace(r.Stdout) != hullBin+" systemd true" {
		t.Fatalf("podman info as %s: want runtime %s, the systemd cgroup manager, rootless:\n%s", u.name, hullBin, r)
	}
	tarball, err := rootfsTar()
	if err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(u.home, "rootfs.tar")
	if err := os.WriteFile(tarPath, tarball, 0o644); err != nil {
		t.Fatal(err)
	}
	ok("import", "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", tarPath, podImage)

	r := ok("run", "--rm", "--memory", "64m", podImage, "sh", "-c", "id -u; cat /sys/fs/cgroup/memory.max")
	if got := strings.Fields(r.Stdout); len(got) != 2 || got[0] != "0" || got[1] != strconv.Itoa(64<<20) {
		t.Errorf("run --rm --memory 64m printed %q, want uid 0 and memory.max %d", r.Stdout, 64<<20)
	}

	name := tag + "-rootless"
	ok("run", "--detach", "--name", name, podImage, "sleep", "1000")
	t.Cleanup(func() { podman("rm", "--force", "--time", "0", name) })
	pid, _ := strconv.Atoi(strings.TrimSpace(ok("inspect", "--format", "{{.State.Pid}}", name).Stdout))
	if args := cmdline(pid); args != "sleep 1000" {
		t.Errorf("container's pid %d runs %q, want sleep 1000", pid, args)
	}
	// conmon was given hull as the runtime.
	var conmons []string
	for _, p := range sysproc.Procs() {
		if c := cmdline(p.PID); strings.HasPrefix(c, "/usr/bin/conmon ") && procUID(p.PID) == u.uid {
			conmons = append(conmons, c)
		}
	}
	if len(conmons) != 1 || !strings.Contains(conmons[0], " -r "+hullBin+" ") {
		t.Errorf("want one conmon of %s running %s, got %q", u.name, hullBin, conmons)
	}
	if r := ok("exec", name, "echo", "exec-ok"); r.Stdout != "exec-ok\n" {
		t.Errorf("exec printed %q", r.Stdout)
	}
	ok("stop", "--time", "1", name)
	if s := strings.TrimSpace(ok("inspect", "--format", "{{.State.Status}}", name).Stdout); s != "exited" {
		t.Errorf("after stop the container is %s, want exited", s)
	}
	ok("rm", name)
	if r := ok("ps", "--all", "--quiet"); strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("containers left after rm: %q", r.Stdout)
	}
}
