package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// TestRunStdin checks that a foreground run passes its stdin through.
func TestRunStdin(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	r := h.hullOpts(cmdOpts{Stdin: strings.NewReader("line one\nline two\n")},
		"run", "--bundle", h.bundle([]string{"sh", "-c", "wc -l; echo done"}), id)
	if r.Code != 0 || lines(r.Stdout)[0] != "2" {
		t.Errorf("want the container to read 2 lines from stdin:\n%s", r)
	}
	h.assertClean(id)
}

// TestKillCreated signals a container that was created but not started.
func TestKillCreated(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("create", "--bundle", h.bundle(longRunning), id)
	pid := h.state(id).Pid
	h.ok("kill", id, "KILL")
	h.waitStatus(id, "stopped")
	if sysproc.Alive(pid) {
		t.Errorf("init %d of the killed created container is alive", pid)
	}
	h.fail("start", id)
	h.ok("delete", id)
	h.assertClean(id)
}

// TestConcurrentCreateSameID races several creates of one ID: exactly one
// may win, the others must say the ID exists, and nothing may be left
// behind by the losers.
func TestConcurrentCreateSameID(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	bundle := h.bundle(longRunning)
	const n = 4
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = h.hull("create", "--bundle", bundle, id)
		}(i)
	}
	wg.Wait()
	wins := 0
	for _, r := range results {
		if r.Code == 0 {
			wins++
			continue
		}
		checkOneLineError(t, r, "already exists")
	}
	if wins != 1 {
		t.Errorf("%d of %d concurrent creates of one ID succeeded, want exactly 1", wins, n)
	}
	if wins > 0 {
		st := h.state(id)
		if st.Status != "created" || !sysproc.Alive(st.Pid) {
			t.Errorf("the winner's container: %+v", st)
		}
		// Only one init may exist for the ID.
		if procs := cgroupPids(id); len(procs) != 1 {
			t.Errorf("%d processes in the container's cgroups, want the single init", len(procs))
		}
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestSeccomp applies a small filter (hull is built with -tags seccomp).
func TestSeccomp(t *testing.T) {
	t.Parallel()
	h := newH(t)
	errno := uint(1) // EPERM
	out := h.runOut(h.bundle(sh(`grep ^Seccomp: /proc/self/status; mkdir /tmp/x 2>&1 || true; echo after`),
		withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
		func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
				Syscalls: []specs.LinuxSyscall{{
					Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: &errno,
				}},
			}
		}))
	mustContain(t, "seccomp container", out, "Seccomp:\t2", "Operation not permitted", "after")
}

// TestRelativeBundle runs hull from inside a directory: a relative
// --bundle, a missing --bundle (the bundle is the working directory) and a
// relative --pid-file all resolve against it, and state reports the
// bundle as an absolute path.
func TestRelativeBundle(t *testing.T) {
	t.Parallel()
	h := newH(t)
	bundle := h.bundle(longRunning)
	cases := map[string][]string{
		"relative-flag": {"--bundle", filepath.Base(bundle), "--pid-file", "rel.pid"},
		"cwd-default":   {"--pid-file", "rel.pid"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			id := h.id()
			dir := h.dir
			if name == "cwd-default" {
				dir = bundle
			}
			r := h.hullOpts(cmdOpts{Dir: dir}, append(append([]string{"create"}, args...), id)...)
			if r.Code != 0 {
				t.Fatalf("create from %s:\n%s", dir, r)
			}
			st := h.state(id)
			if st.Bundle != bundle {
				t.Errorf("state bundle %q, want the absolute %q", st.Bundle, bundle)
			}
			pidFile := filepath.Join(dir, "rel.pid")
			data, err := os.ReadFile(pidFile)
			if err != nil || string(data) != fmt.Sprint(st.Pid) {
				t.Errorf("relative pid file %s: %q %v, want %d", pidFile, data, err, st.Pid)
			}
			os.Remove(pidFile)
			h.ok("delete", "--force", id)
			h.assertClean(id)
		})
	}
}

// TestStoppedState checks what state reports once the process is gone:
// status stopped, and (like runc) pid 0, since the old pid may be reused.
func TestStoppedState(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle([]string{"true"}), id)
	st := h.waitStatus(id, "stopped")
	if st.Pid != 0 {
		t.Errorf("stopped container reports pid %d; runc reports 0", st.Pid)
	}
	r := h.ok("list", "--format", "json")
	if !strings.Contains(r.Stdout, `"status":"stopped"`) {
		t.Errorf("list does not show the stopped container:\n%s", r)
	}
	h.ok("delete", id)
	h.assertClean(id)
}
