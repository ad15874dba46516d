package tests

import (
	"os/exec"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// needSystemdV2 skips unless the host is cgroup v2 with systemd as its
// service manager (the VM of tests/vm).
func needSystemdV2(t *testing.T) {
	t.Helper()
	needCgroupV2(t)
	if !fileExists("/run/systemd/system") {
		t.Skip("needs systemd as PID 1 on a cgroup v2 host (make vm-test)")
	}
}

// systemctlShow returns the unit's properties as a map.
func systemctlShow(t *testing.T, unit string, props ...string) map[string]string {
	t.Helper()
	args := []string{"show", unit}
	for _, p := range props {
		args = append(args, "-p", p)
	}
	out, err := exec.Command("systemctl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("systemctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	m := map[string]string{}
	for _, l := range lines(string(out)) {
		k, v, _ := strings.Cut(l, "=")
		m[k] = v
	}
	return m
}

// TestCgroupV2Systemd: `hull --systemd-cgroup` with a slice:prefix:name
// cgroupsPath on a host whose PID 1 is systemd: the container runs in a
// transient scope unit prefix-name.scope in the slice, with the
// resources as the unit's properties (and so in its cgroup files); update
// changes both; delete removes the unit.
func TestCgroupV2Systemd(t *testing.T) {
	needSystemdV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	unit := "hulltest-" + id + ".scope"
	h.mu.Lock()
	h.cgroupPaths[id] = "/system.slice/" + unit
	h.mu.Unlock()
	b := h.bundle(longRunning, func(s *specs.Spec) {
		s.Linux.CgroupsPath = "system.slice:hulltest:" + id
		r := extResources(s)
		r.Memory = &specs.LinuxMemory{Limit: ptr[int64](64 << 20)}
		r.Pids = &specs.LinuxPids{Limit: ptr[int64](42)}
		r.CPU = &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000)}
	})
	h.ok("--systemd-cgroup", "run", "-d", "--bundle", b, id)
	pid := h.state(id).Pid
	if dir := cgroupDir(t, pid, ""); dir != "/sys/fs/cgroup/system.slice/"+unit {
		t.Errorf("container's cgroup %s, want /sys/fs/cgroup/system.slice/%s", dir, unit)
	}
	props := []string{"ActiveState", "Slice", "MemoryMax", "TasksMax", "CPUWeight", "CPUQuotaPerSecUSec"}
	want := map[string]string{"ActiveState": "active", "Slice": "system.slice", "MemoryMax": "67108864",
		"TasksMax": "42", "CPUWeight": "59", "CPUQuotaPerSecUSec": "500ms"}
	got := systemctlShow(t, unit, props...)
	for _, p := range props {
		if got[p] != want[p] {
			t.Errorf("systemctl show %s: %s=%q, want %q", unit, p, got[p], want[p])
		}
	}
	v2Files(t, "create", pid, map[string]string{"memory.max": "67108864", "pids.max": "42", "cpu.weight": "59", "cpu.max": "50000 100000"})

	h.ok("--systemd-cgroup", "update", "--memory", "128m", "--pids-limit", "43", id)
	got = systemctlShow(t, unit, "MemoryMax", "TasksMax")
	if got["MemoryMax"] != "134217728" || got["TasksMax"] != "43" {
		t.Errorf("after update: MemoryMax=%s TasksMax=%s, want 134217728 and 43", got["MemoryMax"], got["TasksMax"])
	}
	v2Files(t, "update", pid, map[string]string{"memory.max": "134217728", "pids.max": "43"})

	h.ok("--systemd-cgroup", "delete", "--force", id)
	h.assertClean(id)
	if got := systemctlShow(t, unit, "LoadState", "ActiveState"); got["ActiveState"] == "active" || got["LoadState"] == "loaded" {
		t.Errorf("after delete: %s is still there: %v", unit, got)
	}
}
