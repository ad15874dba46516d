package spec

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/opencontainers/runc/libcontainer/configs"
)

// ResourceUpdate is what an `update` does to a running container's
// cgroup resources.
type ResourceUpdate struct {
	// Write holds only the fields the request names; every other field is
	// zero, which libcontainer's cgroup managers take as "leave this file
	// alone". Writing unnamed fields again is not harmless: the kernel
	// refuses cpu.shares while cpu.idle is 1, so an update that rewrote
	// the shares could never set idle back to 0; and a value changed
	// outside hull would be reverted.
	Write *cgroups.Resources
	// Merged is the old resources with the change: what the container
	// has after it.
	Merged *cgroups.Resources
	// Undo holds the old values of the fields Write sets, where they are
	// known, to put back when writing fails half-way.
	Undo *cgroups.Resources
	// Ignored are the request's fields that cannot change in a running
	// container (devices, hugepageLimits, network, rdma): runc's update
	// skips them silently and succeeds, so hull skips them too, but says
	// so.
	Ignored []*FieldError
}

// UpdateResources works out the update r (the `update` command's JSON or
// flags) of a container whose resources are old, which it does not
// change. source names where r came from, in errors.
//
// The rules follow runc's update, which containerd and podman rely on:
// a memory limit of -1 without a swap value also lifts the swap limit;
// a per-device block I/O entry replaces the container's entries for the
// same device (the last one given wins); unified replaces the whole
// unified map when given. Two settings are pairs, written together with
// the other half at its current value: CPU quota and period (cgroup v2's
// cpu.max and systemd's CPUQuota hold both) and memory limit and swap
// (runtime-spec's swap is memory+swap, cgroup v2's swap file is swap
// alone, so it depends on both).
func UpdateResources(source string, r *specs.LinuxResources, old *cgroups.Resources) (*ResourceUpdate, error) {
	ignored, r := notUpdatable(source, r)
	c := &checker{file: source}
	c.updatable(r)
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	// What the request names, as create would apply it.
	w := &cgroups.Resources{}
	(&translator{}).resources(w, r)
	if m := r.Memory; m != nil {
		switch {
		case m.Limit != nil && *m.Limit == -1 && m.Swap == nil:
			w.MemorySwap = -1
		case m.Limit != nil && m.Swap == nil:
			w.MemorySwap = old.MemorySwap
		case m.Swap != nil && m.Limit == nil:
			w.Memory = old.Memory
		}
	}
	if cpu := r.CPU; cpu != nil {
		if cpu.Period != nil && cpu.Quota == nil {
			w.CpuQuota = old.CpuQuota
		}
		if cpu.Quota != nil && cpu.Period == nil {
			w.CpuPeriod = old.CpuPeriod
		}
	}
	if b := r.BlockIO; b != nil {
		for i, wd := range b.WeightDevice {
			// A weight given alone keeps the device's leaf weight, and the
			// other way round, as in runc.
			if prev := findDevice(old.BlkioWeightDevice, w.BlkioWeightDevice[i], weightDevice); prev != nil {
				if wd.Weight == nil {
					w.BlkioWeightDevice[i].Weight = prev.Weight
				}
				if wd.LeafWeight == nil {
					w.BlkioWeightDevice[i].LeafWeight = prev.LeafWeight
				}
			}
		}
		// One entry per device, the last one given.
		w.BlkioWeightDevice = upsertAll(nil, w.BlkioWeightDevice, weightDevice)
		for _, l := range throttleLists(w) {
			*l = upsertAll(nil, *l, throttleDevice)
		}
	}
	return &ResourceUpdate{Write: w, Merged: merge(old, w), Undo: previous(old, w), Ignored: ignored}, nil
}

// merge returns old with the fields w sets replaced.
func merge(old, w *cgroups.Resources) *cgroups.Resources {
	out := *old
	copyNamed(&out, w, w)
	if w.Unified != nil {
		out.Unified = maps.Clone(w.Unified)
	}
	out.BlkioWeightDevice = upsertAll(old.BlkioWeightDevice, w.BlkioWeightDevice, weightDevice)
	written := throttleLists(w)
	for i, l := range throttleLists(&out) {
		*l = upsertAll(*l, *written[i], throttleDevice)
	}
	return &out
}

// previous returns old's values of the fields w sets. A field old left
// unset is left out (hull cannot know what the kernel had), but a device
// that had no throttle gets rate 0, which removes the rule.
func previous(old, w *cgroups.Resources) *cgroups.Resources {
	out := &cgroups.Resources{}
	copyNamed(out, old, w)
	for k := range w.Unified {
		if v, ok := old.Unified[k]; ok {
			if out.Unified == nil {
				out.Unified = map[string]string{}
			}
			out.Unified[k] = v
		}
	}
	for _, d := range w.BlkioWeightDevice {
		if prev := findDevice(old.BlkioWeightDevice, d, weightDevice); prev != nil {
			out.BlkioWeightDevice = append(out.BlkioWeightDevice, prev)
		}
	}
	was, written := throttleLists(old), throttleLists(w)
	for i, l := range throttleLists(out) {
		for _, d := range *written[i] {
			prev := findDevice(*was[i], d, throttleDevice)
			if prev == nil {
				prev = cgroups.NewThrottleDevice(d.Major, d.Minor, 0)
			}
			*l = append(*l, prev)
		}
	}
	return out
}

// throttleLists are the four per-device throttle lists of r.
func throttleLists(r *cgroups.Resources) []*[]*cgroups.ThrottleDevice {
	return []*[]*cgroups.ThrottleDevice{&r.BlkioThrottleReadBpsDevice, &r.BlkioThrottleWriteBpsDevice,
		&r.BlkioThrottleReadIOPSDevice, &r.BlkioThrottleWriteIOPSDevice}
}

// copyNamed copies to dst src's value of each scalar field that mask
// sets (a field libcontainer writes only when it is not zero).
func copyNamed(dst, src, mask *cgroups.Resources) {
	copyIf(mask.Memory != 0, &dst.Memory, &src.Memory)
	copyIf(mask.MemoryReservation != 0, &dst.MemoryReservation, &src.MemoryReservation)
	copyIf(mask.MemorySwap != 0, &dst.MemorySwap, &src.MemorySwap)
	copyIf(mask.MemorySwappiness != nil, &dst.MemorySwappiness, &src.MemorySwappiness)
	copyIf(mask.OomKillDisable, &dst.OomKillDisable, &src.OomKillDisable)
	copyIf(mask.CpuShares != 0, &dst.CpuShares, &src.CpuShares)
	copyIf(mask.CpuWeight != 0, &dst.CpuWeight, &src.CpuWeight)
	copyIf(mask.CpuQuota != 0, &dst.CpuQuota, &src.CpuQuota)
	copyIf(mask.CpuPeriod != 0, &dst.CpuPeriod, &src.CpuPeriod)
	copyIf(mask.CpuBurst != nil, &dst.CpuBurst, &src.CpuBurst)
	copyIf(mask.CpuRtPeriod != 0, &dst.CpuRtPeriod, &src.CpuRtPeriod)
	copyIf(mask.CpuRtRuntime != 0, &dst.CpuRtRuntime, &src.CpuRtRuntime)
	copyIf(mask.CpusetCpus != "", &dst.CpusetCpus, &src.CpusetCpus)
	copyIf(mask.CpusetMems != "", &dst.CpusetMems, &src.CpusetMems)
	copyIf(mask.CPUIdle != nil, &dst.CPUIdle, &src.CPUIdle)
	copyIf(mask.PidsLimit != nil, &dst.PidsLimit, &src.PidsLimit)
	copyIf(mask.BlkioWeight != 0, &dst.BlkioWeight, &src.BlkioWeight)
	copyIf(mask.BlkioLeafWeight != 0, &dst.BlkioLeafWeight, &src.BlkioLeafWeight)
}

// copyIf sets *dst to *src when named. Pointer fields are shared, not
// copied: nothing here changes what they point to.
func copyIf[T any](named bool, dst, src *T) {
	if named {
		*dst = *src
	}
}

// notUpdatable takes out of r (a copy) what cannot change in a running
// container, each with a warning that it is ignored.
func notUpdatable(source string, r *specs.LinuxResources) ([]*FieldError, *specs.LinuxResources) {
	const msg = "%s cannot be updated in a running container, so it is ignored (as by runc); recreate the container to change it"
	var ignored []*FieldError
	skip := func(path string, value any, what string) {
		ignored = append(ignored, &FieldError{File: source, Path: path, Value: value, Msg: fmt.Sprintf(msg, what)})
	}
	rest := *r
	if len(rest.Devices) > 0 {
		skip("devices", len(rest.Devices), "a device rule")
		rest.Devices = nil
	}
	if len(rest.HugepageLimits) > 0 {
		skip("hugepageLimits", len(rest.HugepageLimits), "a hugepage limit")
		rest.HugepageLimits = nil
	}
	if rest.Network != nil {
		skip("network", nil, "the network class and priorities")
		rest.Network = nil
	}
	if len(rest.Rdma) > 0 {
		skip("rdma", len(rest.Rdma), "an RDMA limit")
		rest.Rdma = nil
	}
	return ignored, &rest
}

// updatable refuses what the update cannot apply.
func (c *checker) updatable(r *specs.LinuxResources) {
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

// upsert returns list with d in place of the first entry for d's device,
// and without the other entries for it (libcontainer writes every entry,
// so a duplicate left behind would overwrite d); or with d appended.
// list is not changed.
func upsert[T any](list []*T, d *T, device func(*T) [2]int64) []*T {
	i := slices.IndexFunc(list, func(old *T) bool { return device(old) == device(d) })
	if i < 0 {
		return append(slices.Clip(list), d)
	}
	out := slices.Clone(list[:i+1])
	out[i] = d
	for _, old := range list[i+1:] {
		if device(old) != device(d) {
			out = append(out, old)
		}
	}
	return out
}

// upsertAll upserts each of ds into list.
func upsertAll[T any](list, ds []*T, device func(*T) [2]int64) []*T {
	for _, d := range ds {
		list = upsert(list, d, device)
	}
	return list
}

// findDevice returns the last entry of list for d's device (the one the
// kernel was left with), or nil.
func findDevice[T any](list []*T, d *T, device func(*T) [2]int64) *T {
	for _, old := range slices.Backward(list) {
		if device(old) == device(d) {
			return old
		}
	}
	return nil
}

func weightDevice(d *cgroups.WeightDevice) [2]int64     { return [2]int64{d.Major, d.Minor} }
func throttleDevice(d *cgroups.ThrottleDevice) [2]int64 { return [2]int64{d.Major, d.Minor} }
