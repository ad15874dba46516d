package linux

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/types"
)

// statsFrom puts libcontainer's numbers where runc's `events` puts them,
// the JSON containerd and podman decode.
func TestStatsFrom(t *testing.T) {
	iface := []*types.NetworkInterface{{Name: "eth0", RxBytes: 1}}
	full := &cgroups.Stats{
		CpuStats: cgroups.CpuStats{
			CpuUsage:       cgroups.CpuUsage{TotalUsage: 10, PercpuUsage: []uint64{4, 6}, UsageInKernelmode: 3, UsageInUsermode: 7},
			ThrottlingData: cgroups.ThrottlingData{Periods: 5, ThrottledPeriods: 2, ThrottledTime: 9},
		},
		CPUSetStats: cgroups.CPUSetStats{CPUs: []uint16{0, 1}, Mems: []uint16{0}},
		MemoryStats: cgroups.MemoryStats{
			Cache:         11,
			Usage:         cgroups.MemoryData{Usage: 100, MaxUsage: 200, Failcnt: 7, Limit: 300},
			SwapUsage:     cgroups.MemoryData{Usage: 150, Limit: 600}, // v1: memory+swap
			SwapOnlyUsage: cgroups.MemoryData{Usage: 50, Limit: 300},  // v2: swap alone
			Stats:         map[string]uint64{"rss": 1},
		},
		PidsStats: cgroups.PidsStats{Current: 4, Limit: 10},
		BlkioStats: cgroups.BlkioStats{
			IoServiceBytesRecursive: []cgroups.BlkioStatEntry{{Major: 8, Minor: 0, Op: "Read", Value: 4096}},
		},
		HugetlbStats: map[string]cgroups.HugetlbStats{"2MB": {Usage: 1, MaxUsage: 2, Failcnt: 3}},
	}
	t.Run("cgroup stats", func(t *testing.T) {
		s := statsFrom(&libcontainer.Stats{Interfaces: iface, CgroupStats: full})
		for _, c := range []struct {
			what      string
			got, want any
		}{
			{"interfaces", s.NetworkInterfaces, iface},
			{"cpu usage", s.CPU.Usage, types.CpuUsage{Total: 10, Percpu: []uint64{4, 6}, Kernel: 3, User: 7}},
			{"cpu throttling", s.CPU.Throttling, types.Throttling{Periods: 5, ThrottledPeriods: 2, ThrottledTime: 9}},
			{"cpuset", s.CPUSet.CPUs, []uint16{0, 1}},
			{"memory cache", s.Memory.Cache, uint64(11)},
			{"memory usage", s.Memory.Usage, types.MemoryEntry{Usage: 100, Max: 200, Failcnt: 7, Limit: 300}},
			// memory+swap on v2 too (libcontainer makes it so there),
			// as runc reports it: swap alone would break v1's meaning.
			{"swap usage", s.Memory.Swap.Usage, uint64(150)},
			{"memory raw", s.Memory.Raw, map[string]uint64{"rss": 1}},
			{"pids", s.Pids, types.Pids{Current: 4, Limit: 10}},
			{"blkio bytes", s.Blkio.IoServiceBytesRecursive, []types.BlkioEntry{{Major: 8, Minor: 0, Op: "Read", Value: 4096}}},
			{"blkio empty stays null", s.Blkio.IoServicedRecursive, []types.BlkioEntry(nil)},
			{"hugetlb", s.Hugetlb, map[string]types.Hugetlb{"2MB": {Usage: 1, Max: 2, Failcnt: 3}}},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: got %+v, want %+v", c.what, c.got, c.want)
			}
		}
	})
	t.Run("no cgroup stats", func(t *testing.T) {
		s := statsFrom(&libcontainer.Stats{Interfaces: iface})
		if !reflect.DeepEqual(s, &types.Stats{NetworkInterfaces: iface}) {
			t.Errorf("statsFrom without cgroup stats = %+v, want the interfaces only", s)
		}
	})
}

// `events` and `events --stats` refuse a stopped container in runc's
// words: its cgroup may be gone or stale.
func TestEventsOfStopped(t *testing.T) {
	root := t.TempDir()
	writeStoppedState(t, root, "c1", t.TempDir(), []string{"bundle=/bundle"})
	c, err := Open(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	const want = "container with id c1 is not running (container not running)"
	if _, err := c.Stats(); err == nil || err.Error() != want || !errors.Is(err, libcontainer.ErrNotRunning) {
		t.Errorf("Stats: %v, want %q", err, want)
	}
	emitted := 0
	err = c.Events(context.Background(), time.Second, func(*types.Event) error { emitted++; return nil })
	if err == nil || err.Error() != want || emitted != 0 {
		t.Errorf("Events: %v after %d events, want %q and none", err, emitted, want)
	}
}
