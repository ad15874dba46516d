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
		extResources(s).Pids = &specs.LinuxPids{Limit: ptr[int64](33)}
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
// child's limit and moves a process there; delete removes the whole
// tree (the harness finds any cgroup left).
func TestCgroupV2Delegation(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	out := h.runOut(h.bundle(sh(`
		try() { if out=$(sh -c "$2" 2>&1); then echo "$1:ok"; else echo "$1:fail:$out"; fi; }
		cg=/sys/fs/cgroup
		try mkdir "mkdir $cg/leaf $cg/work"
		try move-self "echo $$ >$cg/leaf/cgroup.procs"
		try enable-pids "echo +pids >$cg/cgroup.subtree_control"
		try limit-child "echo 5 >$cg/work/pids.max"
		sleep 1000 &
		try move-child "echo $! >$cg/work/cgroup.procs"
		echo "self:$(cat /proc/self/cgroup)"
		echo "child:$(cat /proc/$!/cgroup)"
		echo "limit:$(cat $cg/work/pids.max)"
		kill $!`), withWritableCgroup))
	checkTries(t, out, map[string]string{"mkdir": "ok", "move-self": "ok", "enable-pids": "ok", "limit-child": "ok", "move-child": "ok"})
	mustContain(t, "a delegated cgroup", out, "self:0::/leaf", "child:0::/work", "limit:5")
}
