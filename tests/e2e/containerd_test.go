//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// ctrImage is the busybox image imported into containerd.
const ctrImage = "localhost/hull-e2e/busybox:latest"

// ctrd is one containerd daemon private to the test: its own root, state
// dir, socket and config under a temp dir; the CRI plugin disabled unless
// ctrdOpts.cri (TestCRI).
//
// hull is reached two ways, and each call is recorded in invLog so that a
// test can prove hull (and not the runc on PATH) ran its container:
//
//   - binWrap: the runc v2 shim's BinaryName (`ctr run --runc-binary`); a
//     wrapper that logs "via=BinaryName <args>" and execs hull.
//   - pathRunc: a `runc` wrapper first on containerd's PATH (so on the
//     shims' PATH too) that logs "via=PATH <args>" and execs hull. The shim
//     falls back to `runc` from PATH whenever a task carries its own options
//     (ctr --no-pivot, --uidmap/--gidmap): containerd then drops the
//     container's runtime options, BinaryName included.
type ctrd struct {
	dir   string
	sock  string
	state string
	ns    string
	// cgParents and slices: see ctrdOpts.
	cgParents []string
	slices    []string
	// systemd: the ctr tests run their containers with the shim's
	// SystemdCgroup option (ctr --runc-systemd-cgroup), as a Kubernetes
	// node does, in scopes of ctrSlice.
	systemd  bool
	binWrap  string
	invLog   string
	runcRoot string
	logPath  string
	keepLogs string // copies of hull's log per container
	cmd      *exec.Cmd
	exited   chan struct{}

	// What /run/containerd held before: the shim always puts its socket
	// under /run/containerd/s, and a runc without options uses
	// /run/containerd/runc/<ns>. Whatever is new there is ours to remove.
	runBefore map[string]bool
	runExists bool
}

const runContainerd = "/run/containerd"

// ctrdOpts is what tells one private containerd from another.
type ctrdOpts struct {
	// name is its directory under workDir.
	name string
	// ns is the namespace the tests use (the CRI plugin's is k8s.io).
	ns string
	// cgParents are the cgroups (paths in the hierarchies) the runtime puts
	// the containers below: they may stay, anything below them is a leak.
	cgParents []string
	// slices are systemd slice units the containers' scopes go into,
	// stopped when the daemon stops.
	slices []string
	// config, given the daemon's paths, is appended to containerd's
	// config.toml; with cri false the CRI plugin is disabled.
	config func(c *ctrd) string
	cri    bool
	// images are the image archives to import once the daemon is up, by
	// name.
	images map[string]func(path string) error
}

// startContainerd starts the daemon of the ctr tests: its own namespace,
// no CRI, the busybox image imported. On a systemd host (systemdCgroups)
// its containers go into scopes of the slice ctrSlice.
func startContainerd(t *testing.T) *ctrd {
	t.Helper()
	o := ctrdOpts{name: "containerd", ns: tag, cgParents: []string{"/" + tag}}
	if systemdCgroups() {
		o.cgParents = append(o.cgParents, ctrSliceDir())
		o.slices = []string{ctrSlice(), tag + ".slice"}
	}
	o.images = map[string]func(string) error{
		"busybox-oci.tar": func(p string) error { return writeOCIArchive(p, ctrImage) },
	}
	c := startContainerdWith(t, o)
	c.systemd = systemdCgroups()
	return c
}

// ctrSlice is the slice of the ctr tests' scopes on a systemd host, below
// <tag>.slice as systemd nests dashed slice names; ctrSliceDir is its
// cgroup.
func ctrSlice() string    { return tag + "-ctr.slice" }
func ctrSliceDir() string { return "/" + tag + ".slice/" + ctrSlice() }

// startContainerdWith starts a containerd of its own under workDir/o.name
// and stops it, removing what it left, when t ends.
func startContainerdWith(t *testing.T, o ctrdOpts) *ctrd {
	t.Helper()
	need(t, "containerd", "ctr", "containerd-shim-runc-v2")
	dir := filepath.Join(workDir, o.name)
	c := &ctrd{
		dir:       dir,
		sock:      filepath.Join(dir, "containerd.sock"),
		state:     filepath.Join(dir, "state"),
		ns:        o.ns,
		cgParents: o.cgParents,
		slices:    o.slices,
		binWrap:   filepath.Join(dir, "wrap", "hull"),
		invLog:    filepath.Join(dir, "invocations.log"),
		runcRoot:  filepath.Join(dir, "runc-root"),
		logPath:   filepath.Join(dir, "containerd.log"),
		keepLogs:  filepath.Join(dir, "hull-logs"),
		exited:    make(chan struct{}),
	}
	c.runBefore, c.runExists = listTree(runContainerd)
	t.Cleanup(func() { c.stop(t) })
	for _, d := range []string{dir, filepath.Join(dir, "wrap"), filepath.Join(dir, "pathbin"), c.keepLogs} {
		if err := os.MkdirAll(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	debug := ""
	if os.Getenv("HULL_E2E_DEBUG") != "" {
		debug = "--debug "
	}
	// The wrapper does not exec hull: after hull returns it keeps a copy of
	// the --log file the shim gave it (log.json in the bundle, which is
	// removed with the task), so a failing test can show hull's log. The
	// shim never runs the runtime in the foreground, so nothing depends on
	// the wrapper being hull's PID.
	wrapper := func(via string) string {
		return fmt.Sprintf(`#!/bin/sh
# Records the call, runs hull and keeps its log (tests/e2e).
printf '%%s via=%s %%s\n' "$(date +%%s.%%N)" "$*" >> %s
log=; prev=
for a in "$@"; do [ "$prev" = --log ] && log=$a; prev=$a; done
%s %s"$@"
rc=$?
if [ -n "$log" ] && [ -f "$log" ]; then cp "$log" "%s/$(basename "$(dirname "$log")").log"; fi
exit $rc
`, via, c.invLog, hullBin, debug, c.keepLogs)
	}
	if err := writeExecutable(c.binWrap, wrapper("BinaryName")); err != nil {
		t.Fatal(err)
	}
	if err := writeExecutable(filepath.Join(dir, "pathbin", "runc"), wrapper("PATH")); err != nil {
		t.Fatal(err)
	}
	disabledCRI := "\n  \"io.containerd.grpc.v1.cri\","
	if o.cri {
		disabledCRI = ""
	}
	config := fmt.Sprintf(`version = 2
root = %q
state = %q
# No snapshotters that cannot work here (and no CRI unless asked). (The
# legacy io.containerd.runtime.v1.linux stays: containerd 1.6's tasks
# service refuses to load without it.)
disabled_plugins = [%s
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.internal.v1.tracing",
  "io.containerd.tracing.processor.v1.otlp",
]

[grpc]
  address = %q

[ttrpc]
  address = %q

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = %q
`, filepath.Join(dir, "root"), c.state, disabledCRI, c.sock, c.sock+".ttrpc", filepath.Join(dir, "opt"))
	if o.config != nil {
		config += o.config(c)
	}
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	logF, err := os.Create(c.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logF.Close()
	c.cmd = exec.Command("containerd", "--config", cfgPath)
	c.cmd.Stdout, c.cmd.Stderr = logF, logF
	c.cmd.Env = append(os.Environ(), "PATH="+filepath.Join(dir, "pathbin")+":"+os.Getenv("PATH"))
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := reaper.Start(c.cmd); err != nil {
		t.Fatalf("start containerd: %v", err)
	}
	go func() { _ = reaper.Wait(c.cmd); close(c.exited) }()

	var last result
	if !eventually(30*time.Second, func() bool {
		select {
		case <-c.exited:
			return true
		default:
		}
		last = c.ctr("version")
		return last.Code == 0
	}) || last.Code != 0 {
		t.Fatalf("containerd did not come up:\n%s\ncontainerd log:\n%s", last, sysproc.Indent(readTrim(c.logPath)))
	}

	for name, write := range o.images {
		archive := filepath.Join(dir, name)
		if err := write(archive); err != nil {
			t.Fatalf("build the OCI image archive %s: %v", name, err)
		}
		if r := c.ctr("image", "import", archive); r.Code != 0 {
			t.Fatalf("import the image %s:\n%s", name, r)
		}
	}
	return c
}

// ctr runs ctr against this daemon and namespace.
func (c *ctrd) ctr(args ...string) result {
	return runCmd(cmdOpts{}, "ctr", append([]string{"-a", c.sock, "-n", c.ns}, args...)...)
}

func (c *ctrd) ctrPTY(args ...string) result {
	return runPTY(cmdOpts{}, "ctr", append([]string{"-a", c.sock, "-n", c.ns}, args...)...)
}

// ok runs ctr and fails the test unless it exits 0.
func (c *ctrd) ok(t *testing.T, args ...string) result {
	t.Helper()
	r := c.ctr(args...)
	if r.Code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// runArgs builds `ctr run` with hull as the shim's BinaryName. On a
// systemd host the shim also gets SystemdCgroup (--runc-systemd-cgroup,
// for which ctr wants a "slice:prefix:name" --cgroup: cgroupSpec's unless
// flags give one), except where flags make task options, which drop every
// runtime option of the container (--uidmap, --no-pivot: see ctrd): the
// `runc` on PATH then runs with cgroupfs and containerd's /<ns>/<id>.
func (c *ctrd) runArgs(id string, flags []string, argv ...string) []string {
	a := []string{"run", "--runc-binary", c.binWrap, "--runc-root", c.runcRoot}
	if c.systemd && !contains(flags, "--uidmap") && !contains(flags, "--no-pivot") {
		a = append(a, "--runc-systemd-cgroup")
		if !contains(flags, "--cgroup") {
			a = append(a, "--cgroup", c.cgroupSpec(id))
		}
	}
	a = append(a, flags...)
	a = append(a, ctrImage, id)
	return append(a, argv...)
}

// cgroupSpec is the linux.cgroupsPath of ctr's container id: containerd's
// default /<ns>/<id>, or on a systemd host <ctrSlice>:ctr:<id>, which
// the systemd driver makes the scope ctr-<id>.scope in that slice.
func (c *ctrd) cgroupSpec(id string) string {
	if c.systemd {
		return ctrSlice() + ":ctr:" + id
	}
	return "/" + c.ns + "/" + id
}

// cgroupOf is the cgroup (its path in the hierarchies) of ctr's
// container id.
func (c *ctrd) cgroupOf(id string) string {
	if c.systemd {
		return ctrSliceDir() + "/ctr-" + id + ".scope"
	}
	return "/" + c.ns + "/" + id
}

// container registers id for removal when the test ends, and on failure
// logs hull's log for it and the runtime calls made for it.
func (c *ctrd) container(t *testing.T, id string) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hull log (%s):\n%s", c.hullLog(id), sysproc.Indent(readTrim(c.hullLog(id))))
			t.Logf("runtime calls for %s:\n%s", id, sysproc.Indent(strings.Join(c.invocations(id), "\n")))
		}
		c.remove(id)
	})
}

// hullLog is the wrapper's copy of the --log file the shim gives the
// runtime (log.json in the task's bundle).
func (c *ctrd) hullLog(id string) string {
	return filepath.Join(c.keepLogs, id+".log")
}

// remove kills and deletes the task and the container, ignoring errors.
func (c *ctrd) remove(id string) {
	if st, _ := c.task(id); st != "" {
		if st == "PAUSED" {
			c.ctr("task", "resume", id)
		}
		c.ctr("task", "kill", "-a", "-s", "KILL", id)
		eventually(10*time.Second, func() bool { s, _ := c.task(id); return s == "STOPPED" || s == "" })
		c.ctr("task", "delete", "-f", id)
	}
	c.ctr("container", "delete", id)
}

// task returns the status and PID of task id ("" when there is none).
func (c *ctrd) task(id string) (status string, pid int) {
	r := c.ctr("task", "ls")
	for _, l := range strings.Split(r.Stdout, "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == id {
			pid, _ = strconv.Atoi(f[1])
			return f[2], pid
		}
	}
	return "", 0
}

func (c *ctrd) waitTask(t *testing.T, id, want string) int {
	t.Helper()
	var st string
	var pid int
	if !eventually(15*time.Second, func() bool { st, pid = c.task(id); return st == want }) {
		t.Fatalf("task %s: want status %s, got %q", id, want, st)
	}
	return pid
}

// invocations returns the recorded runtime calls whose last argument is id.
func (c *ctrd) invocations(id string) []string {
	data, _ := os.ReadFile(c.invLog)
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasSuffix(l, " "+id) {
			out = append(out, l)
		}
	}
	return out
}

// assertHull fails t unless hull created container id through the given
// route ("BinaryName" or "PATH").
func (c *ctrd) assertHull(t *testing.T, id, via string) {
	t.Helper()
	for _, l := range c.invocations(id) {
		if strings.Contains(l, " via="+via+" ") && strings.Contains(l, " create ") {
			return
		}
	}
	t.Errorf("no `create %s` call through %s recorded in %s: the container did not run with hull; calls:\n%s",
		id, via, c.invLog, sysproc.Indent(strings.Join(c.invocations(id), "\n")))
}

// stop removes every container, stops containerd by PID, and removes what
// the daemon and its shims left: processes, mounts, cgroups, state.
func (c *ctrd) stop(t *testing.T) {
	if c.cmd != nil && c.cmd.Process != nil {
		select {
		case <-c.exited:
		default:
			r := c.ctr("container", "ls", "-q")
			for _, id := range strings.Fields(r.Stdout) {
				c.remove(id)
			}
			_ = c.cmd.Process.Signal(unix.SIGTERM)
			select {
			case <-c.exited:
			case <-time.After(15 * time.Second):
				_ = c.cmd.Process.Kill()
				<-c.exited
			}
		}
	}
	var left []string
	// Shims exit once their last task is deleted; one still running after
	// that, or a container process, is a leak.
	if !eventually(5*time.Second, func() bool { return len(c.shims()) == 0 }) {
		left = append(left, killProcs(func(p sysproc.Proc, args string) bool {
			return strings.Contains(args, c.sock)
		})...)
	}
	// The containers' parent cgroups (/<ns> for ctr) are created by the
	// runtime and stay, as with runc; only what is below them would be a
	// leak: a cgroup, a process, or on a systemd host a scope unit.
	for _, p := range c.cgParents {
		for _, d := range cgroupDirs(p) {
			for _, l := range cgroupTreeBelow(d) {
				left = append(left, l+" (not removed by the runtime)")
			}
		}
	}
	if len(c.slices) > 0 {
		left = append(left, scopesLeft(c.slices...)...)
		for _, s := range c.slices {
			runCmd(cmdOpts{}, "systemctl", "stop", s)
		}
	}
	for _, p := range c.cgParents {
		for _, d := range cgroupDirs(p) {
			removeCgroupTree(d)
		}
		// And the parents' own parents the runtime made (/<tag> of
		// /<tag>/cri), once empty.
		for q := path.Dir(p); q != "/"; q = path.Dir(q) {
			for _, d := range cgroupDirs(q) {
				_ = unix.Rmdir(d)
			}
		}
	}
	left = append(left, unmountUnder(c.dir)...)
	after, _ := listTree(runContainerd)
	for p := range after {
		if !c.runBefore[p] && (strings.HasPrefix(p, runContainerd+"/s/") || strings.HasPrefix(p, filepath.Join(runContainerd, "runc", c.ns))) {
			// The shim socket (removed by the shim) and the state of runtime
			// calls without options (ctr --no-pivot, --uidmap).
			if !strings.HasPrefix(p, filepath.Join(runContainerd, "runc", c.ns)) {
				left = append(left, "file "+p)
			}
			os.RemoveAll(p)
		}
	}
	if !c.runExists {
		os.RemoveAll(runContainerd)
	} else {
		os.Remove(filepath.Join(runContainerd, "runc")) // only when empty
	}
	reaper.Reap()
	if len(left) > 0 {
		t.Errorf("containerd fixture: left behind (removed now):\n\t%s", strings.Join(left, "\n\t"))
	}
	if t.Failed() {
		t.Logf("containerd log:\n%s", sysproc.Indent(tail(readTrim(c.logPath), 60)))
	}
	if err := os.RemoveAll(c.dir); err != nil {
		t.Errorf("remove %s: %v", c.dir, err)
	}
}

func (c *ctrd) shims() []sysproc.Proc {
	var out []sysproc.Proc
	for _, p := range sysproc.Procs() {
		if p.State != 'Z' && strings.Contains(cmdline(p.PID), c.sock) {
			out = append(out, p)
		}
	}
	return out
}

// listTree lists every path under dir; ok is false when dir does not exist.
func listTree(dir string) (map[string]bool, bool) {
	m := map[string]bool{}
	if _, err := os.Stat(dir); err != nil {
		return m, false
	}
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && p != dir {
			m[p] = true
		}
		return nil
	})
	return m, true
}

func tail(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// sizedStty prints the terminal's size once ctr has set it: ctr resizes
// the terminal just after the start, which under emulation (the VM of
// tests/vm) comes well after the process began; five seconds at most.
// While the size is 0x0 busybox's stty prints nothing but an error (and
// exits 0).
const sizedStty = `i=0; until [ -n "$(stty size 2>/dev/null)" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i+1)); done; stty size`

// hostCgroupFile reads a file of the container's cgroup on the host (v1:
// in controller's hierarchy).
func hostCgroupFile(t *testing.T, cgroupPath, controller, file string) string {
	t.Helper()
	p := cgroupFilePath(cgroupPath, controller, file)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("read %s: %v", p, err)
		return ""
	}
	return strings.TrimSpace(string(data))
}

func TestContainerd(t *testing.T) {
	c := startContainerd(t)
	n := 0
	newID := func(t *testing.T) string {
		n++
		id := containerName("c", n, t)
		c.container(t, id)
		return id
	}

	t.Run("echo", func(t *testing.T) {
		id := newID(t)
		r := c.ctr(c.runArgs(id, []string{"--rm"}, "echo", "hello from hull")...)
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != "hello from hull" {
			t.Errorf("want exit 0 and %q:\n%s", "hello from hull", r)
		}
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("exit-code", func(t *testing.T) {
		id := newID(t)
		r := c.ctr(c.runArgs(id, []string{"--rm"}, "sh", "-c", "exit 7")...)
		if r.Code != 7 {
			t.Errorf("want exit 7:\n%s", r)
		}
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("detached", func(t *testing.T) {
		id := newID(t)
		c.ok(t, c.runArgs(id, []string{"-d"}, "sleep", "1000")...)
		pid := c.waitTask(t, id, "RUNNING")
		c.assertHull(t, id, "BinaryName")
		// hull's state root is the one given to the shim (--runc-root
		// <dir>/<namespace>).
		if _, err := os.Stat(filepath.Join(c.runcRoot, c.ns, id, "state.json")); err != nil {
			entries, _ := listTree(c.runcRoot)
			t.Errorf("hull state for %s not under --runc-root %s: %v (found %v)", id, c.runcRoot, err, entries)
		}

		t.Run("exec", func(t *testing.T) {
			r := c.ok(t, "task", "exec", "--exec-id", "e1", id, "sh", "-c", "echo exec-ok; cat /proc/1/cmdline")
			mustContain(t, "exec output", r.Stdout, "exec-ok", "sleep")
		})
		t.Run("exec-exit-code", func(t *testing.T) {
			r := c.ctr("task", "exec", "--exec-id", "e2", id, "sh", "-c", "exit 3")
			if r.Code != 3 {
				t.Errorf("want exit 3:\n%s", r)
			}
		})
		t.Run("exec-tty", func(t *testing.T) {
			r := c.ctrPTY("task", "exec", "-t", "--exec-id", "e3", id, "sh", "-c", "tty; "+sizedStty)
			if r.Code != 0 {
				t.Fatalf("want exit 0:\n%s", r)
			}
			mustContain(t, "exec -t output", r.Stdout, "/dev/pts/", "24 80")
		})
		t.Run("exec-user-cwd", func(t *testing.T) {
			r := c.ok(t, "task", "exec", "--exec-id", "e4", "--user", "65534", "--cwd", "/tmp", id, "sh", "-c", "id -u; pwd")
			if got := strings.Fields(r.Stdout); len(got) != 2 || got[0] != "65534" || got[1] != "/tmp" {
				t.Errorf("want uid 65534 in /tmp:\n%s", r)
			}
		})
		t.Run("cgroup", func(t *testing.T) {
			// The cgroup driver the shim chose reached hull: with
			// SystemdCgroup, `hull --systemd-cgroup create` and a scope
			// unit in the slice; else cgroupfs and containerd's /<ns>/<id>.
			want := c.cgroupOf(id)
			own := readTrim(fmt.Sprintf("/proc/%d/cgroup", pid))
			if !strings.Contains(own+"\n", ":"+want+"\n") {
				t.Errorf("/proc/%d/cgroup: want %s:\n%s", pid, want, own)
			}
			var systemdFlag bool
			for _, l := range c.invocations(id) {
				if strings.Contains(l, " create ") && strings.Contains(l, "--systemd-cgroup") {
					systemdFlag = true
				}
			}
			if systemdFlag != c.systemd {
				t.Errorf("hull create called with --systemd-cgroup: %v, want %v:\n%s", systemdFlag, c.systemd, strings.Join(c.invocations(id), "\n"))
			}
			if !c.systemd {
				return
			}
			unit := "ctr-" + id + ".scope"
			r := runCmd(cmdOpts{}, "systemctl", "show", "--property=ActiveState", "--property=Slice", unit)
			mustContain(t, "systemctl show "+unit, r.Stdout, "ActiveState=active", "Slice="+ctrSlice())
		})
		t.Run("ps", func(t *testing.T) {
			r := c.ok(t, "task", "ps", id)
			if !strings.Contains(r.Stdout, strconv.Itoa(pid)) {
				t.Errorf("ctr task ps: want the init pid %d:\n%s", pid, r)
			}
		})
		t.Run("pause-resume", func(t *testing.T) {
			c.ok(t, "task", "pause", id)
			c.waitTask(t, id, "PAUSED")
			w := cgFile{"freezer", "freezer.state", "FROZEN"}
			if cgroupV2() {
				w = cgFile{"", "cgroup.freeze", "1"}
			}
			if st := hostCgroupFile(t, c.cgroupOf(id), w.ctrl, w.file); st != w.want {
				t.Errorf("%s after pause: want %s, got %q", w.file, w.want, st)
			}
			c.ok(t, "task", "resume", id)
			c.waitTask(t, id, "RUNNING")
			r := c.ok(t, "task", "exec", "--exec-id", "e5", id, "true")
			_ = r
		})
		t.Run("kill-delete", func(t *testing.T) {
			c.ok(t, "task", "kill", "-s", "KILL", id)
			c.waitTask(t, id, "STOPPED")
			c.ok(t, "task", "delete", id)
			if st, _ := c.task(id); st != "" {
				t.Errorf("task still listed after delete: %s", st)
			}
			if _, err := os.Stat(filepath.Join(c.runcRoot, c.ns, id)); !os.IsNotExist(err) {
				t.Errorf("hull state dir still there after delete: %v", err)
			}
			if unix.Kill(pid, 0) == nil {
				if p, ok := sysproc.ReadProc(pid); ok && p.State != 'Z' {
					t.Errorf("container init %d still alive after kill+delete", pid)
				}
			}
			c.ok(t, "container", "delete", id)
		})
	})

	t.Run("kill-term-trap", func(t *testing.T) {
		id := newID(t)
		c.ok(t, c.runArgs(id, []string{"-d"}, "sh", "-c", "trap 'exit 42' TERM; while :; do sleep 0.1; done")...)
		c.waitTask(t, id, "RUNNING")
		time.Sleep(300 * time.Millisecond) // let the shell install its trap
		c.ok(t, "task", "kill", id)        // SIGTERM
		c.waitTask(t, id, "STOPPED")
		r := c.ok(t, "task", "delete", id)
		// ctr prints the exit status of the deleted task.
		if !strings.Contains(r.Stdout+r.Stderr, "42") {
			t.Errorf("want exit status 42 (the TERM trap ran):\n%s", r)
		}
	})

	t.Run("kill-exited", func(t *testing.T) {
		// The shim turns the runtime's "container not running" / "no such
		// process" into containerd's "process already finished" (NotFound);
		// any other wording surfaces as an unknown error.
		id := newID(t)
		c.ok(t, c.runArgs(id, []string{"-d"}, "true")...)
		c.waitTask(t, id, "STOPPED")
		r := c.ctr("task", "kill", "-s", "KILL", id)
		if r.Code == 0 {
			return // also fine: nothing to signal
		}
		mustContain(t, "kill of an exited task", r.Stderr, "not found")
	})

	t.Run("kill-all", func(t *testing.T) {
		id := newID(t)
		c.ok(t, c.runArgs(id, []string{"-d"}, "sh", "-c", "sleep 1000 & sleep 1000 & wait")...)
		c.waitTask(t, id, "RUNNING")
		cg := c.cgroupOf(id)
		if !eventually(5*time.Second, func() bool {
			return len(strings.Fields(readTrim(cgroupFilePath(cg, "pids", "cgroup.procs")))) >= 3
		}) {
			t.Fatalf("want 3 processes in %s, got %q", cg, readTrim(cgroupFilePath(cg, "pids", "cgroup.procs")))
		}
		c.ok(t, "task", "kill", "--all", "-s", "KILL", id)
		c.waitTask(t, id, "STOPPED")
		// With the systemd driver the scope, and its cgroup, go as soon as
		// its last process has exited: no cgroup is no process too.
		procs := func() string {
			p := cgroupFilePath(cg, "pids", "cgroup.procs")
			if _, err := os.Stat(p); c.systemd && errors.Is(err, fs.ErrNotExist) {
				return ""
			}
			return readTrim(p)
		}
		if !eventually(5*time.Second, func() bool { return procs() == "" }) {
			t.Errorf("processes left in %s after kill --all: %q", cg, procs())
		}
	})

	t.Run("tty", func(t *testing.T) {
		id := newID(t)
		// ctr sizes the terminal just after the start: hence sizedStty.
		r := c.ctrPTY(c.runArgs(id, []string{"--rm", "-t"}, "sh", "-c", "tty; "+sizedStty+"; exit 5")...)
		if r.Code != 5 {
			t.Errorf("want exit 5:\n%s", r)
		}
		mustContain(t, "ctr run -t output", r.Stdout, "/dev/pts/0", "24 80")
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("limits", func(t *testing.T) {
		id := newID(t)
		c.ok(t, c.runArgs(id, []string{"-d", "--memory-limit", "67108864", "--cpus", "0.5", "--cpu-shares", "512"}, "sleep", "1000")...)
		c.waitTask(t, id, "RUNNING")
		cg := c.cgroupOf(id)
		want := []cgFile{
			{"memory", "memory.limit_in_bytes", "67108864"},
			{"cpu", "cpu.cfs_quota_us", "50000"},
			{"cpu", "cpu.cfs_period_us", "100000"},
			{"cpu", "cpu.shares", "512"},
		}
		if cgroupV2() {
			want = []cgFile{{"", "memory.max", "67108864"}, {"", "cpu.max", "50000 100000"}, {"", "cpu.weight", cpuWeight512}}
		}
		for _, w := range want {
			if got := hostCgroupFile(t, cg, w.ctrl, w.file); got != w.want {
				t.Errorf("%s/%s%s: want %s, got %q", w.ctrl, cg, w.file, w.want, got)
			}
		}
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("pids-limit-spec", func(t *testing.T) {
		// ctr has no pids flag: give it a whole spec (from `hull spec`).
		id := newID(t)
		bundle := filepath.Join(c.dir, "bundles", id)
		if err := os.MkdirAll(filepath.Join(bundle, "rootfs"), 0o711); err != nil {
			t.Fatal(err)
		}
		if err := writeRootfsDir(filepath.Join(bundle, "rootfs")); err != nil {
			t.Fatal(err)
		}
		if r := runCmd(cmdOpts{}, hullBin, "spec", "--bundle", bundle); r.Code != 0 {
			t.Fatalf("hull spec:\n%s", r)
		}
		editSpec(t, filepath.Join(bundle, "config.json"), func(s map[string]any) {
			s["root"] = map[string]any{"path": filepath.Join(bundle, "rootfs"), "readonly": true}
			p := s["process"].(map[string]any)
			p["terminal"] = false
			p["args"] = []string{"sleep", "1000"}
			l := s["linux"].(map[string]any)
			l["cgroupsPath"] = c.cgroupSpec(id)
			l["resources"] = map[string]any{"pids": map[string]any{"limit": 42}}
		})
		args := []string{"run", "-d", "--runc-binary", c.binWrap, "--runc-root", c.runcRoot}
		if c.systemd {
			args = append(args, "--runc-systemd-cgroup", "--cgroup", c.cgroupSpec(id))
		}
		c.ok(t, append(args, "--config", filepath.Join(bundle, "config.json"), id)...)
		c.waitTask(t, id, "RUNNING")
		cg := c.cgroupOf(id)
		if got := hostCgroupFile(t, cg, "pids", "pids.max"); got != "42" {
			t.Errorf("pids%s/pids.max: want 42, got %q", cg, got)
		}
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("cgroup-path", func(t *testing.T) {
		// The runtime creates the parents of a cgroup path and leaves them
		// (runc does too): they are this test's to remove, after the
		// container (cleanups run last-registered first).
		// On a systemd host the path is a slice:prefix:name of another
		// slice, which stays too.
		parent, spec, cg := "/"+tag+"/custom", "", ""
		if c.systemd {
			parent = "/" + tag + ".slice/" + tag + "-custom.slice"
		}
		t.Cleanup(func() {
			if c.systemd {
				runCmd(cmdOpts{}, "systemctl", "stop", tag+"-custom.slice")
			}
			for _, d := range cgroupDirs(parent) {
				removeCgroupTree(d)
			}
		})
		id := newID(t)
		if c.systemd {
			spec, cg = tag+"-custom.slice:ctr:"+id, parent+"/ctr-"+id+".scope"
		} else {
			spec, cg = parent+"/"+id, parent+"/"+id
		}
		c.ok(t, c.runArgs(id, []string{"-d", "--cgroup", spec}, "sleep", "1000")...)
		pid := c.waitTask(t, id, "RUNNING")
		ctrls := []string{"memory", "pids", "cpu", "freezer"}
		if cgroupV2() {
			ctrls = []string{""}
		}
		for _, ctrl := range ctrls {
			procs := hostCgroupFile(t, cg, ctrl, "cgroup.procs")
			if !contains(strings.Fields(procs), strconv.Itoa(pid)) {
				t.Errorf("%s cgroup %s: want pid %d in cgroup.procs, got %q", ctrl, cg, pid, procs)
			}
		}
	})

	t.Run("privileged", func(t *testing.T) {
		id := newID(t)
		r := c.ok(t, c.runArgs(id, []string{"--rm", "--privileged"}, "sh", "-c",
			"grep CapEff /proc/self/status; grep ' /sys ' /proc/self/mounts; ls /dev/loop-control /dev/kmsg")...)
		var bnd string
		for _, l := range strings.Split(readTrim("/proc/self/status"), "\n") {
			if strings.HasPrefix(l, "CapBnd:") {
				bnd = strings.TrimSpace(strings.TrimPrefix(l, "CapBnd:"))
			}
		}
		mustContain(t, "privileged container", r.Stdout, "CapEff:\t"+bnd, " rw,", "/dev/kmsg")
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("read-only", func(t *testing.T) {
		id := newID(t)
		r := c.ctr(c.runArgs(id, []string{"--rm", "--read-only"}, "sh", "-c", "touch /x; echo rc=$?")...)
		mustContain(t, "read-only rootfs", r.Stdout+r.Stderr, "Read-only file system", "rc=1")
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("host-network", func(t *testing.T) {
		id := newID(t)
		r := c.ok(t, c.runArgs(id, []string{"--rm", "--net-host"}, "readlink", "/proc/self/ns/net")...)
		host, _ := os.Readlink("/proc/self/ns/net")
		if strings.TrimSpace(r.Stdout) != host {
			t.Errorf("--net-host: want the host's %s, got %q", host, r.Stdout)
		}
		id2 := newID(t)
		r = c.ok(t, c.runArgs(id2, []string{"--rm"}, "readlink", "/proc/self/ns/net")...)
		if strings.TrimSpace(r.Stdout) == host {
			t.Errorf("without --net-host the container shares the host network namespace %s", host)
		}
	})

	t.Run("seccomp", func(t *testing.T) {
		id := newID(t)
		r := c.ok(t, c.runArgs(id, []string{"--rm", "--seccomp"}, "sh", "-c", "grep Seccomp /proc/self/status; unshare -U true; echo unshare=$?")...)
		mustContain(t, "seccomp (ctr's default profile)", r.Stdout, "Seccomp:\t2")
		id2 := newID(t)
		r = c.ok(t, c.runArgs(id2, []string{"--rm"}, "grep", "Seccomp:", "/proc/self/status")...)
		mustContain(t, "no seccomp", r.Stdout, "Seccomp:\t0")
		c.assertHull(t, id, "BinaryName")
	})

	t.Run("seccomp-profile", func(t *testing.T) {
		profile := filepath.Join(c.dir, "seccomp-nomkdir.json")
		if err := os.WriteFile(profile, []byte(noMkdirProfile), 0o644); err != nil {
			t.Fatal(err)
		}
		id := newID(t)
		r := c.ctr(c.runArgs(id, []string{"--rm", "--seccomp", "--seccomp-profile", profile}, "sh", "-c", "mkdir /tmp/d; echo rc=$?; touch /tmp/f && echo touch-ok")...)
		mustContain(t, "custom seccomp profile", r.Stdout+r.Stderr, "Operation not permitted", "rc=1", "touch-ok")
	})

	t.Run("error-missing-executable", func(t *testing.T) {
		// The shim reads the error from hull's --log (JSON lines) and ctr
		// prints it.
		id := newID(t)
		r := c.ctr(c.runArgs(id, []string{"--rm"}, "/no/such/binary")...)
		if r.Code == 0 {
			t.Fatalf("want a failure:\n%s", r)
		}
		mustContain(t, "ctr's error", r.Stderr, "/no/such/binary")
		c.assertHull(t, id, "BinaryName")
		// hull's log is JSON lines; the error is among them.
		var found bool
		for _, l := range strings.Split(readTrim(c.hullLog(id)), "\n") {
			var e struct{ Level, Msg, Time string }
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Errorf("hull --log-format json wrote a line that is not JSON: %q: %v", l, err)
				continue
			}
			if e.Level == "error" && strings.Contains(e.Msg, "/no/such/binary") && e.Time != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("no {\"level\":\"error\"} line naming /no/such/binary in hull's log:\n%s", sysproc.Indent(readTrim(c.hullLog(id))))
		}
	})

	t.Run("env-cwd", func(t *testing.T) {
		id := newID(t)
		r := c.ok(t, c.runArgs(id, []string{"--rm", "--env", "FOO=bar baz", "--cwd", "/tmp"}, "sh", "-c", `echo "$FOO"; pwd; echo "$PATH"`)...)
		mustContain(t, "env and cwd", r.Stdout, "bar baz\n/tmp\n", "/bin")
	})

	t.Run("userns", func(t *testing.T) {
		// ctr turns --uidmap into task options, and containerd then drops the
		// container's runtime options (BinaryName, Root): the shim runs
		// `runc` from PATH. Our PATH's runc is hull.
		id := newID(t)
		r := c.ok(t, c.runArgs(id, []string{"-d", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"}, "sleep", "1000")...)
		_ = r
		pid := c.waitTask(t, id, "RUNNING")
		r = c.ok(t, "task", "exec", "--exec-id", "u", id, "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u")
		if f := strings.Fields(r.Stdout); len(f) != 7 || f[0] != "0" || f[1] != "100000" || f[2] != "65536" || f[6] != "0" {
			t.Errorf("want uid/gid maps 0 100000 65536 and uid 0:\n%s", r)
		}
		if st := readTrim(fmt.Sprintf("/proc/%d/status", pid)); !strings.Contains(st, "Uid:\t100000\t") {
			t.Errorf("container init on the host: want uid 100000:\n%s", st)
		}
		c.assertHull(t, id, "PATH")
	})

	t.Run("no-pivot", func(t *testing.T) {
		id := newID(t)
		r := c.ok(t, c.runArgs(id, []string{"--rm", "--no-pivot"}, "sh", "-c", "echo no-pivot-ok")...)
		mustContain(t, "--no-pivot", r.Stdout, "no-pivot-ok")
		c.assertHull(t, id, "PATH")
		found := false
		for _, l := range c.invocations(id) {
			if strings.Contains(l, " create ") && strings.Contains(l, "--no-pivot") {
				found = true
			}
		}
		if !found {
			t.Errorf("hull create for %s was not given --no-pivot:\n%s", id, strings.Join(c.invocations(id), "\n"))
		}
	})
}

// noMkdirProfile is a seccomp profile that allows everything but mkdir.
const noMkdirProfile = `{
	"defaultAction": "SCMP_ACT_ALLOW",
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
	"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]
}
`

// editSpec applies f to the JSON document in path.
func editSpec(t *testing.T, path string, f func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	f(s)
	data, err = json.MarshalIndent(s, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
