package tests

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// recordHook appends "<kind> <status> <id>" (from the state on stdin) to
// log; the log's directory must be reachable where the hook runs.
func recordHook(kind, log string) specs.Hook {
	script := `read -r s; st=$(echo "$s" | sed 's/.*"status":"\([a-z]*\)".*/\1/'); id=$(echo "$s" | sed 's/.*"id":"\([^"]*\)".*/\1/'); echo "` + kind + ` $st $id" >> ` + log
	return specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", script}}
}

// TestHooks: every kind runs at its moment, with the state on stdin:
// prestart, createRuntime and createContainer at create, startContainer
// and poststart at start (poststart after the process runs), poststop
// after delete.
func TestHooks(t *testing.T) {
	t.Parallel()
	h := newH(t)
	logDir := h.hostDir("hooklog")
	log := filepath.Join(logDir, "log")
	id := h.id()
	b := h.bundle([]string{"sh", "-c", "echo process >> /hooklog/log; sleep 1000"}, func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/hooklog", Type: "bind", Source: logDir, Options: []string{"rbind", "rw"}})
		s.Hooks = &specs.Hooks{
			Prestart:      []specs.Hook{recordHook("prestart", log)}, //nolint:staticcheck // deprecated, still run
			CreateRuntime: []specs.Hook{recordHook("createRuntime", log)},
			// createContainer runs in the container's namespaces but
			// before pivot_root: host paths still resolve.
			CreateContainer: []specs.Hook{recordHook("createContainer", log)},
			// startContainer runs inside the container, with its rootfs.
			StartContainer: []specs.Hook{recordHook("startContainer", "/hooklog/log")},
			Poststart:      []specs.Hook{recordHook("poststart", log)},
			Poststop:       []specs.Hook{recordHook("poststop", log)},
		}
	})
	h.ok("create", "--bundle", b, id)
	want := []string{"prestart creating " + id, "createRuntime creating " + id, "createContainer creating " + id}
	if got := lines(string(readFile(t, log))); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("after create the hooks log is %q, want %q", got, want)
	}
	h.ok("start", id)
	h.waitStatus(id, "running")
	var got []string
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = lines(string(readFile(t, log))); contains(got, "process") {
			break
		}
	}
	if len(got) < 6 || got[3] != "startContainer running "+id && got[3] != "startContainer created "+id {
		t.Fatalf("after start the hooks log is %q", got)
	}
	// poststart comes after the user process has started (it may be
	// scheduled before or after the process writes its line).
	if !contains(got, "poststart running "+id) || !contains(got, "process") {
		t.Fatalf("after start the hooks log is %q, want poststart (running) and the process", got)
	}
	h.ok("delete", "--force", id)
	got = lines(string(readFile(t, log)))
	if got[len(got)-1] != "poststop stopped "+id {
		t.Fatalf("after delete the hooks log is %q, want poststop (stopped) last", got)
	}
	h.assertClean(id)
}

// TestHookFailures: a failing hook's error names its kind and index and
// carries its stderr; create-time failures leave nothing; a failing
// poststart stops and deletes the container, and still runs poststop; a
// failing poststop is a warning, not a failed delete.
func TestHookFailures(t *testing.T) {
	t.Parallel()
	fail := specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "echo hook-said-no >&2; exit 3"}}
	ok := specs.Hook{Path: "/bin/true"}
	timeout := 1
	slow := specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "sleep 60"}, Timeout: &timeout}

	for _, tc := range []struct {
		name  string
		hooks specs.Hooks
		want  []string
	}{
		{"createRuntime", specs.Hooks{CreateRuntime: []specs.Hook{ok, fail}}, []string{"createRuntime hook #1", "hook-said-no"}},
		{"createContainer", specs.Hooks{CreateContainer: []specs.Hook{fail}}, []string{"createContainer hook #0", "hook-said-no"}},
		{"timeout", specs.Hooks{CreateRuntime: []specs.Hook{slow}}, []string{"createRuntime hook #0", "timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			hooks := tc.hooks
			r := h.fail("run", "--bundle", h.bundle([]string{"true"}, func(s *specs.Spec) { s.Hooks = &hooks }), id)
			for _, w := range tc.want {
				if !strings.Contains(r.Stderr, w) {
					t.Errorf("error lacks %q:\n%s", w, r)
				}
			}
			if strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("want a one-line error:\n%s", r)
			}
			h.assertClean(id)
		})
	}

	t.Run("poststart", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		log := filepath.Join(h.hostDir("log"), "log")
		for _, mode := range []string{"create-start", "run-detach", "run"} {
			id := h.id()
			b := h.bundle(longRunning, func(s *specs.Spec) {
				s.Hooks = &specs.Hooks{Poststart: []specs.Hook{fail}, Poststop: []specs.Hook{recordHook("poststop", log)}}
			})
			var r result
			switch mode {
			case "create-start":
				h.ok("create", "--bundle", b, id)
				r = h.fail("start", id)
			case "run-detach":
				r = h.fail("run", "-d", "--bundle", b, id)
			default:
				r = h.fail("run", "--bundle", b, id)
			}
			if !strings.Contains(r.Stderr, "poststart hook #0") || !strings.Contains(r.Stderr, "hook-said-no") {
				t.Errorf("%s: error should name the poststart hook and its stderr:\n%s", mode, r)
			}
			h.assertClean(id)
			if got := lines(string(readFile(t, log))); !contains(got, "poststop stopped "+id) {
				t.Errorf("%s: poststop did not run after the failed poststart: %q", mode, got)
			}
		}
	})

	t.Run("poststop", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		log := filepath.Join(h.hostDir("log"), "log")
		id := h.id()
		b := h.bundle(longRunning, func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Poststop: []specs.Hook{fail, recordHook("poststop", log)}}
		})
		logFile := filepath.Join(h.dir, "hull.log")
		h.ok("run", "-d", "--bundle", b, id)
		r := h.hull("--log", logFile, "--log-format", "json", "delete", "--force", id)
		if r.Code != 0 {
			t.Fatalf("a failing poststop hook must not fail the delete:\n%s", r)
		}
		h.assertClean(id)
		if got := lines(string(readFile(t, log))); !contains(got, "poststop stopped "+id) {
			t.Errorf("the poststop hook after the failing one did not run: %q", got)
		}
		var warned bool
		for _, l := range lines(string(readFile(t, logFile))) {
			var e struct{ Level, Msg string }
			if json.Unmarshal([]byte(l), &e) == nil && e.Level == "warning" && strings.Contains(e.Msg, "poststop hook #0") && strings.Contains(e.Msg, "hook-said-no") {
				warned = true
			}
		}
		if !warned {
			t.Errorf("no warning for the failed poststop hook in the log:\n%s", readFile(t, logFile))
		}
	})
}

// TestPoststartStateUnderLoad: the poststart hooks get the state as of the
// moment the process started, status running and its pid, even when the
// process (`true`) has exited by the time they run. Two CPU hogs make that
// likely on a small machine; hull used to read the state after the fact
// and hand some hooks {"status":"stopped"} without a pid.
func TestPoststartStateUnderLoad(t *testing.T) {
	t.Parallel()
	h := newH(t)
	cpuHogs(t, 2)
	log := filepath.Join(h.hostDir("log"), "states")
	b := h.bundle([]string{"true"}, func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{Poststart: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "cat >> " + log + "; echo >> " + log}}}}
	})
	const rounds = 6
	for _, mode := range []string{"run", "run-detach", "create-start"} {
		for i := range rounds {
			id := h.id()
			pidFile := filepath.Join(h.dir, id+".pid")
			switch mode {
			case "run":
				h.ok("run", "--pid-file", pidFile, "--bundle", b, id)
			case "run-detach":
				h.ok("run", "-d", "--pid-file", pidFile, "--bundle", b, id)
			default:
				h.ok("create", "--pid-file", pidFile, "--bundle", b, id)
				h.ok("start", id)
			}
			pid, err := strconv.Atoi(string(readFile(t, pidFile)))
			if err != nil {
				t.Fatalf("%s #%d: pid file: %v", mode, i, err)
			}
			got := lines(string(readFile(t, log)))
			var st specs.State
			if len(got) == 0 || json.Unmarshal([]byte(got[len(got)-1]), &st) != nil || st.ID != id {
				t.Fatalf("%s #%d: the poststart hook did not log the state of %s: %q", mode, i, id, got)
			}
			if st.Status != specs.StateRunning || st.Pid != pid {
				t.Errorf("%s #%d: poststart got status %q pid %d, want %q and the process's pid %d", mode, i, st.Status, st.Pid, specs.StateRunning, pid)
			}
			if mode != "run" {
				h.waitStatus(id, "stopped")
				h.ok("delete", id)
			}
			h.assertClean(id)
		}
	}
}

// cpuHogs keeps n busy loops running until the test ends.
func cpuHogs(t *testing.T, n int) {
	t.Helper()
	for range n {
		cmd := exec.Command("/bin/sh", "-c", "while :; do :; done")
		if err := reaper.Start(cmd); err != nil {
			t.Fatalf("start a CPU hog: %v", err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = reaper.Wait(cmd)
		})
	}
}
