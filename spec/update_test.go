package spec

import (
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestApplyUpdate(t *testing.T) {
	base := func() *cgroups.Resources {
		return &cgroups.Resources{
			Memory: 1 << 30, MemorySwap: 2 << 30, CpuShares: 1024, CpuQuota: 50000, CpuPeriod: 100000,
			CpusetCpus: "0-1", PidsLimit: ptr(int64(100)),
			BlkioThrottleReadBpsDevice: []*cgroups.ThrottleDevice{cgroups.NewThrottleDevice(8, 0, 1000)},
			Unified:                    map[string]string{"memory.high": "1G"},
		}
	}
	for _, tc := range []struct {
		name  string
		r     specs.LinuxResources
		check func(t *testing.T, res *cgroups.Resources)
	}{
		{"nothing set changes nothing", specs.LinuxResources{Memory: &specs.LinuxMemory{}, CPU: &specs.LinuxCPU{}, Pids: &specs.LinuxPids{}}, func(t *testing.T, res *cgroups.Resources) {
			if res.Memory != 1<<30 || res.CpuQuota != 50000 || res.CpusetCpus != "0-1" || *res.PidsLimit != 100 {
				t.Errorf("unset fields changed: %+v", res)
			}
		}},
		{"memory limit alone", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(512 << 20))}}, func(t *testing.T, res *cgroups.Resources) {
			if res.Memory != 512<<20 || res.MemorySwap != 2<<30 {
				t.Errorf("memory %d swap %d", res.Memory, res.MemorySwap)
			}
		}},
		{"unlimited memory lifts swap", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(-1))}}, func(t *testing.T, res *cgroups.Resources) {
			if res.Memory != -1 || res.MemorySwap != -1 {
				t.Errorf("memory %d swap %d, want -1 -1", res.Memory, res.MemorySwap)
			}
		}},
		{"quota alone keeps period", specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptr(int64(20000))}}, func(t *testing.T, res *cgroups.Resources) {
			if res.CpuQuota != 20000 || res.CpuPeriod != 100000 {
				t.Errorf("quota %d period %d", res.CpuQuota, res.CpuPeriod)
			}
		}},
		{"shares set the v2 weight too", specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: ptr(uint64(512))}}, func(t *testing.T, res *cgroups.Resources) {
			if res.CpuShares != 512 || res.CpuWeight != cgroups.ConvertCPUSharesToCgroupV2Value(512) {
				t.Errorf("shares %d weight %d", res.CpuShares, res.CpuWeight)
			}
		}},
		{"throttle upserted by device", specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{
			{Rate: 2000, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}},
			{Rate: 3000, LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 16}},
		}}}, func(t *testing.T, res *cgroups.Resources) {
			got := res.BlkioThrottleReadBpsDevice
			if len(got) != 2 || got[0].Rate != 2000 || got[1].Minor != 16 || got[1].Rate != 3000 {
				t.Errorf("throttles %v", got)
			}
		}},
		{"unified replaced", specs.LinuxResources{Unified: map[string]string{"pids.max": "5"}}, func(t *testing.T, res *cgroups.Resources) {
			if len(res.Unified) != 1 || res.Unified["pids.max"] != "5" {
				t.Errorf("unified %v", res.Unified)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := base()
			r := tc.r
			if err := ApplyUpdate("<stdin>", &r, res); err != nil {
				t.Fatal(err)
			}
			tc.check(t, res)
		})
	}
}

func TestApplyUpdateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    specs.LinuxResources
		want string
	}{
		{"devices", specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}}, "<stdin>: devices: 1: device rules cannot be updated"},
		{"hugepages", specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB"}}}, "hugepageLimits"},
		{"swap below limit", specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(100)), Swap: ptr(int64(50))}}, "memory.swap: 50: is memory+swap"},
		{"bad cpus", specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-"}}, `cpu.cpus: "0-"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := &cgroups.Resources{Memory: 7}
			r := tc.r
			err := ApplyUpdate("<stdin>", &r, res)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if res.Memory != 7 {
				t.Errorf("a refused update changed the resources")
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
