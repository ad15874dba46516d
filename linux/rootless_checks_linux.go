package linux

// What an unprivileged hull refuses before anything is made: the
// checks rootless (checkRootless) and their parts.

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

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
// root its exec fifo); namespaces joined by path from a new user
// namespace; device nodes the host does not have to bind; Intel RDT
// (resctrl is root's); sysctls the container's root may not set; an
// oomScoreAdj below hull's own. (What needs no host, such as
// additionalGids or a sysfs mount without a network namespace, is
// spec.Translate's, with Options.RootlessEUID.)
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
