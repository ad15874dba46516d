package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// rootlessUserPrefix names the users these tests create (and remove):
// a user left behind by a killed test run is recognisable by it.
const rootlessUserPrefix = "hullrl"

var rootlessUserCounter atomic.Int64

// rootlessUser is an unprivileged user a test made for itself, with
// ranges in /etc/subuid and /etc/subgid, its XDG_RUNTIME_DIR, and the
// harness h rooted at that user's default state root.
type rootlessUser struct {
	h        *H
	name     string
	uid, gid int
	// sub is the first id of the user's range (65536 ids) in /etc/subuid
	// and /etc/subgid.
	sub int
	// xdg is the user's XDG_RUNTIME_DIR.
	xdg string
}

// newRootlessUser creates a user for the test and removes it, its files
// and its processes when the test ends, failed or not. The harness's
// root becomes the user's default state root ($XDG_RUNTIME_DIR/hull),
// so that h's leftover checks look there.
func newRootlessUser(t *testing.T, h *H) *rootlessUser {
	t.Helper()
	for _, tool := range []string{"useradd", "usermod", "userdel", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is needed to run hull as another user (passwd and util-linux)", tool)
		}
	}
	name := fmt.Sprintf("%s%d-%d", rootlessUserPrefix, os.Getpid()%100000, rootlessUserCounter.Add(1))
	// No home and no automatic subordinate ranges: the test gives its own.
	if out, err := userTool("useradd", "-M", "-U", "-s", "/usr/sbin/nologin",
		"-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name); err != nil {
		t.Fatalf("useradd %s: %v\n%s", name, err, out)
	}
	u := &rootlessUser{h: h, name: name}
	t.Cleanup(u.remove)
	pw, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	u.uid, _ = strconv.Atoi(pw.Uid)
	u.gid, _ = strconv.Atoi(pw.Gid)
	// Far above the ranges useradd gives out (100000 on): one per uid.
	u.sub = 10_000_000 + (u.uid%1000)*65536
	r := fmt.Sprintf("%d-%d", u.sub, u.sub+65535)
	if out, err := userTool("usermod", "--add-subuids", r, "--add-subgids", r, name); err != nil {
		t.Fatalf("usermod --add-subuids %s %s: %v\n%s", r, name, err, out)
	}
	// The user must reach its bundles and XDG_RUNTIME_DIR in the test's
	// directory (t.TempDir makes it and its parent 0700).
	for _, d := range []string{filepath.Dir(h.dir), h.dir} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	u.xdg = filepath.Join(h.dir, "xdg")
	if err := os.Mkdir(u.xdg, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(u.xdg, u.uid, u.gid); err != nil {
		t.Fatal(err)
	}
	h.root = filepath.Join(u.xdg, "hull")
	return u
}

// userTool runs useradd, usermod or userdel, again while another holds
// the lock of /etc/passwd or its kin ("cannot lock /etc/passwd; try
// again later": the tests run in parallel).
func userTool(name string, args ...string) ([]byte, error) {
	for i := 0; ; i++ {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err == nil || i == 50 || !strings.Contains(string(out), "lock") {
			return out, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// remove deletes the user's containers (as the user, as it made them),
// kills what is left of its processes by PID, then the user and its
// subordinate ranges.
func (u *rootlessUser) remove() {
	u.h.mu.Lock()
	ids := append([]string(nil), u.h.ids...)
	u.h.mu.Unlock()
	for _, id := range ids {
		u.hull(nil, "delete", "--force", id)
	}
	for i := 0; i < 20; i++ {
		var live []int
		for _, p := range sysproc.Procs() {
			var st unix.Stat_t
			if p.Live() && unix.Stat(fmt.Sprintf("/proc/%d", p.PID), &st) == nil && int(st.Uid) == u.uid {
				live = append(live, p.PID)
			}
		}
		if len(live) == 0 {
			break
		}
		for _, pid := range live {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond)
		reaper.Reap()
	}
	// userdel also drops the user's lines of /etc/subuid and /etc/subgid.
	if out, err := userTool("userdel", u.name); err != nil {
		u.h.t.Errorf("userdel %s: %v\n%s", u.name, err, out)
	}
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		if data, _ := os.ReadFile(f); strings.Contains(string(data), u.name+":") {
			u.h.t.Errorf("%s still lists %s after userdel", f, u.name)
		}
	}
}

// env is the environment hull gets as the user: a login's, without
// anything of the test's (root's) own.
func (u *rootlessUser) env() []string {
	return []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/nonexistent",
		"USER=" + u.name, "LOGNAME=" + u.name, "XDG_RUNTIME_DIR=" + u.xdg}
}

// as runs the program name with args as the user (no supplementary
// groups), with stdin if given.
func (u *rootlessUser) as(stdin *os.File, name string, args ...string) result {
	u.h.t.Helper()
	argv := append([]string{"--reuid", strconv.Itoa(u.uid), "--regid", strconv.Itoa(u.gid), "--clear-groups",
		"env", "-i"}, u.env()...)
	argv = append(argv, name)
	argv = append(argv, args...)
	o := cmdOpts{}
	if stdin != nil {
		o.Stdin = stdin
	}
	return runCmd(u.h.t, u.h.dir, o, "setpriv", argv...)
}

// hull runs hull as the user, with its default state root.
func (u *rootlessUser) hull(stdin *os.File, args ...string) result {
	u.h.t.Helper()
	return u.as(stdin, hullBin, args...)
}

func (u *rootlessUser) ok(args ...string) result {
	u.h.t.Helper()
	r := u.hull(nil, args...)
	if r.Code != 0 {
		u.h.t.Fatalf("hull as %s failed:\n%s", u.name, r)
	}
	return r
}

// bundle is `hull spec --rootless`, written by the user into a bundle
// directory of its own, around the shared busybox rootfs (read-only),
// running args without a terminal, then changed by mods.
func (u *rootlessUser) bundle(args []string, mods ...func(*specs.Spec)) string {
	t := u.h.t
	t.Helper()
	dir := u.h.rawBundle(nil)
	if err := os.Chown(dir, u.uid, u.gid); err != nil {
		t.Fatal(err)
	}
	if r := u.hull(nil, "spec", "--rootless", "--bundle", dir); r.Code != 0 {
		t.Fatalf("hull spec --rootless as %s failed:\n%s", u.name, r)
	}
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	s.Root.Path = rootfsDir
	s.Root.Readonly = true
	s.Process.Terminal = false
	s.Process.Args = args
	for _, m := range mods {
		m(&s)
	}
	if data, err = json.MarshalIndent(&s, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stateOf is `hull state id` as the user.
func (u *rootlessUser) stateOf(id string) containerState {
	u.h.t.Helper()
	r := u.ok("state", id)
	var st containerState
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		u.h.t.Fatalf("hull state printed invalid JSON: %v\n%s", err, r)
	}
	return st
}

// namespaceHolder starts a process of the user in a user and a network
// namespace of its own, and returns the network namespace's path; the
// process is killed, by its PID, when the test ends.
func (u *rootlessUser) namespaceHolder(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare(1) (util-linux) is needed to make the namespaces to join")
	}
	// setpriv and unshare exec, so the PID ends as sleep's.
	cmd := exec.Command("setpriv", "--reuid", strconv.Itoa(u.uid), "--regid", strconv.Itoa(u.gid), "--clear-groups",
		"unshare", "--user", "--net", "--map-root-user", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatalf("a process of %s in namespaces of its own: %v", u.name, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	path := fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)
	mine, _ := os.Readlink("/proc/self/ns/net")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if got, _ := os.Readlink(path); got != "" && got != mine && strings.HasSuffix(strings.Join(sysproc.Cmdline(cmd.Process.Pid), " "), "sleep 60") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not get a network namespace of its own", u.name)
		}
	}
	return fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)
}

// TestRootlessRun: a user runs a container with `hull spec --rootless`:
// root inside is the user outside (one mapping, no helper), its state is
// under $XDG_RUNTIME_DIR/hull (made 0700 and sticky, as runc makes its
// own), and the reference runc, as the same user, prints the same.
func TestRootlessRun(t *testing.T) {
	t.Parallel()
	h := newH(t)
	u := newRootlessUser(t, h)
	script := "id; cat /proc/self/uid_map /proc/self/gid_map; hostname; ls /dev"
	b := u.bundle(sh(script))
	id := h.id()
	r := u.ok("run", "--bundle", b, id)
	want := fmt.Sprintf("uid=0(root) gid=0(root)\n0 %d 1\n0 %d 1\n", u.uid, u.gid)
	if got := strings.Join(strings.Fields(r.Stdout), " "); !strings.HasPrefix(got, strings.Join(strings.Fields(want), " ")) {
		t.Errorf("run as %s printed:\n%s\nwant it to begin with:\n%s", u.name, r.Stdout, want)
	}
	if r.Stderr != "" {
		t.Errorf("a rootless run without resources should warn of nothing:\n%s", r)
	}
	fi, err := os.Stat(h.root)
	if err != nil {
		t.Fatalf("no state root at $XDG_RUNTIME_DIR/hull: %v", err)
	}
	var st unix.Stat_t
	_ = unix.Stat(h.root, &st)
	if fi.Mode() != os.ModeDir|os.ModeSticky|0o700 || int(st.Uid) != u.uid {
		t.Errorf("state root %s: mode %v, owner %d; want drwx-----T of uid %d", h.root, fi.Mode(), st.Uid, u.uid)
	}
	h.assertClean(id)

	// The sysctls of the namespaces the container makes are its root's.
	sb := u.bundle(sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"), func(s *specs.Spec) {
		withNamespace(specs.NetworkNamespace)(s)
		s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}
	})
	sid := h.id()
	if got := u.ok("run", "--bundle", sb, sid).Stdout; got != "1\n1234\n" {
		t.Errorf("sysctls in the container's own namespaces: read %q, want 1 and 1234", got)
	}
	h.assertClean(sid)

	// An XDG_RUNTIME_DIR the user cannot write is named, as runc does.
	bad := u.as(nil, "/usr/bin/env", "XDG_RUNTIME_DIR=/", hullBin, "list")
	if bad.Code != 1 || !strings.Contains(bad.Stderr, "$XDG_RUNTIME_DIR must be writable by the user") {
		t.Errorf("hull with a read-only XDG_RUNTIME_DIR:\n%s", bad)
	}

	runc := optionalRunc()
	if runc == "" {
		return
	}
	rr := u.as(nil, runc, "run", "--bundle", b, h.runcID(runc, filepath.Join(u.xdg, "runc")))
	if rr.Code != 0 || rr.Stdout != r.Stdout {
		t.Errorf("runc as %s:\n%s\nhull printed:\n%s", u.name, rr, r.Stdout)
	}
}

// TestRootlessLifecycle: create, start, state, exec, kill and delete as
// the user, and kill --all and delete --force of a container that has no
// cgroup (none is delegated to the user here).
func TestRootlessLifecycle(t *testing.T) {
	t.Parallel()
	h := newH(t)
	u := newRootlessUser(t, h)
	b := u.bundle([]string{"sleep", "1000"})
	id := h.id()
	u.ok("create", "--bundle", b, id)
	st := u.stateOf(id)
	if st.Status != "created" || st.Owner != u.name {
		t.Errorf("state after create: %+v; want created, owner %s", st, u.name)
	}
	u.ok("start", id)
	if st := u.stateOf(id); st.Status != "running" {
		t.Errorf("state after start: %s, want running", st.Status)
	}
	if got := strings.TrimSpace(u.ok("exec", id, "id", "-u").Stdout); got != "0" {
		t.Errorf("exec id -u printed %q, want 0", got)
	}
	if got := u.ok("list").Stdout; !strings.Contains(got, id) {
		t.Errorf("list as the user does not show %s:\n%s", id, got)
	}
	u.ok("kill", id, "KILL")
	deadline := time.Now().Add(5 * time.Second)
	for u.stateOf(id).Status != "stopped" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	u.ok("delete", id)
	h.assertClean(id)

	id2 := h.id()
	u.ok("run", "-d", "--bundle", b, id2)
	if r := u.hull(nil, "ps", id2); r.Code == 0 || !strings.Contains(r.Stderr, "no cgroup") {
		t.Errorf("ps of a container without a cgroup should say it has none:\n%s", r)
	}
	u.ok("kill", "--all", id2, "KILL")
	u.ok("delete", "--force", id2)
	h.assertClean(id2)

	// Namespaces of the user's own, joined by path from the user
	// namespace that owns them (how an engine's pause process holds
	// them).
	netns := u.namespaceHolder(t)
	userns := strings.TrimSuffix(netns, "net") + "user"
	jb := u.bundle(sh("readlink /proc/self/ns/net"), func(s *specs.Spec) {
		s.Linux.UIDMappings, s.Linux.GIDMappings = nil, nil
		withoutNamespace(specs.UserNamespace)(s)
		s.Linux.Namespaces = append(s.Linux.Namespaces,
			specs.LinuxNamespace{Type: specs.UserNamespace, Path: userns}, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: netns})
	})
	id3 := h.id()
	want, _ := os.Readlink(netns)
	if got := strings.TrimSpace(u.ok("run", "--bundle", jb, id3).Stdout); got != want {
		t.Errorf("joined network namespace: the container is in %q, want %q", got, want)
	}
	h.assertClean(id3)
}

// TestRootlessTerminal: a foreground run and an exec --tty of a rootless
// container have a terminal (the container's own devpts, which a user
// namespace may mount).
func TestRootlessTerminal(t *testing.T) {
	t.Parallel()
	h := newH(t)
	u := newRootlessUser(t, h)
	b := u.bundle(sh("tty; stty size"), func(s *specs.Spec) {
		s.Process.Terminal = true
		s.Process.ConsoleSize = &specs.Box{Height: 25, Width: 80}
	})
	id := h.id()
	if got := u.ok("run", "--bundle", b, id).Stdout; got != "/dev/pts/0\n25 80\n" {
		t.Errorf("run with a terminal printed %q, want the pty and its size", got)
	}
	h.assertClean(id)
	id2 := h.id()
	u.ok("run", "-d", "--bundle", u.bundle([]string{"sleep", "1000"}), id2)
	if got := u.ok("exec", "--tty", id2, "tty").Stdout; !strings.HasPrefix(got, "/dev/pts/") {
		t.Errorf("exec --tty printed %q, want a /dev/pts name", got)
	}
	u.ok("delete", "--force", id2)
	h.assertClean(id2)
}

// TestRootlessSubIDs: mappings of the user's own id and its range in
// /etc/subuid and /etc/subgid go through newuidmap and newgidmap.
func TestRootlessSubIDs(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"newuidmap", "newgidmap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/install-deps.sh base installs uidmap)", tool)
		}
	}
	h := newH(t)
	u := newRootlessUser(t, h)
	b := u.bundle(sh("cat /proc/self/uid_map /proc/self/gid_map"), func(s *specs.Spec) {
		s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(u.uid), Size: 1}, {ContainerID: 1, HostID: uint32(u.sub), Size: 65536}}
		s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(u.gid), Size: 1}, {ContainerID: 1, HostID: uint32(u.sub), Size: 65536}}
	})
	id := h.id()
	got := strings.Fields(u.ok("run", "--bundle", b, id).Stdout)
	want := strings.Fields(fmt.Sprintf("0 %d 1 1 %d 65536 0 %d 1 1 %d 65536", u.uid, u.sub, u.gid, u.sub))
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("maps inside: %v, want %v", got, want)
	}
	h.assertClean(id)
}

// TestRootlessResourcesDropped: where no cgroup is delegated to the user
// (this host; the VM's test user has no session either), resource limits
// are dropped with one warning each, in runc's words and why, and the
// container runs; a cgroupsPath is refused before anything is made.
// runc 1.5 fails at start on the limits, after making the container.
func TestRootlessResourcesDropped(t *testing.T) {
	t.Parallel()
	h := newH(t)
	u := newRootlessUser(t, h)
	limit := int64(64 << 20)
	pids := int64(50)
	b := u.bundle(sh("echo ran"), func(s *specs.Spec) {
		s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit}, Pids: &specs.LinuxPids{Limit: &pids}}
	})
	id := h.id()
	r := u.ok("run", "--bundle", b, id)
	if r.Stdout != "ran\n" {
		t.Errorf("the container did not run:\n%s", r)
	}
	warnings := lines(r.Stderr)
	if len(warnings) != 2 {
		t.Errorf("want two warnings, one per dropped field:\n%s", r)
	}
	mustContain(t, "hull's warnings", r.Stderr,
		"linux.resources.memory: cannot set memory limit: container could not join or create cgroup: rootless",
		"linux.resources.pids: cannot set pids limit: container could not join or create cgroup: rootless",
		"not delegated to uid "+strconv.Itoa(u.uid))
	h.assertClean(id)

	// `hull check --host` lists the same warnings and exits 1 for them.
	if c := u.hull(nil, "check", "--host", "--bundle", b); !strings.Contains(c.Stdout, "linux.resources.memory") {
		t.Errorf("check --host does not list the dropped limit:\n%s", c)
	}

	cg := u.bundle(sh("echo ran"), func(s *specs.Spec) { s.Linux.CgroupsPath = "/hulltest-rootless/" + id })
	id2 := h.id()
	if r := u.hull(nil, "run", "--bundle", cg, id2); r.Code != 1 || !strings.Contains(r.Stderr, "linux.cgroupsPath") ||
		len(lines(r.Stderr)) != 1 {
		t.Errorf("a cgroupsPath no one delegated should be refused on one line naming it:\n%s", r)
	}
	h.assertClean(id2)

	// --rootless false: the cgroup must be made, and cannot be.
	id3 := h.id()
	if r := u.hull(nil, "--rootless", "false", "run", "--bundle", u.bundle(sh("true")), id3); r.Code == 0 ||
		!strings.Contains(r.Stderr, "permission denied") {
		t.Errorf("--rootless false as a user without a delegated cgroup should fail to make it:\n%s", r)
	}
	h.assertClean(id3)

	// libcontainer has no rootless systemd driver on cgroup v1: refused
	// up front, in runc's words.
	if !cgroups.IsCgroup2UnifiedMode() {
		id4 := h.id()
		if r := u.hull(nil, "--systemd-cgroup", "run", "--bundle", u.bundle(sh("true")), id4); r.Code != 1 ||
			!strings.Contains(r.Stderr, "cannot use rootless systemd cgroups manager on cgroup v1") {
			t.Errorf("--systemd-cgroup as a user on cgroup v1:\n%s", r)
		}
		h.assertClean(id4)
	}

	runc := optionalRunc()
	if runc == "" {
		return
	}
	rid := h.runcID(runc, filepath.Join(u.xdg, "runc"))
	// runc's words differ by cgroup version (v1: "container could not
	// join or create cgroup"; v2: "rootless needs no limits + no
	// cgrouppath when no permission is granted for cgroups").
	if rr := u.as(nil, runc, "run", "--bundle", b, rid); rr.Code == 0 ||
		!strings.Contains(rr.Stderr, "container could not join or create cgroup") && !strings.Contains(rr.Stderr, "rootless needs no limits") {
		t.Errorf("runc 1.5 fails on the limits (hull drops them with a warning); it did:\n%s", rr)
	}
}

// TestRootlessRefusals: what an unprivileged user cannot have is refused
// by create before anything is made, one line naming the JSON path; the
// reference runc fails on each later, at start.
func TestRootlessRefusals(t *testing.T) {
	t.Parallel()
	h := newH(t)
	u := newRootlessUser(t, h)
	oom := -500
	netns := u.namespaceHolder(t)
	// Where an appended namespace lands: `hull spec --rootless` lists
	// the cgroup namespace too on a cgroup v2 host.
	var plain specs.Spec
	if data, err := os.ReadFile(filepath.Join(u.bundle(sh("true")), "config.json")); err != nil || json.Unmarshal(data, &plain) != nil {
		t.Fatalf("read a rootless bundle: %v", err)
	}
	appended := fmt.Sprintf("linux.namespaces[%d].path", len(plain.Linux.Namespaces))
	for _, tc := range []struct {
		name string
		mod  func(s *specs.Spec)
		path string
		skip string
	}{
		{"additional gids", func(s *specs.Spec) { s.Process.User.AdditionalGids = []uint32{1} },
			"process.user.additionalGids", ""},
		{"sysfs without a network namespace", withMount(specs.Mount{Destination: "/mnt", Type: "sysfs", Source: "sysfs"}),
			"mounts[7].type", ""},
		{"a range not in /etc/subuid", func(s *specs.Spec) {
			s.Linux.UIDMappings = append(s.Linux.UIDMappings, specs.LinuxIDMapping{ContainerID: 1, HostID: uint32(u.sub + 70000), Size: 10})
		}, "linux.uidMappings[1]", ""},
		{"container root not the user", func(s *specs.Spec) {
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(u.sub), Size: 10}}
		}, "linux.uidMappings", ""},
		{"a device the host lacks", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/hull-no-such-device", Type: "c", Major: 1, Minor: 3}}
		}, "linux.devices[0].path", ""},
		{"network devices", func(s *specs.Spec) {
			withNamespace(specs.NetworkNamespace)(s)
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"dummy0": {}}
		}, "linux.netDevices", ""},
		{"a sysctl only the host's root may set", func(s *specs.Spec) {
			withNamespace(specs.NetworkNamespace)(s)
			s.Linux.Sysctl = map[string]string{"net.core.rmem_max": "1000000"}
		}, `linux.sysctl["net.core.rmem_max"]`, ""},
		{"a network namespace joined from a new user namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: netns})
		}, appended, ""},
		{"oomScoreAdj below hull's", func(s *specs.Spec) { s.Process.OOMScoreAdj = &oom }, "process.oomScoreAdj", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			b := u.bundle(sh("true"), tc.mod)
			id := h.id()
			r := u.hull(nil, "create", "--bundle", b, id)
			if r.Code != 1 || len(lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, "config.json: "+tc.path+": ") {
				t.Errorf("want create refused, exit 1, one line naming %s:\n%s", tc.path, r)
			}
			if fileExists(filepath.Join(h.root, id)) || fileExists(filepath.Join(h.root, ".hull", id)) {
				t.Errorf("a refused create left state under %s", h.root)
			}
			h.assertClean(id)
			if runc := optionalRunc(); runc != "" {
				rid := h.runcID(runc, filepath.Join(u.xdg, "runc"))
				if rr := u.as(nil, runc, "run", "--bundle", b, rid); rr.Code == 0 {
					t.Errorf("runc as the user ran what hull refuses:\n%s", rr)
				}
			}
		})
	}
}

// delegateCgroup makes the cgroup /name in every hierarchy, owned by the
// user with its files (what systemd's Delegate= or an administrator's
// chown gives a user), and removes it, and what is left below it, when
// the test ends. It returns the directories.
func (u *rootlessUser) delegateCgroup(t *testing.T, name string) []string {
	t.Helper()
	var dirs []string
	t.Cleanup(func() {
		for _, d := range dirs {
			rmdirTree(d)
		}
	})
	for _, hier := range cgroupHierarchies() {
		d := filepath.Join(hier, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
		// A new cpuset cgroup has no CPUs until given its parent's.
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if data, err := os.ReadFile(filepath.Join(hier, f)); err == nil && !cgroups.IsCgroup2UnifiedMode() {
				if err := os.WriteFile(filepath.Join(d, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		if cgroups.IsCgroup2UnifiedMode() {
			if err := os.WriteFile(filepath.Join(hier, "cgroup.subtree_control"), []byte("+memory +pids"), 0o644); err != nil {
				t.Fatalf("enable memory and pids for %s: %v", d, err)
			}
		}
		err := filepath.WalkDir(d, func(p string, _ os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, u.uid, u.gid)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

// TestRootlessDelegatedCgroup: where a cgroup is delegated to the user
// (its directory chowned to it), a rootless container gets its cgroup
// there and its limits apply, with no warning; ps lists its processes.
// On cgroup v1 the container's cgroupsPath names the delegated cgroup; on
// cgroup v2 hull runs inside the delegated subtree (as from a systemd
// user session), which a move between cgroups needs, and the container's
// cgroup is made beside hull's.
func TestRootlessDelegatedCgroup(t *testing.T) {
	t.Parallel()
	h := newH(t)
	u := newRootlessUser(t, h)
	id := h.id()
	name := "hulltest-rootless-" + id
	dirs := u.delegateCgroup(t, name)
	limit := int64(64 << 20)
	pids := int64(50)
	v2 := cgroups.IsCgroup2UnifiedMode()
	b := u.bundle([]string{"sleep", "1000"}, func(s *specs.Spec) {
		s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit}, Pids: &specs.LinuxPids{Limit: &pids}}
		if !v2 {
			s.Linux.CgroupsPath = "/" + name + "/" + id
		}
	})
	var r result
	if v2 {
		// hull starts in <name>/launcher, a cgroup of the user's; the
		// container's is made at <name>/<id>.
		launcher := filepath.Join(dirs[0], "launcher")
		if err := os.Mkdir(launcher, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = os.Lchown(launcher, u.uid, u.gid)
		script := `echo $$ > "$1/cgroup.procs" && shift && exec "$@"`
		argv := append([]string{"-c", script, "sh", launcher, "setpriv", "--reuid", strconv.Itoa(u.uid), "--regid", strconv.Itoa(u.gid),
			"--clear-groups", "env", "-i"}, u.env()...)
		argv = append(argv, hullBin, "run", "-d", "--bundle", b, id)
		r = runCmd(t, h.dir, cmdOpts{}, "/bin/sh", argv...)
	} else {
		r = u.hull(nil, "run", "-d", "--bundle", b, id)
	}
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("run in a delegated cgroup: want success without a warning:\n%s", r)
	}
	memFile, memWant, pidsFile := filepath.Join("memory", name, id, "memory.limit_in_bytes"), "67108864", filepath.Join("pids", name, id, "pids.max")
	if v2 {
		memFile, memWant, pidsFile = filepath.Join(name, id, "memory.max"), "67108864", filepath.Join(name, id, "pids.max")
	}
	for f, want := range map[string]string{memFile: memWant, pidsFile: "50"} {
		data, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", f))
		if err != nil || strings.TrimSpace(string(data)) != want {
			t.Errorf("/sys/fs/cgroup/%s: %q, %v; want %s", f, data, err, want)
		}
	}
	st := u.stateOf(id)
	if got := u.ok("ps", "--format", "json", id).Stdout; !strings.Contains(got, strconv.Itoa(st.Pid)) {
		t.Errorf("ps lists %s, want the init %d", got, st.Pid)
	}
	u.ok("delete", "--force", id)
	h.assertClean(id)
}
