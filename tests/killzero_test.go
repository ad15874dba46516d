package tests

import (
	"testing"
)

// TestKillSignalZero: `kill ID 0` is the liveness probe (kill -0): it
// succeeds while the container's init lives, in any state, signals
// nothing, and says "container not running" once it has stopped (with
// --all, a stopped container is not an error), as runc does.
func TestKillSignalZero(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("create", "--bundle", h.bundle([]string{"sleep", "1000"}), id)

	probe := func(state string) {
		t.Helper()
		for _, args := range [][]string{{"kill", id, "0"}, {"kill", "--all", id, "0"}, {"kill", id, "0", "--all"}} {
			h.ok(args...)
		}
		if st := h.state(id); st.Status != state {
			t.Errorf("after kill 0 the container is %s, want %s", st.Status, state)
		}
	}
	probe("created")
	h.ok("start", id)
	probe("running")
	h.ok("pause", id)
	probe("paused")
	h.ok("resume", id)

	h.ok("kill", id, "KILL")
	h.waitStatus(id, "stopped")
	r := h.fail("kill", id, "0")
	checkOneLineError(t, r, "hull: container not running")
	h.ok("kill", "--all", id, "0")

	h.ok("delete", id)
	h.assertClean(id)
}
