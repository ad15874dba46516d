package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hullrt/hull/tests/internal/sysproc"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// TestCgroups checks that a container gets its own cgroups (default path
// named after the ID, or linux.cgroupsPath), that resources reach them,
// and that delete removes them; on cgroup v1 (this machine) and v2 (the
// VM of tests/vm).
func TestCgroups(t *testing.T) {
	t.Parallel()
	v2 := cgroupV2()
	if _, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs"); err != nil && !v2 {
		t.Skip("needs the cgroup v1 pids hierarchy at /sys/fs/cgroup/pids or a cgroup v2 host")
	}
	limit := int64(64 << 20)
	pidsMax := int64(50)
	resources := func(s *specs.Spec) {
		if s.Linux.Resources == nil {
			s.Linux.Resources = &specs.LinuxResources{}
		}
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
		s.Linux.Resources.Pids = &specs.LinuxPids{Limit: &pidsMax}
	}
	for _, mode := range []string{"default-path", "cgroupsPath"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			mods := []func(*specs.Spec){resources}
			var cgPath string
			if mode == "cgroupsPath" {
				cgPath = "/" + id + "-cg"
				h.mu.Lock()
				h.cgroupPaths[id] = cgPath
				h.mu.Unlock()
				mods = append(mods, func(s *specs.Spec) { s.Linux.CgroupsPath = cgPath })
			}
			h.ok("run", "-d", "--bundle", h.bundle(longRunning, mods...), id)
			pid := h.state(id).Pid

			// Where the kernel says the container's init is.
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
			if err != nil {
				t.Fatal(err)
			}
			// v1: one line per hierarchy, "ID:controllers:path"; v2: one
			// line "0::path", taken here as the path of every controller.
			paths := map[string]string{}
			for _, l := range lines(string(data)) {
				parts := strings.SplitN(l, ":", 3)
				if len(parts) == 3 {
					paths[parts[1]] = parts[2]
				}
			}
			controllers := []string{"pids", "memory", "devices", "freezer"}
			if v2 {
				controllers = []string{""}
			}
			for _, c := range controllers {
				p := paths[c]
				switch {
				case p == "":
					t.Errorf("init %d is in no %s cgroup:\n%s", pid, c, data)
				case mode == "cgroupsPath" && p != cgPath:
					t.Errorf("%s cgroup %q, want linux.cgroupsPath %q", c, p, cgPath)
				case mode == "default-path" && filepath.Base(p) != id:
					t.Errorf("%s cgroup %q, want a cgroup named after the container %q", c, p, id)
				}
			}
			read := func(ctrl, file string) string {
				if v2 {
					ctrl = ""
				}
				b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", ctrl, paths[ctrl], file))
				if err != nil {
					t.Errorf("%v", err)
				}
				return strings.TrimSpace(string(b))
			}
			memFile := "memory.limit_in_bytes"
			if v2 {
				memFile = "memory.max"
			}
			if got := read("memory", memFile); got != fmt.Sprint(limit) {
				t.Errorf("%s %q, want %d", memFile, got, limit)
			}
			if got := read("pids", "pids.max"); got != fmt.Sprint(pidsMax) {
				t.Errorf("pids.max %q, want %d", got, pidsMax)
			}
			if len(cgroupDirs(id, cgPath)) == 0 {
				t.Errorf("the leftover checker cannot see the running container's cgroups")
			}
			h.ok("delete", "--force", id)
			h.assertClean(id)
		})
	}
}

// extResources returns s's linux.resources, creating it.
func extResources(s *specs.Spec) *specs.LinuxResources {
	if s.Linux.Resources == nil {
		s.Linux.Resources = &specs.LinuxResources{}
	}
	return s.Linux.Resources
}

// extRequireV1 skips tests that read cgroup v1 files on a cgroup v2 host.
func extRequireV1(t *testing.T) {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		t.Skip("reads cgroup v1 controller files; /sys/fs/cgroup is cgroup2 (unified) here, where the TestCgroupV2* tests cover the same")
	}
}

// extV1Mount is the mount point of the v1 hierarchy of controller, or "".
func extV1Mount(controller string) string {
	mounts, _ := sysproc.Mounts()
	for _, m := range mounts {
		if m.FSType == "cgroup" && contains(m.SuperOptions, controller) {
			return m.Point
		}
	}
	return ""
}

// extBlockDevice finds a whole-disk block device of this host: the disk
// holding / (or its parent when / is on a partition), else the first
// non-loop, non-ram disk in /sys/block. The blkio throttle files take
// whole disks only.
func extBlockDevice(t *testing.T) (major, minor int64, name string) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/", &st); err != nil {
		t.Fatal(err)
	}
	sysDev := fmt.Sprintf("/sys/dev/block/%d:%d", unix.Major(st.Dev), unix.Minor(st.Dev))
	if fileExists(sysDev + "/partition") {
		sysDev += "/.."
	}
	if !fileExists(sysDev + "/dev") {
		ents, _ := os.ReadDir("/sys/block")
		sysDev = ""
		for _, e := range ents {
			if n := e.Name(); !strings.HasPrefix(n, "loop") && !strings.HasPrefix(n, "ram") {
				sysDev = "/sys/block/" + n
				break
			}
		}
	}
	if sysDev == "" {
		t.Fatalf("this host has no block device in /sys/block but loop and ram devices")
	}
	data, err := os.ReadFile(sysDev + "/dev")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(string(data)), "%d:%d", &major, &minor); err != nil {
		t.Fatalf("%s/dev: %q: %v", sysDev, data, err)
	}
	real, _ := filepath.EvalSymlinks(sysDev)
	return major, minor, filepath.Base(real)
}

// extProcCgroupDir is the directory of pid's cgroup in the v1 hierarchy
// of controller ("" when pid is in none).
func extProcCgroupDir(t *testing.T, pid int, controller string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	mnt := extV1Mount(controller)
	for _, l := range lines(string(data)) {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) == 3 && mnt != "" && contains(strings.Split(parts[1], ","), controller) {
			return filepath.Join(mnt, parts[2])
		}
	}
	return ""
}

func TestExtrasCgroupResources(t *testing.T) {
	t.Parallel()
	extRequireV1(t)
	h := newH(t)
	cpu := extLastCPU(t)
	major, minor, disk := extBlockDevice(t)
	dev := fmt.Sprintf("%d:%d", major, minor)
	limit, reservation, swap := int64(64<<20), int64(32<<20), int64(128<<20)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		r := extResources(s)
		r.CPU = &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](25000), Period: ptr[uint64](50000),
			Burst: ptr[uint64](10000), Cpus: cpu, Mems: "0"}
		r.Memory = &specs.LinuxMemory{Limit: &limit, Reservation: &reservation, Swap: &swap,
			Swappiness: ptr[uint64](10), DisableOOMKiller: ptr(true)}
		r.Pids = &specs.LinuxPids{Limit: ptr[int64](10)}
		td := func(rate uint64) []specs.LinuxThrottleDevice {
			return []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Rate: rate}}
		}
		r.BlockIO = &specs.LinuxBlockIO{ThrottleReadBpsDevice: td(1 << 20), ThrottleWriteBpsDevice: td(2 << 20),
			ThrottleReadIOPSDevice: td(100), ThrottleWriteIOPSDevice: td(200)}
	}), id)
	pid := h.state(id).Pid

	for _, c := range []struct{ ctrl, file, want string }{
		{"cpu", "cpu.shares", "512"},
		{"cpu", "cpu.cfs_quota_us", "25000"},
		{"cpu", "cpu.cfs_period_us", "50000"},
		{"cpu", "cpu.cfs_burst_us", "10000"},
		{"cpuset", "cpuset.cpus", cpu},
		{"cpuset", "cpuset.mems", "0"},
		{"memory", "memory.limit_in_bytes", fmt.Sprint(limit)},
		{"memory", "memory.soft_limit_in_bytes", fmt.Sprint(reservation)},
		// runtime-spec: on v1, swap is the memory+swap limit.
		{"memory", "memory.memsw.limit_in_bytes", fmt.Sprint(swap)},
		{"memory", "memory.swappiness", "10"},
		{"pids", "pids.max", "10"},
		{"blkio", "blkio.throttle.read_bps_device", dev + " 1048576"},
		{"blkio", "blkio.throttle.write_bps_device", dev + " 2097152"},
		{"blkio", "blkio.throttle.read_iops_device", dev + " 100"},
		{"blkio", "blkio.throttle.write_iops_device", dev + " 200"},
	} {
		if got := cgroupFile(t, pid, c.ctrl, c.file); got != c.want {
			t.Errorf("%s = %q, want %q (block device %s is %s)", c.file, got, c.want, disk, dev)
		}
	}
	if oom := cgroupFile(t, pid, "memory", "memory.oom_control"); !strings.Contains(oom, "oom_kill_disable 1") {
		t.Errorf("memory.oom_control with disableOOMKiller:\n%s", sysproc.Indent(oom))
	}
	if got := extStatus(t, pid, "Cpus_allowed_list"); got != cpu {
		t.Errorf("init's Cpus_allowed_list %q, want linux.resources.cpu.cpus %q", got, cpu)
	}

	t.Run("pids-limit", func(t *testing.T) {
		// 12 children of an exec'd shell under pids.max 10: forks fail.
		r := h.hull("exec", id, "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & done; echo spawned")
		if r.Code == 0 && !strings.Contains(r.Stderr, "fork") {
			t.Errorf("12 children under pids.max 10 should fail to fork:\n%s", r)
		}
		if cur, _ := strconv.Atoi(cgroupFile(t, pid, "pids", "pids.current")); cur > 10 {
			t.Errorf("pids.current %d above pids.max 10", cur)
		}
	})

	t.Run("checkBeforeUpdate", func(t *testing.T) {
		// A limit below usage is refused (cgroup v1 answers EBUSY once
		// reclaim fails), and the refused update changes nothing: the
		// cpuset, which libcontainer writes before the memory limit, must
		// be rolled back too.
		res := `{"cpu":{"cpus":"0"},"memory":{"limit":4096,"checkBeforeUpdate":true}}`
		r := h.hullOpts(cmdOpts{Stdin: strings.NewReader(res)}, "update", "--resources", "-", id)
		if r.Code == 0 {
			t.Fatalf("update to a 4 KiB memory limit, below usage, succeeded:\n%s", r)
		}
		if len(lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, "memory limit") {
			t.Errorf("want one line that names the memory limit:\n%s", r)
		}
		if got := cgroupFile(t, pid, "memory", "memory.limit_in_bytes"); got != fmt.Sprint(limit) {
			t.Errorf("memory.limit_in_bytes %s after the refused update, want %d unchanged", got, limit)
		}
		if got := cgroupFile(t, pid, "cpuset", "cpuset.cpus"); got != cpu {
			t.Errorf("cpuset.cpus %q after the refused update, want %q unchanged", got, cpu)
		}
	})

	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestExtrasCPUIdleRealtime: cpu.idle and the realtime budget, each
// applied where this kernel has the file (and, for realtime, the parent
// cgroup has budget to give), refused clearly where it does not.
func TestExtrasCPUIdleRealtime(t *testing.T) {
	t.Parallel()
	extRequireV1(t)
	cpuMnt := extV1Mount("cpu")
	if cpuMnt == "" {
		t.Fatal("no cgroup v1 cpu hierarchy mounted")
	}
	self := extProcCgroupDir(t, os.Getpid(), "cpu")

	t.Run("idle", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		b := h.bundle(longRunning, func(s *specs.Spec) { extResources(s).CPU = &specs.LinuxCPU{Idle: ptr[int64](1)} })
		if !fileExists(filepath.Join(cpuMnt, "cpu.idle")) {
			extRefused(t, h, b, "linux.resources.cpu.idle")
			return
		}
		id := h.id()
		h.ok("run", "-d", "--bundle", b, id)
		if got := cgroupFile(t, h.state(id).Pid, "cpu", "cpu.idle"); got != "1" {
			t.Errorf("cpu.idle %q, want 1", got)
		}
	})

	t.Run("realtime", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		const runtime, period = 10000, 1000000
		b := h.bundle(longRunning, func(s *specs.Spec) {
			extResources(s).CPU = &specs.LinuxCPU{RealtimeRuntime: ptr[int64](runtime), RealtimePeriod: ptr[uint64](period)}
		})
		// The container's cgroup is made under this process's.
		budget := int64(-1)
		if data, err := os.ReadFile(filepath.Join(self, "cpu.rt_runtime_us")); err == nil {
			budget, _ = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		}
		if budget < runtime*2 {
			msg := extRefused(t, h, b, "linux.resources.cpu.realtime")
			t.Logf("no realtime budget (parent %s has cpu.rt_runtime_us %d): %s", self, budget, msg)
			return
		}
		id := h.id()
		h.ok("run", "-d", "--bundle", b, id)
		pid := h.state(id).Pid
		if got := cgroupFile(t, pid, "cpu", "cpu.rt_runtime_us"); got != fmt.Sprint(runtime) {
			t.Errorf("cpu.rt_runtime_us %q, want %d", got, runtime)
		}
		if got := cgroupFile(t, pid, "cpu", "cpu.rt_period_us"); got != fmt.Sprint(period) {
			t.Errorf("cpu.rt_period_us %q, want %d", got, period)
		}
	})

	t.Run("realtime-over-budget", func(t *testing.T) {
		t.Parallel()
		if !fileExists(filepath.Join(cpuMnt, "cpu.rt_runtime_us")) {
			t.Skip("no cpu.rt_runtime_us (CONFIG_RT_GROUP_SCHED off); the realtime case above checks the refusal")
		}
		// More runtime than the period can hold, and more than any parent
		// can give: the kernel answers EINVAL, hull must say which field.
		h := newH(t)
		msg := extRefused(t, h, h.bundle(longRunning, func(s *specs.Spec) {
			extResources(s).CPU = &specs.LinuxCPU{RealtimeRuntime: ptr[int64](2000000), RealtimePeriod: ptr[uint64](1000000)}
		}), "linux.resources.cpu.realtimeRuntime")
		t.Logf("over budget: %s", msg)
	})
}

// TestExtrasCgroupRefusals: resources this host's cgroups cannot apply
// are refused before anything is made, in one line that names the field.
func TestExtrasCgroupRefusals(t *testing.T) {
	t.Parallel()
	extRequireV1(t)
	major, minor, _ := extBlockDevice(t)
	blkio := extV1Mount("blkio")
	hasRdma := false
	if data, err := os.ReadFile("/proc/cgroups"); err == nil {
		for _, l := range lines(string(data)) {
			if f := strings.Fields(l); len(f) == 4 && f[0] == "rdma" && f[3] == "1" && extV1Mount("rdma") != "" {
				hasRdma = true
			}
		}
	}
	cases := []struct {
		name  string
		canDo bool // this host can apply it; the refusal is not expected
		mod   func(*specs.LinuxResources)
		wants []string
	}{
		{"blockIO-weight", blkio != "" && (fileExists(blkio+"/blkio.weight") || fileExists(blkio+"/blkio.bfq.weight")),
			func(r *specs.LinuxResources) { r.BlockIO = &specs.LinuxBlockIO{Weight: ptr[uint16](500)} },
			[]string{"linux.resources.blockIO.weight"}},
		{"blockIO-weightDevice", blkio != "" && (fileExists(blkio+"/blkio.weight_device") || fileExists(blkio+"/blkio.bfq.weight_device")),
			func(r *specs.LinuxResources) {
				r.BlockIO = &specs.LinuxBlockIO{WeightDevice: []specs.LinuxWeightDevice{{
					LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Weight: ptr[uint16](300)}}}
			},
			[]string{"linux.resources.blockIO.weightDevice[0]"}},
		{"hugepageLimits", extV1Mount("hugetlb") != "",
			func(r *specs.LinuxResources) {
				r.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}
			},
			[]string{"linux.resources.hugepageLimits", "hugetlb"}},
		{"network-classID", extV1Mount("net_cls") != "",
			func(r *specs.LinuxResources) { r.Network = &specs.LinuxNetwork{ClassID: ptr[uint32](0x100001)} },
			[]string{"linux.resources.network.classID", "net_cls"}},
		{"network-priorities", extV1Mount("net_prio") != "",
			func(r *specs.LinuxResources) {
				r.Network = &specs.LinuxNetwork{Priorities: []specs.LinuxInterfacePriority{{Name: "lo", Priority: 5}}}
			},
			[]string{"linux.resources.network.priorities", "net_prio"}},
		{"unified", false, // cgroup v1 host (extRequireV1)
			func(r *specs.LinuxResources) { r.Unified = map[string]string{"memory.high": "50000000"} },
			[]string{`linux.resources.unified["memory.high"]`, "cgroup v1"}},
		{"rdma", hasRdma,
			func(r *specs.LinuxResources) {
				r.Rdma = map[string]specs.LinuxRdma{"mlx5_0": {HcaHandles: ptr[uint32](3), HcaObjects: ptr[uint32](100)}}
			},
			[]string{"linux.resources.rdma", "rdma"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.canDo {
				t.Skipf("this host can apply %s; the refusal is for hosts without it", c.name)
			}
			h := newH(t)
			msg := extRefused(t, h, h.bundle([]string{"true"}, func(s *specs.Spec) { c.mod(extResources(s)) }), c.wants...)
			t.Logf("refused: %s", msg)
		})
	}
}
