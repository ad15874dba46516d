package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/opencontainers/runc/libcontainer/configs"
)

// ConfigFile is the name of the configuration file inside a bundle.
const ConfigFile = "config.json"

// Bundle is a loaded OCI bundle.
type Bundle struct {
	// Dir is the absolute, clean path of the bundle directory.
	Dir string
	// ConfigPath is the absolute path of its config.json, used in errors.
	ConfigPath string
	// Spec is the decoded configuration.
	Spec *specs.Spec

	// noUser records that config.json has a "process" without "user",
	// which decoding into specs.Process cannot tell from uid 0.
	noUser bool
	// raw is config.json as read, for the checks the decoded Spec cannot
	// answer (unknown fields).
	raw []byte
}

// Options are the runtime's choices that are not in config.json.
type Options struct {
	// ID is the container ID; it names the default cgroup.
	ID string
	// SystemdCgroup selects the systemd cgroup driver (cgroupsPath is
	// "slice:prefix:name").
	SystemdCgroup bool
	// NoPivotRoot uses MS_MOVE + chroot instead of pivot_root(2).
	NoPivotRoot bool
	// NoNewKeyring keeps the caller's session keyring.
	NoNewKeyring bool
	// RootlessEUID and RootlessCgroups mirror runc's rootless settings.
	RootlessEUID    bool
	RootlessCgroups bool

	// UserNSMappings reads the uid and gid maps of the user namespace at
	// path (a joined "user" namespace). spec does not touch the host, so
	// the caller supplies it; Translate refuses to join a user namespace
	// by path when it is nil. runc caches these mappings in the config to
	// compute host ids.
	UserNSMappings func(path string) (uidMap, gidMap []configs.IDMap, err error)

	// SeccompFlagSupported reports whether the kernel and libseccomp
	// support a seccomp filter flag (libcontainer/seccomp.FlagSupported).
	// When config.json gives no flags, Translate uses it to decide, as
	// runc does, whether to add SECCOMP_FILTER_FLAG_SPEC_ALLOW; explicit
	// flags are checked with it. When nil, no flag is added by default and
	// explicit flags are only checked against the known names.
	SeccompFlagSupported func(flag specs.LinuxSeccompFlag) error
}

// Process is the container's first process, translated from
// config.json's "process". It mirrors the fields of libcontainer.Process
// that come from the spec; package linux copies them over, so that spec
// does not import libcontainer's host-side package.
type Process struct {
	Args             []string
	Env              []string
	Cwd              string
	UID, GID         int
	AdditionalGroups []int
	Terminal         bool
	ConsoleWidth     uint16
	ConsoleHeight    uint16
	Capabilities     *configs.Capabilities
	Rlimits          []configs.Rlimit
	NoNewPrivileges  bool
	AppArmorProfile  string
	Label            string
	Scheduler        *configs.Scheduler
	IOPriority       *configs.IOPriority
	CPUAffinity      *configs.CPUAffinity
}
