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
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/sys/user"
	"github.com/moby/sys/userns"
	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	cgsystemd "github.com/opencontainers/cgroups/systemd"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
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

// idRange is a range of host ids a user may map: [start, start+size).
type idRange struct{ start, size int64 }

func (r idRange) contains(start, size int64) bool {
	return start >= r.start && size >= 0 && start+size <= r.start+r.size
}

func (r idRange) String() string { return fmt.Sprintf("%d-%d", r.start, r.start+r.size-1) }

// subIDRanges are the ranges /etc/subuid (or /etc/subgid) gives the user
// named name or numbered id: newuidmap(1) matches either spelling.
func subIDRanges(entries []user.SubID, name string, id int) []idRange {
	var out []idRange
	for _, e := range entries {
		if e.Name == name || e.Name == strconv.Itoa(id) {
			out = append(out, idRange{e.SubID, e.Count})
		}
	}
	return out
}

// mappingProblem says what is wrong with one mapping of a rootless
// container, or "": own is the user's own id, which it may always map
// (alone, without helpers; beside ranges, through newuidmap, which allows
// it too); sub are its ranges in /etc/subuid (or subgid), file the
// file's name.
func mappingProblem(m specs.LinuxIDMapping, own int, sub []idRange, file string) string {
	start, size := int64(m.HostID), int64(m.Size)
	if (idRange{int64(own), 1}).contains(start, size) {
		return ""
	}
	for _, r := range sub {
		if r.contains(start, size) {
			return ""
		}
	}
	var have []string
	have = append(have, fmt.Sprintf("%d (its own)", own))
	for _, r := range sub {
		have = append(have, r.String())
	}
	return fmt.Sprintf("host ids %s are not id %d's to map: it may map %s (%s); change hostID and size, or add a range to %s",
		idRange{start, size}, own, strings.Join(have, ", "), file, file)
}

// needsHelper reports whether maps need newuidmap/newgidmap: anything
// but the user's own id alone, which hull (libcontainer's nsexec) may
// write itself.
func needsHelper(maps []specs.LinuxIDMapping, own int) bool {
	return !(len(maps) == 1 && maps[0].Size == 1 && int(maps[0].HostID) == own)
}

// rootlessHost is what the rootless checks read from the host, so that
// the checks themselves can be tested with any.
type rootlessHost struct {
	euid, egid int
	groups     []int
	userName   string
	// subuid and subgid are the user's ranges; subErr why they could not
	// be read (no file is no ranges).
	subuid, subgid []idRange
	// lookPath finds newuidmap and newgidmap.
	lookPath func(string) (string, error)
}

func thisRootlessHost() rootlessHost {
	h := rootlessHost{euid: os.Geteuid(), egid: os.Getegid(), lookPath: exec.LookPath}
	h.groups, _ = unix.Getgroups()
	if u, err := user.LookupUid(h.euid); err == nil {
		h.userName = u.Name
	}
	if e, err := user.ParseSubIDFile("/etc/subuid"); err == nil {
		h.subuid = subIDRanges(e, h.userName, h.euid)
	}
	if e, err := user.ParseSubIDFile("/etc/subgid"); err == nil {
		h.subgid = subIDRanges(e, h.userName, h.euid)
	}
	return h
}

// checkRootless (the check rootless) refuses what an unprivileged hull
// cannot do for config.json, each with its JSON path: mappings outside
// the user's ids, or needing a newuidmap that is not installed; a
// container root that is not the user (libcontainer gives the container's
// root its exec fifo); device nodes the host does not have to bind;
// Intel RDT (resctrl is root's); an oomScoreAdj below hull's own.
func checkRootless(r *prepared) {
	if !r.o.RootlessEUID {
		return
	}
	h := thisRootlessHost()
	for _, f := range rootlessFindings(r.b.Spec, h) {
		r.field(SeverityError, f.path, f.value, f.msg)
	}
	if l := r.b.Spec.Linux; l != nil && len(l.Sysctl) > 0 {
		for _, f := range rootlessSysctlFindings(l, probeSysctls) {
			r.field(SeverityError, f.path, f.value, f.msg)
		}
	}
	if p := r.b.Spec.Process; p != nil && p.OOMScoreAdj != nil {
		if own, err := readOOMScoreAdj(); err == nil && *p.OOMScoreAdj < own {
			r.field(SeverityError, "process.oomScoreAdj", *p.OOMScoreAdj,
				fmt.Sprintf("below hull's own (%d): lowering it needs CAP_SYS_RESOURCE, which a rootless hull does not have; set it to %d or more", own, own))
		}
	}
}

func readOOMScoreAdj() (int, error) {
	data, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(data)))
}

// rootlessFinding is one problem of checkRootless.
type rootlessFinding struct {
	path  string
	value any
	msg   string
}

// rootlessFindings is checkRootless' work on s for the user h, less what
// reads /proc.
func rootlessFindings(s *specs.Spec, h rootlessHost) []rootlessFinding {
	var out []rootlessFinding
	add := func(path string, v any, format string, a ...any) {
		out = append(out, rootlessFinding{path, v, fmt.Sprintf(format, a...)})
	}
	l := s.Linux
	if l == nil {
		return nil
	}
	private, userPath := false, false
	for _, ns := range l.Namespaces {
		if ns.Type == specs.UserNamespace {
			private, userPath = ns.Path == "", ns.Path != ""
		}
	}
	if !userPath {
		// libcontainer joins namespaces by path before it makes the
		// user namespace: setns(2) there needs CAP_SYS_ADMIN in the
		// host's user namespace, which the user has not. From a user
		// namespace joined by path, the ones it owns can be joined.
		for i, ns := range l.Namespaces {
			if ns.Path != "" && ns.Type != specs.UserNamespace {
				add(spec.Path("linux.namespaces", i, "path"), ns.Path, "a rootless container can join a %s namespace only from the user namespace that owns it (setns needs privilege otherwise): join that user namespace by path too, or remove path", ns.Type)
			}
		}
	}
	if private {
		for _, k := range []struct {
			field, file, helper string
			maps                []specs.LinuxIDMapping
			own                 int
			sub                 []idRange
		}{
			{"linux.uidMappings", "/etc/subuid", "newuidmap", l.UIDMappings, h.euid, h.subuid},
			{"linux.gidMappings", "/etc/subgid", "newgidmap", l.GIDMappings, h.egid, h.subgid},
		} {
			if len(k.maps) == 0 {
				continue // Validate's
			}
			for i, m := range k.maps {
				if msg := mappingProblem(m, k.own, k.sub, k.file); msg != "" {
					add(spec.Path(k.field, i), m, "%s", msg)
				}
			}
			if needsHelper(k.maps, k.own) {
				if _, err := h.lookPath(k.helper); err != nil {
					add(k.field, nil, "mapping more than the user's own id %d alone needs %s, which is not installed (Debian and Ubuntu: apt-get install uidmap); or map only %d, size 1 (as 'hull spec --rootless' does)", k.own, k.helper, k.own)
				}
			}
		}
		// libcontainer chowns the exec fifo (and the console) to the
		// host id of the container's root: chown(2) to another uid, or to
		// a group the user is not in, is root's.
		if uid, ok := hostOf(l.UIDMappings, 0); ok && uid != int64(h.euid) {
			add("linux.uidMappings", nil, "container uid 0 maps to host uid %d; a rootless container's root must be the user running hull (uid %d): map containerID 0 to hostID %d", uid, h.euid, h.euid)
		}
		if gid, ok := hostOf(l.GIDMappings, 0); ok && gid != int64(h.egid) && !containsInt(h.groups, int(gid)) {
			add("linux.gidMappings", nil, "container gid 0 maps to host gid %d, which is not one of the user's groups; map containerID 0 to hostID %d", gid, h.egid)
		}
	}
	for i, d := range l.Devices {
		if msg := deviceBindProblem(d); msg != "" {
			add(spec.Path("linux.devices", i, "path"), d.Path, "%s", msg)
		}
	}
	if l.IntelRdt != nil {
		add("linux.intelRdt", nil, "Intel RDT (resctrl) needs root; a rootless container cannot have it: remove linux.intelRdt")
	}
	return out
}

// hostOf is the host id container id maps to, if any.
func hostOf(maps []specs.LinuxIDMapping, id int64) (int64, bool) {
	for _, m := range maps {
		if id >= int64(m.ContainerID) && id < int64(m.ContainerID)+int64(m.Size) {
			return int64(m.HostID) + id - int64(m.ContainerID), true
		}
	}
	return 0, false
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// deviceBindProblem says why a device of linux.devices cannot be given
// to a rootless container, or "". In a user namespace mknod(2) is
// refused, so libcontainer bind-mounts the host's node at the same path
// instead: there must be one, and it must be the device asked for
// (fileMode, uid and gid are then the host node's).
func deviceBindProblem(d specs.LinuxDevice) string {
	var st unix.Stat_t
	if err := unix.Stat(d.Path, &st); err != nil {
		return fmt.Sprintf("a rootless container gets the host's device node bind-mounted (it may not mknod), and the host has none at %s: %v; remove the device or run as root", d.Path, err)
	}
	var typ string
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		typ = "c"
	case unix.S_IFBLK:
		typ = "b"
	case unix.S_IFIFO:
		typ = "p"
	default:
		return fmt.Sprintf("a rootless container gets the host's device node bind-mounted, and the host's %s is not a device node; remove the device or run as root", d.Path)
	}
	want := d.Type
	if want == "u" {
		want = "c"
	}
	major, minor := int64(unix.Major(uint64(st.Rdev))), int64(unix.Minor(uint64(st.Rdev)))
	if want != typ || (typ != "p" && (d.Major != major || d.Minor != minor)) {
		return fmt.Sprintf("a rootless container gets the host's device node bind-mounted, and the host's %s is %s %d:%d, not %s %d:%d as given; use the host's numbers, or run as root", d.Path, typ, major, minor, d.Type, d.Major, d.Minor)
	}
	return ""
}

// cgroupAccess says whether an unprivileged hull can make and fill the
// cgroup c (a cgroup v2 subtree delegated to the user: a systemd user
// session's, or a directory chowned to it), and when not, why. With the
// systemd driver on cgroup v2 the user's systemd makes the cgroup.
//
// delegated is, for a cgroupfs-driven cgroup v2 container, the existing
// cgroup the container's would be made under: its cgroup.controllers
// are the controllers the container can have.
func cgroupAccess(c *cgroups.Cgroup) (ok bool, why, delegated string) {
	if cgroups.IsCgroup2UnifiedMode() {
		if c.Systemd {
			return true, "", ""
		}
		m, err := fs2.NewManager(c, "")
		if err != nil {
			return false, err.Error(), ""
		}
		dir := existingAncestor(m.Path(""))
		ok, why := cgroupWritable(m.Path(""))
		return ok, why, dir
	}
	if c.Systemd {
		return false, "this host has cgroup v1, which has no rootless systemd driver", ""
	}
	// fs.NewManager wants resources; the paths do not depend on them.
	probe := *c
	probe.Resources = &cgroups.Resources{}
	m, err := fs.NewManager(&probe, nil)
	if err != nil {
		return false, err.Error(), ""
	}
	paths := m.GetPaths()
	names := make([]string, 0, len(paths))
	for n := range paths {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "" {
			continue // cgroup v2's hierarchy of a hybrid host: no limits there
		}
		if ok, why := cgroupWritable(paths[n]); !ok {
			return false, why + " (cgroup v1)", ""
		}
	}
	return true, "", ""
}

// existingAncestor is dir, or its nearest parent that exists.
func existingAncestor(dir string) string {
	d := dir
	for {
		if _, err := os.Stat(d); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return d
		}
		d = parent
	}
}

// cgroupWritable says whether the user may make cgroup dir: whether the
// nearest directory of it that exists is writable, and for a new cgroup
// v2 directory the parent's cgroup.subtree_control too (the controllers
// are enabled there).
func cgroupWritable(dir string) (bool, string) {
	d := existingAncestor(dir)
	if err := unix.Access(d, unix.W_OK); err != nil {
		return false, fmt.Sprintf("cgroup %s is not delegated to uid %d (%v)", d, os.Geteuid(), err)
	}
	if d != dir {
		sc := filepath.Join(d, "cgroup.subtree_control")
		if _, err := os.Stat(sc); err == nil {
			if err := unix.Access(sc, unix.W_OK); err != nil {
				return false, fmt.Sprintf("%s is not writable by uid %d (%v)", sc, os.Geteuid(), err)
			}
		}
	}
	return true, ""
}

// droppedResource is one field of linux.resources a rootless container
// without a cgroup runs without, with the controller runc names.
type droppedResource struct{ path, controller string }

// settableResources lists the fields of r that would need the
// container's cgroup. linux.resources.devices is not among them: in a
// user namespace the container cannot mknod, so what it can open is
// decided by the host's nodes it gets bind-mounted, and libcontainer (as
// runc) ignores the device controller of a rootless container anyway.
func settableResources(r *specs.LinuxResources) []droppedResource {
	if r == nil {
		return nil
	}
	var out []droppedResource
	add := func(set bool, field, controller string) {
		if set {
			out = append(out, droppedResource{"linux.resources." + field, controller})
		}
	}
	add(r.Memory != nil, "memory", "memory")
	add(r.CPU != nil, "cpu", "cpu")
	add(r.Pids != nil, "pids", "pids")
	add(r.BlockIO != nil, "blockIO", "blkio")
	add(len(r.HugepageLimits) > 0, "hugepageLimits", "hugetlb")
	add(r.Network != nil, "network", "net_cls")
	add(len(r.Rdma) > 0, "rdma", "rdma")
	add(len(r.Unified) > 0, "unified", "unified")
	return out
}

// checkRootlessCgroups (the check rootless-cgroups) decides, for a
// container under the rootless cgroup rules, what happens where hull may
// not make its cgroup: a linux.cgroupsPath is refused (libcontainer would
// fail on it after making the container's state), and linux.resources
// are dropped with a warning each, so that the container runs without
// limits rather than failing at start as runc's does ("cannot set memory
// limit: container could not join or create cgroup"). With a delegated
// cgroup everything applies.
func checkRootlessCgroups(r *prepared) {
	if !r.o.RootlessCgroups || r.cfg == nil || r.b.Spec.Linux == nil {
		return
	}
	if r.cfg.Cgroups.Systemd && !cgroups.IsCgroup2UnifiedMode() {
		// runc's words (libcontainer's, when it makes the manager, after
		// the container's state).
		r.error(spec.Lead("cannot use rootless systemd cgroups manager on cgroup v1",
			errors.New("a rootless container's systemd cgroup driver needs cgroup v2 and the user's systemd; leave out --systemd-cgroup")))
		return
	}
	ok, why, delegated := cgroupAccess(r.cfg.Cgroups)
	if ok {
		if delegated != "" {
			checkDelegatedControllers(r, delegated)
		}
		return
	}
	if p := r.b.Spec.Linux.CgroupsPath; p != "" {
		r.field(SeverityError, "linux.cgroupsPath", p,
			fmt.Sprintf("a rootless container cannot create or join this cgroup: %s; remove linux.cgroupsPath, or delegate a cgroup v2 subtree to the user (systemd: a user session, or systemd-run --user -p Delegate=yes)", why))
		return
	}
	dropped := settableResources(r.b.Spec.Linux.Resources)
	for _, d := range dropped {
		// runc's words, which runc fails with, then why and what hull
		// does instead.
		r.field(SeverityWarning, d.path, nil,
			fmt.Sprintf("cannot set %s limit: container could not join or create cgroup: rootless, and %s; the container runs without this limit (a cgroup v2 subtree delegated to the user, such as a systemd user session's, would have it)", d.controller, why))
	}
	if len(dropped) > 0 {
		// Keep the device rules: libcontainer ignores them for a
		// rootless container, as runc's does.
		r.cfg.Cgroups.Resources = &cgroups.Resources{Devices: r.cfg.Cgroups.Resources.Devices}
	}
}

// checkDelegatedControllers refuses, for a container whose cgroup v2 is
// made under the delegated cgroup dir, each linux.resources field whose
// controller dir does not offer (systemd delegates memory and pids to a
// user by default, not cpu or io): libcontainer would fail on it at
// start.
func checkDelegatedControllers(r *prepared, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return // libcontainer will say
	}
	have := strings.Fields(string(data))
	for _, m := range missingControllers(r.b.Spec.Linux.Resources, have) {
		r.field(SeverityError, m.path, nil, fmt.Sprintf("needs the %s controller, which the cgroup delegated to the user (%s) does not have (it has: %s); delegate it (systemd: Delegate=%s in a drop-in for user@.service) or remove the field",
			m.controller, dir, strings.Join(have, " "), m.controller))
	}
}

// missingControllers lists the fields of res whose cgroup v2 controller
// is not among have.
func missingControllers(res *specs.LinuxResources, have []string) []droppedResource {
	if res == nil {
		return nil
	}
	var out []droppedResource
	need := func(set bool, path, controller string) {
		if set && !slices.Contains(have, controller) {
			out = append(out, droppedResource{path, controller})
		}
	}
	need(res.Memory != nil, "linux.resources.memory", "memory")
	if c := res.CPU; c != nil {
		need(c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil || c.Idle != nil ||
			c.RealtimeRuntime != nil || c.RealtimePeriod != nil, "linux.resources.cpu", "cpu")
		need(c.Cpus != "" || c.Mems != "", "linux.resources.cpu", "cpuset")
	}
	need(res.Pids != nil, "linux.resources.pids", "pids")
	need(res.BlockIO != nil, "linux.resources.blockIO", "io")
	need(len(res.HugepageLimits) > 0, "linux.resources.hugepageLimits", "hugetlb")
	need(len(res.Rdma) > 0, "linux.resources.rdma", "rdma")
	keys := make([]string, 0, len(res.Unified))
	for k := range res.Unified {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// "memory.max": the controller's name is the file's prefix;
		// cgroup.* files are the core's.
		if c, _, ok := strings.Cut(k, "."); ok && c != "cgroup" {
			need(true, spec.Path("linux.resources.unified", k), c)
		}
	}
	return out
}

// sysctlNamespace is the namespace that scopes sysctl key (in the dotted
// or the slashed form), "" for one Validate refuses anyway.
func sysctlNamespace(key string) specs.LinuxNamespaceType {
	first, _, _ := strings.Cut(strings.ReplaceAll(key, "/", "."), ".")
	switch {
	case first == "net":
		return specs.NetworkNamespace
	case first == "fs" || strings.HasPrefix(key, "kernel.msg") || strings.HasPrefix(key, "kernel.sem") ||
		strings.HasPrefix(key, "kernel.shm") || strings.HasPrefix(key, "kernel/msg") ||
		strings.HasPrefix(key, "kernel/sem") || strings.HasPrefix(key, "kernel/shm"):
		return specs.IPCNamespace // fs.mqueue.*
	case first == "kernel":
		return specs.UTSNamespace // kernel.domainname
	case first == "user":
		return specs.UserNamespace
	}
	return ""
}

// sysctlFile is key's file under /proc/sys, as libcontainer writes it:
// the dotted form's dots are slashes; a name that starts with a slash
// separator is taken as it is.
func sysctlFile(key string) string {
	if i := strings.IndexAny(key, "./"); i >= 0 && key[i] == '/' {
		return key
	}
	return strings.ReplaceAll(key, ".", "/")
}

// rootlessSysctlFindings refuses the sysctls the root of a rootless
// container cannot write in the namespaces it makes: probe answers, for
// /proc/sys files, which are missing or read-only there. The kernel keeps
// some settings to the host's network namespace (net.core.rmem_max...),
// or to root of the host's user namespace, whatever the container's
// namespaces. Sysctls of namespaces joined by path are left to the
// kernel; those of namespaces the container does not have are
// Validate's.
func rootlessSysctlFindings(l *specs.Linux, probe func(files []string) (map[string]string, error)) []rootlessFinding {
	private := map[specs.LinuxNamespaceType]bool{}
	for _, ns := range l.Namespaces {
		if ns.Path == "" {
			private[ns.Type] = true
		}
	}
	if !private[specs.UserNamespace] {
		return nil
	}
	var keys []string
	for k := range l.Sysctl {
		if ns := sysctlNamespace(k); ns != "" && private[ns] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	files := make([]string, len(keys))
	for i, k := range keys {
		files[i] = sysctlFile(k)
	}
	bad, err := probe(files)
	if err != nil {
		logrus.Debugf("rootless: cannot probe the sysctls in namespaces of a user's own: %v", err)
		return nil
	}
	var out []rootlessFinding
	for i, k := range keys {
		switch bad[files[i]] {
		case "missing":
			out = append(out, rootlessFinding{spec.Path("linux.sysctl", k), l.Sysctl[k],
				fmt.Sprintf("/proc/sys/%s does not exist in a new %s namespace of the user's (one with only lo, where the kernel keeps some settings to the host's); remove it, or run as root", files[i], sysctlNamespace(k))})
		case "read-only":
			out = append(out, rootlessFinding{spec.Path("linux.sysctl", k), l.Sysctl[k],
				fmt.Sprintf("/proc/sys/%s is read-only to the root of a rootless container (the kernel lets only the host's root set it); remove it, or run as root", files[i])})
		}
	}
	return out
}

// probeSysctls says which of the /proc/sys files are missing or
// read-only for root of a new user namespace of this user, in new
// network, ipc and uts namespaces: a shell run there tests them (one
// fork; Go cannot unshare a user namespace in its own threads).
func probeSysctls(files []string) (map[string]string, error) {
	const script = `for f; do if [ ! -e "/proc/sys/$f" ]; then echo "missing $f"; elif [ ! -w "/proc/sys/$f" ]; then echo "read-only $f"; fi; done`
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh"}, files...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}},
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("probe sysctls: %w", err)
	}
	bad := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if what, file, ok := strings.Cut(line, " "); ok {
			bad[file] = what
		}
	}
	return bad, nil
}
