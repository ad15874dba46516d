package tests

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestCgroupV2Namespace: with a private cgroup namespace the container
// sees its own cgroup as "/" (in /proc/self/cgroup and at /sys/fs/cgroup,
// whose files are its own cgroup's); without one it sees its host path.
func TestCgroupV2Namespace(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	script := `cat /proc/self/cgroup; test -e /sys/fs/cgroup/memory.max && echo own-files; cat /sys/fs/cgroup/pids.max`
	h.ok("run", "-d", "--bundle", h.bundle(sh(script+"; exec sleep 1000"), withNamespace(specs.CgroupNamespace), func(s *specs.Spec) {
		extResources(s).Pids = &specs.LinuxPids{Limit: extPtr[int64](33)}
	}), id)
	pid := h.state(id).Pid
	waitExecuted(pid, "sleep")
	r := h.ok("exec", id, "sh", "-c", script)
	if got := lines(r.Stdout); len(got) != 3 || got[0] != "0::/" || got[1] != "own-files" || got[2] != "33" {
		t.Errorf("inside a cgroup namespace: want 0::/, own-files, 33 (the container's pids.max):\n%s", r.Stdout)
	}
	host := strings.TrimPrefix(cgroupDir(t, pid, ""), "/sys/fs/cgroup")
	if host == "" || host == "/" {
		t.Errorf("the container's host cgroup path is %q", host)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)

	id = h.id()
	out := h.runOut(h.bundle(sh("cat /proc/self/cgroup"), withoutNamespace(specs.CgroupNamespace)))
	if got := strings.TrimSpace(out); got == "0::/" || !strings.HasPrefix(got, "0::/") {
		t.Errorf("without a cgroup namespace: /proc/self/cgroup %q, want the host path", got)
	}
}

// TestCgroupV2Delegation: a container with a private cgroup namespace and
// /sys/fs/cgroup mounted read-write manages its own cgroup: it moves its
// processes into a leaf, enables a controller for its children, sets a
// child's limit and moves a process there; the host sees the process in
// that sub-cgroup, and delete removes the whole tree.
func TestCgroupV2Delegation(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(sh(`
		set -e
		mkdir /sys/fs/cgroup/leaf /sys/fs/cgroup/work
		echo $$ >/sys/fs/cgroup/leaf/cgroup.procs
		echo +pids >/sys/fs/cgroup/cgroup.subtree_control
		echo 5 >/sys/fs/cgroup/work/pids.max
		sleep 1000 &
		echo $! >/sys/fs/cgroup/work/cgroup.procs
		echo ready >/tmp/ready
		wait`), withWritableCgroup), id)
	pid := h.state(id).Pid
	r := h.ok("exec", id, "sh", "-c", "for i in $(seq 50); do test -e /tmp/ready && break; sleep 0.1; done; cat /tmp/ready /sys/fs/cgroup/work/pids.max /sys/fs/cgroup/work/cgroup.procs | head -2; cat /proc/$(cat /sys/fs/cgroup/work/cgroup.procs)/cgroup")
	if got := lines(r.Stdout); len(got) != 3 || got[0] != "ready" || got[1] != "5" || got[2] != "0::/work" {
		t.Fatalf("delegated cgroup: want ready, 5, 0::/work:\n%s", r.Stdout)
	}
	base := cgroupDir(t, pid, "")
	if !strings.HasSuffix(base, "/leaf") {
		t.Errorf("the container's init is in %s on the host, want its leaf sub-cgroup", base)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
