package linux

// Rootless containers: hull run by an unprivileged user, as runc does it.
// The container gets a user namespace (its mappings written by hull
// itself for the user's own id, by newuidmap/newgidmap for the ranges of
// /etc/subuid and /etc/subgid: libcontainer's nsexec does both); its
// device nodes are bind mounts of the host's (libcontainer does that in
// any user namespace); it has a cgroup only where one is delegated to the
// user. What follows is hull's part: the choices of runc's command line
// (--rootless, the state root under $XDG_RUNTIME_DIR) and the checks that
// refuse, before anything is made, what the kernel would refuse the user
// in the middle of a start.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/sys/userns"
	cgsystemd "github.com/opencontainers/cgroups/systemd"
	"github.com/sirupsen/logrus"
)

// ParseRootless reads --rootless as runc does: "auto" (any case) or ""
// is nil, for "decide from who runs hull"; otherwise a boolean in
// strconv.ParseBool's spellings (true, false, 1, 0, t, f...).
func ParseRootless(s string) (*bool, error) {
	if s == "" || strings.EqualFold(s, "auto") {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, fmt.Errorf("--rootless %q: use true, false or auto", s)
	}
	return &b, nil
}

// RootlessCgroups says whether the container's cgroup is made by the
// rootless rules (libcontainer's cgroups.Cgroup.Rootless: a cgroup that
// cannot be made is done without, when no limit needs it), by runc's
// rule: what --rootless says (flag; nil is auto), else yes for a non-root
// user, no for root in the initial user namespace, and for root in a
// user namespace yes unless the systemd driver talks to a root systemd.
func RootlessCgroups(flag *bool, systemdCgroup bool) bool {
	return rootlessCgroupsFor(flag, os.Geteuid(), userns.RunningInUserNS(), systemdCgroup, cgsystemd.DetectUID)
}

func rootlessCgroupsFor(flag *bool, euid int, inUserNS, systemdCgroup bool, ownerUID func() (int, error)) bool {
	switch {
	case flag != nil:
		return *flag
	case euid != 0:
		return true
	case !inUserNS:
		return false
	case systemdCgroup:
		// The systemd that owns the user bus: a root systemd inside the
		// user namespace (a system container) manages cgroups fully.
		uid, err := ownerUID()
		if err != nil {
			logrus.Debugf("rootless: cannot tell who owns the systemd user bus, taking root: %v", err)
			return false
		}
		return uid != 0
	default:
		// With the cgroupfs driver hull cannot know whether the cgroup
		// it would use is writable; the rootless rules are safe either
		// way.
		return true
	}
}

// DefaultStateRoot is where container state lives unless --root says
// otherwise: DefaultRoot for root, $XDG_RUNTIME_DIR/hull for anybody else (a
// directory of the user's own that the system empties at logout, as
// runc's $XDG_RUNTIME_DIR/runc). xdg reports whether XDG_RUNTIME_DIR was
// used: the directory is then made, sticky (see EnsureXDGRoot).
func DefaultStateRoot() (root string, xdg bool) {
	u, userSet := os.LookupEnv("USER")
	return defaultRootFor(os.Geteuid(), userns.RunningInUserNS(), u, userSet, os.Getenv("XDG_RUNTIME_DIR"))
}

func defaultRootFor(euid int, inUserNS bool, userName string, userSet bool, xdgRuntimeDir string) (string, bool) {
	if xdgRuntimeDir == "" {
		return DefaultRoot, false
	}
	honour := euid != 0
	if euid == 0 && inUserNS {
		// root of a user namespace: a rootless engine (podman's user
		// namespace) keeps USER; only a real root login says root.
		honour = !userSet || userName != "root"
	}
	if !honour {
		// Real root keeps /run/hull even when its session has an
		// XDG_RUNTIME_DIR (/run/user/0), as runc keeps /run/runc.
		return DefaultRoot, false
	}
	return filepath.Join(xdgRuntimeDir, "hull"), true
}

// EnsureXDGRoot makes the default state root under $XDG_RUNTIME_DIR, mode
// 0700 with the sticky bit: the XDG base directory specification lets the
// system prune files there that have not been touched for six hours
// unless they are sticky.
func EnsureXDGRoot(root string) error {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("make the state root %s: %w (the path in $XDG_RUNTIME_DIR must be writable by the user; or give --root)", root, err)
	}
	if err := os.Chmod(root, 0o700|os.ModeSticky); err != nil {
		return fmt.Errorf("state root %s: %w (check the permissions of $XDG_RUNTIME_DIR; or give --root)", root, err)
	}
	return nil
}
