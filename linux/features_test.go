package linux

import (
	"slices"
	"testing"

	"github.com/opencontainers/runc/libcontainer/capabilities"
	"github.com/opencontainers/runc/libcontainer/seccomp"

	"github.com/hullrt/hull/spec"
)

// TestFeaturesDescribeHull: the document lists what hull implements,
// never narrowed to what this host has (runtime-spec features.md).
func TestFeaturesDescribeHull(t *testing.T) {
	f := Features("test")
	for name, c := range map[string]struct{ got, want []string }{
		"namespaces":   {f.Linux.Namespaces, spec.KnownNamespaces()},
		"capabilities": {f.Linux.Capabilities, capabilities.KnownCapabilities()},
		"seccomp.archs": {f.Linux.Seccomp.Archs, func() []string {
			if seccomp.Enabled {
				return seccomp.KnownArchs()
			}
			return nil
		}()},
	} {
		t.Run(name, func(t *testing.T) {
			if !slices.Equal(c.got, c.want) {
				t.Errorf("%s = %q, want every known one %q", name, c.got, c.want)
			}
		})
	}
	cg := f.Linux.Cgroup
	for name, c := range map[string]struct{ got, want bool }{
		"cgroup.v1": {*cg.V1, true}, "cgroup.v2": {*cg.V2, true}, "cgroup.systemd": {*cg.Systemd, true},
		"cgroup.systemdUser": {*cg.SystemdUser, true}, "cgroup.rdma": {*cg.Rdma, true},
		"apparmor": {*f.Linux.Apparmor.Enabled, true}, "selinux": {*f.Linux.Selinux.Enabled, true},
		"intelRdt": {*f.Linux.IntelRdt.Enabled, true}, "idmap": {*f.Linux.MountExtensions.IDMap.Enabled, true},
	} {
		t.Run(name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", name, c.got, c.want)
			}
		})
	}
}
