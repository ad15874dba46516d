package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// needCgroupV2 skips a test written for a cgroup v2 host: it reads v2
// files, which this project's CI host (cgroup v1) lacks; the VM lane of
// tests/vm has them.
func needCgroupV2(t *testing.T) {
	t.Helper()
	if why := onlyCgroupV2(); why != "" {
		t.Skip(why)
	}
}

// v2Files fails the test unless each file of pid's cgroup holds its value.
func v2Files(t *testing.T, when string, pid int, want map[string]string) {
	t.Helper()
	for file, w := range want {
		if got := cgroupFile(t, pid, "", file); got != w {
			t.Errorf("%s: %s = %q, want %q", when, file, got, w)
		}
	}
}

// TestCgroupV2Memory: limit -> memory.max, swap (memory+swap, runtime-spec's
// v1 meaning) -> memory.swap.max as the swap alone, reservation ->
// memory.low; update of each, and an update naming only the limit keeps
// the low mark and memory+swap.
func TestCgroupV2Memory(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		extResources(s).Memory = &specs.LinuxMemory{
			Limit: ptr[int64](64 << 20), Swap: ptr[int64](96 << 20), Reservation: ptr[int64](32 << 20),
		}
	}), id)
	pid := h.state(id).Pid
	v2Files(t, "create", pid, map[string]string{
		"memory.max": strconv.Itoa(64 << 20), "memory.swap.max": strconv.Itoa(32 << 20), "memory.low": strconv.Itoa(32 << 20),
	})

	h.ok("update", "--memory", "128m", "--memory-swap", "160m", "--memory-reservation", "16m", id)
	v2Files(t, "update flags", pid, map[string]string{
		"memory.max": strconv.Itoa(128 << 20), "memory.swap.max": strconv.Itoa(32 << 20), "memory.low": strconv.Itoa(16 << 20),
	})

	// The container's memory+swap stays 160 MiB, as on v1: with a limit of
	// 96 MiB, 64 MiB of swap.
	h.hullOpts(cmdOpts{Stdin: strings.NewReader(`{"memory":{"limit":100663296}}`)}, "update", "-r", "-", id)
	v2Files(t, "update of the limit alone", pid, map[string]string{
		"memory.max": "100663296", "memory.swap.max": strconv.Itoa(64 << 20), "memory.low": strconv.Itoa(16 << 20),
	})

	// -1 is "max" in both.
	h.ok("update", "--memory", "-1", "--memory-swap", "-1", id)
	v2Files(t, "update to unlimited", pid, map[string]string{"memory.max": "max", "memory.swap.max": "max"})
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestCgroupV2MemoryOOM: the OOM killer in a container's v2 memory cgroup
// shows in memory.events, as an `oom` event in the `events` stream, and,
// once the container's init is its victim, as oomKilled in state.
func TestCgroupV2MemoryOOM(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	noSwap := func(s *specs.Spec) {
		extResources(s).Memory = &specs.LinuxMemory{Limit: ptr[int64](32 << 20), Swap: ptr[int64](32 << 20)}
	}
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, noSwap), id)
	pid := h.state(id).Pid
	done := make(chan result, 1)
	go func() { done <- h.hull("events", "--interval", "1s", id) }()
	// Let events open memory.events before the kill.
	time.Sleep(2 * time.Second)
	if r := h.hull(append([]string{"exec", id}, memoryHog...)...); r.Code != 137 {
		t.Errorf("tail /dev/zero under 32 MiB without swap: want killed (137):\n%s", r)
	}
	events := cgroupFile(t, pid, "", "memory.events")
	if n := fieldValue(events, "oom_kill"); n < 1 {
		t.Errorf("memory.events after an OOM kill: oom_kill %d, want >= 1:\n%s", n, events)
	}
	time.Sleep(2 * time.Second)
	h.ok("kill", id, "KILL")
	r := <-done
	var types []string
	for _, l := range lines(r.Stdout) {
		var e struct{ Type string }
		if json.Unmarshal([]byte(l), &e) == nil {
			types = append(types, e.Type)
		}
	}
	if !contains(types, "oom") {
		t.Errorf("events stream: %v, want an oom event:\n%s", types, r)
	}
	h.ok("delete", id)
	h.assertClean(id)

	// The init itself killed: stopped, oomKilled.
	id = h.id()
	h.ok("run", "-d", "--bundle", h.bundle(memoryHog, noSwap), id)
	h.waitStatus(id, "stopped")
	if st := decodeOOM(t, "state", h.ok("state", id).Stdout); st.OOMKilled == nil || !*st.OOMKilled {
		t.Errorf("state of a container whose init the OOM killer took: oomKilled %v, want true", deref(st.OOMKilled))
	}
	h.ok("delete", id)
	h.assertClean(id)
}

// fieldValue is the number after key in a flat-keyed cgroup file
// ("key value" lines), -1 when absent.
func fieldValue(content, key string) int64 {
	for _, l := range lines(content) {
		if k, v, ok := strings.Cut(l, " "); ok && k == key {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// onlineCPUs is this host's online CPU list and whether it has a second.
func onlineCPUs(t *testing.T) (string, bool) {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Fatal(err)
	}
	list := strings.TrimSpace(string(data))
	return list, list != "0"
}

// TestCgroupV2CPUPids: shares -> cpu.weight (opencontainers/cgroups'
// formula: 2, 1024 and 262144 map to 1, 100 and 10000), quota/period ->
// cpu.max, cpus/mems -> cpuset.cpus/cpuset.mems, pids.max; update of
// each; `events --stats` reports the v2 numbers.
func TestCgroupV2CPUPids(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		r := extResources(s)
		r.CPU = &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Cpus: "0", Mems: "0"}
		r.Pids = &specs.LinuxPids{Limit: ptr[int64](20)}
		r.Memory = &specs.LinuxMemory{Limit: ptr[int64](64 << 20)}
	}), id)
	pid := h.state(id).Pid
	v2Files(t, "create", pid, map[string]string{
		"cpu.weight": "59", "cpu.max": "50000 100000", "cpuset.cpus": "0", "cpuset.mems": "0", "pids.max": "20",
	})

	cpus, two := onlineCPUs(t)
	h.ok("update", "--cpu-share", "2048", "--cpu-quota", "20000", "--cpu-period", "50000", "--cpuset-cpus", cpus, "--pids-limit", "30", id)
	want := map[string]string{"cpu.weight": "174", "cpu.max": "20000 50000", "pids.max": "30", "cpuset.cpus": cpus}
	if !two {
		delete(want, "cpuset.cpus") // one CPU: the update writes "0" again
	}
	v2Files(t, "update", pid, want)
	h.ok("update", "--cpu-quota", "-1", id)
	v2Files(t, "update to no quota", pid, map[string]string{"cpu.max": "max 50000"})

	r := h.ok("events", "--stats", id)
	var ev struct {
		Type string
		Data struct {
			CPU struct {
				Usage struct{ Total uint64 }
			}
			Memory struct {
				Usage struct{ Limit, Usage uint64 }
				Raw   map[string]uint64
			}
			Pids struct{ Current, Limit uint64 }
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &ev); err != nil {
		t.Fatalf("events --stats: %v\n%s", err, r.Stdout)
	}
	d := ev.Data
	if ev.Type != "stats" || d.CPU.Usage.Total == 0 || d.Memory.Usage.Limit != 64<<20 || d.Memory.Usage.Usage == 0 ||
		d.Pids.Current < 1 || d.Pids.Limit != 30 {
		t.Errorf("events --stats: want CPU time, the memory limit 64 MiB and a usage, pids >= 1 of 30:\n%s", r.Stdout)
	}
	// memory.stat's v2 keys, not v1's (cache, rss).
	if _, ok := d.Memory.Raw["anon"]; !ok {
		t.Errorf("events --stats: memory.raw lacks memory.stat's v2 key anon:\n%s", r.Stdout)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestCgroupV2IO: the blockIO weight as io.bfq.weight (BFQ) or io.weight
// (converted: 10..1000 to 1..10000), and throttling of the root file
// system's disk (the VM's virtio disk) in io.max, at create and update.
func TestCgroupV2IO(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	major, minor, _ := extBlockDevice(t)
	dev := fmt.Sprintf("%d:%d", major, minor)
	bd := specs.LinuxBlockIODevice{Major: major, Minor: minor}
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		extResources(s).BlockIO = &specs.LinuxBlockIO{
			Weight:                  ptr[uint16](500),
			ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: bd, Rate: 1 << 20}},
			ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: bd, Rate: 100}},
		}
	}), id)
	pid := h.state(id).Pid
	dir := cgroupDir(t, pid, "")
	switch {
	case fileExists(dir + "/io.bfq.weight"):
		if got := cgroupFile(t, pid, "", "io.bfq.weight"); !strings.Contains(got, "default 500") {
			t.Errorf("io.bfq.weight = %q, want default 500", got)
		}
	case fileExists(dir + "/io.weight"):
		if got := cgroupFile(t, pid, "", "io.weight"); !strings.Contains(got, "default 4950") {
			t.Errorf("io.weight = %q, want default 4950 (blkio 500 converted)", got)
		}
	default:
		t.Errorf("a blockIO weight was accepted but %s has neither io.bfq.weight nor io.weight", dir)
	}
	ioMax := func(when, want string) {
		t.Helper()
		got := cgroupFile(t, pid, "", "io.max")
		if !contains(lines(got), want) {
			t.Errorf("%s: io.max = %q, want the line %q", when, got, want)
		}
	}
	ioMax("create", dev+" rbps=1048576 wbps=max riops=max wiops=100")
	h.ok("update", "--blkio-weight", "1000", id)
	h.hullOpts(cmdOpts{Stdin: strings.NewReader(fmt.Sprintf(`{"blockIO":{"throttleWriteBpsDevice":[{"major":%d,"minor":%d,"rate":2097152}]}}`, major, minor))},
		"update", "-r", "-", id)
	ioMax("update", dev+" rbps=1048576 wbps=2097152 riops=max wiops=100")

	// The throttle works: a direct read of the disk at 1 MiB/s.
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestCgroupV2Hugetlb: hugepageLimits -> hugetlb.<size>.max, and update.
func TestCgroupV2Hugetlb(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	if !fileExists("/sys/kernel/mm/hugepages/hugepages-2048kB") {
		t.Skip("this kernel has no 2 MiB huge pages")
	}
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		extResources(s).HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}
	}), id)
	pid := h.state(id).Pid
	v2Files(t, "create", pid, map[string]string{"hugetlb.2MB.max": strconv.Itoa(4 << 20)})
	// hugepageLimits cannot be updated (as in runc): ignored, with a
	// warning naming it; the unified key is the way.
	r := h.hullOpts(cmdOpts{Stdin: strings.NewReader(`{"hugepageLimits":[{"pageSize":"2MB","limit":8388608}]}`)}, "update", "-r", "-", id)
	if r.Code != 0 || !strings.Contains(r.Stderr, "hugepageLimits") {
		t.Errorf("update of hugepageLimits: want success and a warning naming it:\n%s", r)
	}
	v2Files(t, "update of hugepageLimits", pid, map[string]string{"hugetlb.2MB.max": strconv.Itoa(4 << 20)})
	h.hullOpts(cmdOpts{Stdin: strings.NewReader(`{"unified":{"hugetlb.2MB.max":"8388608"}}`)}, "update", "-r", "-", id)
	v2Files(t, "update of unified hugetlb.2MB.max", pid, map[string]string{"hugetlb.2MB.max": strconv.Itoa(8 << 20)})
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestCgroupV2Unified: linux.resources.unified keys are written as
// given (and by update); keys hull cannot apply are refused before
// anything is made, each named with its JSON path.
func TestCgroupV2Unified(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		extResources(s).Unified = map[string]string{"pids.max": "12", "memory.high": "50331648", "cgroup.max.descendants": "5"}
	}), id)
	pid := h.state(id).Pid
	v2Files(t, "create", pid, map[string]string{"pids.max": "12", "memory.high": "50331648", "cgroup.max.descendants": "5"})
	h.hullOpts(cmdOpts{Stdin: strings.NewReader(`{"unified":{"pids.max":"13"}}`)}, "update", "-r", "-", id)
	v2Files(t, "update", pid, map[string]string{"pids.max": "13", "memory.high": "50331648"})
	h.ok("delete", "--force", id)
	h.assertClean(id)

	for _, tc := range []struct {
		name, key, value string
		want             []string
	}{
		{"controller-not-available", "bogus.max", "1", []string{`linux.resources.unified["bogus.max"]`, `no controller "bogus"`}},
		{"no-such-file", "memory.bogus", "1", []string{`linux.resources.unified["memory.bogus"]`, "memory.bogus"}},
		{"not-controller-form", "nodot", "1", []string{"linux.resources.unified.nodot", "CONTROLLER.PARAMETER"}},
		{"core-file-setting-controllers", "cgroup.subtree_control", "+memory", []string{`linux.resources.unified["cgroup.subtree_control"]`}},
		{"core-file-moving-processes", "cgroup.procs", "1", []string{`linux.resources.unified["cgroup.procs"]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := h.bundle([]string{"true"}, func(s *specs.Spec) {
				extResources(s).Unified = map[string]string{tc.key: tc.value}
			})
			extRefused(t, h, b, tc.want...)
		})
	}
}
