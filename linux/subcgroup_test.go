package linux

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOneSubCgroup(t *testing.T) {
	enabled := []string{"cpu", "memory", "pids"}
	for _, tc := range []struct {
		name  string
		paths map[string]string
		want  string // the sub-cgroup, or words of the error
		err   bool
	}{
		{"path-alone", map[string]string{"": "sub"}, "sub", false},
		{"one-controller", map[string]string{"pids": "sub"}, "sub", false},
		{"controllers-same-path", map[string]string{"cpu": "sub", "memory": "sub"}, "sub", false},
		{"unknown-controller", map[string]string{"bogus": "sub"}, `no controller "bogus" (cgroup v2, enabled: cpu memory pids)`, true},
		{"controller-not-enabled", map[string]string{"io": "sub"}, `no controller "io"`, true},
		{"different-paths", map[string]string{"cpu": "a", "memory": "b"}, "cpu:a and memory:b", true},
		{"path-and-controller", map[string]string{"": "a", "cpu": "a"}, "one cgroup", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oneSubCgroup(tc.paths, enabled)
			switch {
			case tc.err && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %q, %v; want an error with %q", got, err, tc.want)
			case !tc.err && (err != nil || got != tc.want):
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestUnifiedSubCgroup(t *testing.T) {
	fakeCgroupfs(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cgroup.controllers"), []byte("memory pids\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		paths map[string]string
		want  string
	}{
		{"existing", map[string]string{"pids": "sub"}, ""},
		{"missing", map[string]string{"": "no-such-sub"}, "no sub-cgroup no-such-sub"},
		{"escaping", map[string]string{"": "../x"}, "not below the container's cgroup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := unifiedSubCgroup(tc.paths, dir)
			if tc.want == "" {
				if err != nil || got[""] != "sub" || len(got) != 1 {
					t.Errorf("got %v, %v; want map[:sub]", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, %v; want an error with %q", got, err, tc.want)
			}
		})
	}
}
