package linux

import (
	"fmt"

	"github.com/opencontainers/runc/libcontainer/capabilities"
	"github.com/opencontainers/runc/libcontainer/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"

	"github.com/hullrt/hull/spec"
)

// AnnotationVersion is the features annotation with hull's version.
const AnnotationVersion = "org.hullrt.hull.version"

// Features describes what this hull implements (the runtime-spec
// "features" document). runtime-spec's features.md: the document "is
// irrelevant to the actual availability of the features in the host
// operating system". Engines (containerd, kubelet, podman) read it to
// decide what they may ask for, as they read runc's, so it is not
// narrowed to this host: what the host lacks is `check --host`'s to say
// (the host checks of Prepare), and create refuses it in one line.
//
// It matches runc 1.5's document, but where hull truly differs (see
// TestFeaturesMatchRunc): the mount options idmap and ridmap are listed
// (both accept them; runc's list leaves them out), and the annotations
// name hull, not runc. systemdUser is true: a rootless --systemd-cgroup
// goes through the user's systemd (tests/e2e TestRootlessSession). Seccomp's supportedFlags, as in runc,
// are those this kernel takes.
func Features(version string) *features.Features {
	yes, no := true, false
	f := &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         spec.KnownHooks(),
		MountOptions:  spec.KnownMountOptions(),
		Annotations: map[string]string{
			AnnotationVersion: version,
			// runc's key, which callers read to learn that checkpoint
			// and restore are there; hull has them with runc's flags.
			"org.opencontainers.runc.checkpoint.enabled": "true",
		},
		Linux: &features.Linux{
			Namespaces:   spec.KnownNamespaces(),
			Capabilities: capabilities.KnownCapabilities(),
			Cgroup: &features.Cgroup{
				V1:      &yes,
				V2:      &yes,
				Systemd: &yes,
				// Rootless, hull keeps to cgroupfs (spec.Options'
				// RootlessCgroups is never set), so it never talks to a
				// user's systemd.
				SystemdUser: &yes,
				Rdma:        &yes,
			},
			Apparmor: &features.Apparmor{Enabled: &yes},
			Selinux:  &features.Selinux{Enabled: &yes},
			IntelRdt: &features.IntelRdt{Enabled: &yes, Schemata: &yes, Monitoring: &yes},
			MemoryPolicy: &features.MemoryPolicy{
				Modes: spec.KnownMemoryPolicyModes(),
				Flags: spec.KnownMemoryPolicyFlags(),
			},
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: &yes}},
			NetDevices:      &features.NetDevices{Enabled: &yes},
		},
		PotentiallyUnsafeConfigAnnotations: spec.PotentiallyUnsafeAnnotations(),
	}
	if seccomp.Enabled {
		f.Linux.Seccomp = &features.Seccomp{
			Enabled:        &yes,
			Actions:        seccomp.KnownActions(),
			Operators:      seccomp.KnownOperators(),
			Archs:          seccomp.KnownArchs(),
			KnownFlags:     seccomp.KnownFlags(),
			SupportedFlags: seccomp.SupportedFlags(),
		}
		major, minor, micro := seccomp.Version()
		f.Annotations["io.github.seccomp.libseccomp.version"] = fmt.Sprintf("%d.%d.%d", major, minor, micro)
	} else {
		f.Linux.Seccomp = &features.Seccomp{Enabled: &no}
	}
	return f
}
