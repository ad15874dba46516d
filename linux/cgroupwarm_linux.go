package linux

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/cgroups"
)

// Moving a process between cgroups takes the kernel's
// cgroup_threadgroup_rwsem for writing, and the first writer after a
// quiet spell waits for a whole RCU grace period (rcu_sync_enter) before
// it gets it: 6 to 14 ms on the test hosts, a third of `run` when nothing
// else on the host is starting containers. Writers that follow within a
// grace period do not wait. libcontainer moves the container's init into
// its cgroups (and, on cgroup v1, an exec'd process) only after hull has
// loaded and checked the config, recorded its intent and sealed its
// binary, so hull starts a migration of its own first, in the background:
// its own process into the cgroup it is already in, which moves nothing
// but takes the lock, and the grace period runs while hull works.
//
// The hierarchy hardly matters (the lock is global); the first whose
// cgroup.procs hull can write is used. Nothing is waited for and every
// failure is ignored: a missing or read-only cgroupfs, or a user who may
// not write there, only means the migration pays the wait as before.
// Hosts that mount a hierarchy with favordynmods never wait; this costs
// them one no-op migration.

// WarmCgroupMigration starts that no-op migration. Callers are the
// commands that will move a process into a cgroup (create, run, and exec
// on cgroup v1, where libcontainer cannot use CLONE_INTO_CGROUP).
func WarmCgroupMigration(exec bool) {
	if os.Geteuid() != 0 || (exec && cgroups.IsCgroup2UnifiedMode()) {
		return
	}
	go func() {
		data, err := os.ReadFile("/proc/self/cgroup")
		if err != nil {
			return
		}
		for _, file := range ownProcsFiles(string(data), cgroups.IsCgroup2HybridMode()) {
			f, err := os.OpenFile(file, os.O_WRONLY, 0)
			if err != nil {
				continue
			}
			// "0" is the writer itself; through cgroup.procs its
			// whole process, which is what takes the global lock.
			_, err = f.WriteString("0")
			f.Close()
			if err == nil {
				return
			}
		}
	}()
}

// ownProcsFiles lists the cgroup.procs files of the cgroups that
// /proc/self/cgroup (its text) names, at their usual mount points under
// /sys/fs/cgroup: a v1 hierarchy at its controllers' names (or its
// name=), the v2 one at the top or, on a hybrid host, at unified/.
func ownProcsFiles(selfCgroup string, hybrid bool) []string {
	var files []string
	for _, line := range strings.Split(selfCgroup, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			continue
		}
		mount := "/sys/fs/cgroup"
		switch {
		case parts[0] == "0" && parts[1] == "":
			if hybrid {
				mount = filepath.Join(mount, "unified")
			}
		case parts[1] == "":
			continue
		default:
			mount = filepath.Join(mount, strings.TrimPrefix(parts[1], "name="))
		}
		files = append(files, filepath.Join(mount, parts[2], "cgroup.procs"))
	}
	return files
}
