package spec

import (
	"errors"
	"maps"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/opencontainers/runc/libcontainer/configs"
)

// ApplyUpdate changes res, a running container's cgroup resources, by
// the fields set in r (the `update` command's JSON or flags). Unset fields
// keep their value; per-device block I/O entries are replaced or added by
// device. source names where r came from, in errors.
//
// The rules follow runc's update, which containerd and podman rely on:
// a memory limit of -1 without a swap value also lifts the swap limit; a
// CPU period or quota given alone keeps the other; unified replaces the
// whole unified map when given.
func ApplyUpdate(source string, r *specs.LinuxResources, res *cgroups.Resources) error {
	c := &checker{file: source}
	c.updatable(r)
	if err := errors.Join(c.errs...); err != nil {
		return err
	}
	if m := r.Memory; m != nil {
		setIf(&res.Memory, m.Limit)
		setIf(&res.MemoryReservation, m.Reservation)
		setIf(&res.MemorySwap, m.Swap)
		if m.Limit != nil && *m.Limit == -1 && m.Swap == nil {
			res.MemorySwap = -1
		}
		if m.Swappiness != nil {
			res.MemorySwappiness = cloneP(m.Swappiness)
		}
		setIf(&res.MemoryCheckBeforeUpdate, m.CheckBeforeUpdate)
	}
	if cpu := r.CPU; cpu != nil {
		setIf(&res.CpuPeriod, cpu.Period)
		setIf(&res.CpuQuota, cpu.Quota)
		if cpu.Burst != nil {
			res.CpuBurst = cloneP(cpu.Burst)
		}
		if cpu.Shares != nil {
			res.CpuShares = *cpu.Shares
			res.CpuWeight = cgroups.ConvertCPUSharesToCgroupV2Value(*cpu.Shares)
		}
		setIf(&res.CpuRtPeriod, cpu.RealtimePeriod)
		setIf(&res.CpuRtRuntime, cpu.RealtimeRuntime)
		if cpu.Cpus != "" {
			res.CpusetCpus = cpu.Cpus
		}
		if cpu.Mems != "" {
			res.CpusetMems = cpu.Mems
		}
		if cpu.Idle != nil {
			res.CPUIdle = cloneP(cpu.Idle)
		}
	}
	if r.Pids != nil && r.Pids.Limit != nil {
		res.PidsLimit = cloneP(r.Pids.Limit)
	}
	if b := r.BlockIO; b != nil {
		setIf(&res.BlkioWeight, b.Weight)
		setIf(&res.BlkioLeafWeight, b.LeafWeight)
		for _, wd := range b.WeightDevice {
			res.BlkioWeightDevice = upsert(res.BlkioWeightDevice, weightDeviceOf(wd), weightDevice)
		}
		for _, set := range []struct {
			dst *[]*cgroups.ThrottleDevice
			src []specs.LinuxThrottleDevice
		}{
			{&res.BlkioThrottleReadBpsDevice, b.ThrottleReadBpsDevice},
			{&res.BlkioThrottleWriteBpsDevice, b.ThrottleWriteBpsDevice},
			{&res.BlkioThrottleReadIOPSDevice, b.ThrottleReadIOPSDevice},
			{&res.BlkioThrottleWriteIOPSDevice, b.ThrottleWriteIOPSDevice},
		} {
			for _, d := range set.src {
				*set.dst = upsert(*set.dst, throttleDeviceOf(d), throttleDevice)
			}
		}
	}
	if len(r.Unified) > 0 {
		res.Unified = maps.Clone(r.Unified)
	}
	return nil
}

// updatable refuses what cannot change in a running container.
func (c *checker) updatable(r *specs.LinuxResources) {
	if len(r.Devices) > 0 {
		c.add("devices", len(r.Devices), "device rules cannot be updated; recreate the container to change them")
	}
	if len(r.HugepageLimits) > 0 {
		c.add("hugepageLimits", len(r.HugepageLimits), "hugepage limits cannot be updated; recreate the container to change them")
	}
	if r.Network != nil {
		c.add("network", nil, "network class and priorities cannot be updated; recreate the container to change them")
	}
	if len(r.Rdma) > 0 {
		c.add("rdma", len(r.Rdma), "RDMA limits cannot be updated; recreate the container to change them")
	}
	if m := r.Memory; m != nil && m.Limit != nil && m.Swap != nil && *m.Limit > 0 && *m.Swap > 0 && *m.Swap < *m.Limit {
		c.add("memory.swap", *m.Swap, "is memory+swap, so it must be at least memory.limit (%d), or -1 for unlimited swap", *m.Limit)
	}
	if cpu := r.CPU; cpu != nil {
		if _, err := configs.ToCPUSet(cpu.Cpus); err != nil {
			c.add("cpu.cpus", cpu.Cpus, "%v; write a CPU list such as \"0-3,7\"", err)
		}
		if _, err := configs.ToCPUSet(cpu.Mems); err != nil {
			c.add("cpu.mems", cpu.Mems, "%v; write a node list such as \"0-1\"", err)
		}
	}
}

// upsert replaces the entry of list with d's device, or appends d.
func upsert[T any](list []*T, d *T, device func(*T) [2]int64) []*T {
	for i, old := range list {
		if device(old) == device(d) {
			list[i] = d
			return list
		}
	}
	return append(list, d)
}

func weightDevice(d *cgroups.WeightDevice) [2]int64     { return [2]int64{d.Major, d.Minor} }
func throttleDevice(d *cgroups.ThrottleDevice) [2]int64 { return [2]int64{d.Major, d.Minor} }
