package spec

import (
	"reflect"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// updateBase is a running container's resources for the update tests.
func updateBase() *cgroups.Resources {
	return &cgroups.Resources{
		Memory: 1 << 30, MemorySwap: 2 << 30, CpuShares: 100, CpuWeight: 4, CpuQuota: 50000, CpuPeriod: 100000,
		CpusetCpus: "0-1", PidsLimit: ptr(int64(100)), CPUIdle: ptr(int64(1)),
		BlkioWeightDevice: []*cgroups.WeightDevice{cgroups.NewWeightDevice(8, 0, 300, 400)},
		BlkioThrottleReadBpsDevice: []*cgroups.ThrottleDevice{
			cgroups.NewThrottleDevice(8, 0, 1000), cgroups.NewThrottleDevice(8, 16, 5), cgroups.NewThrottleDevice(8, 0, 1500),
		},
		Unified: map[string]string{"memory.high": "1G"},
	}
}

func throttles(l []*cgroups.ThrottleDevice) string {
	var out []string
	for _, d := range l {
		out = append(out, d.String())
	}
	return strings.Join(out, ",")
}

func TestUpdateResources(t *testing.T) {
	for _, tc := range []struct {
		name  string
		r     specs.LinuxResources
		check func(t *testing.T, u *ResourceUpdate)
	}{
		{"empty sections write nothing", specs.LinuxResources{Memory: &specs.LinuxMemory{}, CPU: &specs.LinuxCPU{}, Pids: &specs.LinuxPids{}, BlockIO: &specs.LinuxBlockIO{}},
			func(t *testing.T, u *ResourceUpdate) {
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{}) {
					t.Errorf("write %+v, want nothing", u.Write)
				}
				if !reflect.DeepEqual(u.Merged, updateBase()) {
					t.Errorf("merged %+v, want the old resources", u.Merged)
				}
			}},
		{"cpu.idle=0 alone writes only idle", specs.LinuxResources{CPU: &specs.LinuxCPU{Idle: ptr(int64(0))}},
			func(t *testing.T, u *ResourceUpdate) {
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{CPUIdle: ptr(int64(0))}) {
					t.Errorf("write %+v, want only CPUIdle 0 (the kernel refuses cpu.shares while idle)", u.Write)
				}
				if *u.Merged.CPUIdle != 0 || u.Merged.CpuShares != 100 {
					t.Errorf("merged idle %d shares %d", *u.Merged.CPUIdle, u.Merged.CpuShares)
				}
				if !reflect.DeepEqual(u.Undo, &cgroups.Resources{CPUIdle: ptr(int64(1))}) {
					t.Errorf("undo %+v, want CPUIdle 1", u.Undo)
				}
			}},
		{"pids.limit alone", specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(7))}},
			func(t *testing.T, u *ResourceUpdate) {
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{PidsLimit: ptr(int64(7))}) {
					t.Errorf("write %+v", u.Write)
				}
				if *u.Merged.PidsLimit != 7 || u.Merged.Memory != 1<<30 || u.Merged.CpusetCpus != "0-1" {
					t.Errorf("merged %+v", u.Merged)
				}
			}},
		{"memory.limit pairs with the old swap", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(512 << 20))}},
			func(t *testing.T, u *ResourceUpdate) {
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{Memory: 512 << 20, MemorySwap: 2 << 30}) {
					t.Errorf("write %+v", u.Write)
				}
				if !reflect.DeepEqual(u.Undo, &cgroups.Resources{Memory: 1 << 30, MemorySwap: 2 << 30}) {
					t.Errorf("undo %+v", u.Undo)
				}
			}},
		{"memory.swap pairs with the old limit", specs.LinuxResources{Memory: &specs.LinuxMemory{Swap: ptr(int64(3 << 30))}},
			func(t *testing.T, u *ResourceUpdate) {
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{Memory: 1 << 30, MemorySwap: 3 << 30}) {
					t.Errorf("write %+v", u.Write)
				}
			}},
		{"memory.limit=-1 lifts swap", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-1))}},
			func(t *testing.T, u *ResourceUpdate) {
				if u.Write.Memory != -1 || u.Write.MemorySwap != -1 || u.Merged.MemorySwap != -1 {
					t.Errorf("write %+v merged swap %d", u.Write, u.Merged.MemorySwap)
				}
			}},
		{"cpu.quota pairs with the old period", specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr(int64(20000))}},
			func(t *testing.T, u *ResourceUpdate) {
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{CpuQuota: 20000, CpuPeriod: 100000}) {
					t.Errorf("write %+v", u.Write)
				}
			}},
		{"cpu.period pairs with the old quota", specs.LinuxResources{CPU: &specs.LinuxCPU{Period: ptr(uint64(200000))}},
			func(t *testing.T, u *ResourceUpdate) {
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{CpuQuota: 50000, CpuPeriod: 200000}) {
					t.Errorf("write %+v", u.Write)
				}
			}},
		{"cpu.shares sets the v2 weight too", specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr(uint64(512))}},
			func(t *testing.T, u *ResourceUpdate) {
				w := cgroups.ConvertCPUSharesToCgroupV2Value(512)
				if !reflect.DeepEqual(u.Write, &cgroups.Resources{CpuShares: 512, CpuWeight: w}) {
					t.Errorf("write %+v", u.Write)
				}
				if !reflect.DeepEqual(u.Undo, &cgroups.Resources{CpuShares: 100, CpuWeight: 4}) {
					t.Errorf("undo %+v", u.Undo)
				}
			}},
		{"throttleReadBpsDevice replaces the device's entries", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{
			{Rate: 2000, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}},
			{Rate: 3000, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 32}},
			{Rate: 2500, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}},
		}}}, func(t *testing.T, u *ResourceUpdate) {
			if got := throttles(u.Write.BlkioThrottleReadBpsDevice); got != "8:0 2500,8:32 3000" {
				t.Errorf("write %s, want the last entry per device", got)
			}
			// The old duplicate 8:0 1500 would be written after the new
			// value and win: it is dropped.
			if got := throttles(u.Merged.BlkioThrottleReadBpsDevice); got != "8:0 2500,8:16 5,8:32 3000" {
				t.Errorf("merged %s", got)
			}
			// 8:0 was last 1500; 8:32 had no rule, rate 0 removes it.
			if got := throttles(u.Undo.BlkioThrottleReadBpsDevice); got != "8:0 1500,8:32 0" {
				t.Errorf("undo %s", got)
			}
			if u.Write.Memory != 0 || u.Write.CpuShares != 0 || len(u.Write.BlkioThrottleWriteBpsDevice) != 0 {
				t.Errorf("write has unnamed fields: %+v", u.Write)
			}
		}},
		{"throttle of each kind", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
			ThrottleWriteBpsDevice:  []specs.LinuxThrottleDevice{{Rate: 1, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 1, Minor: 2}}},
			ThrottleReadIOPSDevice:  []specs.LinuxThrottleDevice{{Rate: 3, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 1, Minor: 2}}},
			ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{Rate: 4, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 1, Minor: 2}}},
		}}, func(t *testing.T, u *ResourceUpdate) {
			got := []string{throttles(u.Write.BlkioThrottleWriteBpsDevice), throttles(u.Write.BlkioThrottleReadIOPSDevice), throttles(u.Write.BlkioThrottleWriteIOPSDevice)}
			if strings.Join(got, ";") != "1:2 1;1:2 3;1:2 4" {
				t.Errorf("write %q", got)
			}
		}},
		{"weightDevice weight alone keeps the leaf weight", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{WeightDevice: []specs.LinuxWeightDevice{
			{Weight: ptr(uint16(500)), LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}},
		}}}, func(t *testing.T, u *ResourceUpdate) {
			if len(u.Write.BlkioWeightDevice) != 1 || *u.Write.BlkioWeightDevice[0] != *cgroups.NewWeightDevice(8, 0, 500, 400) {
				t.Errorf("write %+v", u.Write.BlkioWeightDevice)
			}
			if len(u.Undo.BlkioWeightDevice) != 1 || *u.Undo.BlkioWeightDevice[0] != *cgroups.NewWeightDevice(8, 0, 300, 400) {
				t.Errorf("undo %+v", u.Undo.BlkioWeightDevice)
			}
		}},
		{"unified replaced", specs.LinuxResources{Unified: map[string]string{"pids.max": "5", "memory.high": "2G"}},
			func(t *testing.T, u *ResourceUpdate) {
				if len(u.Merged.Unified) != 2 || u.Write.Unified["pids.max"] != "5" {
					t.Errorf("write %v merged %v", u.Write.Unified, u.Merged.Unified)
				}
				if !reflect.DeepEqual(u.Undo.Unified, map[string]string{"memory.high": "1G"}) {
					t.Errorf("undo %v", u.Undo.Unified)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := updateBase()
			r := tc.r
			u, err := UpdateResources("<stdin>", &r, old)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(old, updateBase()) {
				t.Errorf("UpdateResources changed the old resources: %+v", old)
			}
			tc.check(t, u)
		})
	}
}

func TestUpdateResourcesRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    specs.LinuxResources
		want string
	}{
		{"swap below limit", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(100)), Swap: ptr(int64(50))}}, "memory.swap: 50: is memory+swap"},
		{"bad cpus", specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-"}}, `cpu.cpus: "0-"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			_, err := UpdateResources("<stdin>", &r, &cgroups.Resources{Memory: 7})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// What runc's update skips, hull skips too, with a warning, and applies
// the rest of the request.
func TestUpdateResourcesIgnores(t *testing.T) {
	limit := int64(50)
	for _, tc := range []struct {
		name string
		r    specs.LinuxResources
		want string
	}{
		{"devices", specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}}, "<stdin>: devices: 1: a device rule cannot be updated in a running container, so it is ignored"},
		{"hugepages", specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1 << 21}}}, "<stdin>: hugepageLimits: 1: a hugepage limit cannot"},
		{"network", specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr(uint32(1))}}, "<stdin>: network: the network class"},
		{"rdma", specs.LinuxResources{Rdma: map[string]specs.LinuxRdma{"mlx": {}}}, "<stdin>: rdma: 1: an RDMA limit cannot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.Pids = &specs.LinuxPids{Limit: &limit}
			u, err := UpdateResources("<stdin>", &r, &cgroups.Resources{})
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Ignored) != 1 || !strings.Contains(u.Ignored[0].Error(), tc.want) {
				t.Errorf("ignored %v, want one warning with %q", u.Ignored, tc.want)
			}
			w := u.Write
			if len(w.Devices) > 0 || len(w.HugetlbLimit) > 0 || w.NetClsClassid != 0 || len(w.Rdma) > 0 {
				t.Errorf("an ignored field is written: %+v", w)
			}
			if w.PidsLimit == nil || *w.PidsLimit != limit {
				t.Errorf("the rest of the request is not applied: pids %v", w.PidsLimit)
			}
		})
	}
}

func TestExecProcess(t *testing.T) {
	ok := &specs.Process{Args: []string{"sh"}, Cwd: "/", Env: []string{"A=b"}, User: specs.User{UID: 5, GID: 6, AdditionalGids: []uint32{7}}}
	p, err := ExecProcess("p.json", false, ok)
	if err != nil || p.UID != 5 || p.GID != 6 || len(p.AdditionalGroups) != 1 || p.Args[0] != "sh" {
		t.Fatalf("ExecProcess = %+v, %v", p, err)
	}
	for _, tc := range []struct {
		name string
		p    *specs.Process
		want string
	}{
		{"relative cwd", &specs.Process{Args: []string{"sh"}, Cwd: "tmp"}, `p.json: process.cwd: "tmp": must be an absolute path`},
		{"no args", &specs.Process{Cwd: "/"}, "process.args: missing or empty"},
		{"env without =", &specs.Process{Args: []string{"sh"}, Cwd: "/", Env: []string{"NOEQ"}}, `process.env[0]: "NOEQ": missing "="`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ExecProcess("p.json", false, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// What runc runs an exec'd process without (checked with runc 1.5.3),
// hull runs without too, with a warning.
func TestExecWarnings(t *testing.T) {
	umask, other := uint32(0o027), uint32(0o077)
	withUmask := &specs.Process{Args: []string{"sh"}, Cwd: "/", User: specs.User{Umask: &other}}
	withCap := &specs.Process{Args: []string{"sh"}, Cwd: "/", Capabilities: &specs.LinuxCapabilities{Effective: []string{"CAP_KILL", "CAP_FUTURE"}}}
	for _, tc := range []struct {
		name       string
		p          *specs.Process
		standalone bool
		umask      *uint32
		want       string // "" for none
	}{
		{"umask differs", withUmask, false, &umask, `p.json: process.user.umask: "0077": ignored, as runc does: an exec'd process gets the container's umask (0027)`},
		{"umask and none set", withUmask, true, nil, `p.json: user.umask: "0077": ignored, as runc does: an exec'd process gets the container's umask (none, so it inherits hull's)`},
		{"umask same", withUmask, false, &other, ""},
		{"unknown capability", withCap, true, nil, `p.json: capabilities.effective[1]: "CAP_FUTURE": unknown capability, ignored`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ExecProcess("p.json", tc.standalone, tc.p); err != nil {
				t.Fatalf("ExecProcess refuses what runc runs: %v", err)
			}
			ws := ExecWarnings("p.json", tc.standalone, tc.p, tc.umask)
			switch {
			case tc.want == "" && len(ws) != 0:
				t.Errorf("warnings %v, want none", ws)
			case tc.want != "" && (len(ws) != 1 || !strings.HasPrefix(ws[0].Error(), tc.want)):
				t.Errorf("warnings %v, want one starting %q", ws, tc.want)
			}
		})
	}
}

func TestExecProcessFilePaths(t *testing.T) {
	_, err := ExecProcess("p.json", true, &specs.Process{Args: []string{"sh"}, Cwd: "rel"})
	if err == nil || err.Error() != `p.json: cwd: "rel": must be an absolute path` {
		t.Errorf("a --process file's paths start at its top: %v", err)
	}
}

func TestKnownLists(t *testing.T) {
	if got := strings.Join(KnownNamespaces(), " "); got != "cgroup ipc mount network pid time user uts" {
		t.Errorf("KnownNamespaces = %s", got)
	}
	if got := strings.Join(KnownHooks(), " "); got != "prestart createRuntime createContainer startContainer poststart poststop" {
		t.Errorf("KnownHooks = %s", got)
	}
	for _, m := range KnownMemoryPolicyModes() {
		if !strings.HasPrefix(m, "MPOL_") {
			t.Errorf("memory policy mode %q", m)
		}
	}
	if len(KnownMemoryPolicyFlags()) == 0 || len(PotentiallyUnsafeAnnotations()) == 0 {
		t.Error("empty lists")
	}
}
