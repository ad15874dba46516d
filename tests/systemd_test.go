package tests

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// TestSystemdCgroup runs hull --systemd-cgroup against a real systemd: a
// private one that the test boots as PID 1 of new PID, mount, cgroup, UTS,
// IPC and network namespaces (see testdata/systemd/boot.sh), never a fake
// bus. hull runs inside those namespaces (nsenter) because libcontainer
// hands systemd PIDs, which must be PIDs of systemd's namespace, and falls
// back to the fixed path /run/systemd/private when the system bus
// ($DBUS_SYSTEM_BUS_ADDRESS, default /run/dbus/system_bus_socket) does not
// answer; the private socket does not accept Hello, so pointing
// $DBUS_SYSTEM_BUS_ADDRESS at it is not enough.
func TestSystemdCgroup(t *testing.T) {
	h := newH(t)
	sd := startSystemd(t, h)

	// Bundles are made here, not in the subtests: h fails the test that
	// made it.
	scopeID := sd.newID()
	scopeBundle := h.bundle([]string{"sleep", "1000"}, func(s *specs.Spec) {
		s.Linux.CgroupsPath = "system.slice:hull:" + scopeID
		memory, pids, shares := int64(64<<20), int64(42), uint64(512)
		s.Linux.Resources = &specs.LinuxResources{
			Devices: s.Linux.Resources.Devices,
			Memory:  &specs.LinuxMemory{Limit: &memory},
			Pids:    &specs.LinuxPids{Limit: &pids},
			CPU:     &specs.LinuxCPU{Shares: &shares},
		}
		// hull turns a "...Sec" property into systemd's "...USec".
		s.Annotations = map[string]string{"org.systemd.property.TimeoutStopSec": "uint64 123"}
	})
	t.Run("scope", func(t *testing.T) { testSystemdScope(t, sd, scopeID, scopeBundle) })

	for _, tc := range []struct {
		name string
		// cgroupsPath is linux.cgroupsPath; "ID" stands for the container ID.
		cgroupsPath string
		unit, slice string
		cgroup      string // the scope's cgroup, relative to systemd's root
		run         bool   // `run --detach` instead of create and start
	}{
		// Like runc: no cgroupsPath means system.slice and the "runc" prefix.
		{"default", "", "runc-ID.scope", "system.slice", "/system.slice/runc-ID.scope", false},
		// A slice that does not exist yet: systemd creates it and its
		// parent. On cgroup v1 systemd then moves the init into the slice
		// in the devices hierarchy (see linux/systemd_linux.go).
		{"nested slice", "hulltest1-sub.slice:hull:ID", "hull-ID.scope", "hulltest1-sub.slice", "/hulltest1.slice/hulltest1-sub.slice/hull-ID.scope", false},
		// The same with `run`, where the user process starts at once.
		{"nested slice run", "hulltest2-sub.slice:hull:ID", "hull-ID.scope", "hulltest2-sub.slice", "/hulltest2.slice/hulltest2-sub.slice/hull-ID.scope", true},
	} {
		id := sd.newID()
		sub := func(s string) string { return strings.ReplaceAll(s, "ID", id) }
		unit, cgroup := sub(tc.unit), sub(tc.cgroup)
		bundle := h.bundle([]string{"sleep", "1000"}, func(s *specs.Spec) {
			s.Linux.CgroupsPath = sub(tc.cgroupsPath)
		})
		t.Run(tc.name, func(t *testing.T) {
			if tc.run {
				sd.hullOK(t, "run", "--detach", "--bundle", bundle, id)
			} else {
				sd.hullOK(t, "create", "--bundle", bundle, id)
			}
			sd.wantProps(t, unit, map[string]string{
				"ActiveState":  "active",
				"Slice":        tc.slice,
				"ControlGroup": cgroup,
			})
			sd.wantInCgroup(t, sd.state(t, id).Pid, cgroup)
			if !tc.run {
				sd.hullOK(t, "start", id)
			}
			sd.waitStatus(t, id, "running")
			sd.hullOK(t, "kill", id, "KILL")
			sd.waitStatus(t, id, "stopped")
			// systemd may already have stopped and collected the empty
			// scope; delete must succeed either way.
			sd.hullOK(t, "delete", id)
			sd.wantGone(t, id, unit, cgroup)
		})
	}

	// hull killed once the scope exists and the init runs in it, before
	// libcontainer's state says so: delete --force must stop the unit
	// from the intent record alone.
	for _, point := range []string{"create:container-created", "create:started"} {
		id := sd.newID()
		unit := "hull-" + id + ".scope"
		bundle := h.bundle([]string{"sleep", "1000"}, func(s *specs.Spec) {
			s.Linux.CgroupsPath = "system.slice:hull:" + id
		})
		t.Run("killed at "+point, func(t *testing.T) {
			r := sd.run(t, "env", failpointEnv+"="+point+"=kill", hullBin, "--root", sd.h.root, "--systemd-cgroup", "create", "--bundle", bundle, id)
			if r.Code == 0 {
				t.Fatalf("hull was not killed at %s:\n%s", point, r)
			}
			if point == "create:started" {
				// As if killed inside libcontainer, between the cgroup's
				// creation and its state.json.
				if err := os.Remove(filepath.Join(sd.h.root, id, "state.json")); err != nil {
					t.Fatal(err)
				}
			}
			sd.hullOK(t, "delete", "--force", id)
			sd.wantGone(t, id, unit, "/system.slice/"+unit)
		})
	}
}

// testSystemdScope checks one container through its whole life: the scope
// systemd creates, its properties and cgroup files, exec, update, delete.
func testSystemdScope(t *testing.T, sd *systemdNS, id, bundle string) {
	unit := "hull-" + id + ".scope"
	cgroup := "/system.slice/" + unit

	sd.hullOK(t, "create", "--bundle", bundle, id)
	if st := sd.state(t, id); st.Status != "created" {
		t.Fatalf("status %q after create, want created", st.Status)
	}
	sd.wantProps(t, unit, map[string]string{
		"LoadState":       "loaded",
		"ActiveState":     "active",
		"Transient":       "yes",
		"Description":     "libcontainer container " + id,
		"Slice":           "system.slice",
		"ControlGroup":    cgroup,
		"Delegate":        "yes",
		"MemoryLimit":     "67108864",
		"TasksMax":        "42",
		"CPUShares":       "512",
		"TimeoutStopUSec": "2min 3s",
	})
	sd.wantFiles(t, cgroup, map[string]string{
		"memory/memory.limit_in_bytes": "67108864",
		"pids/pids.max":                "42",
		"cpu/cpu.shares":               "512",
	})
	sd.wantInCgroup(t, sd.state(t, id).Pid, cgroup)

	sd.hullOK(t, "start", id)
	sd.waitStatus(t, id, "running")
	sd.hullOK(t, "exec", "--detach", id, "sleep", "1001")
	r := sd.hullOK(t, "ps", "--format", "json", id)
	var pids []int
	if err := json.Unmarshal([]byte(r.Stdout), &pids); err != nil || len(pids) != 2 {
		t.Fatalf("hull ps: want the init and the exec'd process, got %v (%v)\n%s", pids, err, r)
	}
	for _, pid := range pids {
		sd.wantInCgroup(t, pid, cgroup)
	}

	sd.hullOK(t, "update", "--memory", "128M", "--pids-limit", "55", "--cpu-share", "256",
		"--cpu-quota", "50000", "--cpu-period", "100000", id)
	sd.wantProps(t, unit, map[string]string{
		"MemoryLimit":        "134217728",
		"TasksMax":           "55",
		"CPUShares":          "256",
		"CPUQuotaPerSecUSec": "500ms",
	})
	sd.wantFiles(t, cgroup, map[string]string{
		"memory/memory.limit_in_bytes": "134217728",
		"pids/pids.max":                "55",
		"cpu/cpu.shares":               "256",
		"cpu/cpu.cfs_quota_us":         "50000",
		"cpu/cpu.cfs_period_us":        "100000",
	})

	sd.hullOK(t, "delete", "--force", id)
	sd.wantGone(t, id, unit, cgroup)
}

// ---------------------------------------------------------------------------
// The private systemd

// systemdNS is a systemd booted by startSystemd and the hull containers
// created through it.
type systemdNS struct {
	h       *H
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd has been waited for
	pid     int           // host PID of systemd, PID 1 of its namespaces
	console string        // systemd's log: bind-mounted over its /dev/console
	bootLog string        // boot.sh's stdout and stderr
	hiers   []sdHierarchy
	ids     []string
	// before maps each host hierarchy to the ".slice" and ".scope"
	// directories in its root before the test, to find any that hull
	// creates outside systemd's cgroup.
	before map[string]map[string]bool
}

// sdHierarchy is one host cgroup hierarchy and systemd's root cgroup in it.
type sdHierarchy struct {
	mountpoint string   // host mount point, e.g. /sys/fs/cgroup/memory
	names      []string // controllers or name= of the hierarchy, "" for cgroup2
	dir        string   // host path of the directory that is "/" for systemd
	mount      string   // TYPE:MOUNTPOINT:OPTIONS for boot.sh
}

// startSystemd boots a private systemd for the test, or skips the test
// naming what is missing. Its cleanup deletes the containers, kills the
// namespace (all of it, by killing its PID 1 from outside) and removes the
// cgroups; the mounts go with the mount namespace.
func startSystemd(t *testing.T, h *H) *systemdNS {
	t.Helper()
	const systemdBin = "/lib/systemd/systemd"
	for _, bin := range []string{systemdBin, "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/bin/systemctl"} {
		if !fileExists(bin) {
			t.Skipf("TestSystemdCgroup needs %s (apt-get install systemd util-linux)", bin)
		}
	}
	script, err := filepath.Abs("testdata/systemd/boot.sh")
	if err != nil {
		t.Fatal(err)
	}
	hiers, err := cgroupHierarchiesForSystemd(fmt.Sprintf("hullsd-%d-%d", os.Getpid(), idCounter.Add(1)))
	if err != nil {
		t.Skipf("cannot lay out cgroups for a private systemd: %v", err)
	}
	removeStaleSystemdCgroups(hiers)
	sd := &systemdNS{
		h:       h,
		hiers:   hiers,
		console: filepath.Join(h.dir, "systemd-console.log"),
		bootLog: filepath.Join(h.dir, "systemd-boot.log"),
		exited:  make(chan struct{}),
		before:  map[string]map[string]bool{},
	}
	for _, hi := range hiers {
		sd.before[hi.mountpoint] = unitDirs(hi.mountpoint)
	}
	// Registered before anything is created, so a half-done start is undone.
	t.Cleanup(func() { sd.stop(t) })

	args := []string{script, "join"}
	for _, hi := range hiers {
		if err := os.Mkdir(hi.dir, 0o755); err != nil {
			t.Skipf("cannot create a cgroup for a private systemd: %v", err)
		}
		if err := inheritCpuset(hi.dir); err != nil {
			t.Skipf("cannot set up the cpuset cgroup for a private systemd: %v", err)
		}
		args = append(args, hi.dir)
	}
	args = append(args, "--")
	for _, hi := range hiers {
		args = append(args, hi.mount)
	}
	for _, f := range []string{sd.console, sd.bootLog} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logF, err := os.OpenFile(sd.bootLog, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer logF.Close()

	sd.cmd = exec.Command("/bin/sh", args...)
	sd.cmd.Env = append(os.Environ(), "HULLSD_CONSOLE="+sd.console, "HULLSD_SYSTEMD="+systemdBin)
	sd.cmd.Stdout, sd.cmd.Stderr = logF, logF
	sd.cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWNET,
		// If the test binary dies, the namespace dies with it.
		Pdeathsig: unix.SIGKILL,
	}
	if err := reaper.Start(sd.cmd); err != nil {
		close(sd.exited)
		t.Skipf("cannot start systemd in new PID and mount namespaces: %v", err)
	}
	sd.pid = sd.cmd.Process.Pid
	go func() {
		_ = reaper.Wait(sd.cmd)
		close(sd.exited)
	}()

	// Ready when PID 1 has reached hulltest.target and answers on its
	// private socket.
	deadline := time.Now().Add(waitLimit)
	socket := fmt.Sprintf("/proc/%d/root/run/systemd/private", sd.pid)
	for {
		select {
		case <-sd.exited:
			t.Fatalf("systemd exited while booting: %v\n%s", sd.cmd.ProcessState, sd.logs())
		default:
		}
		if fileExists(socket) {
			r := sd.run(t, "systemctl", "is-system-running")
			if s := strings.TrimSpace(r.Stdout); s == "running" || s == "degraded" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("systemd did not reach hulltest.target within 15s\n%s", sd.logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return sd
}

// cgroupHierarchiesForSystemd finds the host's cgroup hierarchies under
// /sys/fs/cgroup and, in each, a directory name below this process's own
// cgroup for systemd's root (on this kind of host the memory cgroup is not
// the root, and must not be escaped).
func cgroupHierarchiesForSystemd(name string) ([]sdHierarchy, error) {
	own := map[string]string{} // controllers ("cpu,cpuacct", "name=systemd", "") -> path
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	for _, l := range lines(string(data)) {
		if f := strings.SplitN(l, ":", 3); len(f) == 3 {
			own[f[1]] = f[2]
		}
	}
	mounts, err := sysproc.Mounts()
	if err != nil {
		return nil, err
	}
	var hiers []sdHierarchy
	for _, m := range mounts {
		if m.FSType != "cgroup" && m.FSType != "cgroup2" {
			continue
		}
		root, mp := m.Root, m.Point
		if mp == "/sys/fs/cgroup" {
			return nil, errors.New("only written and verified for cgroup v1 and hybrid hosts; this host has a unified-only /sys/fs/cgroup, " +
				"where systemd's cgroup would also need controllers delegated from this process's cgroup (TestCgroupV2Systemd tests the host's own systemd there)")
		}
		if !strings.HasPrefix(mp, "/sys/fs/cgroup/") {
			continue
		}
		var opts, names []string
		for _, o := range m.SuperOptions {
			switch o {
			case "rw":
			case "ro":
				return nil, fmt.Errorf("%s is mounted read-only", mp)
			default:
				opts = append(opts, o)
				if m.FSType == "cgroup" && o != "xattr" && o != "noprefix" && o != "clone_children" && o != "cpuset_v2_mode" && !strings.HasPrefix(o, "release_agent=") {
					names = append(names, o)
				}
			}
		}
		key := strings.Join(names, ",")
		ownPath, ok := own[key]
		if !ok && m.FSType == "cgroup" {
			// /proc/self/cgroup lists the hierarchy's controllers in its
			// own order.
			for k, p := range own {
				if sameSet(strings.Split(k, ","), names) {
					ownPath, ok = p, true
				}
			}
		}
		if !ok {
			return nil, fmt.Errorf("no line in /proc/self/cgroup for the hierarchy at %s (%s)", mp, strings.Join(m.SuperOptions, ","))
		}
		rel, ok := strings.CutPrefix(ownPath, strings.TrimSuffix(root, "/"))
		if !ok {
			return nil, fmt.Errorf("this process's cgroup %s is not below the root %s mounted at %s", ownPath, root, mp)
		}
		hiers = append(hiers, sdHierarchy{
			mountpoint: mp,
			names:      names,
			dir:        filepath.Join(mp, rel, name),
			mount:      m.FSType + ":" + mp + ":" + strings.Join(opts, ","),
		})
	}
	if len(hiers) == 0 {
		return nil, errors.New("no cgroup hierarchies mounted under /sys/fs/cgroup")
	}
	return hiers, nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}

// removeStaleSystemdCgroups removes the cgroups of private systemds whose
// test binary died before its cleanup ran (a timeout panic): its systemd
// died with it (Pdeathsig), leaving the directories empty.
func removeStaleSystemdCgroups(hiers []sdHierarchy) {
	for _, hi := range hiers {
		old, _ := filepath.Glob(filepath.Join(filepath.Dir(hi.dir), "hullsd-*-*"))
		for _, d := range old {
			pid, err := strconv.Atoi(strings.Split(filepath.Base(d), "-")[1])
			if err == nil && !sysproc.Alive(pid) {
				rmdirTree(d)
			}
		}
	}
}

// inheritCpuset fills a new cgroup v1 cpuset directory's cpus and mems
// from its parent: until they are set, no process can join it.
func inheritCpuset(dir string) error {
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		v, err := os.ReadFile(filepath.Join(filepath.Dir(dir), f))
		if errors.Is(err, fs.ErrNotExist) {
			return nil // not a v1 cpuset hierarchy
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f), v, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// unitDirs lists the ".slice" and ".scope" directories in the root of a
// hierarchy.
func unitDirs(mountpoint string) map[string]bool {
	m := map[string]bool{}
	ents, _ := os.ReadDir(mountpoint)
	for _, e := range ents {
		if e.IsDir() && (strings.HasSuffix(e.Name(), ".slice") || strings.HasSuffix(e.Name(), ".scope")) {
			m[e.Name()] = true
		}
	}
	return m
}

// stop deletes the containers through hull, kills systemd's namespace and
// removes its cgroups, reporting anything that hull or systemd left on the
// host.
func (sd *systemdNS) stop(t *testing.T) {
	if sd.cmd != nil && sd.cmd.Process != nil {
		select {
		case <-sd.exited:
		default:
			if t.Failed() {
				r := sd.run(t, "systemctl", "--no-pager", "--full", "status", "*.slice", "*.scope")
				t.Logf("private systemd's slices and scopes when the test failed:\n%s", sysproc.Indent(r.Stdout+r.Stderr))
			}
			for _, id := range sd.ids {
				if fileExists(filepath.Join(sd.h.root, id)) {
					sd.hull(t, "delete", "--force", id)
				}
			}
			// SIGKILL to a PID namespace's init from outside: the kernel
			// kills every other process of the namespace before it exits.
			_ = unix.Kill(sd.pid, unix.SIGKILL)
			select {
			case <-sd.exited:
			case <-time.After(10 * time.Second):
				t.Errorf("systemd (pid %d) still running 10s after SIGKILL", sd.pid)
			}
		}
	}
	reaper.Reap()
	if t.Failed() {
		t.Logf("private systemd:\n%s", sd.logs())
	}

	// hull's state must be gone; the host hull the harness runs at cleanup
	// must never act on it (its PIDs are PIDs of the dead namespace).
	for _, id := range sd.ids {
		if p := filepath.Join(sd.h.root, id); fileExists(p) {
			t.Errorf("container %s: hull left its state dir %s", id, p)
			_ = os.RemoveAll(p)
		}
	}

	// systemd's root cgroups, with whatever it and hull made below them.
	var left []string
	for i := 0; i < 50; i++ {
		left = left[:0]
		for _, hi := range sd.hiers {
			rmdirTree(hi.dir)
			if fileExists(hi.dir) {
				left = append(left, hi.dir)
			}
		}
		if len(left) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("cannot remove the private systemd's cgroups:\n\t%s", strings.Join(left, "\n\t"))
	}

	// Anything hull put on the host's hierarchies outside systemd's root:
	// a scope of ours anywhere, or a new slice or scope at the top.
	for mp, before := range sd.before {
		for name := range unitDirs(mp) {
			if !before[name] {
				t.Errorf("cgroup %s appeared on the host during the test", filepath.Join(mp, name))
				rmdirTree(filepath.Join(mp, name))
			}
		}
	}
	for _, id := range sd.ids {
		for _, d := range cgroupDirs("hull-"+id+".scope", "") {
			t.Errorf("container %s: scope cgroup %s on the host", id, d)
			rmdirTree(d)
		}
		for _, d := range cgroupDirs("runc-"+id+".scope", "") {
			t.Errorf("container %s: scope cgroup %s on the host", id, d)
			rmdirTree(d)
		}
	}
}

// logs returns the boot script's output and the tail of whatever systemd
// wrote to its console (in a container it mostly logs to its stderr,
// which it points at /dev/null, so this is often empty).
func (sd *systemdNS) logs() string {
	boot, _ := os.ReadFile(sd.bootLog)
	console, _ := os.ReadFile(sd.console)
	c := strings.Split(strings.TrimRight(string(console), "\n"), "\n")
	if len(c) > 60 {
		c = c[len(c)-60:]
	}
	return fmt.Sprintf("boot.sh output:\n%s\nsystemd's /dev/console (last %d lines):\n%s", sysproc.Indent(string(boot)), len(c), sysproc.Indent(strings.Join(c, "\n")))
}

// newID returns a fresh container ID for a container created through sd.
// The harness does not track it: its cleanup runs hull outside the
// namespace, where the container's PIDs mean other processes.
func (sd *systemdNS) newID() string {
	id := fmt.Sprintf("hulltest-sd-%d", idCounter.Add(1))
	sd.ids = append(sd.ids, id)
	return id
}

// run runs a command in systemd's namespaces.
func (sd *systemdNS) run(t *testing.T, name string, args ...string) result {
	t.Helper()
	ns := []string{"--target", strconv.Itoa(sd.pid), "--mount", "--pid", "--cgroup", "--uts", "--ipc", "--net", "--", name}
	return runCmd(t, sd.h.dir, cmdOpts{}, "nsenter", append(ns, args...)...)
}

// hull runs hull --systemd-cgroup in systemd's namespaces.
func (sd *systemdNS) hull(t *testing.T, args ...string) result {
	t.Helper()
	return sd.run(t, hullBin, append([]string{"--root", sd.h.root, "--systemd-cgroup"}, args...)...)
}

// hullOK is hull, failing the test unless it exits 0.
func (sd *systemdNS) hullOK(t *testing.T, args ...string) result {
	t.Helper()
	r := sd.hull(t, args...)
	if r.Code != 0 {
		t.Fatalf("hull failed:\n%s", r)
	}
	return r
}

func (sd *systemdNS) state(t *testing.T, id string) containerState {
	t.Helper()
	r := sd.hullOK(t, "state", id)
	var st containerState
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		t.Fatalf("hull state printed invalid JSON: %v\n%s", err, r)
	}
	return st
}

func (sd *systemdNS) waitStatus(t *testing.T, id, want string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		st := sd.state(t, id)
		if st.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s: status %q after %v, want %q", id, st.Status, waitLimit, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// props returns unit properties as `systemctl show` prints them.
func (sd *systemdNS) props(t *testing.T, unit string, names ...string) map[string]string {
	t.Helper()
	args := []string{"show", unit}
	for _, n := range names {
		args = append(args, "--property", n)
	}
	r := sd.run(t, "systemctl", args...)
	if r.Code != 0 {
		t.Fatalf("systemctl show failed:\n%s", r)
	}
	m := map[string]string{}
	for _, l := range lines(r.Stdout) {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

// wantProps checks unit properties.
func (sd *systemdNS) wantProps(t *testing.T, unit string, want map[string]string) {
	t.Helper()
	var names []string
	for k := range want {
		names = append(names, k)
	}
	got := sd.props(t, unit, names...)
	for _, k := range names {
		if got[k] != want[k] {
			t.Errorf("unit %s: %s=%q, want %q", unit, k, got[k], want[k])
		}
	}
}

// hierarchy returns the hierarchy with controller (or name=) c.
func (sd *systemdNS) hierarchy(t *testing.T, c string) sdHierarchy {
	t.Helper()
	for _, hi := range sd.hiers {
		if contains(hi.names, c) {
			return hi
		}
	}
	t.Fatalf("no cgroup hierarchy with controller %s among %v", c, sd.hiers)
	return sdHierarchy{}
}

// wantFiles checks cgroup files of cgroup (relative to systemd's root) on
// the host; the keys are "controller/file".
func (sd *systemdNS) wantFiles(t *testing.T, cgroup string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		c, file, _ := strings.Cut(k, "/")
		p := filepath.Join(sd.hierarchy(t, c).dir, cgroup, file)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if got := strings.TrimSpace(string(data)); got != v {
			t.Errorf("%s = %q, want %q", p, got, v)
		}
	}
}

// wantInCgroup checks that pid (in systemd's PID namespace) is in cgroup in
// every hierarchy, as systemd's cgroup namespace shows it.
func (sd *systemdNS) wantInCgroup(t *testing.T, pid int, cgroup string) {
	t.Helper()
	r := sd.run(t, "cat", fmt.Sprintf("/proc/%d/cgroup", pid))
	if r.Code != 0 {
		t.Fatalf("cannot read the cgroups of pid %d:\n%s", pid, r)
	}
	n := 0
	sc := bufio.NewScanner(strings.NewReader(r.Stdout))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ":", 3)
		if len(f) != 3 {
			continue
		}
		n++
		if f[2] != cgroup {
			hint := ""
			if strings.HasPrefix(cgroup, f[2]+"/") {
				hint = " (moved up into a parent slice: systemd does that on cgroup v1 unless hull moves it back, see rejoinSystemdCgroups in linux/systemd_linux.go)"
			}
			t.Errorf("pid %d is in %s in hierarchy %q, want %s%s", pid, f[2], f[1], cgroup, hint)
		}
	}
	if n == 0 {
		t.Errorf("pid %d: empty /proc/PID/cgroup:\n%s", pid, r)
	}
}

// wantGone checks that systemd forgot the unit, its cgroup is gone from
// every hierarchy and hull's state is gone.
func (sd *systemdNS) wantGone(t *testing.T, id, unit, cgroup string) {
	t.Helper()
	var left []string
	for i := 0; i < 40; i++ {
		left = left[:0]
		if s := sd.props(t, unit, "LoadState")["LoadState"]; s != "not-found" {
			left = append(left, fmt.Sprintf("unit %s (LoadState=%s)", unit, s))
		}
		for _, hi := range sd.hiers {
			if p := filepath.Join(hi.dir, cgroup); fileExists(p) {
				left = append(left, "cgroup "+p)
			}
		}
		for _, p := range []string{filepath.Join(sd.h.root, id), filepath.Join(sd.h.root, ".hull", id)} {
			if fileExists(p) {
				left = append(left, "state dir "+p)
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("container %s: left behind after delete:\n\t%s", id, strings.Join(left, "\n\t"))
}
