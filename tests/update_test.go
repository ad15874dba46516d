package tests

// `update` on real containers: it writes the cgroup files of the fields
// it is asked for and no other (every settable file of every hierarchy is
// compared before and after), cpu.idle goes back to 0 after 1 (the kernel
// refuses cpu.shares while idle is set), and block I/O per-device
// throttles are applied, replacing the container's entries for the device.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// updSettings reads every file of pid's cgroups (in each v1 hierarchy,
// named hierarchy/file; on cgroup v2 its one cgroup, named file) that can
// be both read and written: the settings. Counters that change by
// themselves (usage, peaks, fail counts, pressure) and the member lists
// are left out.
func updSettings(t *testing.T, pid int) map[string]string {
	t.Helper()
	type dir struct{ label, path string }
	var dirs []dir
	if cgroupV2() {
		dirs = append(dirs, dir{"", cgroupDir(t, pid, "")})
	} else {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines(string(data)) {
			parts := strings.SplitN(l, ":", 3)
			if len(parts) != 3 || parts[1] == "" {
				continue
			}
			if mnt := extV1Mount(strings.Split(parts[1], ",")[0]); mnt != "" {
				dirs = append(dirs, dir{filepath.Base(mnt), filepath.Join(mnt, parts[2])})
			}
		}
	}
	out := map[string]string{}
	for _, d := range dirs {
		ents, err := os.ReadDir(d.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			name := e.Name()
			info, err := e.Info()
			if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o600 != 0o600 ||
				strings.Contains(name, "usage") || strings.Contains(name, "failcnt") || strings.HasSuffix(name, ".pressure") ||
				name == "tasks" || name == "cgroup.procs" || name == "cgroup.threads" {
				continue
			}
			v, err := os.ReadFile(filepath.Join(d.path, name))
			if err != nil {
				continue // write-only in practice (blkio.reset_stats, devices.allow, memory.reclaim)
			}
			out[filepath.Join(d.label, name)] = strings.TrimSpace(string(v))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no cgroup settings found for pid %d", pid)
	}
	return out
}

// updChanged lists the settings whose value differs between two reads.
func updChanged(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestUpdateWritesOnlyNamedFields(t *testing.T) {
	t.Parallel()
	h := newH(t)
	major, minor, _ := extBlockDevice(t)
	dev := fmt.Sprintf("%d:%d", major, minor)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		r := extResources(s)
		r.CPU = &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000)}
		r.Memory = &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Reservation: ptr[int64](32 << 20)}
		r.Pids = &specs.LinuxPids{Limit: ptr[int64](100)}
	}), id)
	pid := h.state(id).Pid
	// Values set behind hull's back (another tool, an operator): an update
	// of something else must leave them, not put the config's back.
	behind := map[string][2]string{
		"cpu":    {"cpu.shares", "300"},
		"memory": {"memory.soft_limit_in_bytes", fmt.Sprint(16 << 20)},
	}
	// What changes, per case, by v1 file (hierarchy/file); v2 names its
	// files alone.
	changes := func(v1, v2 string) []string { return []string{v1} }
	writeIOPS := "blkio/blkio.throttle.write_iops_device"
	if cgroupV2() {
		behind = map[string][2]string{"cpu": {"cpu.weight", "30"}, "memory": {"memory.low", fmt.Sprint(16 << 20)}}
		changes = func(v1, v2 string) []string { return []string{v2} }
		writeIOPS = "io.max"
	}
	for ctrl, kv := range behind {
		if err := os.WriteFile(filepath.Join(cgroupDir(t, pid, ctrl), kv[0]), []byte(kv[1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for _, c := range []struct {
		name string
		args []string
		res  string
		want []string // settings that change
		fail bool     // the update is refused, and changes nothing
	}{
		{"pids-limit", []string{"--pids-limit", "42"}, "", changes("pids/pids.max", "pids.max"), false},
		{"memory.limit", nil, `{"memory":{"limit":50331648}}`, changes("memory/memory.limit_in_bytes", "memory.max"), false},
		{"cpu.quota", []string{"--cpu-quota", "30000"}, "", changes("cpu/cpu.cfs_quota_us", "cpu.max"), false},
		{"cpuset-cpus", []string{"--cpuset-cpus", extLastCPU(t)}, "", nil, false},
		{"throttleWriteIOPSDevice", nil, fmt.Sprintf(`{"blockIO":{"throttleWriteIOPSDevice":[{"major":%d,"minor":%d,"rate":55}]}}`, major, minor),
			[]string{writeIOPS}, false},
		// libcontainer writes the cpuset before the memory limit, which
		// fails below usage: the cpuset goes back to what the last
		// update made it.
		{"refused", nil, `{"cpu":{"cpus":"0"},"memory":{"limit":4096,"checkBeforeUpdate":true}}`, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := updSettings(t, pid)
			args := append([]string{"update"}, c.args...)
			o := cmdOpts{}
			if c.res != "" {
				args = append(args, "-r", "-")
				o.Stdin = strings.NewReader(c.res)
			}
			if r := h.hullOpts(o, append(args, id)...); (r.Code != 0) != c.fail {
				t.Fatalf("update exit status %d, want failure %v:\n%s", r.Code, c.fail, r)
			}
			after := updSettings(t, pid)
			got := updChanged(before, after)
			// The cpuset may already be what it is set to (one CPU).
			if c.name == "cpuset-cpus" {
				got = slices.DeleteFunc(got, func(k string) bool {
					return k == "cpuset/cpuset.cpus" || k == "cpuset/cpuset.effective_cpus" || k == "cpuset.cpus"
				})
			}
			if !slices.Equal(got, c.want) {
				var diff []string
				for _, k := range got {
					diff = append(diff, fmt.Sprintf("%s: %q -> %q", k, before[k], after[k]))
				}
				t.Errorf("update %s changed %q, want only %q:\n\t%s", c.name, got, c.want, strings.Join(diff, "\n\t"))
			}
		})
	}
	if cgroupV2() {
		if got := cgroupFile(t, pid, "", "io.max"); !contains(lines(got), dev+" rbps=max wbps=max riops=max wiops=55") {
			t.Errorf("io.max = %q, want the line %q", got, dev+" rbps=max wbps=max riops=max wiops=55")
		}
	} else if got := cgroupFile(t, pid, "blkio", "blkio.throttle.write_iops_device"); got != dev+" 55" {
		t.Errorf("blkio.throttle.write_iops_device = %q, want %q", got, dev+" 55")
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

func TestUpdateCPUIdle(t *testing.T) {
	t.Parallel()
	// cgroup v2 has cpu.idle in every cgroup with the cpu controller
	// (Linux 5.15 too; the VM's kernel is 6.1).
	if !cgroupV2() && !fileExists(filepath.Join(extV1Mount("cpu"), "cpu.idle")) {
		t.Skip("this kernel's cgroup v1 cpu controller has no cpu.idle (Linux 5.15 or later)")
	}
	h := newH(t)
	id := h.id()
	// Shares in the config, as engines always send them: the update of
	// idle must not write them again (EINVAL while idle is 1).
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		extResources(s).CPU = &specs.LinuxCPU{Shares: ptr[uint64](100)}
	}), id)
	pid := h.state(id).Pid
	for _, step := range []struct {
		name string
		opts cmdOpts
		args []string
		want string
	}{
		{"json idle=1", cmdOpts{Stdin: strings.NewReader(`{"cpu":{"idle":1}}`)}, []string{"-r", "-"}, "1"},
		{"json idle=0", cmdOpts{Stdin: strings.NewReader(`{"cpu":{"idle":0}}`)}, []string{"-r", "-"}, "0"},
		{"flag idle=1", cmdOpts{}, []string{"--cpu-idle", "1"}, "1"},
		{"flag pids while idle", cmdOpts{}, []string{"--pids-limit", "20"}, "1"},
		{"flag idle=0", cmdOpts{}, []string{"--cpu-idle", "0"}, "0"},
	} {
		r := h.hullOpts(step.opts, append(append([]string{"update"}, step.args...), id)...)
		if r.Code != 0 {
			t.Fatalf("%s: update failed:\n%s", step.name, r)
		}
		if got := cgroupFile(t, pid, "cpu", "cpu.idle"); got != step.want {
			t.Errorf("%s: cpu.idle %s, want %s", step.name, got, step.want)
		}
	}
	if got := cgroupFile(t, pid, "pids", "pids.max"); got != "20" {
		t.Errorf("pids.max %s, want 20", got)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

func TestUpdateBlkioThrottle(t *testing.T) {
	t.Parallel()
	h := newH(t)
	major, minor, disk := extBlockDevice(t)
	dev := fmt.Sprintf("%d:%d", major, minor)
	td := func(rates ...uint64) []specs.LinuxThrottleDevice {
		var out []specs.LinuxThrottleDevice
		for _, r := range rates {
			out = append(out, specs.LinuxThrottleDevice{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Rate: r})
		}
		return out
	}
	id := h.id()
	// Two entries for the device at create: the kernel keeps the last. An
	// update that replaced only the first would be overwritten by the
	// second and change nothing.
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		extResources(s).BlockIO = &specs.LinuxBlockIO{ThrottleReadBpsDevice: td(1<<20, 3<<20)}
	}), id)
	pid := h.state(id).Pid
	files := []string{"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"}
	check := func(step string, want ...string) {
		t.Helper()
		if cgroupV2() {
			// v2 has the four in one line of io.max; "" is "max".
			line := dev
			for i, k := range []string{"rbps", "wbps", "riops", "wiops"} {
				v := "max"
				if want[i] != "" {
					v = strings.Fields(want[i])[1]
				}
				line += " " + k + "=" + v
			}
			// A device without limits has no line.
			if line == dev+" rbps=max wbps=max riops=max wiops=max" {
				line = ""
			}
			got := cgroupFile(t, pid, "", "io.max")
			var devLine string
			for _, l := range lines(got) {
				if strings.HasPrefix(l, dev+" ") {
					devLine = l
				}
			}
			if devLine != line {
				t.Errorf("%s: io.max = %q, want the line %q for %s (block device %s)", step, got, line, dev, disk)
			}
			return
		}
		for i, f := range files {
			if got := cgroupFile(t, pid, "blkio", f); got != want[i] {
				t.Errorf("%s: %s = %q, want %q (block device %s)", step, f, got, want[i], disk)
			}
		}
	}
	check("create", dev+" 3145728", "", "", "")

	update := func(step, res string) {
		t.Helper()
		if r := h.hullOpts(cmdOpts{Stdin: strings.NewReader(res)}, "update", "-r", "-", id); r.Code != 0 {
			t.Fatalf("%s: update failed:\n%s", step, r)
		}
	}
	update("all four", fmt.Sprintf(`{"blockIO":{"throttleReadBpsDevice":[{"major":%[1]d,"minor":%[2]d,"rate":2097152}],
		"throttleWriteBpsDevice":[{"major":%[1]d,"minor":%[2]d,"rate":4194304}],
		"throttleReadIOPSDevice":[{"major":%[1]d,"minor":%[2]d,"rate":300}],
		"throttleWriteIOPSDevice":[{"major":%[1]d,"minor":%[2]d,"rate":400}]}}`, major, minor))
	check("all four", dev+" 2097152", dev+" 4194304", dev+" 300", dev+" 400")

	// Duplicates in one request: the last one wins; the rest stays.
	update("duplicates", fmt.Sprintf(`{"blockIO":{"throttleWriteIOPSDevice":[{"major":%[1]d,"minor":%[2]d,"rate":10},{"major":%[1]d,"minor":%[2]d,"rate":20}]}}`, major, minor))
	check("duplicates", dev+" 2097152", dev+" 4194304", dev+" 300", dev+" 20")

	// And again: the entry the last update made is replaced, not kept.
	update("replace", fmt.Sprintf(`{"blockIO":{"throttleReadBpsDevice":[{"major":%d,"minor":%d,"rate":5242880}]}}`, major, minor))
	check("replace", dev+" 5242880", dev+" 4194304", dev+" 300", dev+" 20")

	// Weights: applied where the kernel has the files (CFQ or BFQ; v2's
	// io.weight or io.bfq.weight), refused in one line naming the field
	// where it does not.
	blkio := cgroupDir(t, pid, "blkio")
	hasWeight := fileExists(filepath.Join(blkio, "blkio.weight")) || fileExists(filepath.Join(blkio, "blkio.bfq.weight")) ||
		fileExists(filepath.Join(blkio, "io.weight")) || fileExists(filepath.Join(blkio, "io.bfq.weight"))
	for _, c := range []struct {
		name  string
		args  []string
		res   string
		field string
	}{
		{"blkio-weight flag", []string{"--blkio-weight", "300"}, "", "blockIO.weight"},
		{"weightDevice", []string{"-r", "-"}, fmt.Sprintf(`{"blockIO":{"weightDevice":[{"major":%d,"minor":%d,"weight":200}]}}`, major, minor), "blockIO.weightDevice"},
	} {
		r := h.hullOpts(cmdOpts{Stdin: strings.NewReader(c.res)}, append(append([]string{"update"}, c.args...), id)...)
		if hasWeight {
			if r.Code != 0 {
				t.Errorf("%s: update failed on a kernel with blkio weights:\n%s", c.name, r)
			}
			continue
		}
		if r.Code == 0 || len(lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, c.field) {
			t.Errorf("%s: want a one-line refusal naming %s (this kernel's blkio has no weight files):\n%s", c.name, c.field, r)
		}
	}
	check("after weights", dev+" 5242880", dev+" 4194304", dev+" 300", dev+" 20")
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
