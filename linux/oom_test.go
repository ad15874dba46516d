package linux

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/cgroups"
)

// fakeCgroupfs lets the cgroups package read plain files in a temp dir
// (it refuses files that are not on cgroupfs otherwise).
func fakeCgroupfs(t *testing.T) {
	cgroups.TestMode = true
	t.Cleanup(func() { cgroups.TestMode = false })
}

func TestOOMKills(t *testing.T) {
	fakeCgroupfs(t)
	const (
		v1Control = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"
		v1Old     = "oom_kill_disable 0\nunder_oom 0\n" // before Linux 4.13
		v2Events  = "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n"
	)
	for _, tc := range []struct {
		name  string
		files map[string]string // "dir/file" -> content, dir "v1" or "v2"
		paths map[string]string // controller -> dir under the temp dir
		want  uint64
	}{
		{"v1 memory.oom_control", map[string]string{"v1/memory.oom_control": v1Control}, map[string]string{"memory": "v1"}, 3},
		{"v1 kernel without the counter", map[string]string{"v1/memory.oom_control": v1Old}, map[string]string{"memory": "v1"}, 0},
		{"v2 memory.events", map[string]string{"v2/memory.events": v2Events}, map[string]string{"": "v2"}, 2},
		{"hybrid: v1 memory wins over unified", map[string]string{"v1/memory.oom_control": v1Control, "v2/memory.events": v2Events}, map[string]string{"memory": "v1", "": "v2"}, 3},
		{"hybrid: unified without memory controller", map[string]string{"v1/memory.oom_control": v1Control, "v2/cgroup.procs": ""}, map[string]string{"memory": "v1", "": "v2"}, 3},
		{"v2 without memory controller", map[string]string{"v2/cgroup.procs": ""}, map[string]string{"": "v2"}, 0},
		{"cgroup removed", nil, map[string]string{"memory": "gone", "": "gone"}, 0},
		{"no cgroup paths (rootless)", nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			paths := map[string]string{}
			for c, d := range tc.paths {
				paths[c] = filepath.Join(dir, d)
			}
			if got := oomKills(paths); got != tc.want {
				t.Errorf("oomKills = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestStatusWords(t *testing.T) {
	fakeCgroupfs(t)
	for _, tc := range []struct {
		status string
		kills  uint64
		want   string
		killed bool
	}{
		{"stopped", 0, "stopped", false},
		{"stopped", 1, "stopped (OOM killed)", true},
		{"running", 2, "running", false},
		{"paused", 1, "paused", false},
		{"created", 0, "created", false},
	} {
		t.Run(tc.status+"/"+tc.want, func(t *testing.T) {
			dir := t.TempDir()
			if tc.kills > 0 {
				if err := os.WriteFile(filepath.Join(dir, "memory.oom_control"), []byte(fmt.Sprintf("oom_kill %d\n", tc.kills)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s := &State{Status: tc.status}
			withOOM(s, map[string]string{"memory": dir})
			if s.OOMKills != tc.kills || s.OOMKilled != tc.killed {
				t.Errorf("withOOM: OOMKills %d, OOMKilled %v; want %d, %v", s.OOMKills, s.OOMKilled, tc.kills, tc.killed)
			}
			if got := s.StatusWords(); got != tc.want {
				t.Errorf("StatusWords = %q, want %q", got, tc.want)
			}
		})
	}
}
