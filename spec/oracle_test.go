//go:build cgo

package spec

// The differential oracle: for a corpus of real-world configs, Translate
// must produce the configs.Config that runc's own specconv produces, and
// the Process that runc's newProcess (utils_linux.go) would build.
//
// Intended differences, normalised away below after checking them:
//
//  1. Config.Labels: runc lists annotations in Go map order (random), we
//     sort them. Both end with "bundle=<dir>". Compared as sorted lists.
//  2. Config.Rlimits and Config.AppArmorProfile: runc sets them only on
//     the Process; we also set them on the Config, where libcontainer
//     takes defaults for every later process (hull exec), as runc already
//     does for capabilities, noNewPrivileges, the SELinux label,
//     scheduler, ioPriority and CPU affinity. Checked against the spec,
//     then cleared.
//  3. runc's default devices are pointers into the package variable
//     specconv.AllowedDevices, and with a user namespace runc rewrites
//     their uid/gid in place (a process-wide side effect); ours are fresh
//     values. Only values are compared, and the test restores
//     AllowedDevices after each runc call.
//  4. Seccomp: runc asks the kernel whether SECCOMP_FILTER_FLAG_SPEC_ALLOW
//     is supported; we take that probe as Options.SeccompFlagSupported,
//     given seccomp.FlagSupported here. Likewise the mappings of a user
//     namespace joined by path come from Options.UserNSMappings.
//  5. Cgroups.SystemdProps: runc adds them in annotation map order, we in
//     sorted annotation order. Compared sorted by name.
//  6. Nothing in our result aliases the spec (runc shares slices and maps);
//     invisible to value comparison.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	systemdDbus "github.com/coreos/go-systemd/v22/dbus"
	devices "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/seccomp"
	"github.com/opencontainers/runc/libcontainer/specconv"
)

type oracleCase struct {
	name string
	spec func() *specs.Spec
	opts Options
}

func oracleCorpus(t *testing.T) []oracleCase {
	example := specconv.Example
	mod := func(f func(s *specs.Spec)) func() *specs.Spec {
		return func() *specs.Spec { s := example(); f(s); return s }
	}
	rootless := func() *specs.Spec { s := example(); specconv.ToRootless(s); return s }
	fromJSON := func(j string) func() *specs.Spec {
		return func() *specs.Spec {
			var s specs.Spec
			if err := json.Unmarshal([]byte(j), &s); err != nil {
				t.Fatalf("corpus JSON: %v", err)
			}
			return &s
		}
	}
	userns := func(s *specs.Spec) {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
		s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
		s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 200000, Size: 65536}}
	}
	selfUserNS := fmt.Sprintf("/proc/%d/ns/user", os.Getpid())
	base := Options{ID: "ctr1", SeccompFlagSupported: seccomp.FlagSupported, UserNSMappings: readUserNSMappings}
	with := func(f func(o *Options)) Options { o := base; f(&o); return o }
	criSystemd := with(func(o *Options) { o.SystemdCgroup = true })

	return []oracleCase{
		{"runc spec", example, base},
		{"runc spec --rootless", rootless, with(func(o *Options) { o.RootlessEUID, o.RootlessCgroups = true, true })},
		{"containerd CRI systemd", fromJSON(criConfig), criSystemd},
		{"containerd CRI cgroupfs", func() *specs.Spec {
			s := fromJSON(criConfig)()
			s.Linux.CgroupsPath = "/kubepods/burstable/pod1234/abcdef"
			return s
		}, base},
		{"podman", fromJSON(podmanConfig), criSystemd},
		{"podman rootless", fromJSON(podmanRootlessConfig), with(func(o *Options) {
			o.SystemdCgroup, o.RootlessEUID, o.RootlessCgroups = true, true, true
		})},
		{"joined namespaces", mod(func(s *specs.Spec) {
			s.Linux.Namespaces = []specs.LinuxNamespace{
				{Type: "pid", Path: "/proc/1/ns/pid"}, {Type: "network", Path: "/var/run/netns/x"},
				{Type: "ipc", Path: "/proc/1/ns/ipc"}, {Type: "uts", Path: "/proc/1/ns/uts"}, {Type: "mount"},
				{Type: "cgroup", Path: "/proc/1/ns/cgroup"}, {Type: "time", Path: "/proc/1/ns/time"},
			}
		}), base},
		{"relative cgroupsPath", mod(func(s *specs.Spec) { s.Linux.CgroupsPath = "hull/ctr1" }), base},
		{"climbing cgroupsPath", mod(func(s *specs.Spec) { s.Linux.CgroupsPath = "../../a/./b/" }), base},
		{"dotdot cgroupsPath", mod(func(s *specs.Spec) { s.Linux.CgroupsPath = ".." }), base},
		{"absolute cgroupsPath", mod(func(s *specs.Spec) { s.Linux.CgroupsPath = "/hull//ctr1/../ctr2" }), base},
		{"systemd default cgroup", example, criSystemd},
		{"systemd properties", mod(func(s *specs.Spec) {
			s.Linux.CgroupsPath = "system.slice:hull:ctr1"
			s.Annotations = map[string]string{
				"org.systemd.property.TimeoutStopSec": "uint64 30",
				"org.systemd.property.CollectMode":    "'inactive-or-failed'",
				"org.systemd.property.CPUWeight":      "uint64 50",
				"other":                               "x=y",
			}
		}), criSystemd},
		{"mount options", mod(func(s *specs.Spec) {
			s.Mounts = append(s.Mounts,
				specs.Mount{Destination: "/data", Source: "data", Type: "none", Options: []string{"rbind", "ro", "rslave", "nosuid"}},
				specs.Mount{Destination: "/abs", Source: "/srv/x", Type: "bind", Options: []string{"bind", "rw", "private", "rro", "rnoexec", "rrelatime"}},
				specs.Mount{Destination: "/atime", Source: "/srv/y", Options: []string{"rbind", "rnoatime", "ratime", "rstrictatime", "rnosymfollow", "rdev"}},
				specs.Mount{Destination: "/flags", Type: "tmpfs", Source: "tmpfs", Options: []string{
					"ro", "rw", "noatime", "atime", "nodev", "dev", "sync", "async", "dirsync", "mand", "nomand",
					"lazytime", "nolazytime", "iversion", "noiversion", "silent", "loud", "strictatime", "nostrictatime",
					"relatime", "norelatime", "nodiratime", "diratime", "nosymfollow", "symfollow", "defaults",
					"exec", "suid", "remount", "acl", "size=1m", "mode=1777", "tmpcopyup", "shared", "runbindable"}},
				specs.Mount{Destination: "relative/dest", Type: "tmpfs", Source: "tmpfs"},
			)
			s.Linux.RootfsPropagation = "rslave"
		}), base},
		{"no pivot root with shared propagation", mod(func(s *specs.Spec) { s.Linux.RootfsPropagation = "shared" }),
			with(func(o *Options) { o.NoPivotRoot, o.NoNewKeyring = true, true })},
		{"process settings", mod(func(s *specs.Spec) {
			p := s.Process
			p.Terminal = false
			p.ConsoleSize = &specs.Box{Height: 40, Width: 120}
			p.User = specs.User{UID: 1000, GID: 1001, AdditionalGids: []uint32{10, 20}, Umask: ptr(uint32(0o22))}
			p.Rlimits = append(p.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_CORE", Hard: 0, Soft: 0}, specs.POSIXRlimit{Type: "RLIMIT_NPROC", Hard: 100, Soft: 50})
			p.Capabilities.Inheritable = []string{"CAP_KILL"}
			p.Capabilities.Ambient = []string{"CAP_NET_BIND_SERVICE"}
			p.OOMScoreAdj = ptr(-500)
			p.ApparmorProfile = "hull-default"
			p.SelinuxLabel = "system_u:system_r:container_t:s0:c1,c2"
			p.Scheduler = &specs.Scheduler{Policy: specs.SchedFIFO, Priority: 10, Flags: []specs.LinuxSchedulerFlag{specs.SchedFlagResetOnFork}}
			p.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 3}
			p.ExecCPUAffinity = &specs.CPUAffinity{Initial: "0", Final: "0-1"}
			s.Domainname = "example.com"
			s.Linux.MountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "100000"}
			s.Annotations = map[string]string{"b": "2", "a": "1", "c": "x=y"}
		}), base},
		{"user namespace", mod(func(s *specs.Spec) {
			userns(s)
			s.Process.User.UID = 1000
			s.Mounts[6].Options = []string{"nosuid", "noexec", "nodev", "relatime"} // rw cgroupfs: cgroup owned by the user
			s.Mounts = append(s.Mounts,
				specs.Mount{Destination: "/idmapped", Source: "/srv/x", Options: []string{"rbind", "idmap"}},
				specs.Mount{Destination: "/ridmapped", Source: "/srv/y", Options: []string{"bind", "ridmap"}},
				specs.Mount{Destination: "/own", Source: "/srv/z", Options: []string{"bind"},
					UIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 5000, Size: 10}},
					GIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 6000, Size: 10}}})
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, UID: ptr(uint32(7))}}
		}), base},
		{"user namespace joined by path", mod(func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: selfUserNS})
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/idmapped", Source: "/srv/x", Options: []string{"rbind", "idmap"}})
		}), base},
		{"devices", mod(func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{
				{Path: "/dev/null", Type: "c", Major: 1, Minor: 3, FileMode: ptr(os.FileMode(0o20600)), UID: ptr(uint32(0)), GID: ptr(uint32(0))},
				{Path: "/dev/sda", Type: "b", Major: 8, Minor: 0, GID: ptr(uint32(6))},
				{Path: "/dev/fifo", Type: "p"},
				{Path: "/dev/ttyX", Type: "u", Major: 4, Minor: 64},
			}
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices,
				specs.LinuxDeviceCgroup{Allow: true, Type: "b", Major: ptr(int64(8)), Minor: ptr(int64(0)), Access: "rw"},
				specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr(int64(4)), Access: "rwm"},
				specs.LinuxDeviceCgroup{Allow: false, Type: "a", Access: "m"})
		}), base},
		{"resources", mod(func(s *specs.Spec) {
			s.Linux.Resources = &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
				Memory: &specs.LinuxMemory{Limit: ptr(int64(1 << 30)), Reservation: ptr(int64(1 << 29)), Swap: ptr(int64(2 << 30)),
					Swappiness: ptr(uint64(10)), DisableOOMKiller: ptr(true), CheckBeforeUpdate: ptr(true)},
				CPU: &specs.LinuxCPU{Shares: ptr(uint64(512)), Quota: ptr(int64(50000)), Burst: ptr(uint64(1000)), Period: ptr(uint64(100000)),
					RealtimeRuntime: ptr(int64(950000)), RealtimePeriod: ptr(uint64(1000000)), Cpus: "0-1", Mems: "0", Idle: ptr(int64(1))},
				Pids: &specs.LinuxPids{Limit: ptr(int64(100))},
				BlockIO: &specs.LinuxBlockIO{Weight: ptr(uint16(300)), LeafWeight: ptr(uint16(200)),
					WeightDevice:            []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Weight: ptr(uint16(500))}},
					ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 1 << 20}},
					ThrottleWriteBpsDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 16}, Rate: 2 << 20}},
					ThrottleReadIOPSDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 100}},
					ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 200}},
				},
				HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1 << 30}},
				Network:        &specs.LinuxNetwork{ClassID: ptr(uint32(0x100001)), Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}}},
				Rdma:           map[string]specs.LinuxRdma{"mlx5_0": {HcaHandles: ptr(uint32(3)), HcaObjects: ptr(uint32(10000))}},
				Unified:        map[string]string{"memory.high": "900M", "io.weight": "default 100"},
			}
		}), base},
		{"seccomp", mod(func(s *specs.Spec) { s.Linux.Seccomp = seccompProfile() }), base},
		{"seccomp with empty flags", mod(func(s *specs.Spec) {
			s.Linux.Seccomp = seccompProfile()
			s.Linux.Seccomp.Flags = []specs.LinuxSeccompFlag{}
		}), base},
		{"seccomp disabled", mod(func(s *specs.Spec) { s.Linux.Seccomp = &specs.LinuxSeccomp{} }), base},
		{"hooks", mod(func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{
				Prestart:        []specs.Hook{{Path: "/usr/bin/netns-hook", Args: []string{"netns-hook", "up"}, Env: []string{"A=1"}, Timeout: ptr(5)}},
				CreateRuntime:   []specs.Hook{{Path: "/bin/a"}, {Path: "/bin/b", Args: []string{"b"}}},
				CreateContainer: []specs.Hook{{Path: "/bin/c"}},
				StartContainer:  []specs.Hook{{Path: "/bin/d"}},
				Poststart:       []specs.Hook{{Path: "/bin/e", Timeout: ptr(1)}},
				Poststop:        []specs.Hook{{Path: "/bin/f"}},
			}
		}), base},
		{"linux extras", mod(func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time"})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"monotonic": {Secs: 3600}, "boottime": {Secs: -10, Nanosecs: 5}}
			s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "guaranteed", L3CacheSchema: "L3:0=ff", MemBwSchema: "MB:0=50", Schemata: []string{"L2:0=f"}, EnableMonitoring: true}
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolInterleave, Nodes: "0-1", Flags: []specs.MemoryPolicyFlagType{specs.MpolFStaticNodes}}
			s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux32}
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {Name: "net1"}, "eth2": {}}
			s.Root.Path = "/abs/rootfs"
			s.Root.Readonly = false
		}), base},
		{"minimal", func() *specs.Spec {
			return &specs.Spec{Version: "1.0.0", Root: &specs.Root{Path: "rootfs"}, Process: &specs.Process{Args: []string{"true"}, Cwd: "/"}}
		}, base},
	}
}

func TestOracle(t *testing.T) {
	// specconv warns through logrus about what it accepts (relative mount
	// destinations); Warnings covers those for us.
	logrus.SetOutput(io.Discard)
	defer logrus.SetOutput(os.Stderr)
	for _, tc := range oracleCorpus(t) {
		t.Run(tc.name, func(t *testing.T) {
			dir, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			b := &Bundle{Dir: dir, ConfigPath: filepath.Join(dir, ConfigFile), Spec: tc.spec()}
			ours, proc, err := Translate(b, tc.opts)
			if err != nil {
				t.Fatalf("Translate: %v", err)
			}
			theirs := runcConfig(t, dir, tc.spec(), tc.opts)

			// Difference 2: Config.Rlimits and AppArmorProfile.
			p := b.Spec.Process
			if want := runcProcess(p).Rlimits; !reflect.DeepEqual(ours.Rlimits, want) {
				t.Errorf("Config.Rlimits = %+v, want the process's %+v", ours.Rlimits, want)
			}
			if ours.AppArmorProfile != p.ApparmorProfile {
				t.Errorf("Config.AppArmorProfile = %q, want %q", ours.AppArmorProfile, p.ApparmorProfile)
			}
			ours.Rlimits, ours.AppArmorProfile = nil, ""
			// Difference 1: label order.
			if last := ours.Labels[len(ours.Labels)-1]; last != "bundle="+dir {
				t.Errorf("last label = %q, want bundle=%s", last, dir)
			}
			if !slices.IsSorted(ours.Labels[:len(ours.Labels)-1]) {
				t.Errorf("labels not sorted: %q", ours.Labels)
			}
			slices.Sort(ours.Labels)
			slices.Sort(theirs.Labels)
			// Difference 5: systemd property order.
			byName := func(a, b systemdDbus.Property) int { return strings.Compare(a.Name, b.Name) }
			if !slices.IsSortedFunc(ours.Cgroups.SystemdProps, byName) {
				t.Errorf("systemd properties not sorted")
			}
			slices.SortFunc(theirs.Cgroups.SystemdProps, byName)

			for _, d := range diff("Config", reflect.ValueOf(*ours), reflect.ValueOf(*theirs)) {
				t.Error(d)
			}
			for _, d := range diff("Process", reflect.ValueOf(*proc), reflect.ValueOf(*runcProcess(p))) {
				t.Error(d)
			}
		})
	}
}

// runcConfig runs specconv in dir, as runc does from the bundle.
func runcConfig(t *testing.T, dir string, s *specs.Spec, o Options) *configs.Config {
	t.Helper()
	// Difference 3: specconv may rewrite the shared default devices.
	saved := make([]devices.Device, len(specconv.AllowedDevices))
	for i, d := range specconv.AllowedDevices {
		saved[i] = *d
	}
	defer func() {
		for i := range saved {
			*specconv.AllowedDevices[i] = saved[i]
		}
	}()
	t.Chdir(dir)
	cfg, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{
		CgroupName:       o.ID,
		UseSystemdCgroup: o.SystemdCgroup,
		NoPivotRoot:      o.NoPivotRoot,
		NoNewKeyring:     o.NoNewKeyring,
		Spec:             s,
		RootlessEUID:     o.RootlessEUID,
		RootlessCgroups:  o.RootlessCgroups,
	})
	if err != nil {
		t.Fatalf("specconv: %v", err)
	}
	// Deep copy through the values so that restoring AllowedDevices does
	// not change what we compare against.
	for i, d := range cfg.Devices {
		dc := *d
		cfg.Devices[i] = &dc
	}
	return cfg
}

// runcProcess is what runc's newProcess builds from the spec's process,
// written out independently of Translate.
func runcProcess(p *specs.Process) *Process {
	want := &Process{
		Args:            p.Args,
		Env:             p.Env,
		Cwd:             p.Cwd,
		UID:             int(p.User.UID),
		GID:             int(p.User.GID),
		Terminal:        p.Terminal,
		NoNewPrivileges: p.NoNewPrivileges,
		AppArmorProfile: p.ApparmorProfile,
		Label:           p.SelinuxLabel,
		Scheduler:       p.Scheduler,
		IOPriority:      p.IOPriority,
	}
	if p.ConsoleSize != nil {
		want.ConsoleWidth, want.ConsoleHeight = uint16(p.ConsoleSize.Width), uint16(p.ConsoleSize.Height)
	}
	if c := p.Capabilities; c != nil {
		want.Capabilities = &configs.Capabilities{Bounding: c.Bounding, Effective: c.Effective, Inheritable: c.Inheritable, Permitted: c.Permitted, Ambient: c.Ambient}
	}
	for _, g := range p.User.AdditionalGids {
		want.AdditionalGroups = append(want.AdditionalGroups, int(g))
	}
	names := map[string]int{"RLIMIT_NOFILE": 7, "RLIMIT_CORE": 4, "RLIMIT_NPROC": 6}
	for _, r := range p.Rlimits {
		n, ok := names[r.Type]
		if !ok {
			panic("add " + r.Type + " to runcProcess")
		}
		want.Rlimits = append(want.Rlimits, configs.Rlimit{Type: n, Hard: r.Hard, Soft: r.Soft})
	}
	want.CPUAffinity, _ = configs.ConvertCPUAffinity(p.ExecCPUAffinity)
	return want
}

// readUserNSMappings reads /proc/<pid>/{uid,gid}_map for a
// /proc/<pid>/ns/user path, as runc's fast path does.
func readUserNSMappings(path string) (uidMap, gidMap []configs.IDMap, err error) {
	dir := strings.TrimSuffix(path, "/ns/user")
	read := func(name string) ([]configs.IDMap, error) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		var out []configs.IDMap
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 {
				return nil, fmt.Errorf("bad %s line %q", name, line)
			}
			var v [3]int64
			for i := range f {
				if v[i], err = strconv.ParseInt(f[i], 10, 64); err != nil {
					return nil, err
				}
			}
			out = append(out, configs.IDMap{ContainerID: v[0], HostID: v[1], Size: v[2]})
		}
		return out, nil
	}
	if uidMap, err = read("uid_map"); err != nil {
		return nil, nil, err
	}
	gidMap, err = read("gid_map")
	return uidMap, gidMap, err
}

// diff compares two values field by field and describes each difference
// with its Go path.
func diff(path string, a, b reflect.Value) []string {
	if a.Kind() != b.Kind() {
		return []string{fmt.Sprintf("%s: kind %s vs %s", path, a.Kind(), b.Kind())}
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return []string{fmt.Sprintf("%s:\n ours  %s\n runc  %s", path, dump(a), dump(b))}
			}
			return nil
		}
		return diff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		t := a.Type()
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				// Compare the whole struct at once.
				if !reflect.DeepEqual(a.Interface(), b.Interface()) {
					return []string{fmt.Sprintf("%s:\n ours  %s\n runc  %s", path, dump(a), dump(b))}
				}
				return nil
			}
		}
		var out []string
		for i := 0; i < t.NumField(); i++ {
			out = append(out, diff(path+"."+t.Field(i).Name, a.Field(i), b.Field(i))...)
		}
		return out
	case reflect.Slice:
		if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
			return []string{fmt.Sprintf("%s: len %d (nil %v) vs %d (nil %v)\n ours  %s\n runc  %s", path, a.Len(), a.IsNil(), b.Len(), b.IsNil(), dump(a), dump(b))}
		}
		var out []string
		for i := 0; i < a.Len(); i++ {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))...)
		}
		return out
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return []string{fmt.Sprintf("%s:\n ours  %s\n runc  %s", path, dump(a), dump(b))}
	}
	return nil
}

func dump(v reflect.Value) string {
	if !v.IsValid() {
		return "<invalid>"
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return fmt.Sprintf("%+v", v.Interface())
	}
	return string(b)
}

func seccompProfile() *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{
		DefaultAction:   "SCMP_ACT_ERRNO",
		DefaultErrnoRet: ptr(uint(38)),
		Architectures:   []specs.Arch{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"},
		ListenerPath:    "/run/seccomp-agent.sock",
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"accept", "accept4", "read", "write", "exit_group"}, Action: "SCMP_ACT_ALLOW"},
			{Names: []string{"personality"}, Action: "SCMP_ACT_ALLOW", Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0, Op: "SCMP_CMP_EQ"}}},
			{Names: []string{"personality"}, Action: "SCMP_ACT_ALLOW", Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0xffffffff, Op: "SCMP_CMP_EQ"}}},
			{Names: []string{"clone"}, Action: "SCMP_ACT_ALLOW", Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x7e020000, ValueTwo: 0, Op: "SCMP_CMP_MASKED_EQ"}}},
			{Names: []string{"mkdir"}, Action: "SCMP_ACT_NOTIFY"},
			{Names: []string{"ptrace"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: ptr(uint(1))},
			{Names: []string{"kexec_load"}, Action: "SCMP_ACT_KILL_PROCESS"},
		},
	}
}

// Default writes what "runc spec" and "runc spec --rootless" write.
func TestDefaultMatchesRunc(t *testing.T) {
	for _, rootless := range []bool{false, true} {
		name := "root"
		if rootless {
			name = "rootless"
		}
		t.Run(name, func(t *testing.T) {
			want := specconv.Example()
			if rootless {
				specconv.ToRootless(want)
			}
			if got := Default(rootless); !reflect.DeepEqual(got, want) {
				t.Errorf("Default(%v) differs from runc:\n%s", rootless, diff("Spec", reflect.ValueOf(*got), reflect.ValueOf(*want)))
			}
		})
	}
}
