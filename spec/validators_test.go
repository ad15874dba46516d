package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Each of Validate's named checks finds its problem, at its JSON path, on
// its own and through Validate; on a good config none finds anything. A
// new check fails this test until it has a case.
func TestValidators(t *testing.T) {
	cases := map[string]struct {
		mod  func(s *specs.Spec)
		path string
	}{
		"root": {func(s *specs.Spec) { s.Root.Path = "" }, "root.path"},
		"namespaces": {func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "pidx"})
		}, ""},
		"process": {func(s *specs.Spec) { s.Process.Cwd = "tmp" }, "process.cwd"},
		"hostname": {func(s *specs.Spec) {
			s.Linux.Namespaces = without(s.Linux.Namespaces, specs.UTSNamespace)
			s.Hostname = "h"
		}, "hostname"},
		"mounts": {func(s *specs.Spec) { s.Mounts[0].Destination = "" }, "mounts[0].destination"},
		"hooks":  {func(s *specs.Spec) { s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "rel"}}} }, "hooks.poststop[0].path"},
		"sysctl": {func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"vm.swappiness": "0"} }, `linux.sysctl["vm.swappiness"]`},
		"user-namespace": {func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		}, "linux"},
		"time-offsets": {func(s *specs.Spec) { s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"boottime": {}} }, "linux.timeOffsets"},
		"masked-paths": {func(s *specs.Spec) {
			s.Linux.Namespaces = without(s.Linux.Namespaces, specs.MountNamespace)
			s.Mounts = nil
		}, "linux"},
		"rootfs-propagation": {func(s *specs.Spec) { s.Linux.RootfsPropagation = "sideways" }, "linux.rootfsPropagation"},
		"devices":            {func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/x", Type: "z"}} }, "linux.devices[0].type"},
		"resources": {func(s *specs.Spec) {
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{Type: "q", Access: "r"})
		}, ""},
		"net-devices": {func(s *specs.Spec) { s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth0": {Name: "a/b"}} }, `linux.netDevices.eth0.name`},
		"seccomp":     {func(s *specs.Spec) { s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_NOPE"} }, "linux.seccomp.defaultAction"},
		"intel-rdt":   {func(s *specs.Spec) { s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: ".."} }, "linux.intelRdt.closID"},
		"memory-policy": {func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_NOPE"}
		}, "linux.memoryPolicy.mode"},
		"personality": {func(s *specs.Spec) { s.Linux.Personality = &specs.LinuxPersonality{Domain: "BSD"} }, "linux.personality.domain"},
	}
	good := &validation{s: validSpec(), ns: namespaceInfo(validSpec())}
	for _, v := range validators {
		t.Run(v.name, func(t *testing.T) {
			c := &checker{file: "f"}
			v.run(c, good)
			if len(c.errs) != 0 {
				t.Fatalf("a good config: %v", c.errs)
			}
			tc, ok := cases[v.name]
			if !ok {
				t.Fatalf("no case for validator %s: add one", v.name)
			}
			s := validSpec()
			tc.mod(s)
			c = &checker{file: "f"}
			v.run(c, &validation{s: s, ns: namespaceInfo(s)})
			if len(c.errs) == 0 {
				t.Fatal("found nothing")
			}
			all := fieldErrors(t, Validate(bundleOf(s)))
			for _, fe := range fieldErrors(t, c.errs[0]) {
				if tc.path != "" && fe.Path != tc.path {
					t.Errorf("path %q, want %q (%v)", fe.Path, tc.path, fe)
				}
				found := false
				for _, a := range all {
					found = found || a.Path == fe.Path && a.Msg == fe.Msg
				}
				if !found {
					t.Errorf("Validate does not report %v", fe)
				}
			}
		})
	}
}

func without(list []specs.LinuxNamespace, t specs.LinuxNamespaceType) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, n := range list {
		if n.Type != t {
			out = append(out, n)
		}
	}
	return out
}
