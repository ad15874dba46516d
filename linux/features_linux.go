package linux

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer/apparmor"
	"github.com/opencontainers/runc/libcontainer/capabilities"
	"github.com/opencontainers/runc/libcontainer/intelrdt"
	"github.com/opencontainers/runc/libcontainer/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/opencontainers/selinux/go-selinux"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

// AnnotationVersion is the features annotation with hull's version.
const AnnotationVersion = "org.hullrt.hull.version"

// Features describes what this hull can do on this host (the
// runtime-spec "features" document). Where the answer depends on the host
// (which namespaces the kernel has, whether AppArmor, SELinux, systemd or
// Intel RDT are there, which seccomp flags the kernel takes) it says what
// a container here would get, not what hull could do elsewhere: engines
// read it to decide what to ask for.
func Features(version string) *features.Features {
	yes, no := true, false
	b := func(v bool) *bool {
		if v {
			return &yes
		}
		return &no
	}
	unified := cgroups.IsCgroup2UnifiedMode()
	f := &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         spec.KnownHooks(),
		MountOptions:  spec.KnownMountOptions(),
		Annotations:   map[string]string{AnnotationVersion: version},
		Linux: &features.Linux{
			Namespaces:   hostNamespaces(),
			Capabilities: boundedCapabilities(),
			Cgroup: &features.Cgroup{
				V1:          b(!unified),
				V2:          b(unified),
				Systemd:     b(systemdRunning()),
				SystemdUser: &no,
				Rdma:        b(rdmaController()),
			},
			Apparmor: &features.Apparmor{Enabled: b(apparmor.IsEnabled())},
			Selinux:  &features.Selinux{Enabled: b(selinux.GetEnabled())},
			IntelRdt: &features.IntelRdt{
				Enabled:    b(intelrdt.IsEnabled()),
				Schemata:   b(intelrdt.IsEnabled()),
				Monitoring: b(intelrdt.IsCMTEnabled() || intelrdt.IsMBMEnabled()),
			},
			MemoryPolicy: &features.MemoryPolicy{
				Modes: spec.KnownMemoryPolicyModes(),
				Flags: spec.KnownMemoryPolicyFlags(),
			},
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: b(idmappedMounts())}},
			NetDevices:      &features.NetDevices{Enabled: &yes},
		},
		PotentiallyUnsafeConfigAnnotations: spec.PotentiallyUnsafeAnnotations(),
	}
	if seccomp.Enabled {
		f.Linux.Seccomp = &features.Seccomp{
			Enabled:        &yes,
			Actions:        seccomp.KnownActions(),
			Operators:      seccomp.KnownOperators(),
			Archs:          slices.DeleteFunc(seccomp.KnownArchs(), func(a string) bool { return !seccompArchUsable(a) }),
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

// hostNamespaces are the namespace types the kernel has, by their files
// in /proc/self/ns.
func hostNamespaces() []string {
	files := map[string]string{
		"cgroup": "cgroup", "ipc": "ipc", "mount": "mnt", "network": "net",
		"pid": "pid", "time": "time", "user": "user", "uts": "uts",
	}
	var out []string
	for _, ns := range spec.KnownNamespaces() {
		if _, err := os.Stat("/proc/self/ns/" + files[ns]); err == nil {
			out = append(out, ns)
		}
	}
	return out
}

// systemdRunning is sd_booted(3): the systemd cgroup driver needs systemd
// as the host's service manager.
func systemdRunning() bool {
	fi, err := os.Lstat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

func rdmaController() bool {
	ctrls, err := cgroups.GetAllSubsystems()
	return err == nil && slices.Contains(ctrls, "rdma")
}

// idmappedMounts reports whether the kernel has mount_setattr(2) with
// MOUNT_ATTR_IDMAP (Linux 5.12): on an invalid fd a kernel that has the
// call answers EBADF, one that lacks it ENOSYS.
func idmappedMounts() bool {
	err := unix.MountSetattr(-1, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP})
	return err != unix.ENOSYS
}

// boundedCapabilities are the capabilities libcontainer knows that hull
// itself holds in its bounding set: a container cannot get the others
// (here, for one, CAP_SYS_RESOURCE may be missing).
func boundedCapabilities() []string {
	known := capabilities.KnownCapabilities()
	caps, err := capability.NewPid2(0)
	if err != nil || caps.Load() != nil {
		return known
	}
	byName := map[string]capability.Cap{}
	for _, c := range capability.ListKnown() {
		byName["CAP_"+strings.ToUpper(c.String())] = c
	}
	var out []string
	for _, name := range known {
		if c, ok := byName[name]; ok && caps.Get(capability.BOUNDING, c) {
			out = append(out, name)
		}
	}
	return out
}
