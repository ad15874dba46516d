package tests

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestCgroupV1OnlyFields: settings only cgroup v1 has (swappiness, the
// OOM killer switch) work on a v1 host, and on a v2 host, where
// libcontainer skips them silently, the container still runs and hull
// warns of each by its JSON path, at create, in check and in update.
func TestCgroupV1OnlyFields(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	b := h.bundle(longRunning, func(s *specs.Spec) {
		swappiness, off := uint64(10), true
		s.Linux.Resources.Memory = &specs.LinuxMemory{Swappiness: &swappiness, DisableOOMKiller: &off}
	})
	wantWarn := []string{
		"linux.resources.memory.swappiness: 10: cgroup v2 has no per-cgroup swappiness",
		"linux.resources.memory.disableOOMKiller: true: cgroup v2 has no switch to turn the OOM killer off",
	}
	v2 := cgroupV2()
	// says checks that each warning is in out exactly when the host is v2.
	says := func(what, out string) {
		t.Helper()
		for _, w := range wantWarn {
			if strings.Contains(out, w) != v2 {
				t.Errorf("%s on a cgroup v2=%v host: want %q there only on v2:\n%s", what, v2, w, out)
			}
		}
	}
	r := h.hull("check", "--host", "--bundle", b)
	says("check --host", r.Stdout)

	r = h.ok("run", "-d", "--bundle", b, id)
	says("run", r.Stderr)
	pid := h.state(id).Pid
	if !v2 {
		if got := cgroupFile(t, pid, "memory", "memory.swappiness"); got != "10" {
			t.Errorf("memory.swappiness %s, want 10", got)
		}
	}

	r = h.hullOpts(cmdOpts{Stdin: strings.NewReader(`{"memory":{"swappiness":20}}`)}, "update", "-r", "-", id)
	if r.Code != 0 {
		t.Fatalf("update of swappiness:\n%s", r)
	}
	if strings.Contains(r.Stderr, "linux.resources.memory.swappiness: 20: cgroup v2 has no") != v2 {
		t.Errorf("update -r of swappiness on a cgroup v2=%v host: want the warning on v2 only:\n%s", v2, r)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
