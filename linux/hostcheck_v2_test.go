package linux

import (
	"strings"
	"testing"
)

func TestUnifiedKeyProblem(t *testing.T) {
	h := cgroupV2Host{
		controllers: map[string]bool{"cpu": true, "memory": true, "pids": true},
		hasFile: func(ctrl, file string) (bool, bool) {
			if ctrl == "pids" {
				return false, false // no cgroup with pids to look in
			}
			return file == "memory.high" || file == "cpu.max" || file == "cgroup.max.depth", true
		},
	}
	for _, tc := range []struct{ key, want string }{
		{"memory.high", ""},
		{"cpu.max", ""},
		{"cgroup.max.depth", ""},
		{"pids.whatever", ""}, // unknown: libcontainer will tell
		{"memory.bogus", "no file memory.bogus"},
		{"bogus.max", `no controller "bogus" for containers (cgroup v2, available: cpu memory pids)`},
		{"io.weight", `no controller "io"`},
		{"nodot", "CONTROLLER.PARAMETER"},
		{".max", "CONTROLLER.PARAMETER"},
		{"memory.", "CONTROLLER.PARAMETER"},
		{"../memory.max", "without '/'"},
		{"cgroup.procs", "cgroup.procs is not a resource setting"},
		{"cgroup.subtree_control", "cgroup.subtree_control is not a resource setting"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			got := unifiedKeyProblem(tc.key, h)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
