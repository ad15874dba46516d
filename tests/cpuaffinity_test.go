package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// pinnedHull runs hull pinned to one CPU, as a caller started under
// `taskset` or a shim the kubelet's CPU manager pinned would run it.
type pinnedHull struct {
	h       *H
	taskset string
	cpu     string // the CPU hull is pinned to
	online  string // every online CPU, as a list
}

// newPinnedHull skips the test where pinning cannot be told apart from
// no pinning: one CPU, no taskset, or a test process already restricted.
func newPinnedHull(t *testing.T) *pinnedHull {
	t.Helper()
	h := newH(t)
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Skip("taskset (util-linux) is not installed; it pins hull to one CPU")
	}
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Fatal(err)
	}
	online := strings.TrimSpace(string(data))
	if !strings.ContainsAny(online, ",-") {
		t.Skipf("only CPU %s is online: a process pinned to it cannot be told from one that is not", online)
	}
	if own := extStatus(t, os.Getpid(), "Cpus_allowed_list"); own != online {
		t.Skipf("this test process may run on CPUs %s only, not on all online CPUs %s: the container's cgroup would not have them all either", own, online)
	}
	first := online[:strings.IndexAny(online, ",-")]
	return &pinnedHull{h: h, taskset: taskset, cpu: first, online: online}
}

func (p *pinnedHull) run(args ...string) result {
	p.h.t.Helper()
	return runCmd(p.h.t, p.h.dir, cmdOpts{}, p.taskset, append([]string{"-c", p.cpu, hullBin, "--root", p.h.root}, args...)...)
}

func (p *pinnedHull) ok(args ...string) result {
	p.h.t.Helper()
	r := p.run(args...)
	if r.Code != 0 {
		p.h.t.Fatalf("hull (pinned to CPU %s) failed:\n%s", p.cpu, r)
	}
	return r
}

// cpusOf is the Cpus_allowed_list of each /proc/<x>/status that a
// container's `grep Cpus_allowed_list /proc/self/status /proc/1/status`
// printed.
func cpusOf(out string) map[string]string {
	m := map[string]string{}
	for _, l := range lines(out) {
		// /proc/1/status:Cpus_allowed_list:	0-1
		file, rest, _ := strings.Cut(l, ":")
		_, cpus, _ := strings.Cut(rest, ":")
		m[filepath.Base(filepath.Dir(file))] = strings.TrimSpace(cpus)
	}
	return m
}

const showCpus = "grep Cpus_allowed_list /proc/self/status /proc/1/status"

// TestCPUAffinityReset: as in runc, the processes of a container started
// by a pinned hull run on the CPUs of the container's cgroup (all online
// CPUs when linux.resources.cpu.cpus is not set), not on hull's one CPU;
// exec too, and execCPUAffinity.final wins over both.
func TestCPUAffinityReset(t *testing.T) {
	t.Parallel()
	last := extLastCPU(t)

	t.Run("run", func(t *testing.T) {
		t.Parallel()
		p := newPinnedHull(t)
		for _, terminal := range []bool{false, true} {
			id := p.h.id()
			bundle := p.h.bundle(sh(showCpus), func(s *specs.Spec) { s.Process.Terminal = terminal })
			got := cpusOf(p.ok("run", "--bundle", bundle, id).Stdout)
			for _, proc := range []string{"self", "1"} {
				if got[proc] != p.online {
					t.Errorf("terminal %v: /proc/%s in the container runs on CPUs %q, want all online CPUs %s (hull was pinned to %s)", terminal, proc, got[proc], p.online, p.cpu)
				}
			}
			p.h.assertClean(id)
		}
	})

	t.Run("exec", func(t *testing.T) {
		t.Parallel()
		p := newPinnedHull(t)
		id := p.h.id()
		p.ok("run", "-d", "--bundle", p.h.bundle(longRunning), id)
		if got := extStatus(t, p.h.state(id).Pid, "Cpus_allowed_list"); got != p.online {
			t.Errorf("detached init runs on CPUs %q, want all online CPUs %s (hull was pinned to %s)", got, p.online, p.cpu)
		}
		for _, flags := range [][]string{nil, {"--tty"}} {
			got := cpusOf(p.ok(append(append([]string{"exec"}, flags...), id, "sh", "-c", showCpus)...).Stdout)
			if got["self"] != p.online {
				t.Errorf("exec %v runs on CPUs %q, want all online CPUs %s (hull was pinned to %s)", flags, got["self"], p.online, p.cpu)
			}
		}
		pidFile := filepath.Join(p.h.dir, "exec.pid")
		p.ok("exec", "-d", "--pid-file", pidFile, id, "sleep", "1000")
		if got := extStatus(t, extReadPid(t, pidFile), "Cpus_allowed_list"); got != p.online {
			t.Errorf("exec -d runs on CPUs %q, want all online CPUs %s (hull was pinned to %s)", got, p.online, p.cpu)
		}
		p.h.ok("delete", "--force", id)
		p.h.assertClean(id)
	})

	t.Run("cpuset", func(t *testing.T) {
		// With linux.resources.cpu.cpus, the cgroup's CPUs; pinned to
		// the first CPU, hull gives the container the last.
		t.Parallel()
		p := newPinnedHull(t)
		id := p.h.id()
		p.ok("run", "-d", "--bundle", p.h.bundle(longRunning, func(s *specs.Spec) {
			s.Linux.Resources = &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: last}}
		}), id)
		if got := extStatus(t, p.h.state(id).Pid, "Cpus_allowed_list"); got != last {
			t.Errorf("init runs on CPUs %q, want linux.resources.cpu.cpus %s (hull was pinned to %s)", got, last, p.cpu)
		}
		if got := cpusOf(p.ok("exec", id, "sh", "-c", showCpus).Stdout)["self"]; got != last {
			t.Errorf("exec runs on CPUs %q, want linux.resources.cpu.cpus %s (hull was pinned to %s)", got, last, p.cpu)
		}
		p.h.ok("delete", "--force", id)
		p.h.assertClean(id)
	})

	t.Run("execCPUAffinity", func(t *testing.T) {
		// runtime-spec: not applicable to init, which gets the cgroup's
		// CPUs; an exec'd process ends on final.
		t.Parallel()
		p := newPinnedHull(t)
		id := p.h.id()
		p.ok("run", "-d", "--bundle", p.h.bundle(longRunning, func(s *specs.Spec) {
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: p.cpu, Final: last}
		}), id)
		if got := extStatus(t, p.h.state(id).Pid, "Cpus_allowed_list"); got != p.online {
			t.Errorf("init with execCPUAffinity runs on CPUs %q, want all online CPUs %s", got, p.online)
		}
		if got := cpusOf(p.ok("exec", id, "sh", "-c", showCpus).Stdout)["self"]; got != last {
			t.Errorf("exec runs on CPUs %q, want execCPUAffinity.final %s", got, last)
		}
		// The --process file's own execCPUAffinity replaces config.json's.
		file := filepath.Join(p.h.dir, "process.json")
		writeFile(t, file, fmt.Sprintf(`{"args":["sh","-c",%q],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0},"execCPUAffinity":{"final":%q}}`, showCpus, p.cpu))
		if got := cpusOf(p.ok("exec", "--process", file, id).Stdout)["self"]; got != p.cpu {
			t.Errorf("exec --process runs on CPUs %q, want its execCPUAffinity.final %s", got, p.cpu)
		}
		p.h.ok("delete", "--force", id)
		p.h.assertClean(id)
	})
}
