package tests

import (
	"encoding/json"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// withWritableCgroup gives the container a private cgroup namespace and
// its /sys/fs/cgroup read-write, so that it can manage its own cgroup
// (make sub-cgroups, move its processes) as a delegated one.
func withWritableCgroup(s *specs.Spec) {
	withNamespace(specs.CgroupNamespace)(s)
	for i, m := range s.Mounts {
		if m.Destination == "/sys/fs/cgroup" {
			var opts []string
			for _, o := range m.Options {
				if o != "ro" {
					opts = append(opts, o)
				}
			}
			s.Mounts[i].Options = append(opts, "rw")
			return
		}
	}
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
		Options: []string{"nosuid", "noexec", "nodev", "relatime", "rw"}})
}

// TestCgroupV2ExecSubCgroup: `exec --cgroup SUB` runs the process in a
// sub-cgroup the container made; a controller prefix naming a controller
// of the container's cgroup means the same on v2; an unknown controller
// and a sub-cgroup that does not exist are refused with exec's 255 and
// the name (runc 1.5.3 ignores the controller prefix on v2 and runs the
// process in the container's own cgroup).
func TestCgroupV2ExecSubCgroup(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, withWritableCgroup), id)
	h.ok("exec", id, "mkdir", "/sys/fs/cgroup/sub")
	for _, arg := range []string{"sub", "pids:sub", "memory,pids:sub"} {
		r := h.ok("exec", "--cgroup", arg, id, "cat", "/proc/self/cgroup")
		if got := strings.TrimSpace(r.Stdout); got != "0::/sub" {
			t.Errorf("exec --cgroup %s: /proc/self/cgroup %q, want 0::/sub", arg, got)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus:sub"}, `exec failed: --cgroup bogus:sub: the container's cgroup has no controller "bogus"`},
		{[]string{"missing-sub"}, "exec failed: --cgroup missing-sub: the container's cgroup has no sub-cgroup missing-sub"},
		{[]string{"pids:missing-sub"}, "no sub-cgroup missing-sub"},
		{[]string{"cpu:sub", "memory:other"}, "exec failed: --cgroup cpu:sub and memory:other"},
		{[]string{"../.."}, "not below the container's cgroup"},
	} {
		var args []string
		for _, a := range tc.args {
			args = append(args, "--cgroup", a)
		}
		r := h.hull(append(append([]string{"exec"}, args...), id, "true")...)
		if r.Code != 255 {
			t.Errorf("exec %v: exit %d, want 255:\n%s", args, r.Code, r)
			continue
		}
		checkOneLineError(t, r, tc.want)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestCgroupV2PauseResume: pause freezes through cgroup.freeze and waits
// for cgroup.events to say frozen; state says paused, the processes are
// stopped; ps lists them all the same; resume thaws.
func TestCgroupV2PauseResume(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(sh("sleep 1000 & exec sleep 1001")), id)
	pid := h.state(id).Pid
	waitExecuted(pid, "sleep")
	h.ok("pause", id)
	if st := h.state(id); st.Status != "paused" {
		t.Errorf("after pause: status %q, want paused", st.Status)
	}
	v2Files(t, "paused", pid, map[string]string{"cgroup.freeze": "1"})
	if ev := cgroupFile(t, pid, "", "cgroup.events"); fieldValue(ev, "frozen") != 1 {
		t.Errorf("cgroup.events while paused: want frozen 1:\n%s", ev)
	}
	// A frozen task sleeps in the freezer (state S or D, never R).
	if s := procState(t, pid); s == "R" {
		t.Errorf("init of a paused container is running (state %s)", s)
	}
	r := h.ok("ps", "--format", "json", id)
	var pids []int
	if err := json.Unmarshal([]byte(r.Stdout), &pids); err != nil || len(pids) != 2 || !containsInt(pids, pid) {
		t.Errorf("ps --format json of a paused container: want its 2 pids, %d among them:\n%s", pid, r.Stdout)
	}
	if r := h.ok("ps", id); len(lines(r.Stdout)) != 3 {
		t.Errorf("ps of a paused container: want a header and 2 processes:\n%s", r.Stdout)
	}
	h.ok("resume", id)
	if st := h.state(id); st.Status != "running" {
		t.Errorf("after resume: status %q, want running", st.Status)
	}
	v2Files(t, "resumed", pid, map[string]string{"cgroup.freeze": "0"})
	if ev := cgroupFile(t, pid, "", "cgroup.events"); fieldValue(ev, "frozen") != 0 {
		t.Errorf("cgroup.events after resume: want frozen 0:\n%s", ev)
	}
	h.ok("exec", id, "true")
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
