package linux

import (
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/manager"
)

// TestCgroupPathsMatchManager holds cgroupPaths to the cgroup manager of
// go.mod's version: for each cgroup configuration, the same paths, or
// none where the manager fails.
func TestCgroupPathsMatchManager(t *testing.T) {
	if _, err := os.Stat("/proc/self/cgroup"); err != nil {
		t.Skip("needs /proc/self/cgroup: ", err)
	}
	res := func() *cgroups.Resources { return &cgroups.Resources{} }
	for _, tc := range []struct {
		name string
		cg   cgroups.Cgroup
	}{
		{"name (the default: the container's ID)", cgroups.Cgroup{Name: "c1", Resources: res()}},
		{"parent and name", cgroups.Cgroup{Parent: "hull-test", Name: "c1", Resources: res()}},
		{"relative path", cgroups.Cgroup{Path: "pods/c1", Resources: res()}},
		{"relative path climbing out", cgroups.Cgroup{Path: "../../c1", Resources: res()}},
		{"relative path of dots", cgroups.Cgroup{Path: "./a/../b/.", Resources: res()}},
		{"name that is dots", cgroups.Cgroup{Name: "..", Resources: res()}},
		{"absolute path", cgroups.Cgroup{Path: "/hull-test/c1", Resources: res()}},
		{"absolute parent", cgroups.Cgroup{Parent: "/hull-test", Name: "c1", Resources: res()}},
		{"path and name", cgroups.Cgroup{Path: "a", Name: "c1", Resources: res()}},
		{"no resources", cgroups.Cgroup{Name: "c1"}},
		{"unified resources", cgroups.Cgroup{Name: "c1", Resources: &cgroups.Resources{Unified: map[string]string{"memory.max": "1"}}}},
		{"skip devices", cgroups.Cgroup{Name: "c1", Resources: &cgroups.Resources{SkipDevices: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want map[string]string
			if m, err := manager.New(&tc.cg); err == nil {
				want = m.GetPaths()
			}
			cg := tc.cg
			got := cgroupPaths(&cg)
			if !maps.Equal(got, want) {
				t.Errorf("cgroupPaths(%+v) =\n%v\nthe manager's:\n%v", tc.cg, got, want)
			}
		})
	}
}

// TestCgroupPathsOneRead checks what cgroupPaths is for: on a cgroup v1
// host the default cgroup's paths come from one reading of
// /proc/self/cgroup, without the manager, which reads it once per
// controller; and v1Controllers names every hierarchy the manager puts a
// container in on this host.
func TestCgroupPathsOneRead(t *testing.T) {
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("cgroup v2: the manager reads /proc/self/cgroup once already")
	}
	paths, ok := ownRelativeV1Paths(&cgroups.Cgroup{Name: "c1", Resources: &cgroups.Resources{}})
	if !ok || len(paths) == 0 {
		t.Errorf("ownRelativeV1Paths = %v, %v; want this host's paths from one reading", paths, ok)
	}
	// An absolute path's paths come from mountinfo alone: every
	// hierarchy the manager knows and this host mounts.
	m, err := manager.New(&cgroups.Cgroup{Path: "/hull-test", Resources: &cgroups.Resources{}})
	if err != nil {
		t.Fatal(err)
	}
	for name := range m.GetPaths() {
		if name != "" && !slices.Contains(v1Controllers, name) {
			t.Errorf("the cgroupfs manager puts containers in %q, which v1Controllers lacks", name)
		}
	}
}
