package linux

import (
	"slices"
	"testing"
)

func TestOwnProcsFiles(t *testing.T) {
	for _, tc := range []struct {
		name, self string
		hybrid     bool
		want       []string
	}{
		{"hybrid", "9:name=systemd:/\n4:memory:/user.slice/a\n1:cpu,cpuacct:/\n0::/user.slice\n", true, []string{
			"/sys/fs/cgroup/systemd/cgroup.procs",
			"/sys/fs/cgroup/memory/user.slice/a/cgroup.procs",
			"/sys/fs/cgroup/cpu,cpuacct/cgroup.procs",
			"/sys/fs/cgroup/unified/user.slice/cgroup.procs",
		}},
		{"unified", "0::/system.slice/containerd.service\n", false, []string{
			"/sys/fs/cgroup/system.slice/containerd.service/cgroup.procs",
		}},
		// A v1 hierarchy without controllers or name cannot be found;
		// lines that are not cgroups are skipped.
		{"odd lines", "3::/x\njunk\n\n2:pids:relative\n", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ownProcsFiles(tc.self, tc.hybrid); !slices.Equal(got, tc.want) {
				t.Errorf("ownProcsFiles(%q, %v) = %q, want %q", tc.self, tc.hybrid, got, tc.want)
			}
		})
	}
}
