package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagsAfterContainerID: runc reads a command's flags after its
// arguments (`delete ID --force`, `update ID --memory 64M`, `kill ID KILL
// --all`); hull does too, except where the rest is someone else's argv
// (exec, ps).
func TestFlagsAfterContainerID(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	b := h.bundle(longRunning)
	h.ok("create", id, "--bundle", b)
	h.ok("start", id)
	pid := h.state(id).Pid

	t.Run("state", func(t *testing.T) {
		// --help after the ID shows state's help, as runc does.
		if r := h.ok("state", id, "--help"); !strings.Contains(r.Stdout, "hull state") {
			t.Errorf("state ID --help printed %q, want state's help", r.Stdout)
		}
	})
	t.Run("update", func(t *testing.T) {
		h.ok("update", id, "--pids-limit", "57", "--memory=64M")
		if got := cgroupFile(t, pid, "pids", "pids.max"); got != "57" {
			t.Errorf("pids.max %s after update ID --pids-limit 57, want 57", got)
		}
		limit := "memory.limit_in_bytes"
		if cgroupV2() {
			limit = "memory.max"
		}
		if got := cgroupFile(t, pid, "memory", limit); got != "67108864" {
			t.Errorf("%s %s after update ID --memory=64M, want 67108864", limit, got)
		}
	})
	t.Run("events", func(t *testing.T) {
		if r := h.ok("events", id, "--stats"); !strings.Contains(r.Stdout, `"type":"stats"`) {
			t.Errorf("events ID --stats printed %q", r.Stdout)
		}
	})
	t.Run("exec-keeps-argv", func(t *testing.T) {
		// After the ID, --env is the process's argument, not exec's flag.
		if r := h.ok("exec", id, "echo", "--env", "X=1"); r.Stdout != "--env X=1\n" {
			t.Errorf("exec ID echo --env X=1 printed %q", r.Stdout)
		}
	})
	t.Run("ps-keeps-argv", func(t *testing.T) {
		// After the ID, -f is ps(1)'s: a full listing, not --format.
		r := h.ok("ps", id, "-f")
		if !strings.HasPrefix(r.Stdout, "UID") {
			t.Errorf("ps ID -f printed %q, want ps(1)'s table", r.Stdout)
		}
	})
	t.Run("pid-file-after-id", func(t *testing.T) {
		other := h.id()
		pidFile := filepath.Join(h.dir, "run.pid")
		h.ok("run", other, "-d", "--pid-file", pidFile, "--bundle", b)
		if data, err := os.ReadFile(pidFile); err != nil || len(data) == 0 {
			t.Errorf("run ID -d --pid-file: pid file %q, %v", data, err)
		}
		h.ok("kill", other, "KILL", "--all")
		h.waitStatus(other, "stopped")
		h.ok("delete", other)
		h.assertClean(other)
	})
	t.Run("end-of-flags", func(t *testing.T) {
		// After "--" a flag is an argument again: one too many for delete.
		r := h.fail("delete", id, "--", "--force")
		checkOneLineError(t, r, "got 2 arguments")
	})

	h.ok("delete", id, "--force")
	h.assertClean(id)
}
