package spec

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Warnings lists what config.json asks for that hull accepts but does not
// do as written, each a *FieldError. The rule is runc's: where runc 1.5
// runs a config, hull runs it too, and says here what it ignores or
// reinterprets (an ociVersion it does not know, unknown capabilities,
// device rule letters other than r, w and m, personality flags, id
// mappings without a user namespace, relative paths, kernel memory
// limits, ...), and which mounts maskedPaths hide. It is for "hull check"
// and for logging at create; none of them stops a container. Like
// Validate it is pure.
func Warnings(b *Bundle) []*FieldError {
	if b == nil || b.Spec == nil {
		return nil
	}
	w := &warner{file: b.ConfigPath}
	s := b.Spec
	w.version(s.Version)
	if p := s.Process; p != nil {
		if b.noUser {
			w.add("process.user", nil, `missing; the process runs as uid 0, gid 0 (root), as with runc; add "user": {"uid": 0, "gid": 0} (or the ids to run as)`)
		}
		if p.User.Umask != nil && *p.User.Umask > 0o777 {
			w.add("process.user.umask", *p.User.Umask, fmt.Sprintf("more than a permission mask; umask(2) keeps the low 9 bits, %#o; use a value from 0 to 511 (0777)", *p.User.Umask&0o777))
		}
		w.capabilities(p.Capabilities)
		w.rlimits(p.Rlimits)
	}
	for i, m := range s.Mounts {
		// The kernel ignores data for a bind mount; runc passes such
		// configs (the OCI validation suite has one), so hull does too.
		if mnt := parseMountOptions(m.Options); mnt.IsBind() && mnt.Data != "" {
			w.add(Path("mounts", i, "options"), m.Options, fmt.Sprintf("filesystem options (%s) are ignored on a bind mount; remove them, or mount the filesystem itself", mnt.Data))
		}
		if m.Destination != "" && !filepath.IsAbs(m.Destination) {
			w.add(Path("mounts", i, "destination"), m.Destination, "relative destinations are deprecated and taken as relative to the container's /; make it absolute")
		}
	}
	if s.Linux == nil {
		return w.out
	}
	w.linux(s.Linux, s.Mounts)
	return w.out
}

type warner struct {
	file string
	out  []*FieldError
}

func (w *warner) add(path string, v any, msg string) {
	w.out = append(w.out, &FieldError{File: w.file, Path: path, Value: v, Msg: msg})
}

// semver splits v, a semantic version (semver.org 2.0.0: three numbers
// without leading zeros, then an optional pre-release part after "-" and
// an optional build part after "+", each of letters, digits, dots and
// hyphens), into its numbers and its pre-release part with its "-" (""
// without one); ok is false when v is not one. A regular expression said
// the same, but compiling it cost every create ~0.1 ms; semver_test.go
// holds the two to the same answers.
func semver(v string) (major, minor, patch, pre string, ok bool) {
	core, build, hasBuild := strings.Cut(v, "+")
	if hasBuild && !semverIdent(build) {
		return "", "", "", "", false
	}
	core, pre, hasPre := strings.Cut(core, "-")
	if hasPre {
		if !semverIdent(pre) {
			return "", "", "", "", false
		}
		pre = "-" + pre
	}
	nums := strings.Split(core, ".")
	if len(nums) != 3 {
		return "", "", "", "", false
	}
	for _, n := range nums {
		if n == "" || (len(n) > 1 && n[0] == '0') || strings.Trim(n, "0123456789") != "" {
			return "", "", "", "", false
		}
	}
	return nums[0], nums[1], nums[2], pre, true
}

// semverIdent reports whether s is a non-empty run of the characters of
// a pre-release or build part.
func semverIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// version warns about an ociVersion hull was not written for. runc runs
// the config whatever it says (even none), so hull does too: fields it
// does not know are listed by UnknownFields.
func (w *warner) version(v string) {
	if v == "" {
		w.add("ociVersion", nil, fmt.Sprintf(`missing; read as runtime-spec %s; set it to the version the file follows, e.g. %q (hull supports %s)`, specs.Version, specs.Version, SupportedVersions))
		return
	}
	vMajor, vMinor, vPatch, pre, ok := semver(v)
	if !ok {
		w.add("ociVersion", v, fmt.Sprintf("not a semantic version like %q; read as runtime-spec %s (hull supports %s)", specs.Version, specs.Version, SupportedVersions))
		return
	}
	major, _ := strconv.Atoi(vMajor)
	minor, _ := strconv.Atoi(vMinor)
	// 1.0.0-rc* predate the stable spec; pre-releases of any later
	// 1.x version sort after 1.0.0 and are fine.
	preOne := vMinor == "0" && vPatch == "0" && pre != ""
	if major != 1 || minor > specs.VersionMinor || preOne {
		w.add("ociVersion", v, fmt.Sprintf("a runtime-spec version hull was not written for; read as runtime-spec %s (hull supports %s)", specs.Version, SupportedVersions))
	}
}

// capabilities warns about names libcontainer does not know: engines send
// full lists for privileged containers that may name capabilities newer
// than this build, and libcontainer drops those (as runc does) instead of
// failing.
func (w *warner) capabilities(c *specs.LinuxCapabilities) {
	for _, set := range CapabilitySets(c) {
		for i, name := range set.Caps {
			if !knownCaps()[name] {
				w.add(Path("process.capabilities", set.Name, i), name,
					"unknown capability, ignored (as runc does); if you meant one, use a name from capabilities(7) such as CAP_CHOWN (upper case, with the CAP_ prefix)")
			}
		}
	}
}

// KnownCapability reports whether name is a capability hull's
// libcontainer knows (whether or not this kernel has it).
func KnownCapability(name string) bool { return knownCaps()[name] }

var knownCaps = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, c := range capability.ListKnown() {
		m["CAP_"+strings.ToUpper(c.String())] = true
	}
	return m
})

// rlimits warns about a type set twice: libcontainer applies the entries
// in order, so the later one wins (runc does the same).
func (w *warner) rlimits(rls []specs.POSIXRlimit) {
	seen := map[string]int{}
	for i, rl := range rls {
		if j, dup := seen[rl.Type]; dup {
			w.add(Path("process.rlimits", i, "type"), rl.Type,
				fmt.Sprintf("also set by %s; both are applied in order, so this one wins (raising a hard limit again needs CAP_SYS_RESOURCE); keep one entry per type", Path("process.rlimits", j)))
		}
		seen[rl.Type] = i
	}
}

func (w *warner) linux(l *specs.Linux, mounts []specs.Mount) {
	hasUserNS := false
	for _, n := range l.Namespaces {
		hasUserNS = hasUserNS || n.Type == specs.UserNamespace
	}
	if !hasUserNS && (l.UIDMappings != nil || l.GIDMappings != nil) {
		w.add("linux", nil, fmt.Sprintf("uidMappings/gidMappings are ignored without a user namespace (as runc does); %s, or remove the mappings", addNS(specs.UserNamespace)))
	}
	for _, list := range []struct {
		name  string
		paths []string
	}{{"linux.maskedPaths", l.MaskedPaths}, {"linux.readonlyPaths", l.ReadonlyPaths}} {
		for i, p := range list.paths {
			if !filepath.IsAbs(p) {
				w.add(Path(list.name, i), p, "not an absolute path; taken as relative to the container's /, as runc does; make it absolute")
			}
		}
	}
	for i, d := range l.Devices {
		if !filepath.IsAbs(d.Path) {
			w.add(Path("linux.devices", i, "path"), d.Path, "not an absolute path; taken as relative to the container's /, as runc does; make it absolute, e.g. /dev/fuse")
		}
	}
	if pr := l.Personality; pr != nil {
		// libcontainer applies the domain only.
		for i, f := range pr.Flags {
			w.add(Path("linux.personality.flags", i), string(f), "personality flags are ignored (only the domain is applied), as runc does; remove it")
		}
	}
	if r := l.Resources; r != nil {
		for i, d := range r.Devices {
			if d.Access != "" && strings.Trim(d.Access, "rwm") != "" {
				w.add(Path("linux.resources.devices", i, "access"), d.Access,
					fmt.Sprintf("letters other than r (read), w (write) and m (mknod) are ignored, as runc does, so the rule grants %s; write it with r, w and m only", accessLeft(d.Access)))
			}
		}
		if m := r.Memory; m != nil {
			if m.Kernel != nil { //nolint:staticcheck // reported because deprecated
				w.add("linux.resources.memory.kernel", *m.Kernel, "kernel memory limits are ignored (removed from Linux 6.x); remove it") //nolint:staticcheck
			}
			if m.KernelTCP != nil {
				w.add("linux.resources.memory.kernelTCP", *m.KernelTCP, "kernel TCP memory limits are ignored; remove it")
			}
			if m.UseHierarchy != nil {
				w.add("linux.resources.memory.useHierarchy", *m.UseHierarchy, "ignored: hierarchical accounting is always on; remove it")
			}
		}
	}
	for i, m := range mounts {
		for j, masked := range l.MaskedPaths {
			if m.Destination == masked || strings.HasPrefix(m.Destination, strings.TrimSuffix(masked, "/")+"/") {
				w.add(Path("mounts", i, "destination"), m.Destination, fmt.Sprintf("is hidden by %s (%q), which is applied after mounts; remove one of them", Path("linux.maskedPaths", j), masked))
			}
		}
	}
}

// accessLeft is what libcontainer makes of a device rule's access: the
// r, w and m in it, quoted, or "nothing".
func accessLeft(access string) string {
	left := ""
	for _, c := range "rwm" {
		if strings.ContainsRune(access, c) {
			left += string(c)
		}
	}
	if left == "" {
		return "nothing"
	}
	return strconv.Quote(left)
}
