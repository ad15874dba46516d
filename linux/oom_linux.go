package linux

import (
	"github.com/opencontainers/cgroups/fscommon"
)

// oomKills returns how many processes the kernel's OOM killer killed in a
// container's memory cgroup, from libcontainer's CgroupPaths (controller
// name -> directory; "" is the cgroup v2 unified directory). The count
// lives as long as the cgroup, which outlives the container's processes
// until `delete`; runc's state does not show it, so a container the OOM
// killer stopped would read only "stopped".
//
// The v1 memory controller is read first: on a hybrid host the unified
// directory exists without a memory controller. Zero means nothing is
// known: no kill, no memory cgroup (rootless, or already removed), or a
// kernel without the counter (v1 oom_kill appeared in Linux 4.13).
func oomKills(paths map[string]string) uint64 {
	for _, p := range []struct{ dir, file string }{
		{paths["memory"], "memory.oom_control"}, // "oom_kill N" since Linux 4.13
		{paths[""], "memory.events"},            // v2: "oom_kill N", this cgroup and below
	} {
		if p.dir == "" {
			continue
		}
		if n, err := fscommon.GetValueByKey(p.dir, p.file, "oom_kill"); err == nil {
			return n
		}
	}
	return 0
}

// withOOM adds to s what the kernel knows of OOM kills in the container:
// the count whatever the status, and OOMKilled once it has stopped (the
// container's processes are gone and the OOM killer struck among them, as
// Docker's State.OOMKilled means it: the victim need not be the init).
func withOOM(s *State, cgroupPaths map[string]string) {
	s.OOMKills = oomKills(cgroupPaths)
	s.OOMKilled = s.OOMKills > 0 && s.Status == "stopped"
}

// StatusWords is the container's status as `list`'s table prints it:
// runc's word, then why it stopped when hull knows ("stopped (OOM
// killed)"). The first word stays runc's, for scripts that split the
// table on blanks; programs should read `list --format json`.
func (s *State) StatusWords() string {
	if s.OOMKilled {
		return s.Status + " (OOM killed)"
	}
	return s.Status
}
