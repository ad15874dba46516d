package app

import (
	"slices"
	"testing"
)

// TestCriuFlagsMatchRunc compares the flags of checkpoint and restore with
// runc 1.5.3's (checkpoint.go and restore.go of its module): callers pass
// them as runc spells them, and hull must have every one and no other.
func TestCriuFlagsMatchRunc(t *testing.T) {
	runc := map[string][]string{
		"checkpoint": {"image-path", "work-path", "parent-path", "leave-running", "tcp-established",
			"tcp-skip-in-flight", "link-remap", "ext-unix-sk", "shell-job", "lazy-pages", "status-fd",
			"page-server", "file-locks", "pre-dump", "manage-cgroups-mode", "empty-ns", "auto-dedup"},
		"restore": {"console-socket", "image-path", "work-path", "tcp-established", "ext-unix-sk",
			"shell-job", "file-locks", "manage-cgroups-mode", "bundle", "b", "detach", "d", "pid-file",
			"no-subreaper", "no-pivot", "empty-ns", "auto-dedup", "lazy-pages", "lsm-profile", "lsm-mount-context"},
	}
	app := New()
	for name, want := range runc {
		t.Run(name, func(t *testing.T) {
			cmd := app.Command(name)
			if cmd == nil {
				t.Fatalf("hull has no %s command", name)
			}
			var got []string
			for _, f := range cmd.Flags {
				got = append(got, f.Names()...)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("flags of hull %s:\n\thull: %v\n\trunc: %v", name, got, want)
			}
		})
	}
}
