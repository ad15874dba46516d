package linux

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
)

// cgroupFileFields maps the cgroup files libcontainer writes to the
// config.json fields they come from, so that a write the kernel refuses
// (EINVAL for a realtime runtime the parent cannot give, ...) names the
// field to change, not only a path under /sys/fs/cgroup.
var cgroupFileFields = map[string]string{
	"cpu.shares": "linux.resources.cpu.shares", "cpu.weight": "linux.resources.cpu.shares",
	"cpu.cfs_quota_us": "linux.resources.cpu.quota", "cpu.max": "linux.resources.cpu.quota",
	"cpu.cfs_period_us": "linux.resources.cpu.period",
	"cpu.cfs_burst_us":  "linux.resources.cpu.burst", "cpu.max.burst": "linux.resources.cpu.burst",
	"cpu.rt_runtime_us": "linux.resources.cpu.realtimeRuntime", "cpu.rt_period_us": "linux.resources.cpu.realtimePeriod",
	"cpu.idle":    "linux.resources.cpu.idle",
	"cpuset.cpus": "linux.resources.cpu.cpus", "cpuset.mems": "linux.resources.cpu.mems",
	"memory.limit_in_bytes": "linux.resources.memory.limit", "memory.max": "linux.resources.memory.limit",
	"memory.soft_limit_in_bytes": "linux.resources.memory.reservation", "memory.low": "linux.resources.memory.reservation",
	"memory.memsw.limit_in_bytes": "linux.resources.memory.swap", "memory.swap.max": "linux.resources.memory.swap",
	"memory.swappiness": "linux.resources.memory.swappiness", "memory.oom_control": "linux.resources.memory.disableOOMKiller",
	"pids.max":                         "linux.resources.pids.limit",
	"blkio.throttle.read_bps_device":   "linux.resources.blockIO.throttleReadBpsDevice",
	"blkio.throttle.write_bps_device":  "linux.resources.blockIO.throttleWriteBpsDevice",
	"blkio.throttle.read_iops_device":  "linux.resources.blockIO.throttleReadIOPSDevice",
	"blkio.throttle.write_iops_device": "linux.resources.blockIO.throttleWriteIOPSDevice",
	"blkio.weight":                     "linux.resources.blockIO.weight", "blkio.bfq.weight": "linux.resources.blockIO.weight",
	"io.weight": "linux.resources.blockIO.weight", "io.bfq.weight": "linux.resources.blockIO.weight",
	"blkio.leaf_weight":   "linux.resources.blockIO.leafWeight",
	"blkio.weight_device": "linux.resources.blockIO.weightDevice", "blkio.bfq.weight_device": "linux.resources.blockIO.weightDevice",
	"blkio.leaf_weight_device": "linux.resources.blockIO.weightDevice",
}

// withCgroupField prefixes err with the config.json field whose cgroup
// file a write failed on, when it can tell; errors.Is still sees the errno.
func withCgroupField(err error) error {
	var pe *fs.PathError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	if f, ok := cgroupFileFields[filepath.Base(pe.Path)]; ok {
		return &fieldErr{field: f, err: err}
	}
	return err
}

// withUpdateField is withCgroupField for `update`, whose request is a
// linux.resources object: the field is named from there (cpu.idle).
func withUpdateField(err error) error {
	if fe, ok := withCgroupField(err).(*fieldErr); ok {
		fe.field = strings.TrimPrefix(fe.field, "linux.resources.")
		return fe
	}
	return err
}

type fieldErr struct {
	field string
	err   error
}

func (e *fieldErr) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldErr) Unwrap() error { return e.err }
