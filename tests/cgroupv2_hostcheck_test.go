package tests

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestCgroupV2CheckHost: `check --host` on a cgroup v2 host judges the
// resources against this host's v2 controllers (cgroup.controllers) and
// files: every v2 setting of a good config passes; unified keys hull
// cannot apply, controllers the host lacks and CPUs not online are named
// by JSON path. features says v2 (and the systemd driver) is there.
func TestCgroupV2CheckHost(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	major, minor, _ := extBlockDevice(t)
	good := h.bundle([]string{"true"}, func(s *specs.Spec) {
		r := extResources(s)
		r.Memory = &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Swap: ptr[int64](96 << 20), Reservation: ptr[int64](1 << 20)}
		r.CPU = &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](1000), Cpus: "0", Mems: "0"}
		r.Pids = &specs.LinuxPids{Limit: ptr[int64](10)}
		r.BlockIO = &specs.LinuxBlockIO{ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{
			{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: major, Minor: minor}, Rate: 1 << 20}}}
		r.Unified = map[string]string{"memory.high": "max", "cgroup.max.depth": "3"}
	})
	r := h.ok("check", "--host", "--bundle", good)
	mustContain(t, "check --host of v2 resources", r.Stdout, "no problems found")

	online, _ := os.ReadFile("/sys/devices/system/cpu/online")
	bad := h.bundle([]string{"true"}, func(s *specs.Spec) {
		r := extResources(s)
		r.CPU = &specs.LinuxCPU{Cpus: "0,63"}
		r.Unified = map[string]string{"bogus.max": "1", "memory.bogus": "1", "cgroup.procs": "1"}
	})
	r = h.hull("check", "--host", "--bundle", bad)
	if r.Code != 1 {
		t.Fatalf("check --host of unusable v2 settings: want exit 1:\n%s", r)
	}
	mustContain(t, "check --host of unusable v2 settings", r.Stdout,
		`linux.resources.unified["bogus.max"]`, `no controller "bogus"`,
		`linux.resources.unified["memory.bogus"]`, "no file memory.bogus",
		`linux.resources.unified["cgroup.procs"]`, "not a resource setting",
		`linux.resources.cpu.cpus: "0,63": CPUs 63 are not online on this host (online: `+strings.TrimSpace(string(online)))
	if strings.Contains(r.Stdout, "cgroup v1") {
		t.Errorf("check --host on a cgroup v2 host speaks of cgroup v1:\n%s", r.Stdout)
	}

	var f struct {
		Linux struct {
			Cgroup struct{ V1, V2, Systemd bool }
		}
	}
	r = h.ok("features")
	if err := json.Unmarshal([]byte(r.Stdout), &f); err != nil || !f.Linux.Cgroup.V2 || !f.Linux.Cgroup.Systemd {
		t.Errorf("features: want linux.cgroup.v2 and systemd true: %v\n%s", err, r.Stdout)
	}
}
