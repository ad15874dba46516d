package tests

// Real containers for the parts of runtime-spec v1.3 that the option-by-
// option tests (features_test.go) do not reach: every cgroup v1 resource
// read back from the container's own cgroup files, device cgroup rules,
// user, cgroup and time namespaces, the seccomp notify listener, the
// process's scheduling and personality settings, namespaced sysctls, and
// the tmpcopyup and rootfsPropagation mount extras. What this host cannot
// do is not skipped: hull must refuse it in one line that names the JSON
// path.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// extResources returns s's linux.resources, creating it.
func extResources(s *specs.Spec) *specs.LinuxResources {
	if s.Linux.Resources == nil {
		s.Linux.Resources = &specs.LinuxResources{}
	}
	return s.Linux.Resources
}

func extPtr[T any](v T) *T { return &v }

// extRefused runs `hull run` on bundle, which must fail with a one-line
// error containing every want and leave nothing behind. It returns the
// error line.
func extRefused(t *testing.T, h *H, bundle string, wants ...string) string {
	t.Helper()
	id := h.id()
	r := h.hull("run", "--bundle", bundle, id)
	if r.Code == 0 {
		t.Errorf("hull run succeeded, want a refusal naming %q:\n%s", wants, r)
		return ""
	}
	msg := strings.TrimSpace(r.Stderr)
	if n := len(lines(msg)); n != 1 {
		t.Errorf("want a one-line error, got %d lines:\n%s", n, r)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not name %q:\n%s", w, r)
		}
	}
	h.assertClean(id)
	return msg
}

// extRequireV1 skips tests that read cgroup v1 files on a cgroup v2 host.
func extRequireV1(t *testing.T) {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		t.Skip("reads cgroup v1 controller files; /sys/fs/cgroup is cgroup2 (unified) here")
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

// extLastCPU is the highest online CPU, as a cpuset list.
func extLastCPU(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSpace(string(data))
	last := s[strings.LastIndexAny(s, ",-")+1:]
	if _, err := strconv.Atoi(last); err != nil {
		t.Fatalf("cannot parse /sys/devices/system/cpu/online %q", s)
	}
	return last
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

// extStat returns the fields of /proc/pid/stat after the command name:
// index 0 is field 3 (state) of proc(5), so field n is at n-3.
func extStat(t *testing.T, pid int) []string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// extStatus returns the value of a "Name:" line of /proc/pid/status.
func extStatus(t *testing.T, pid int, name string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("/proc/%d/status has no %s line", pid, name)
	return ""
}

// ---------------------------------------------------------------------------
// linux.resources on cgroup v1

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
		r.CPU = &specs.LinuxCPU{Shares: extPtr[uint64](512), Quota: extPtr[int64](25000), Period: extPtr[uint64](50000),
			Burst: extPtr[uint64](10000), Cpus: cpu, Mems: "0"}
		r.Memory = &specs.LinuxMemory{Limit: &limit, Reservation: &reservation, Swap: &swap,
			Swappiness: extPtr[uint64](10), DisableOOMKiller: extPtr(true)}
		r.Pids = &specs.LinuxPids{Limit: extPtr[int64](10)}
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
		b := h.bundle(longRunning, func(s *specs.Spec) { extResources(s).CPU = &specs.LinuxCPU{Idle: extPtr[int64](1)} })
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
			extResources(s).CPU = &specs.LinuxCPU{RealtimeRuntime: extPtr[int64](runtime), RealtimePeriod: extPtr[uint64](period)}
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
			extResources(s).CPU = &specs.LinuxCPU{RealtimeRuntime: extPtr[int64](2000000), RealtimePeriod: extPtr[uint64](1000000)}
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
			func(r *specs.LinuxResources) { r.BlockIO = &specs.LinuxBlockIO{Weight: extPtr[uint16](500)} },
			[]string{"linux.resources.blockIO.weight"}},
		{"blockIO-weightDevice", blkio != "" && (fileExists(blkio+"/blkio.weight_device") || fileExists(blkio+"/blkio.bfq.weight_device")),
			func(r *specs.LinuxResources) {
				r.BlockIO = &specs.LinuxBlockIO{WeightDevice: []specs.LinuxWeightDevice{{
					LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Weight: extPtr[uint16](300)}}}
			},
			[]string{"linux.resources.blockIO.weightDevice[0]"}},
		{"hugepageLimits", extV1Mount("hugetlb") != "",
			func(r *specs.LinuxResources) {
				r.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}
			},
			[]string{"linux.resources.hugepageLimits", "hugetlb"}},
		{"network-classID", extV1Mount("net_cls") != "",
			func(r *specs.LinuxResources) { r.Network = &specs.LinuxNetwork{ClassID: extPtr[uint32](0x100001)} },
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
				r.Rdma = map[string]specs.LinuxRdma{"mlx5_0": {HcaHandles: extPtr[uint32](3), HcaObjects: extPtr[uint32](100)}}
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

// ---------------------------------------------------------------------------
// linux.resources.devices

func TestExtrasDevices(t *testing.T) {
	t.Parallel()
	extRequireV1(t)

	t.Run("rules", func(t *testing.T) {
		t.Parallel()
		if !fileExists("/sys/block/loop0/dev") {
			t.Skip("needs /dev/loop0 (block 7:0) as a harmless block device to allow")
		}
		h := newH(t)
		// A linux.devices entry at /dev/zero replaces the default one and
		// with it the default allow rule (as runc does), so the explicit
		// deny of c 1:5 holds. The block device is allowed read-only.
		b := h.bundle(sh(`
			try() { if out=$(sh -c "$2" 2>&1); then echo "$1:ok"; else echo "$1:fail:$out"; fi; }
			try zero-read 'head -c1 /dev/zero >/dev/null'
			try blk-read 'head -c1 /dev/hulltest-blk >/dev/null'
			try blk-rdwr 'exec 3<>/dev/hulltest-blk'
			try blk-other 'head -c1 /dev/hulltest-blk1 >/dev/null'
			try null-write 'echo x >/dev/null'
		`), func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{
				{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5},
				{Path: "/dev/hulltest-blk", Type: "b", Major: 7, Minor: 0},
				{Path: "/dev/hulltest-blk1", Type: "b", Major: 7, Minor: 1},
			}
			r := extResources(s)
			r.Devices = []specs.LinuxDeviceCgroup{
				{Allow: false, Access: "rwm"},
				{Allow: true, Type: "b", Major: extPtr[int64](7), Minor: extPtr[int64](0), Access: "r"},
				{Allow: false, Type: "c", Major: extPtr[int64](1), Minor: extPtr[int64](5), Access: "rwm"},
			}
		})
		out := h.runOut(b)
		got := map[string]string{}
		for _, l := range lines(out) {
			k, v, _ := strings.Cut(l, ":")
			got[k] = v
		}
		for k, want := range map[string]string{
			"zero-read": "fail", "blk-read": "ok", "blk-rdwr": "fail", "blk-other": "fail", "null-write": "ok",
		} {
			v := got[k]
			if !strings.HasPrefix(v, want) || (want == "fail" && !strings.Contains(v, "Operation not permitted")) {
				t.Errorf("%s: %q, want %s (failures with EPERM from the device cgroup)\nall output:\n%s", k, v, want, sysproc.Indent(out))
			}
		}
	})

	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
		// Opening is what the device cgroup checks: /dev/full opens and
		// then refuses the write (ENOSPC), /dev/tty opens and finds no
		// controlling terminal (ENXIO), a fresh /dev/pts/0 opens and is
		// still locked (EIO). None may fail with EPERM.
		r := h.ok("exec", id, "sh", "-c", `
			for d in null zero full random urandom; do head -c1 /dev/$d >/dev/null && echo "$d:read-ok"; done
			echo x >/dev/null && echo null:write-ok
			echo "full:$( (echo x >/dev/full) 2>&1)"
			echo "tty:$( (exec 3<>/dev/tty) 2>&1)"
			exec 4<>/dev/ptmx && echo ptmx:open-ok
			echo "pts:$(ls /dev/pts | tr '\n' ' ')"
			echo "pts0:$( (exec 5<>/dev/pts/0) 2>&1)"
		`)
		out := r.Stdout
		mustContain(t, "default devices", out, "null:read-ok", "zero:read-ok", "full:read-ok", "random:read-ok",
			"urandom:read-ok", "null:write-ok", "No space left on device", "No such device or address",
			"ptmx:open-ok", "pts:0 ptmx", "pts0:")
		if strings.Contains(out, "Operation not permitted") || strings.Contains(out, "Permission denied") {
			t.Errorf("a default device was refused:\n%s", sysproc.Indent(out))
		}
		// runc's list, after the template's deny-all.
		list := cgroupFile(t, h.state(id).Pid, "devices", "devices.list")
		for _, rule := range []string{"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm",
			"c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm"} {
			if !contains(lines(list), rule) {
				t.Errorf("devices.list lacks runc's default rule %q:\n%s", rule, sysproc.Indent(list))
			}
		}
		if n := len(lines(list)); n != 11 {
			t.Errorf("devices.list has %d rules, want runc's 11:\n%s", n, sysproc.Indent(list))
		}
	})
}

// ---------------------------------------------------------------------------
// User and cgroup namespaces

func TestExtrasUserNamespace(t *testing.T) {
	t.Parallel()
	h := newH(t)
	const hostID, size = 100000, 65536
	mapping := []specs.LinuxIDMapping{{ContainerID: 0, HostID: hostID, Size: size}}
	id := h.id()
	// The shared busybox rootfs is root-owned and world-readable, which is
	// all the mapped root needs.
	h.ok("run", "-d", "--bundle", h.bundle(longRunning,
		withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
		withNamespace(specs.UserNamespace), withNamespace(specs.CgroupNamespace),
		func(s *specs.Spec) {
			s.Linux.UIDMappings, s.Linux.GIDMappings = mapping, mapping
		}), id)
	pid := h.state(id).Pid

	r := h.ok("exec", id, "sh", "-c", `id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f; stat -c %u:%g /tmp/f`)
	out := lines(r.Stdout)
	wantMap := fmt.Sprintf("0 %d %d", hostID, size)
	if len(out) != 5 || out[0] != "0" || out[1] != "0" || strings.Join(strings.Fields(out[2]), " ") != wantMap ||
		strings.Join(strings.Fields(out[3]), " ") != wantMap || out[4] != "0:0" {
		t.Errorf("inside the user namespace: want uid 0, gid 0, uid_map and gid_map %q, a new file owned 0:0; got:\n%s", wantMap, sysproc.Indent(r.Stdout))
	}
	// The same file seen from the host belongs to the mapped ids.
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d/root/tmp/f", pid), &st); err != nil {
		t.Errorf("stat the container's file from the host: %v", err)
	} else if st.Uid != hostID || st.Gid != hostID {
		t.Errorf("the container's file is %d:%d on the host, want %d:%d", st.Uid, st.Gid, hostID, hostID)
	}
	if hostMap, _ := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", pid)); strings.Join(strings.Fields(string(hostMap)), " ") != wantMap {
		t.Errorf("init's uid_map read from the host: %q, want %q", hostMap, wantMap)
	}
	selfNS, _ := os.Readlink("/proc/self/ns/user")
	if ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid)); ns == selfNS {
		t.Errorf("init is in the host's user namespace %s", ns)
	}

	// The cgroup namespace: every hierarchy's path is the namespace root.
	r = h.ok("exec", id, "cat", "/proc/self/cgroup")
	for _, l := range lines(r.Stdout) {
		if parts := strings.SplitN(l, ":", 3); len(parts) != 3 || parts[2] != "/" {
			t.Errorf("/proc/self/cgroup inside a cgroup namespace: line %q, want path /\n%s", l, sysproc.Indent(r.Stdout))
		}
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// ---------------------------------------------------------------------------
// Time namespace

// extBuildHelper builds tests/testdata/<name> as a static binary in a
// fresh directory under dir and returns that directory, to bind-mount.
func extBuildHelper(t *testing.T, dir, name string) string {
	t.Helper()
	out := filepath.Join(dir, "helper-"+name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := buildTestdata(name, filepath.Join(out, name)); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExtrasTimeNamespace(t *testing.T) {
	t.Parallel()
	if !fileExists("/proc/self/ns/time") {
		t.Skip("this kernel has no time namespace (Linux 5.6 or later)")
	}
	h := newH(t)
	const monoOff, bootOff = 10 * 86400, 20 * 86400
	helper := extBuildHelper(t, h.dir, "clocks")
	b := h.bundle(sh(`cat /proc/self/timens_offsets; /mnt/clocks; cut -d' ' -f1 /proc/uptime`),
		withMount(specs.Mount{Destination: "/mnt", Type: "bind", Source: helper, Options: []string{"bind", "ro"}}),
		func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.TimeNamespace})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{
				"monotonic": {Secs: monoOff},
				"boottime":  {Secs: bootOff},
			}
		})
	var hostMono, hostBoot unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &hostMono)
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &hostBoot)
	out := h.runOut(b)
	got := map[string]string{}
	ls := lines(out)
	for _, l := range ls {
		if f := strings.Fields(l); len(f) >= 2 {
			got[f[0]] = strings.Join(f[1:], " ")
		}
	}
	if got["monotonic"] == "" || len(ls) != 5 {
		t.Fatalf("time namespace container printed:\n%s\nwant timens_offsets (2 lines), the helper's clocks (2 lines) and the uptime", sysproc.Indent(out))
	}
	// timens_offsets: "<clock> <secs> <nsecs>", then the helper's lines.
	if strings.Join(strings.Fields(ls[0]), " ") != fmt.Sprintf("monotonic %d 0", monoOff) ||
		strings.Join(strings.Fields(ls[1]), " ") != fmt.Sprintf("boottime %d 0", bootOff) {
		t.Errorf("/proc/self/timens_offsets:\n%s\nwant monotonic %d and boottime %d", sysproc.Indent(strings.Join(ls[:2], "\n")), monoOff, bootOff)
	}
	near := func(what, s string, want int64) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || int64(v) < want-1 || int64(v) > want+10 {
			t.Errorf("%s inside: %q, want about %d (the host's clock plus the offset)", what, s, want)
		}
	}
	near("CLOCK_MONOTONIC", strings.Fields(ls[2])[1], hostMono.Sec+monoOff)
	near("CLOCK_BOOTTIME", strings.Fields(ls[3])[1], hostBoot.Sec+bootOff)
	near("/proc/uptime", ls[4], hostBoot.Sec+bootOff)
}

// ---------------------------------------------------------------------------
// Seccomp notify

// extSeccompNotif is struct seccomp_notif of linux/seccomp.h (80 bytes,
// the size encoded in SECCOMP_IOCTL_NOTIF_RECV).
type extSeccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Nr    int32
	Arch  uint32
	IP    uint64
	Args  [6]uint64
}

// extSeccompNotifResp is struct seccomp_notif_resp (24 bytes).
type extSeccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// extNotifyMsg is what arrived on the listenerPath socket.
type extNotifyMsg struct {
	state specs.ContainerProcessState
	raw   string
	fds   []int
	err   error
}

func extListenSeccomp(t *testing.T, path string) <-chan extNotifyMsg {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() }) // also removes the socket file
	ch := make(chan extNotifyMsg, 1)
	go func() {
		var m extNotifyMsg
		defer func() { ch <- m }()
		c, err := ln.AcceptUnix()
		if err != nil {
			m.err = err
			return
		}
		defer c.Close()
		buf, oob := make([]byte, 1<<20), make([]byte, unix.CmsgSpace(4*4))
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			m.err = fmt.Errorf("recvmsg: %w", err)
			return
		}
		m.raw = string(buf[:n])
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			m.err = fmt.Errorf("control message: %w", err)
			return
		}
		for i := range msgs {
			fds, _ := unix.ParseUnixRights(&msgs[i])
			m.fds = append(m.fds, fds...)
		}
		m.err = json.Unmarshal(buf[:n], &m.state)
	}()
	return ch
}

func TestExtrasSeccompNotify(t *testing.T) {
	t.Parallel()
	h := newH(t)
	sock := filepath.Join(h.dir, "seccomp-agent.sock")
	agent := extListenSeccomp(t, sock)
	const metadata = "hulltest-agent=extras"
	b := h.bundle(sh(`mkdir /tmp/first 2>&1; echo "first=$?"; mkdir /tmp/second 2>&1; echo "second=$?"`),
		withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
		func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
				ListenerPath:  sock, ListenerMetadata: metadata,
				Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActNotify}},
			}
		})
	id := h.id()
	done := make(chan result, 1)
	go func() { done <- h.hull("run", "--bundle", b, id) }()

	var m extNotifyMsg
	select {
	case m = <-agent:
	case r := <-done:
		t.Fatalf("hull run ended before anything arrived on listenerPath:\n%s", r)
	case <-time.After(10 * time.Second):
		h.hull("kill", id, "KILL")
		t.Fatalf("nothing arrived on listenerPath %s within 10s; run:\n%s", sock, <-done)
	}
	if m.err != nil {
		h.hull("kill", id, "KILL")
		t.Fatalf("listenerPath message: %v\n%q; run:\n%s", m.err, m.raw, <-done)
	}
	defer func() {
		for _, fd := range m.fds {
			unix.Close(fd)
		}
	}()
	st := h.state(id) // the container waits in mkdir for our answer
	ps := m.state
	if len(m.fds) != 1 || len(ps.Fds) != 1 || ps.Fds[0] != specs.SeccompFdName {
		t.Errorf("got %d fds named %q, want one named %q:\n%s", len(m.fds), ps.Fds, specs.SeccompFdName, m.raw)
	}
	if ps.Metadata != metadata || ps.State.ID != id || ps.State.Bundle != b || ps.State.Pid != st.Pid || ps.Pid != st.Pid ||
		ps.Version == "" || ps.State.Version == "" {
		t.Errorf("listenerPath state: want metadata %q, id %s, bundle %s, pid %d (state and process) and the OCI version:\n%s",
			metadata, id, b, st.Pid, m.raw)
	}
	if len(m.fds) == 1 {
		fd := m.fds[0]
		if link, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)); link != "anon_inode:seccomp notify" {
			t.Errorf("the received fd is %q, want a seccomp notify fd", link)
		}
		// Answer the first mkdir with EACCES through the fd, then close
		// it: the kernel fails the second mkdir with ENOSYS.
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if n, err := unix.Poll(pfd, 10000); n != 1 || err != nil {
			t.Errorf("no notification on the seccomp fd within 10s (poll: %d, %v)", n, err)
		} else {
			var req extSeccompNotif
			if err := extIoctl(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&req)); err != nil {
				t.Errorf("SECCOMP_IOCTL_NOTIF_RECV: %v", err)
			} else {
				if req.Nr != unix.SYS_MKDIR && req.Nr != unix.SYS_MKDIRAT {
					t.Errorf("notification for syscall %d, want mkdir (%d) or mkdirat (%d)", req.Nr, unix.SYS_MKDIR, unix.SYS_MKDIRAT)
				}
				resp := extSeccompNotifResp{ID: req.ID, Error: -int32(unix.EACCES)}
				if err := extIoctl(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&resp)); err != nil {
					t.Errorf("SECCOMP_IOCTL_NOTIF_SEND: %v", err)
				}
			}
		}
		unix.Close(fd)
		m.fds = nil
	}
	r := <-done
	if r.Code != 0 {
		t.Fatalf("hull run:\n%s", r)
	}
	mustContain(t, "container output", r.Stdout, "Permission denied", "first=1", "Function not implemented", "second=1")
	h.assertClean(id)
}

func extIoctl(fd int, req uint, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		return nil
	}
}

// ---------------------------------------------------------------------------
// process: scheduler, ioPriority, execCPUAffinity, umask, personality,
// consoleSize

// Scheduling policies as /proc/PID/stat field 41 shows them (sched.h).
const (
	extSchedBatch = 3
	extSchedIdle  = 5
)

// extIoprio is ioprio_get(IOPRIO_WHO_PROCESS, pid): class<<13 | level.
func extIoprio(t *testing.T, pid int) int {
	t.Helper()
	const whoProcess = 1
	v, _, e := unix.Syscall(unix.SYS_IOPRIO_GET, whoProcess, uintptr(pid), 0)
	if e != 0 {
		t.Fatalf("ioprio_get(%d): %v", pid, e)
	}
	return int(v)
}

func extReadPid(t *testing.T, file string) int {
	t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(string(readFile(t, file))))
	if err != nil {
		t.Fatalf("pid file %s: %v", file, err)
	}
	return pid
}

// extCheckProc compares the scheduling settings of the live process pid.
func extCheckProc(t *testing.T, what string, pid, policy, nice, ioprio int, cpus, umask string) {
	t.Helper()
	f := extStat(t, pid)
	if got := f[41-3]; got != strconv.Itoa(policy) {
		t.Errorf("%s: scheduling policy %s, want %d", what, got, policy)
	}
	if got := f[19-3]; got != strconv.Itoa(nice) {
		t.Errorf("%s: nice %s, want %d", what, got, nice)
	}
	if got := extIoprio(t, pid); got != ioprio {
		t.Errorf("%s: ioprio class %d level %d, want class %d level %d", what, got>>13, got&0xff, ioprio>>13, ioprio&0xff)
	}
	if got := extStatus(t, pid, "Cpus_allowed_list"); got != cpus {
		t.Errorf("%s: Cpus_allowed_list %q, want %q", what, got, cpus)
	}
	if got := extStatus(t, pid, "Umask"); got != umask {
		t.Errorf("%s: umask %s, want %s", what, got, umask)
	}
}

func TestExtrasProcess(t *testing.T) {
	t.Parallel()
	last := extLastCPU(t)

	t.Run("scheduling", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
			s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedBatch, Nice: 7}
			s.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 3}
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "0", Final: last}
			s.Process.User.Umask = extPtr[uint32](0o027)
		}), id)
		// runtime-spec: execCPUAffinity "is not applicable to the
		// container's init process"; libcontainer resets init to all CPUs.
		all := extStatus(t, os.Getpid(), "Cpus_allowed_list")
		extCheckProc(t, "init", h.state(id).Pid, extSchedBatch, 7, 2<<13|3, all, "0027")

		// A plain exec takes them all from config.json, with the final
		// execCPUAffinity.
		pidFile := filepath.Join(h.dir, "exec.pid")
		h.ok("exec", "-d", "--pid-file", pidFile, id, "sleep", "1000")
		extCheckProc(t, "exec from config.json", extReadPid(t, pidFile), extSchedBatch, 7, 2<<13|3, last, "0027")

		// An exec'd process.json overrides them.
		p := specs.Process{Args: longRunning, Cwd: "/", Env: []string{"PATH=/bin"},
			Scheduler:       &specs.Scheduler{Policy: specs.SchedIdle},
			IOPriority:      &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_IDLE, Priority: 0},
			ExecCPUAffinity: &specs.CPUAffinity{Final: "0"}}
		data, _ := json.Marshal(p)
		file := filepath.Join(h.dir, "process.json")
		writeFile(t, file, string(data))
		h.ok("exec", "-d", "--pid-file", pidFile, "--process", file, id)
		extCheckProc(t, "exec from process.json", extReadPid(t, pidFile), extSchedIdle, 0, 3<<13, "0", "0027")
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})

	t.Run("exec-umask", func(t *testing.T) {
		// libcontainer gives every exec'd process the container's umask;
		// process.user.umask of an exec must be applied, or refused in one
		// line, never silently dropped.
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) { s.Process.User.Umask = extPtr[uint32](0o027) }), id)
		p := specs.Process{Args: []string{"sh", "-c", "umask"}, Cwd: "/", Env: []string{"PATH=/bin"},
			User: specs.User{Umask: extPtr[uint32](0o077)}}
		data, _ := json.Marshal(p)
		file := filepath.Join(h.dir, "process.json")
		writeFile(t, file, string(data))
		r := h.hull("exec", "--process", file, id)
		switch {
		case r.Code == 0 && strings.TrimSpace(r.Stdout) != "0077":
			t.Errorf("exec with process.user.umask 0077 ran with umask %q (the container's is 0027)", strings.TrimSpace(r.Stdout))
		case r.Code != 0 && (len(lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, "process.json: user.umask")):
			// The --process file is a process object: its path is user.umask.
			t.Errorf("exec with process.user.umask: want it applied, or a one-line refusal naming process.json's user.umask:\n%s", r)
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})

	t.Run("umask-inside", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle(sh("umask; touch /tmp/f; stat -c %a /tmp/f"),
			withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
			func(s *specs.Spec) { s.Process.User.Umask = extPtr[uint32](0o027) }))
		if got := lines(out); len(got) != 2 || got[0] != "0027" || got[1] != "640" {
			t.Errorf("umask 0027: printed %q, want 0027 and a new file of mode 640", got)
		}
	})

	t.Run("personality", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle(sh("uname -m; cat /proc/self/personality"), func(s *specs.Spec) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux32}
		}))
		// PER_LINUX32 is 0x0008 (linux/personality.h).
		if got := lines(out); len(got) != 2 || got[0] != "i686" || got[1] != "00000008" {
			t.Errorf("LINUX32 personality: printed %q, want uname -m i686 and personality 00000008", got)
		}
	})

	t.Run("personality-flags", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		extRefused(t, h, h.bundle([]string{"true"}, func(s *specs.Spec) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux, Flags: []specs.LinuxPersonalityFlag{"ADDR_NO_RANDOMIZE"}}
		}), "linux.personality.flags[0]")
	})

	t.Run("exec-consoleSize", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
		cl := listenConsole(t, h.dir)
		p := specs.Process{Args: []string{"sh", "-c", "stty size; echo done"}, Cwd: "/", Env: []string{"PATH=/bin"},
			Terminal: true, ConsoleSize: &specs.Box{Height: 21, Width: 77}}
		data, _ := json.Marshal(p)
		file := filepath.Join(h.dir, "process.json")
		writeFile(t, file, string(data))
		h.ok("exec", "-d", "--tty", "--console-socket", cl.path, "--process", file, id)
		out := readPty(cl.wait(t))
		out.waitFor(t, "done")
		if !strings.Contains(out.String(), "21 77\r\n") {
			t.Errorf("stty size in an exec'd terminal: %q, want 21 77 (process.consoleSize)", out.String())
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})
}

// ---------------------------------------------------------------------------
// linux.sysctl

func TestExtrasSysctl(t *testing.T) {
	t.Parallel()
	host := func() string {
		a, _ := os.ReadFile("/proc/sys/kernel/shm_rmid_forced")
		b, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
		return strings.TrimSpace(string(a)) + " " + strings.TrimSpace(string(b))
	}

	t.Run("namespaced", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		before := host()
		out := h.runOut(h.bundle(sh("cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_forward"), func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"kernel.shm_rmid_forced": "1", "net.ipv4.ip_forward": "1"}
		}))
		if got := lines(out); len(got) != 2 || got[0] != "1" || got[1] != "1" {
			t.Errorf("inside: kernel.shm_rmid_forced and net.ipv4.ip_forward %q, want 1 and 1", got)
		}
		if after := host(); after != before {
			t.Errorf("the host's values changed from %q to %q", before, after)
		}
	})

	t.Run("not-namespaced", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		extRefused(t, h, h.bundle([]string{"true"}, func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"vm.swappiness": "10"}
		}), `linux.sysctl["vm.swappiness"]`, "not namespaced")
	})
}

// ---------------------------------------------------------------------------
// Mount extras: tmpcopyup, rootfsPropagation

// extMountinfoRoot returns the optional fields (shared:N, master:N...) of
// the mount at / in a mountinfo text.
func extMountinfoRoot(t *testing.T, mountinfo string) []string {
	t.Helper()
	var opt []string
	found := false
	for _, l := range lines(mountinfo) {
		f := strings.Fields(l)
		if len(f) < 7 || f[4] != "/" {
			continue
		}
		found = true // the last mount at / is the visible one
		opt = nil
		for _, x := range f[6:] {
			if x == "-" {
				break
			}
			opt = append(opt, x)
		}
	}
	if !found {
		t.Fatalf("no / in mountinfo:\n%s", sysproc.Indent(mountinfo))
	}
	return opt
}

func extHasPrefix(list []string, prefix string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}

func TestExtrasMounts(t *testing.T) {
	t.Parallel()

	t.Run("tmpcopyup", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle(sh(`head -1 /etc/passwd; echo new >/etc/hulltest && cat /etc/hulltest; grep ' /etc ' /proc/self/mountinfo`),
			withMount(specs.Mount{Destination: "/etc", Type: "tmpfs", Source: "tmpfs", Options: []string{"tmpcopyup", "size=1m"}})))
		got := lines(out)
		if len(got) != 3 || !strings.HasPrefix(got[0], "root:x:0:0") || got[1] != "new" || !strings.Contains(got[2], " - tmpfs ") {
			t.Errorf("tmpfs with tmpcopyup over /etc: printed\n%s\nwant the rootfs's /etc/passwd, a writable /etc and a tmpfs at /etc", sysproc.Indent(out))
		}
		if fileExists(filepath.Join(rootfsDir, "etc", "hulltest")) {
			os.Remove(filepath.Join(rootfsDir, "etc", "hulltest"))
			t.Errorf("the write went through to the rootfs")
		}
	})

	// sharedRoot makes a shared bind mount of the rootfs, so that a slave
	// has a master to follow.
	sharedRoot := func(t *testing.T, h *H) string {
		t.Helper()
		dir := h.hostDir("shared-rootfs")
		if err := unix.Mount(rootfsDir, dir, "", unix.MS_BIND, ""); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
		if err := unix.Mount("", dir, "", unix.MS_SHARED, ""); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, c := range []struct {
		prop       string
		sharedSrc  bool
		want, dont string // an optional field prefix that must (must not) be on /
	}{
		{"shared", false, "shared:", "master:"},
		{"rshared", false, "shared:", "master:"},
		{"slave", true, "master:", "shared:"},
		{"rslave", true, "master:", "shared:"},
		{"private", true, "", ""},
		{"rprivate", true, "", ""},
	} {
		t.Run("rootfsPropagation="+c.prop, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			out := h.runOut(h.bundle([]string{"cat", "/proc/self/mountinfo"}, func(s *specs.Spec) {
				s.Linux.RootfsPropagation = c.prop
				if c.sharedSrc {
					s.Root.Path = sharedRoot(t, h)
				}
			}))
			opt := extMountinfoRoot(t, out)
			switch {
			case c.want == "" && len(opt) != 0:
				t.Errorf("/ has propagation %q, want private (none)", opt)
			case c.want != "" && !extHasPrefix(opt, c.want):
				t.Errorf("/ has propagation %q, want %s", opt, c.want)
			case c.dont != "" && extHasPrefix(opt, c.dont):
				t.Errorf("/ has propagation %q, want no %s", opt, c.dont)
			}
		})
	}
}
