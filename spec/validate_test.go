package spec

import (
	"fmt"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*specs.Spec)
	}{
		{"default", func(*specs.Spec) {}},
		{"rootless default", func(s *specs.Spec) { *s = *DefaultFor(true, true, 1000, 1000) }},
		{"version 1.0.0", func(s *specs.Spec) { s.Version = "1.0.0" }},
		{"version 1.0.2-dev", func(s *specs.Spec) { s.Version = "1.0.2-dev" }},
		{"version 1.2.1", func(s *specs.Spec) { s.Version = "1.2.1" }},
		{"version 1.3.7+build", func(s *specs.Spec) { s.Version = "1.3.7+build" }},
		{"hostname with joined uts", func(s *specs.Spec) {
			s.Linux.Namespaces[3] = specs.LinuxNamespace{Type: "uts", Path: "/proc/1/ns/uts"}
		}},
		{"relative mount destination", func(s *specs.Spec) { s.Mounts[0].Destination = "proc" }},
		{"sysctls in their namespaces", func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{
				"net.ipv4.ip_forward": "1", "net/ipv4/conf/eth0.100/rp_filter": "0", "kernel.shmmax": "1",
				"fs.mqueue.msg_max": "10", "kernel.domainname": "x",
			}
		}},
		{"net sysctl with joined netns", func(s *specs.Spec) {
			s.Linux.Namespaces[1].Path = "/var/run/netns/x"
			s.Linux.Sysctl = map[string]string{"net.core.somaxconn": "1024"}
		}},
		{"user sysctl with userns", func(s *specs.Spec) {
			*s = *DefaultFor(true, true, 1000, 1000)
			s.Linux.Sysctl = map[string]string{"user.max_user_namespaces": "0"}
		}},
		{"all capabilities", func(s *specs.Spec) {
			s.Process.Capabilities.Ambient = []string{"CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE", "CAP_BPF", "CAP_PERFMON"}
		}},
		{"userns joined by path", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: "/proc/1/ns/user"})
		}},
		{"idmap bind mount", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Source: "/srv", Type: "bind", Options: []string{"rbind", "idmap"},
				UIDMappings: []specs.LinuxIDMapping{{HostID: 1, Size: 1}}, GIDMappings: []specs.LinuxIDMapping{{HostID: 1, Size: 1}}})
		}},
		{"seccomp disabled", func(s *specs.Spec) { s.Linux.Seccomp = &specs.LinuxSeccomp{} }},
		{"time offsets", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time"})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"monotonic": {Secs: 10}}
		}},
		{"memory policy", func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0-1", Flags: []specs.MemoryPolicyFlagType{specs.MpolFStaticNodes}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			tc.mutate(s)
			if err := Validate(bundleOf(s)); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	userns := func(s *specs.Spec) {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
		s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 1000, Size: 1}}
		s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 1000, Size: 1}}
	}
	dropNS := func(s *specs.Spec, typ specs.LinuxNamespaceType) {
		var out []specs.LinuxNamespace
		for _, n := range s.Linux.Namespaces {
			if n.Type != typ {
				out = append(out, n)
			}
		}
		s.Linux.Namespaces = out
	}
	for _, tc := range []struct {
		name   string
		mutate func(*specs.Spec)
		path   string
		value  string // formatted value; "" when the error has none
		msg    string // substring of Msg
	}{
		{"root missing", func(s *specs.Spec) { s.Root = nil }, "root", "", `add "root": {"path": "rootfs"}`},
		{"root path missing", func(s *specs.Spec) { s.Root.Path = "" }, "root.path", "", "missing; set it"},
		{"process missing", func(s *specs.Spec) { s.Process = nil }, "process", "", "create and run need"},
		{"args missing", func(s *specs.Spec) { s.Process.Args = nil }, "process.args", "", `e.g. ["sh"]`},
		{"args empty program", func(s *specs.Spec) { s.Process.Args = []string{""} }, "process.args[0]", `""`, "give the program"},
		{"cwd relative", func(s *specs.Spec) { s.Process.Cwd = "rel/dir" }, "process.cwd", `"rel/dir"`, "must be an absolute path"},
		{"cwd missing", func(s *specs.Spec) { s.Process.Cwd = "" }, "process.cwd", "", "missing"},
		{"env without =", func(s *specs.Spec) { s.Process.Env = append(s.Process.Env, "FOO") }, "process.env[2]", `"FOO"`, `write NAME=value`},
		{"env empty name", func(s *specs.Spec) { s.Process.Env = []string{"=x"} }, "process.env[0]", `"=x"`, "empty variable name"},
		{"rlimit unknown", func(s *specs.Spec) { s.Process.Rlimits[0].Type = "RLIMIT_FOO" }, "process.rlimits[0].type", `"RLIMIT_FOO"`, "RLIMIT_NOFILE"},
		{"rlimit soft above hard", func(s *specs.Spec) { s.Process.Rlimits[0].Soft = 2048 }, "process.rlimits[0]", `{"hard":1024,"soft":2048}`, "lower soft or raise hard"},
		{"oomScoreAdj", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(1001) }, "process.oomScoreAdj", "1001", "-1000 to 1000"},
		{"scheduler no policy", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{} }, "process.scheduler.policy", "", "missing"},
		{"scheduler nice", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedOther, Nice: 20} }, "process.scheduler.nice", "20", "-20 to 19"},
		{"scheduler priority", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedOther, Priority: 5} }, "process.scheduler.priority", "5", "only SCHED_FIFO and SCHED_RR"},
		{"scheduler deadline fields", func(s *specs.Spec) { s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedFIFO, Runtime: 5} }, "process.scheduler", "", "only for SCHED_DEADLINE"},
		{"ioPriority class", func(s *specs.Spec) { s.Process.IOPriority = &specs.LinuxIOPriority{Class: "RT"} }, "process.ioPriority.class", `"RT"`, "IOPRIO_CLASS_RT"},
		{"ioPriority priority", func(s *specs.Spec) {
			s.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 8}
		}, "process.ioPriority.priority", "8", "0 (highest) to 7"},
		{"cpu affinity", func(s *specs.Spec) { s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "3-1"} }, "process.execCPUAffinity.initial", `"3-1"`, "invalid range"},
		{"namespace unknown", func(s *specs.Spec) { s.Linux.Namespaces[1].Type = "net" }, "linux.namespaces[1].type", `"net"`, "use one of cgroup, ipc, mount, network"},
		{"namespace duplicate", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "pid"})
		}, "linux.namespaces[6].type", `"pid"`, "listed twice"},
		{"namespace relative path", func(s *specs.Spec) { s.Linux.Namespaces[0].Path = "proc/1/ns/pid" }, "linux.namespaces[0].path", `"proc/1/ns/pid"`, "/proc/<pid>/ns/pid"},
		{"hostname without uts", func(s *specs.Spec) { dropNS(s, "uts") }, "hostname", `"runc"`, `add {"type": "uts"} to linux.namespaces, or remove hostname`},
		{"domainname without uts", func(s *specs.Spec) { dropNS(s, "uts"); s.Hostname = ""; s.Domainname = "example.com" }, "domainname", `"example.com"`, `add {"type": "uts"}`},
		{"ipc sysctl without ipc", func(s *specs.Spec) { dropNS(s, "ipc"); s.Linux.Sysctl = map[string]string{"kernel.shmmax": "1"} }, `linux.sysctl["kernel.shmmax"]`, `"1"`, `needs an ipc namespace; add {"type": "ipc"}`},
		{"mqueue sysctl without ipc", func(s *specs.Spec) { dropNS(s, "ipc"); s.Linux.Sysctl = map[string]string{"fs/mqueue/msg_max": "1"} }, `linux.sysctl["fs/mqueue/msg_max"]`, `"1"`, "needs an ipc namespace"},
		{"net sysctl without netns", func(s *specs.Spec) {
			dropNS(s, "network")
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		}, `linux.sysctl["net.ipv4.ip_forward"]`, `"1"`, "needs a network namespace"},
		{"kernel.hostname", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"kernel.hostname": "h"} }, `linux.sysctl["kernel.hostname"]`, `"h"`, `set hostname instead`},
		{"kernel.domainname without uts", func(s *specs.Spec) {
			dropNS(s, "uts")
			s.Hostname = ""
			s.Linux.Sysctl = map[string]string{"kernel.domainname": "h"}
		}, `linux.sysctl["kernel.domainname"]`, `"h"`, "needs a uts namespace"},
		{"user sysctl without userns", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"user.max_user_namespaces": "0"} }, `linux.sysctl["user.max_user_namespaces"]`, `"0"`, "needs a user namespace"},
		{"host sysctl", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"vm.swappiness": "0"} }, `linux.sysctl["vm.swappiness"]`, `"0"`, "set it on the host instead"},
		{"mount destination missing", func(s *specs.Spec) { s.Mounts[2].Destination = "" }, "mounts[2].destination", "", "missing"},
		{"mount NUL", func(s *specs.Spec) { s.Mounts[0].Source = "pr\x00oc" }, "mounts[0].source", `"pr\x00oc"`, "NUL byte"},
		{"bind type without bind option", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/d", Source: "rel", Type: "bind", Options: []string{"ro"}})
		}, "mounts[7].options", `["ro"]`, `needs "bind" or "rbind"`},
		{"idmap not bind", func(s *specs.Spec) { s.Mounts[1].Options = append(s.Mounts[1].Options, "idmap") }, "mounts[1]", "", "id-mapped mounts must be bind mounts"},
		{"idmap one mapping", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/d", Source: "/s", Options: []string{"bind"}, UIDMappings: []specs.LinuxIDMapping{{Size: 1}}})
		}, "mounts[7]", "", "needs both uidMappings and gidMappings"},
		{"hook relative", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/ok"}, {Path: "bin/hook"}}}
		}, "hooks.poststop[1].path", `"bin/hook"`, "must be an absolute path"},
		{"hook timeout", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/h", Timeout: ptr(0)}}}
		}, "hooks.createRuntime[0].timeout", "0", "greater than zero"},
		{"userns without mappings", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
		}, "linux", "", "a new user namespace needs uidMappings and gidMappings"},
		{"userns empty gid mappings", func(s *specs.Spec) { userns(s); s.Linux.GIDMappings = []specs.LinuxIDMapping{} }, "linux.gidMappings", "", "map at least one id"},
		{"mapping size 0", func(s *specs.Spec) { userns(s); s.Linux.UIDMappings[0].Size = 0 }, "linux.uidMappings[0].size", "0", "at least 1"},
		{"time offsets without timens", func(s *specs.Spec) { s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"boottime": {}} }, "linux.timeOffsets", "", `add {"type": "time"}`},
		{"time offsets with joined timens", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time", Path: "/proc/1/ns/time"})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"boottime": {}}
		}, "linux.timeOffsets", "", "joined time namespace"},
		{"time offsets unknown clock", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time"})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"realtime": {}}
		}, "linux.timeOffsets.realtime", "", "use boottime or monotonic"},
		{"masked paths without mount ns", func(s *specs.Spec) { dropNS(s, "mount") }, "linux", "", `maskedPaths and readonlyPaths need a mount namespace`},
		{"rootfsPropagation", func(s *specs.Spec) { s.Linux.RootfsPropagation = "rprivat" }, "linux.rootfsPropagation", `"rprivat"`, "use one of private, rprivate"},
		{"device type", func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/x", Type: "x"}} }, "linux.devices[0].type", `"x"`, `"c" (character)`},
		{"device rule access missing", func(s *specs.Spec) { s.Linux.Resources.Devices[0].Access = "" }, "linux.resources.devices[0].access", "", `e.g. "rwm"`},
		{"device rule type", func(s *specs.Spec) { s.Linux.Resources.Devices[0].Type = "p" }, "linux.resources.devices[0].type", `"p"`, `"a" (all)`},
		{"swap below memory", func(s *specs.Spec) {
			s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptr(int64(200)), Swap: ptr(int64(100))}
		}, "linux.resources.memory.swap", "100", "at least memory.limit (200)"},
		{"cpuset", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Cpus: "a"} }, "linux.resources.cpu.cpus", `"a"`, "CPU list"},
		{"netdevice without netns", func(s *specs.Spec) {
			dropNS(s, "network")
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {}}
		}, "linux.netDevices", "", "needs a network namespace"},
		{"netdevice name", func(s *specs.Spec) { s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {Name: "a/b"}} }, "linux.netDevices.eth1.name", `"a/b"`, "not a valid interface name"},
		{"seccomp action", func(s *specs.Spec) { s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: "ALLOW"} }, "linux.seccomp.defaultAction", `"ALLOW"`, "SCMP_ACT_ALLOW"},
		{"seccomp arch", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_ALLOW", Architectures: []specs.Arch{"x86_64"}}
		}, "linux.seccomp.architectures[0]", `"x86_64"`, "SCMP_ARCH_X86_64"},
		{"seccomp flag", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_ALLOW", Flags: []specs.LinuxSeccompFlag{"LOG"}}
		}, "linux.seccomp.flags[0]", `"LOG"`, "SECCOMP_FILTER_FLAG_LOG"},
		{"seccomp syscall op", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_ALLOW", Syscalls: []specs.LinuxSyscall{
				{Names: []string{"kill"}, Action: "SCMP_ACT_ERRNO", Args: []specs.LinuxSeccompArg{{Op: "EQ"}}}}}
		}, "linux.seccomp.syscalls[0].args[0].op", `"EQ"`, "SCMP_CMP_EQ"},
		{"intelRdt closID", func(s *specs.Spec) { s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "a/b"} }, "linux.intelRdt.closID", `"a/b"`, "not a path"},
		{"memoryPolicy mode", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "BIND"} }, "linux.memoryPolicy.mode", `"BIND"`, "MPOL_"},
		{"memoryPolicy bind without nodes", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind} }, "linux.memoryPolicy.nodes", "", "needs at least one node"},
		{"memoryPolicy default with nodes", func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolDefault, Nodes: "0"}
		}, "linux.memoryPolicy.nodes", `"0"`, "takes no nodes"},
		{"personality", func(s *specs.Spec) { s.Linux.Personality = &specs.LinuxPersonality{Domain: "LINUX64"} }, "linux.personality.domain", `"LINUX64"`, "use LINUX or LINUX32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			tc.mutate(s)
			errs := fieldErrors(t, Validate(bundleOf(s)))
			if len(errs) != 1 {
				t.Fatalf("got %d errors, want 1:\n%v", len(errs), errs)
			}
			fe := errs[0]
			if fe.Path != tc.path {
				t.Errorf("path = %q, want %q", fe.Path, tc.path)
			}
			gotValue := ""
			if fe.Value != nil {
				gotValue = formatValue(fe.Value)
			}
			if gotValue != tc.value {
				t.Errorf("value = %s, want %s", gotValue, tc.value)
			}
			if !strings.Contains(fe.Msg, tc.msg) {
				t.Errorf("msg = %q, want it to contain %q", fe.Msg, tc.msg)
			}
			// The one-line form names the file first.
			want := testBundle + "/config.json: " + tc.path + ": "
			if !strings.HasPrefix(fe.Error(), want) || strings.Contains(fe.Error(), "\n") {
				t.Errorf("Error() = %q, want one line starting with %q", fe.Error(), want)
			}
		})
	}
}

// Validate reports every mistake, not the first.
func TestValidateAllProblems(t *testing.T) {
	s := validSpec()
	s.Process.Cwd = "rel/dir"
	s.Mounts[3].Destination = ""
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "pid"})
	s.Linux.Sysctl = map[string]string{"vm.overcommit_memory": "1"}
	s.Process.Rlimits[0].Soft = 4096
	errs := fieldErrors(t, Validate(bundleOf(s)))
	want := []string{
		"process.cwd", "mounts[3].destination",
		"linux.namespaces[6].type", `linux.sysctl["vm.overcommit_memory"]`, "process.rlimits[0]",
	}
	got := map[string]bool{}
	for _, e := range errs {
		got[e.Path] = true
	}
	for _, p := range want {
		if !got[p] {
			t.Errorf("no error for %s", p)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(errs), len(want), errs)
	}
}

func TestFieldErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    FieldError
		want string
	}{
		{"string", FieldError{"/b/config.json", "process.cwd", "rel/dir", "must be an absolute path"}, `/b/config.json: process.cwd: "rel/dir": must be an absolute path`},
		{"number", FieldError{"/b/config.json", "process.oomScoreAdj", 2000, "must be from -1000 to 1000"}, `/b/config.json: process.oomScoreAdj: 2000: must be from -1000 to 1000`},
		{"named string", FieldError{"f", "t", specs.LinuxNamespaceType("net"), "m"}, `f: t: "net": m`},
		{"list", FieldError{"f", "o", []string{"a", "b"}, "m"}, `f: o: ["a","b"]: m`},
		{"no value", FieldError{"f", "root", nil, "missing"}, `f: root: missing`},
		{"no file", FieldError{"", "root", nil, "missing"}, `root: missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	s := validSpec()
	s.Mounts[0].Destination = "proc"
	s.Linux.Resources.Memory = &specs.LinuxMemory{KernelTCP: ptr(int64(1)), UseHierarchy: ptr(true)}
	s.Linux.MaskedPaths = []string{"/proc/acpi", "/sys/firmware"}
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/sys/firmware/efi", Type: "tmpfs", Source: "tmpfs"})
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/d", Source: "/s", Options: []string{"bind", "size=10k", "ro"}})
	var paths []string
	for _, w := range Warnings(bundleOf(s)) {
		paths = append(paths, w.Path)
	}
	last := len(s.Mounts) - 1
	want := fmt.Sprintf("mounts[0].destination mounts[%d].options linux.resources.memory.kernelTCP linux.resources.memory.useHierarchy mounts[%d].destination", last, last-1)
	if strings.Join(paths, " ") != want {
		t.Errorf("warnings for %v, want %s", paths, want)
	}
	if err := Validate(bundleOf(s)); err != nil {
		t.Errorf("warnings must not fail Validate: %v", err)
	}
}
