package tests

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// withMemoryLimit caps the container's memory (no swap on the test
// machines, so the OOM killer strikes at the limit).
func withMemoryLimit(bytes int64) func(*specs.Spec) {
	return func(s *specs.Spec) {
		if s.Linux.Resources == nil {
			s.Linux.Resources = &specs.LinuxResources{}
		}
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &bytes}
	}
}

// memoryHog holds memory until killed: tail keeps everything it read
// since the last newline, and /dev/zero has none.
var memoryHog = []string{"tail", "/dev/zero"}

// oomFields is the part of `state` and `list --format json` that says
// why a container stopped; absent fields decode as nil.
type oomFields struct {
	OOMKilled *bool   `json:"oomKilled"`
	OOMKills  *uint64 `json:"oomKills"`
	Status    string  `json:"status"`
}

func decodeOOM(t *testing.T, what, out string) oomFields {
	t.Helper()
	var f oomFields
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("%s printed invalid JSON: %v\n%s", what, err, out)
	}
	return f
}

// listOOM returns id's entry of `list --format json`.
func (h *H) listOOM(id string) oomFields {
	h.t.Helper()
	var all []json.RawMessage
	out := h.ok("list", "--format", "json").Stdout
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		h.t.Fatalf("list --format json printed invalid JSON: %v\n%s", err, out)
	}
	for _, raw := range all {
		var e struct{ ID string }
		if json.Unmarshal(raw, &e) == nil && e.ID == id {
			return decodeOOM(h.t, "list --format json", string(raw))
		}
	}
	h.t.Fatalf("list --format json has no %s:\n%s", id, out)
	return oomFields{}
}

// listStatus returns the STATUS column of id's line in `list`'s table,
// whose columns tabwriter separates by at least three blanks.
func (h *H) listStatus(id string) string {
	h.t.Helper()
	out := h.ok("list").Stdout
	for _, l := range lines(out) {
		if cols := tableColumns.Split(l, -1); len(cols) > 2 && cols[0] == id {
			return cols[2]
		}
	}
	h.t.Fatalf("list has no line for %s:\n%s", id, out)
	return ""
}

var tableColumns = regexp.MustCompile(`\s{3,}`)

// A container the OOM killer stopped says so in state, list's JSON and
// list's table, while its cgroup lasts (until delete); one that exited on
// its own shows runc's fields only.
func TestOOMStoppedState(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		killed bool
		status string // list's STATUS column
	}{
		{"oom-killed", memoryHog, true, "stopped (OOM killed)"},
		{"exited", []string{"true"}, false, "stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			h.ok("run", "-d", "--bundle", h.bundle(tc.args, withMemoryLimit(16<<20)), id)
			h.waitStatus(id, "stopped")
			for what, f := range map[string]oomFields{
				"state":              decodeOOM(t, "state", h.ok("state", id).Stdout),
				"list --format json": h.listOOM(id),
			} {
				switch {
				case tc.killed && (f.OOMKilled == nil || !*f.OOMKilled || f.OOMKills == nil || *f.OOMKills < 1):
					t.Errorf("%s: oomKilled %v, oomKills %v; want true and >= 1", what, deref(f.OOMKilled), deref(f.OOMKills))
				case !tc.killed && (f.OOMKilled != nil || f.OOMKills != nil):
					t.Errorf("%s: oomKilled %v, oomKills %v; want both absent", what, deref(f.OOMKilled), deref(f.OOMKills))
				}
			}
			if got := h.listStatus(id); got != tc.status {
				t.Errorf("list's STATUS = %q, want %q", got, tc.status)
			}
			h.ok("delete", id)
			h.assertClean(id)
		})
	}
}

// A running container whose child the OOM killer took counts the kill
// but is not "OOM killed": its init lives on.
func TestOOMKillsOfRunningContainer(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle([]string{"sh", "-c", "tail /dev/zero; exec sleep 1000"}, withMemoryLimit(16<<20)), id)
	var st oomFields
	for i := 0; i < 100; i++ {
		if st = decodeOOM(t, "state", h.ok("state", id).Stdout); st.OOMKills != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.OOMKills == nil || *st.OOMKills < 1 || st.OOMKilled != nil || st.Status != "running" {
		t.Errorf("state of a running container after an OOM kill inside: status %q, oomKilled %v, oomKills %v; want running, absent, >= 1", st.Status, deref(st.OOMKilled), deref(st.OOMKills))
	}
	if got := h.listStatus(id); got != "running" {
		t.Errorf("list's STATUS = %q, want %q", got, "running")
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

func deref[T any](p *T) any {
	if p == nil {
		return "absent"
	}
	return *p
}
