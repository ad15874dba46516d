package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// CgroupV1Only lists the resource settings in r that only cgroup v1 has,
// each with what to use on cgroup v2 instead. libcontainer's v2 managers
// (cgroupfs and systemd) skip them without a word, as runc does, so on a
// v2 host a config that sets them runs with less than it asked for; hull
// says so, naming each field. file is the config's path, for the errors.
// Kernel memory settings are not here: Warnings reports them on every
// host. Pure: the caller knows whether the host is v2.
func CgroupV1Only(file string, r *specs.LinuxResources) []*FieldError {
	if r == nil {
		return nil
	}
	var out []*FieldError
	add := func(path string, v any, msg string) {
		out = append(out, &FieldError{File: file, Path: path, Value: v, Msg: "cgroup v2 has no " + msg})
	}
	if m := r.Memory; m != nil {
		if m.Swappiness != nil {
			add("linux.resources.memory.swappiness", *m.Swappiness,
				`per-cgroup swappiness, so it is ignored on this host; to keep the container out of swap set linux.resources.memory.swap equal to limit (or linux.resources.unified "memory.swap.max": "0"), else remove it`)
		}
		if m.DisableOOMKiller != nil && *m.DisableOOMKiller {
			add("linux.resources.memory.disableOOMKiller", true,
				"switch to turn the OOM killer off, so it is ignored on this host and the container's processes can still be OOM killed; remove it")
		}
	}
	if c := r.CPU; c != nil {
		if c.RealtimeRuntime != nil {
			add("linux.resources.cpu.realtimeRuntime", *c.RealtimeRuntime,
				"realtime CPU budget per cgroup, so it is ignored on this host; remove it (realtime tasks use the host's global budget, /proc/sys/kernel/sched_rt_runtime_us)")
		}
		if c.RealtimePeriod != nil {
			add("linux.resources.cpu.realtimePeriod", *c.RealtimePeriod,
				"realtime CPU period per cgroup, so it is ignored on this host; remove it")
		}
	}
	if b := r.BlockIO; b != nil {
		if b.LeafWeight != nil {
			add("linux.resources.blockIO.leafWeight", *b.LeafWeight,
				"leaf weights, so it is ignored on this host; use linux.resources.blockIO.weight (io.weight) or remove it")
		}
		for i, d := range b.WeightDevice {
			if d.LeafWeight != nil {
				add(Path("linux.resources.blockIO.weightDevice", i, "leafWeight"), *d.LeafWeight,
					"leaf weights, so it is ignored on this host; use the entry's weight (io.weight) or remove it")
			}
		}
	}
	if n := r.Network; n != nil {
		if n.ClassID != nil {
			add("linux.resources.network.classID", *n.ClassID,
				`net_cls controller, so it is ignored on this host; match the container's packets by cgroup path instead (nftables "socket cgroupv2") and remove it`)
		}
		for i, p := range n.Priorities {
			add(Path("linux.resources.network.priorities", i), p.Name,
				"net_prio controller, so it is ignored on this host; remove it (set priorities with tc or SO_PRIORITY)")
		}
	}
	return out
}
