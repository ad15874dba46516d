package linux

import (
	"path/filepath"
	"slices"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/manager"
)

// cgroupPaths returns the cgroup paths, per controller, of a container
// whose cgroup is cg: what manager.New(cg).GetPaths() returns, nil where
// it fails. Nothing is created.
//
// The intent record needs them before libcontainer.Create, which computes
// them again. On cgroup v1, for a cgroupsPath relative to hull's own
// cgroup (the default, the container's ID), the cgroupfs manager reads
// /proc/self/cgroup once per controller, 16 times on a usual host.
// cgroupPaths gets the same paths from one reading: the manager's steps
// with its library's exported parts (the mountinfo it caches, its cgroup
// file parser). For the systemd driver, cgroup v2, an absolute path, and
// wherever the manager would fail, it asks the manager.
// TestCgroupPathsMatchManager holds the two to the same answers.
func cgroupPaths(cg *cgroups.Cgroup) map[string]string {
	if paths, ok := ownRelativeV1Paths(cg); ok {
		return paths
	}
	m, err := manager.New(cg)
	if err != nil {
		return nil
	}
	return m.GetPaths()
}

// v1Controllers are the hierarchies the cgroupfs manager of go.mod's
// cgroups version puts a container in on cgroup v1 (its fs.subsystems,
// by the names its paths use), in its order. TestCgroupPathsMatchManager
// compares the paths with the manager's for every one this host mounts.
var v1Controllers = []string{
	"cpuset", "devices", "memory", "cpu", "cpuacct", "pids", "blkio", "hugetlb",
	"net_cls", "net_prio", "perf_event", "freezer", "rdma", "name=systemd", "misc",
}

// ownRelativeV1Paths is cgroupPaths for the cgroupfs driver on cgroup v1
// with a path relative to hull's own cgroups, the manager's steps
// (cgroups/fs.initPaths, cgroups.GetOwnCgroupPath) with one reading of
// /proc/self/cgroup; ok is false for anything else and wherever the
// manager would fail, so that it answers there.
func ownRelativeV1Paths(cg *cgroups.Cgroup) (paths map[string]string, ok bool) {
	if cg == nil || cg.Systemd || cgroups.IsCgroup2UnifiedMode() {
		return nil, false
	}
	// The manager's own refusals.
	if cg.Resources == nil || cg.Resources.Unified != nil {
		return nil, false
	}
	// Its inner path (cgroups/internal/path.Inner): Path, or Parent and
	// Name, each cleaned; both is an error.
	if (cg.Name != "" || cg.Parent != "") && cg.Path != "" {
		return nil, false
	}
	inner := cleanCgroupPath(cg.Path)
	if inner == "" {
		inner = filepath.Join(cleanCgroupPath(cg.Parent), cleanCgroupPath(cg.Name))
	}
	if filepath.IsAbs(inner) {
		// The manager finds absolute paths from the mountinfo it
		// caches: nothing to save.
		return nil, false
	}
	own, err := cgroups.ParseCgroupFile("/proc/self/cgroup")
	if err != nil {
		return nil, false
	}
	names := v1Controllers
	if cgroups.IsCgroup2HybridMode() {
		// The v2 hierarchy of a hybrid host, which the manager joins too.
		names = append(slices.Clip(names), "")
	}
	paths = make(map[string]string, len(names))
	for _, name := range names {
		cgroup, found := own[name]
		if !found {
			cgroup, found = own[cgroups.CgroupNamePrefix+name]
		}
		var mnt, root string
		if found && name != "" {
			mnt, root, err = cgroups.FindCgroupMountpointAndRoot("", name)
			found = err == nil
			if err != nil && !cgroups.IsNotFound(err) {
				return nil, false
			}
		}
		if !found {
			// Not mounted, or hull is not in it: the manager leaves it
			// out, except devices, whose absence it refuses.
			if name == "devices" && !cg.Resources.SkipDevices {
				return nil, false
			}
			continue
		}
		if name == "" {
			// The manager puts the container under the v2 hierarchy's
			// root, not under hull's own v2 cgroup.
			paths[name] = filepath.Join(cgroupV1Root, "unified", inner)
			continue
		}
		// hull's cgroup relative to the root of the hierarchy's mount (a
		// nested hull sees only part of it).
		rel, err := filepath.Rel(root, cgroup)
		if err != nil {
			return nil, false
		}
		paths[name] = filepath.Join(mnt, rel, inner)
	}
	return paths, true
}

// cgroupV1Root is where a cgroup v1 host mounts its hierarchies; the
// manager puts a hybrid host's v2 hierarchy at its "unified".
const cgroupV1Root = "/sys/fs/cgroup"

// cleanCgroupPath cleans p as the cgroupfs manager does: an absolute path
// is cleaned, a relative one cleaned as if under "/" (so that ".." cannot
// climb out) and kept relative.
func cleanCgroupPath(p string) string {
	if p == "" {
		return ""
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	rel, _ := filepath.Rel("/", filepath.Clean("/"+p))
	return rel
}
