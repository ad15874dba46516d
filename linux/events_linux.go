package linux

import (
	"context"
	"fmt"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/types"
)

// Stats returns the container's resource usage in the shape of runc's
// `events` (package runc/types), which containerd and podman decode.
func Stats(c *libcontainer.Container) (*types.Stats, error) {
	ls, err := c.Stats()
	if err != nil {
		return nil, fmt.Errorf("stats of container %q: %w", c.ID(), err)
	}
	return statsFrom(ls), nil
}

// statsFrom converts libcontainer's stats to runc's. Swap is
// memory+swap on cgroup v2 too, as runc reports it (libcontainer's
// SwapUsage; v2's swap alone is SwapOnlyUsage), so that one field keeps
// one meaning on every host.
func statsFrom(ls *libcontainer.Stats) *types.Stats {
	s := &types.Stats{NetworkInterfaces: ls.Interfaces}
	cg := ls.CgroupStats
	if cg == nil {
		return s
	}
	cpu := cg.CpuStats
	s.CPU = types.Cpu{
		Usage: types.CpuUsage{
			Total:        cpu.CpuUsage.TotalUsage,
			Percpu:       cpu.CpuUsage.PercpuUsage,
			PercpuKernel: cpu.CpuUsage.PercpuUsageInKernelmode,
			PercpuUser:   cpu.CpuUsage.PercpuUsageInUsermode,
			Kernel:       cpu.CpuUsage.UsageInKernelmode,
			User:         cpu.CpuUsage.UsageInUsermode,
		},
		Throttling: types.Throttling{
			Periods:          cpu.ThrottlingData.Periods,
			ThrottledPeriods: cpu.ThrottlingData.ThrottledPeriods,
			ThrottledTime:    cpu.ThrottlingData.ThrottledTime,
		},
		PSI: cpu.PSI,
	}
	cs := cg.CPUSetStats
	s.CPUSet = types.CPUSet{
		CPUs: cs.CPUs, CPUExclusive: cs.CPUExclusive, Mems: cs.Mems,
		MemHardwall: cs.MemHardwall, MemExclusive: cs.MemExclusive,
		MemoryMigrate: cs.MemoryMigrate, MemorySpreadPage: cs.MemorySpreadPage,
		MemorySpreadSlab: cs.MemorySpreadSlab, MemoryPressure: cs.MemoryPressure,
		SchedLoadBalance: cs.SchedLoadBalance, SchedRelaxDomainLevel: cs.SchedRelaxDomainLevel,
	}
	m := cg.MemoryStats
	s.Memory = types.Memory{
		Cache:     m.Cache,
		Usage:     memoryEntry(m.Usage),
		Swap:      memoryEntry(m.SwapUsage),
		Kernel:    memoryEntry(m.KernelUsage),
		KernelTCP: memoryEntry(m.KernelTCPUsage),
		Raw:       m.Stats,
		PSI:       m.PSI,
	}
	s.Pids = types.Pids{Current: cg.PidsStats.Current, Limit: cg.PidsStats.Limit}
	b := cg.BlkioStats
	s.Blkio = types.Blkio{
		IoServiceBytesRecursive: blkioEntries(b.IoServiceBytesRecursive),
		IoServicedRecursive:     blkioEntries(b.IoServicedRecursive),
		IoQueuedRecursive:       blkioEntries(b.IoQueuedRecursive),
		IoServiceTimeRecursive:  blkioEntries(b.IoServiceTimeRecursive),
		IoWaitTimeRecursive:     blkioEntries(b.IoWaitTimeRecursive),
		IoMergedRecursive:       blkioEntries(b.IoMergedRecursive),
		IoTimeRecursive:         blkioEntries(b.IoTimeRecursive),
		SectorsRecursive:        blkioEntries(b.SectorsRecursive),
		PSI:                     b.PSI,
	}
	s.Hugetlb = make(map[string]types.Hugetlb, len(cg.HugetlbStats))
	for size, h := range cg.HugetlbStats {
		s.Hugetlb[size] = types.Hugetlb{Usage: h.Usage, Max: h.MaxUsage, Failcnt: h.Failcnt}
	}
	return s
}

func memoryEntry(d cgroups.MemoryData) types.MemoryEntry {
	return types.MemoryEntry{Limit: d.Limit, Usage: d.Usage, Max: d.MaxUsage, Failcnt: d.Failcnt}
}

func blkioEntries(in []cgroups.BlkioStatEntry) []types.BlkioEntry {
	if in == nil {
		return nil
	}
	out := make([]types.BlkioEntry, len(in))
	for i, e := range in {
		out[i] = types.BlkioEntry{Major: e.Major, Minor: e.Minor, Op: e.Op, Value: e.Value}
	}
	return out
}

// StatsOnce returns the stats `events --stats` prints: like Events, it
// refuses a stopped container, whose cgroup may be gone or stale.
func StatsOnce(c *libcontainer.Container) (*types.Stats, error) {
	if err := notStopped(c); err != nil {
		return nil, err
	}
	return Stats(c)
}

// notStopped fails, with runc's words, for a container that has stopped.
func notStopped(c *libcontainer.Container) error {
	status, err := c.Status()
	if err != nil {
		return fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	if status == libcontainer.Stopped {
		return fmt.Errorf("container with id %s is not running (%w)", c.ID(), libcontainer.ErrNotRunning)
	}
	return nil
}

// Events sends the container's events to emit until ctx ends or the
// container stops: a "stats" event every interval and an "oom" event
// whenever the kernel's OOM killer strikes in it.
func Events(ctx context.Context, c *libcontainer.Container, interval time.Duration, emit func(*types.Event) error) error {
	if err := notStopped(c); err != nil {
		return err
	}
	oom, err := c.NotifyOOM()
	if err != nil {
		return fmt.Errorf("watch container %q for OOM kills: %w", c.ID(), err)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-oom:
			if !ok {
				// The channel closes when the cgroup goes away: the
				// container has stopped.
				return nil
			}
			if err := emit(&types.Event{Type: "oom", ID: c.ID()}); err != nil {
				return err
			}
		case <-tick.C:
			// The cgroup, and so the OOM channel, outlives the container
			// until delete; the stream ends when the container stops.
			if st, err := c.Status(); err == nil && st == libcontainer.Stopped {
				return nil
			}
			s, err := Stats(c)
			if err != nil {
				return err
			}
			if err := emit(&types.Event{Type: "stats", ID: c.ID(), Data: s}); err != nil {
				return err
			}
		}
	}
}
