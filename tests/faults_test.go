package tests

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// failpointEnv is hull's test-only variable that makes it stop (SIGSTOP)
// at a named step; see linux.FailpointEnv.
const failpointEnv = "HULL_TEST_FAILPOINT"

// faultCase is one command of hull, SIGKILLed at one of its steps.
type faultCase struct {
	// prepare brings the container where the command expects it.
	prepare string // "", "created" or "running"
	args    func(id, bundle string) []string
	points  []string
}

var createPoints = []string{
	"create:locked", "create:intent-written", "create:container-created",
	"create:hooks-saved", "create:started", "create:pid-recorded",
}

var faultCases = map[string]faultCase{
	"create": {"", func(id, b string) []string { return []string{"create", "--bundle", b, id} }, createPoints},
	"run-d": {"", func(id, b string) []string { return []string{"run", "-d", "--bundle", b, id} },
		append(append([]string(nil), createPoints...), "run:started")},
	"start": {"created", func(id, _ string) []string { return []string{"start", id} },
		[]string{"start:locked", "start:executed"}},
	"exec": {"running", func(id, _ string) []string { return []string{"exec", id, "sleep", "300"} },
		[]string{"exec:locked", "exec:started"}},
	"kill": {"running", func(id, _ string) []string { return []string{"kill", "--all", id, "KILL"} },
		[]string{"kill:loaded", "kill:frozen"}},
	"pause": {"running", func(id, _ string) []string { return []string{"pause", id} },
		[]string{"pause:locked", "pause:frozen"}},
	"update": {"running", func(id, _ string) []string { return []string{"update", "--pids-limit", "99", id} },
		[]string{"update:locked", "update:written"}},
	"delete": {"running", func(id, _ string) []string { return []string{"delete", "--force", id} },
		[]string{"delete:locked", "delete:killed", "delete:destroyed"}},
}

// TestFaults kills hull at each named step of each command (stopped
// there by the failpoint, then SIGKILLed), and checks that `delete
// --force` still removes every cgroup, process, mount and state entry.
func TestFaults(t *testing.T) {
	t.Parallel()
	for name, fc := range faultCases {
		for _, point := range fc.points {
			t.Run(name+"/"+point, func(t *testing.T) {
				t.Parallel()
				h := newH(t)
				id := h.id()
				bundle := h.bundle([]string{"sleep", "300"})
				h.prepareFault(id, bundle, fc.prepare)
				var stopped bool
				r := h.hullAlone(cmdOpts{
					Env:     []string{failpointEnv + "=" + point},
					Started: func(cmd *exec.Cmd) { go killWhenStopped(cmd.Process.Pid, &stopped) },
				}, fc.args(id, bundle)...)
				if !waitFlag(&stopped) {
					t.Fatalf("hull never stopped at %s:\n%s", point, r)
				}
				h.deleteAndCheck(id)
			})
		}
	}
}

// TestFaultsIntentOnly kills hull once the container's init runs in its
// cgroups and removes libcontainer's state.json, as if hull had died
// inside libcontainer before writing it: the intent record alone must
// lead `delete --force` to the processes and every cgroup.
func TestFaultsIntentOnly(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"create", "run-d"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			bundle := h.bundle([]string{"sleep", "300"})
			r := h.hullAlone(cmdOpts{Env: []string{failpointEnv + "=create:pid-recorded=kill"}}, faultCases[cmd].args(id, bundle)...)
			if r.Code == 0 {
				t.Fatalf("hull was not killed:\n%s", r)
			}
			if err := os.Remove(filepath.Join(h.root, id, "state.json")); err != nil {
				t.Fatal(err)
			}
			if st := h.state(id); st.Status != "stopped" || st.Pid != 0 {
				t.Errorf("state of a container whose hull died creating it: %+v, want stopped", st)
			}
			if len(h.leftovers(id)) == 0 {
				t.Fatal("nothing to delete: the test proves nothing")
			}
			h.deleteAndCheck(id)
		})
	}
}

// TestFaultsRandom kills hull after a random delay in each command, a
// bounded number of times, then deletes with --force.
func TestFaultsRandom(t *testing.T) {
	t.Parallel()
	const rounds = 3
	for name, fc := range faultCases {
		for i := range rounds {
			t.Run(fmt.Sprintf("%s/%d", name, i), func(t *testing.T) {
				t.Parallel()
				h := newH(t)
				id := h.id()
				bundle := h.bundle([]string{"sleep", "300"})
				h.prepareFault(id, bundle, fc.prepare)
				// A create takes some tens of milliseconds here, the other
				// commands less: the delays spread over all of them.
				delay := time.Duration(rand.IntN(80_000)) * time.Microsecond
				h.hullAlone(cmdOpts{Started: func(cmd *exec.Cmd) {
					go func() {
						time.Sleep(delay)
						_ = cmd.Process.Signal(unix.SIGKILL)
					}()
				}}, fc.args(id, bundle)...)
				h.deleteAndCheck(id)
			})
		}
	}
}

// TestLockSerializes holds a container's lock with a hull stopped in the
// middle of a pause, and checks that update waits for it and then works;
// and that two deletes and a start racing a delete give runc's answers.
func TestLockSerializes(t *testing.T) {
	t.Parallel()
	t.Run("update waits for pause", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle([]string{"sleep", "300"}), id)
		var pauser *os.Process
		started := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.hullOpts(cmdOpts{
				Env:     []string{failpointEnv + "=pause:frozen"},
				Started: func(cmd *exec.Cmd) { pauser = cmd.Process; close(started) },
			}, "pause", id)
		}()
		<-started
		waitStopped(t, pauser.Pid)
		done := make(chan result, 1)
		go func() { done <- h.hull("update", "--pids-limit", "77", id) }()
		select {
		case r := <-done:
			t.Fatalf("update finished while pause held the lock:\n%s", r)
		case <-time.After(500 * time.Millisecond):
		}
		_ = pauser.Signal(unix.SIGKILL)
		wg.Wait()
		if r := <-done; r.Code != 0 {
			t.Fatalf("update after the pause died:\n%s", r)
		}
		// The pause had frozen the container before it died.
		if st := h.state(id); st.Status != "paused" {
			t.Errorf("status %q after the pause died, want paused", st.Status)
		}
		h.ok("resume", id)
	})
	t.Run("two deletes", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("create", "--bundle", h.bundle([]string{"sleep", "300"}), id)
		rs := h.parallel([]string{"delete", id}, []string{"delete", id})
		ok := 0
		for _, r := range rs {
			switch {
			case r.Code == 0:
				ok++
			case !strings.Contains(r.Stderr, "does not exist"):
				t.Errorf("the losing delete: want \"does not exist\":\n%s", r)
			}
		}
		if ok != 1 {
			t.Errorf("%d deletes succeeded, want 1:\n%s\n%s", ok, rs[0], rs[1])
		}
		h.assertClean(id)
	})
	t.Run("start races delete --force", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		for range 3 {
			id := h.id()
			h.ok("create", "--bundle", h.bundle([]string{"sleep", "300"}), id)
			rs := h.parallel([]string{"start", id}, []string{"delete", "--force", id})
			if rs[1].Code != 0 {
				t.Errorf("delete --force:\n%s", rs[1])
			}
			if rs[0].Code != 0 && !strings.Contains(rs[0].Stderr, "does not exist") {
				t.Errorf("start that lost to delete: want \"does not exist\":\n%s", rs[0])
			}
			h.assertClean(id)
		}
	})
}

// hullAlone runs hull in a session of its own, through setsid(1), which
// execs it (no fork: a fresh child is no process group leader), so the
// pid is hull's. The processes a killed hull leaves half-started are then
// orphans of another session, which the harness's reaper reaps as a
// shim would; of the test's own session, it must leave them alone (they
// may be os/exec commands), and a zombie in a container's PID namespace
// keeps its init from finishing its exit.
func (h *H) hullAlone(o cmdOpts, args ...string) result {
	h.t.Helper()
	return runCmd(h.t, h.dir, o, "setsid", append([]string{hullBin, "--root", h.root}, args...)...)
}

// parallel runs hull with each of the argument lists at once.
func (h *H) parallel(argss ...[]string) []result {
	out := make([]result, len(argss))
	var wg sync.WaitGroup
	for i, args := range argss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = h.hull(args...)
		}()
	}
	wg.Wait()
	return out
}

// prepareFault brings container id into the state a fault case starts
// from.
func (h *H) prepareFault(id, bundle, state string) {
	h.t.Helper()
	switch state {
	case "created":
		h.ok("create", "--bundle", bundle, id)
	case "running":
		h.ok("run", "-d", "--bundle", bundle, id)
	}
}

// deleteAndCheck removes the container with `delete --force` and checks
// that nothing of it is left, `list` included.
func (h *H) deleteAndCheck(id string) {
	h.t.Helper()
	reaper.Reap()
	h.ok("delete", "--force", id)
	h.assertClean(id)
	if r := h.hull("state", id); r.Code == 0 {
		h.t.Errorf("state after delete --force succeeded:\n%s", r)
	}
	if !fileExists(h.root) {
		return // hull was killed before it made the state root
	}
	if r := h.ok("list", "-q"); strings.Contains(r.Stdout, id) {
		h.t.Errorf("list after delete --force still shows %s:\n%s", id, r.Stdout)
	}
	if ents, _ := os.ReadDir(h.root + "/.hull"); len(ents) != 0 {
		h.t.Errorf("hull's state directory not empty: %v", ents)
	}
}

// killWhenStopped SIGKILLs pid once it has stopped itself, and sets
// *stopped; it gives up when pid exits first.
func killWhenStopped(pid int, stopped *bool) {
	for range 1000 {
		p, ok := sysproc.ReadProc(pid)
		if !ok || !p.Live() {
			return
		}
		if p.State == 'T' {
			flagMu.Lock()
			*stopped = true
			flagMu.Unlock()
			_ = unix.Kill(pid, unix.SIGKILL)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = unix.Kill(pid, unix.SIGKILL)
}

var flagMu sync.Mutex

func waitFlag(f *bool) bool {
	flagMu.Lock()
	defer flagMu.Unlock()
	return *f
}

// TestRunDeletesOnlyItsOwn: another hull deletes a foreground run's
// container (delete --force) and makes a new one under the same ID
// between the run's process exiting and the run deleting its container;
// the run must leave the new container alone (runc's run destroys
// whatever has the ID by then).
func TestRunDeletesOnlyItsOwn(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	resume := filepath.Join(h.dir, "resume")
	done := make(chan result, 1)
	go func() {
		done <- h.hullAlone(cmdOpts{Env: []string{failpointEnv + "=run:exited=wait:" + resume}},
			"run", "--bundle", h.bundle([]string{"true"}), id)
	}()
	reached := false
	for deadline := time.Now().Add(waitLimit); !reached && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		_, err := os.Stat(resume + ".at")
		reached = err == nil
	}
	if !reached {
		t.Fatalf("the run never reached run:exited:\n%s", <-done)
	}
	h.ok("delete", "--force", id)
	h.ok("create", "--bundle", h.bundle([]string{"sleep", "300"}), id)
	made := h.state(id)
	if err := os.WriteFile(resume, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.Code != 0 {
		t.Errorf("the foreground run, once resumed:\n%s", r)
	}
	if st := h.state(id); st.Status != "created" || st.Pid != made.Pid {
		t.Errorf("the new container after the old run finished: %s pid %d, want created pid %d", st.Status, st.Pid, made.Pid)
	}
	h.deleteAndCheck(id)
}

// waitStopped waits until pid has stopped itself (failpoint).
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	for range 1000 {
		if p, ok := sysproc.ReadProc(pid); ok && p.State == 'T' {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("hull %d never stopped at its failpoint", pid)
}

// TestLockNotHeldByForegroundRun checks that a foreground `run` holds the
// container's lock only while it creates and starts it: other commands
// work on the running container, and the run still deletes it at exit.
func TestLockNotHeldByForegroundRun(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	bundle := h.bundle([]string{"sleep", "300"})
	done := make(chan result, 1)
	go func() { done <- h.hull("run", "--bundle", bundle, id) }()
	for i := 0; h.hull("state", id).Code != 0; i++ {
		if i == 200 {
			t.Fatal("the foreground run's container never appeared")
		}
		time.Sleep(25 * time.Millisecond)
	}
	h.waitStatus(id, "running")
	h.ok("pause", id)
	h.ok("resume", id)
	h.ok("update", "--pids-limit", "55", id)
	h.ok("exec", id, "true")
	h.ok("kill", id, "KILL")
	select {
	case r := <-done:
		if r.Code != 137 {
			t.Errorf("run of a killed container: want exit 137:\n%s", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after its container was killed")
	}
	h.assertClean(id)
}
