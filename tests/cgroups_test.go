package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestCgroups checks that a container gets its own cgroups (default path
// named after the ID, or linux.cgroupsPath), that resources reach them,
// and that delete removes them; on cgroup v1 (this machine) and v2 (the
// VM of tests/vm).
func TestCgroups(t *testing.T) {
	t.Parallel()
	v2 := cgroupV2()
	if _, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs"); err != nil && !v2 {
		t.Skip("needs the cgroup v1 pids hierarchy at /sys/fs/cgroup/pids or a cgroup v2 host")
	}
	limit := int64(64 << 20)
	pidsMax := int64(50)
	resources := func(s *specs.Spec) {
		if s.Linux.Resources == nil {
			s.Linux.Resources = &specs.LinuxResources{}
		}
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
		s.Linux.Resources.Pids = &specs.LinuxPids{Limit: &pidsMax}
	}
	for _, mode := range []string{"default-path", "cgroupsPath"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			mods := []func(*specs.Spec){resources}
			var cgPath string
			if mode == "cgroupsPath" {
				cgPath = "/" + id + "-cg"
				h.mu.Lock()
				h.cgroupPaths[id] = cgPath
				h.mu.Unlock()
				mods = append(mods, func(s *specs.Spec) { s.Linux.CgroupsPath = cgPath })
			}
			h.ok("run", "-d", "--bundle", h.bundle(longRunning, mods...), id)
			pid := h.state(id).Pid

			// Where the kernel says the container's init is.
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
			if err != nil {
				t.Fatal(err)
			}
			// v1: one line per hierarchy, "ID:controllers:path"; v2: one
			// line "0::path", taken here as the path of every controller.
			paths := map[string]string{}
			for _, l := range lines(string(data)) {
				parts := strings.SplitN(l, ":", 3)
				if len(parts) == 3 {
					paths[parts[1]] = parts[2]
				}
			}
			controllers := []string{"pids", "memory", "devices", "freezer"}
			if v2 {
				controllers = []string{""}
			}
			for _, c := range controllers {
				p := paths[c]
				switch {
				case p == "":
					t.Errorf("init %d is in no %s cgroup:\n%s", pid, c, data)
				case mode == "cgroupsPath" && p != cgPath:
					t.Errorf("%s cgroup %q, want linux.cgroupsPath %q", c, p, cgPath)
				case mode == "default-path" && filepath.Base(p) != id:
					t.Errorf("%s cgroup %q, want a cgroup named after the container %q", c, p, id)
				}
			}
			read := func(ctrl, file string) string {
				if v2 {
					ctrl = ""
				}
				b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", ctrl, paths[ctrl], file))
				if err != nil {
					t.Errorf("%v", err)
				}
				return strings.TrimSpace(string(b))
			}
			memFile := "memory.limit_in_bytes"
			if v2 {
				memFile = "memory.max"
			}
			if got := read("memory", memFile); got != fmt.Sprint(limit) {
				t.Errorf("%s %q, want %d", memFile, got, limit)
			}
			if got := read("pids", "pids.max"); got != fmt.Sprint(pidsMax) {
				t.Errorf("pids.max %q, want %d", got, pidsMax)
			}
			if len(cgroupDirs(id, cgPath)) == 0 {
				t.Errorf("the leftover checker cannot see the running container's cgroups")
			}
			h.ok("delete", "--force", id)
			h.assertClean(id)
		})
	}
}
