package tests

// Tests that hold `hull features` to its word: every item the document
// advertises is used by a real container, so that an engine reading the
// document cannot be told something hull does not do. The document says
// what hull implements, not what this host has (runtime-spec features.md);
// where the host lacks an advertised item, `check --host` must say so and
// create must refuse it in one line (featHostLacks).

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// featuresDoc runs `hull features` and decodes it.
func featuresDoc(t *testing.T, h *H) *features.Features {
	t.Helper()
	r := h.ok("features")
	var f features.Features
	if err := json.Unmarshal([]byte(r.Stdout), &f); err != nil {
		t.Fatalf("hull features printed invalid JSON: %v\n%s", err, r)
	}
	if f.Linux == nil {
		t.Fatalf("hull features has no linux section:\n%s", r.Stdout)
	}
	return &f
}

// featRefused runs `hull run` on bundle, which must fail with a one-line
// error containing every want (case-insensitive) and leave nothing behind.
// It returns the error.
func featRefused(t *testing.T, h *H, bundle string, wants ...string) string {
	t.Helper()
	id := h.id()
	r := h.hull("run", "--bundle", bundle, id)
	if r.Code == 0 {
		t.Errorf("hull run succeeded, want a refusal:\n%s", r)
		return ""
	}
	msg := strings.TrimSpace(r.Stderr)
	if n := len(lines(msg)); n != 1 {
		t.Errorf("want a one-line error, got %d lines:\n%s", n, r)
	}
	for _, w := range wants {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(w)) {
			t.Errorf("error does not mention %q:\n%s", w, r)
		}
	}
	h.assertClean(id)
	return msg
}

// featHostLacks checks an advertised item this host lacks, used by bundle:
// `check --host` names field, and run refuses the bundle in one line that
// names it and leaves nothing behind. global goes before the command
// (--systemd-cgroup).
func featHostLacks(t *testing.T, h *H, bundle, field string, global ...string) {
	t.Helper()
	r := h.hull(append(global, "check", "--host", "--bundle", bundle)...)
	if r.Code != 1 || !strings.Contains(r.Stdout, field) {
		t.Errorf("check --host (exit 1) should name %s, which this host lacks:\n%s", field, r)
	}
	id := h.id()
	r = h.hull(append(global, "run", "--bundle", bundle, id)...)
	msg := strings.TrimSpace(r.Stderr)
	if r.Code == 0 || len(lines(msg)) != 1 || !strings.Contains(msg, field) {
		t.Errorf("run should refuse in one line naming %s:\n%s", field, r)
	}
	h.assertClean(id)
}

// ---------------------------------------------------------------------------
// ociVersionMin / ociVersionMax

func TestFeaturesOCIVersion(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	above := func(v string, minor bool) string {
		p := strings.SplitN(v, ".", 3)
		if len(p) != 3 {
			t.Fatalf("ociVersionMax %q is not major.minor.patch", v)
		}
		mi, _ := strconv.Atoi(p[1])
		pa, _ := strconv.Atoi(p[2])
		if minor {
			return fmt.Sprintf("%s.%d.0", p[0], mi+1)
		}
		return fmt.Sprintf("%s.%d.%d", p[0], mi, pa+1)
	}
	cases := []struct {
		name, version string
		warn          bool
	}{
		{"min", f.OCIVersionMin, false},
		{"max", f.OCIVersionMax, false},
		// Patch releases of runtime-spec add no fields: hull takes any
		// 1.3.x, as the lifecycle issue decided.
		{"max-next-patch", above(f.OCIVersionMax, false), false},
		// runc runs a config whatever its ociVersion says; hull does
		// too, and warns that it reads it as the version it knows.
		{"max-next-minor", above(f.OCIVersionMax, true), true},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.version, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			b := h.bundle([]string{"true"}, func(s *specs.Spec) { s.Version = c.version })
			r := h.ok("run", "--bundle", b, h.id())
			if warned := strings.Contains(r.Stderr, "level=warning") && strings.Contains(r.Stderr, "ociVersion: "); warned != c.warn {
				t.Errorf("ociVersion %s: warned %v, want %v:\n%s", c.version, warned, c.warn, r)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// hooks

func TestFeaturesHooks(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	logDir := h.hostDir("hooks")
	// Each hook appends its kind to order and saves the state it was given
	// on stdin. startContainer runs in the container, where logDir is /mnt;
	// it takes a little while, so that a poststart hook run before the
	// user process is executed (runtime-spec: after) shows in the order.
	hook := func(kind, dir string) specs.Hook {
		delay := ""
		if kind == "startContainer" {
			delay = "sleep 0.3; "
		}
		return specs.Hook{Path: "/bin/sh",
			Args: []string{"sh", "-c", fmt.Sprintf(`cat > "$HOOKDIR/%s.json"; %secho %s >> "$HOOKDIR/order"`, kind, delay, kind)},
			Env:  []string{"HOOKDIR=" + dir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}}
	}
	hooks := &specs.Hooks{}
	for _, k := range f.Hooks {
		switch k {
		case "prestart":
			hooks.Prestart = []specs.Hook{hook(k, logDir)} //nolint:staticcheck // deprecated, still advertised
		case "createRuntime":
			hooks.CreateRuntime = []specs.Hook{hook(k, logDir)}
		case "createContainer":
			hooks.CreateContainer = []specs.Hook{hook(k, logDir)}
		case "startContainer":
			hooks.StartContainer = []specs.Hook{hook(k, "/mnt")}
		case "poststart":
			hooks.Poststart = []specs.Hook{hook(k, logDir)}
		case "poststop":
			hooks.Poststop = []specs.Hook{hook(k, logDir)}
		default:
			t.Errorf("hull features advertises hook kind %q, which this test does not know", k)
		}
	}
	bundle := h.bundle(longRunning,
		withMount(specs.Mount{Destination: "/mnt", Type: "bind", Source: logDir, Options: []string{"bind", "rw"}}),
		func(s *specs.Spec) { s.Hooks = hooks })
	ran := func() []string {
		data, _ := os.ReadFile(filepath.Join(logDir, "order"))
		return lines(string(data))
	}
	// expect checks that exactly the advertised kinds among want have run.
	expect := func(phase string, want ...string) {
		t.Helper()
		var adv []string
		for _, k := range want {
			if slices.Contains(f.Hooks, k) {
				adv = append(adv, k)
			}
		}
		got := ran()
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		slices.Sort(adv)
		if !slices.Equal(sorted, adv) {
			t.Errorf("after %s: hooks run %q, want %q", phase, got, adv)
		}
	}

	id := h.id()
	h.ok("create", "--bundle", bundle, id)
	expect("create", "prestart", "createRuntime", "createContainer")
	h.ok("start", id)
	expect("start", "prestart", "createRuntime", "createContainer", "startContainer", "poststart")
	h.ok("delete", "--force", id)
	expect("delete", f.Hooks...)
	h.assertClean(id)

	// Lifecycle order (runtime-spec config.md#posix-platform-hooks).
	got := ran()
	pos := func(k string) int { return slices.Index(got, k) }
	for _, pair := range [][2]string{{"createRuntime", "createContainer"}, {"prestart", "createContainer"},
		{"createContainer", "startContainer"}, {"startContainer", "poststart"}, {"poststart", "poststop"}} {
		a, b := pos(pair[0]), pos(pair[1])
		if a >= 0 && b >= 0 && a > b {
			t.Errorf("hook %s ran after %s: order %q", pair[0], pair[1], got)
		}
	}
	// Every hook gets the container's state on stdin.
	for _, k := range f.Hooks {
		data, err := os.ReadFile(filepath.Join(logDir, k+".json"))
		if err != nil {
			continue // reported above
		}
		var st specs.State
		if err := json.Unmarshal(data, &st); err != nil {
			t.Errorf("%s hook: stdin is not the state JSON: %v\n%s", k, err, data)
			continue
		}
		if st.ID != id {
			t.Errorf("%s hook: state id %q, want %q\n%s", k, st.ID, id, data)
		}
		if k != "poststop" && st.Pid <= 0 {
			t.Errorf("%s hook: state pid %d, want the container's init\n%s", k, st.Pid, data)
		}
		if want := map[string]specs.ContainerState{"createRuntime": specs.StateCreating,
			"createContainer": specs.StateCreating, "startContainer": specs.StateCreated,
			"poststart": specs.StateRunning, "poststop": specs.StateStopped}[k]; want != "" && st.Status != want {
			t.Errorf("%s hook: state status %q, want %q", k, st.Status, want)
		}
		if st.Bundle != bundle {
			t.Errorf("%s hook: state bundle %q, want %q", k, st.Bundle, bundle)
		}
	}
}

// ---------------------------------------------------------------------------
// mountOptions

// featMount is one mount from /proc/self/mountinfo.
type featMount struct {
	opts  []string // per-mount options and optional fields (shared:N, master:N, unbindable)
	fs    string
	super []string // superblock options
}

func featParseMountinfo(out string) map[string]featMount {
	m := map[string]featMount{}
	for _, mi := range sysproc.ParseMountInfo(out) {
		m[mi.Point] = featMount{opts: append(mi.Options, mi.Optional...), fs: mi.FSType, super: mi.SuperOptions}
	}
	return m
}

// featHasOpt reports whether opts holds o, or, when o ends in ':', an option
// starting with o.
func featHasOpt(opts []string, o string) bool {
	for _, x := range opts {
		if x == o || (strings.HasSuffix(o, ":") && strings.HasPrefix(x, o)) {
			return true
		}
	}
	return false
}

// featCheckOpts fails t unless the options opts (of kind "mount" or
// "superblock") of the mount at at have every one of has and none of
// hasNot, matched as featHasOpt does.
func featCheckOpts(t *testing.T, at, kind string, opts, has, hasNot []string) {
	t.Helper()
	for _, o := range has {
		if !featHasOpt(opts, o) {
			t.Errorf("%s: %s options %q lack %q", at, kind, opts, o)
		}
	}
	for _, o := range hasNot {
		if featHasOpt(opts, o) {
			t.Errorf("%s: %s options %q have %q", at, kind, opts, o)
		}
	}
}

// featMountExpect is what a mount point inside must (not) show.
type featMountExpect struct {
	at              string
	has, hasNot     []string // per-mount options or optional fields
	super, superNot []string // superblock options
	absent          bool     // at must not be a mount point
	wantFS          string
}

// featMountCase is one container exercising one advertised mount option.
type featMountCase struct {
	// src: "tmpfs" (a tmpfs on /data), "tree" (a host dir with submounts
	// plain, flagged, strict), "shared" (a host tmpfs in a shared peer
	// group), "idmap" (a host dir with files owned by 1234).
	src    string
	opts   []string
	before []string // options of an earlier mount of the same source at dest (nil: none)
	dest   string   // default /data for tmpfs, /mnt otherwise
	expect []featMountExpect
	script string // more shell; its output must contain out
	out    string
}

// featMountCases has a case for every mount option hull may advertise.
// A case whose observable is absent (the option only reaches the kernel,
// which shows nothing) just checks the container starts with it.
func featMountCases() map[string]featMountCase {
	tm := func(opts []string, e featMountExpect) featMountCase {
		e.at = "/data"
		return featMountCase{src: "tmpfs", opts: opts, expect: []featMountExpect{e}}
	}
	accept := func(opts ...string) featMountCase {
		return featMountCase{src: "tmpfs", opts: opts, expect: []featMountExpect{{at: "/data", wantFS: "tmpfs"}}}
	}
	tree := func(opt string, e ...featMountExpect) featMountCase {
		return featMountCase{src: "tree", opts: []string{"rbind", opt}, expect: e}
	}
	prop := func(opt string, e featMountExpect) featMountCase {
		e.at = "/mnt"
		return featMountCase{src: "shared", opts: []string{"bind", opt}, expect: []featMountExpect{e}}
	}
	on := func(at string, has ...string) featMountExpect { return featMountExpect{at: at, has: has} }
	off := func(at string, hasNot ...string) featMountExpect { return featMountExpect{at: at, hasNot: hasNot} }
	return map[string]featMountCase{
		// Per-mount flags on a fresh tmpfs. The clearing options come
		// after their opposite: the later option wins.
		"ro":       tm([]string{"ro"}, featMountExpect{has: []string{"ro"}}),
		"rw":       tm([]string{"ro", "rw"}, featMountExpect{has: []string{"rw"}}),
		"defaults": tm([]string{"defaults"}, featMountExpect{has: []string{"rw"}, hasNot: []string{"nosuid", "nodev", "noexec"}}),
		"nosuid":   tm([]string{"nosuid"}, featMountExpect{has: []string{"nosuid"}}),
		"suid":     tm([]string{"nosuid", "suid"}, featMountExpect{hasNot: []string{"nosuid"}}),
		"nodev":    tm([]string{"nodev"}, featMountExpect{has: []string{"nodev"}}),
		"dev":      tm([]string{"nodev", "dev"}, featMountExpect{hasNot: []string{"nodev"}}),
		"noexec":   tm([]string{"noexec"}, featMountExpect{has: []string{"noexec"}}),
		"exec":     tm([]string{"noexec", "exec"}, featMountExpect{hasNot: []string{"noexec"}}),
		"noatime":  tm([]string{"noatime"}, featMountExpect{has: []string{"noatime"}}),
		"atime":    tm([]string{"noatime", "atime"}, featMountExpect{has: []string{"relatime"}, hasNot: []string{"noatime"}}),
		// The kernel ranks the atime modes (strictatime over noatime over
		// relatime) whatever their order, so relatime is seen alone.
		"relatime":      tm([]string{"relatime"}, featMountExpect{has: []string{"relatime"}, hasNot: []string{"noatime"}}),
		"norelatime":    accept("norelatime"), // mount(2) then defaults to relatime anyway
		"strictatime":   tm([]string{"strictatime"}, featMountExpect{hasNot: []string{"relatime", "noatime"}}),
		"nostrictatime": tm([]string{"strictatime", "nostrictatime"}, featMountExpect{has: []string{"relatime"}}),
		"nodiratime":    tm([]string{"nodiratime"}, featMountExpect{has: []string{"nodiratime"}}),
		"diratime":      tm([]string{"nodiratime", "diratime"}, featMountExpect{hasNot: []string{"nodiratime"}}),
		"nosymfollow":   tm([]string{"nosymfollow"}, featMountExpect{has: []string{"nosymfollow"}}),
		"symfollow":     tm([]string{"nosymfollow", "symfollow"}, featMountExpect{hasNot: []string{"nosymfollow"}}),
		// Superblock flags.
		"sync":       tm([]string{"sync"}, featMountExpect{super: []string{"sync"}}),
		"async":      tm([]string{"sync", "async"}, featMountExpect{superNot: []string{"sync"}}),
		"dirsync":    tm([]string{"dirsync"}, featMountExpect{super: []string{"dirsync"}}),
		"lazytime":   tm([]string{"lazytime"}, featMountExpect{super: []string{"lazytime"}}),
		"nolazytime": tm([]string{"lazytime", "nolazytime"}, featMountExpect{superNot: []string{"lazytime"}}),
		// Linux 5.15 removed mandatory locking: MS_MANDLOCK is ignored.
		"mand":   accept("mand"),
		"nomand": accept("mand", "nomand"),
		// tmpfs does not show SB_I_VERSION; MS_SILENT is never shown.
		"iversion":   accept("iversion"),
		"noiversion": accept("iversion", "noiversion"),
		"silent":     accept("silent"),
		"loud":       accept("silent", "loud"),
		// remount changes a mount an earlier entry made at the same
		// destination (alone it has nothing to remount: EINVAL).
		"remount": {src: "tmpfs", before: []string{"size=64k"}, opts: []string{"remount", "ro"},
			expect: []featMountExpect{{at: "/data", has: []string{"ro"}, wantFS: "tmpfs"}}},
		// tmpcopyup: a tmpfs over /etc starts with the rootfs's /etc.
		"tmpcopyup": {src: "tmpfs", dest: "/etc", opts: []string{"tmpcopyup"},
			expect: []featMountExpect{{at: "/etc", wantFS: "tmpfs"}}, script: "cat /etc/passwd", out: "root:x:0:0:"},

		// Bind mounts of a host dir with submounts: plain (relatime),
		// flagged (ro,nosuid,nodev,noexec,nodiratime,noatime,nosymfollow)
		// and strict (strictatime).
		"bind": {src: "tree", opts: []string{"bind"}, script: "cat /mnt/hello", out: "from host",
			expect: []featMountExpect{on("/mnt"), {at: "/mnt/plain", absent: true}}},
		"rbind": {src: "tree", opts: []string{"rbind"}, script: "cat /mnt/hello", out: "from host",
			expect: []featMountExpect{on("/mnt"), on("/mnt/plain"), on("/mnt/flagged", "ro", "nosuid")}},
		"rro":            tree("rro", on("/mnt", "ro"), on("/mnt/plain", "ro")),
		"rrw":            tree("rrw", on("/mnt", "rw"), on("/mnt/flagged", "rw")),
		"rnosuid":        tree("rnosuid", on("/mnt", "nosuid"), on("/mnt/plain", "nosuid")),
		"rsuid":          tree("rsuid", off("/mnt/flagged", "nosuid")),
		"rnodev":         tree("rnodev", on("/mnt", "nodev"), on("/mnt/plain", "nodev")),
		"rdev":           tree("rdev", off("/mnt/flagged", "nodev")),
		"rnoexec":        tree("rnoexec", on("/mnt", "noexec"), on("/mnt/plain", "noexec")),
		"rexec":          tree("rexec", off("/mnt/flagged", "noexec")),
		"rnodiratime":    tree("rnodiratime", on("/mnt", "nodiratime"), on("/mnt/plain", "nodiratime")),
		"rdiratime":      tree("rdiratime", off("/mnt/flagged", "nodiratime")),
		"rnosymfollow":   tree("rnosymfollow", on("/mnt", "nosymfollow"), on("/mnt/plain", "nosymfollow")),
		"rsymfollow":     tree("rsymfollow", off("/mnt/flagged", "nosymfollow")),
		"rnoatime":       tree("rnoatime", on("/mnt", "noatime"), on("/mnt/plain", "noatime")),
		"ratime":         tree("ratime", off("/mnt/flagged", "noatime")),
		"rrelatime":      tree("rrelatime", on("/mnt/flagged", "relatime"), on("/mnt/strict", "relatime")),
		"rstrictatime":   tree("rstrictatime", off("/mnt", "relatime", "noatime"), off("/mnt/plain", "relatime", "noatime")),
		"rnostrictatime": tree("rnostrictatime", on("/mnt/strict", "relatime")),
		// "not relatime" must not make anything relatime: a strictatime
		// submount stays strictatime.
		"rnorelatime": tree("rnorelatime", off("/mnt/strict", "relatime", "noatime")),

		// Propagation of a bind of a host mount that is in a shared peer
		// group. The container's root is rslave, so the bind starts as a
		// slave of the host's group (master:N).
		"shared":      prop("shared", featMountExpect{has: []string{"shared:"}}),
		"rshared":     prop("rshared", featMountExpect{has: []string{"shared:"}}),
		"slave":       prop("slave", featMountExpect{has: []string{"master:"}, hasNot: []string{"shared:"}}),
		"rslave":      prop("rslave", featMountExpect{has: []string{"master:"}, hasNot: []string{"shared:"}}),
		"private":     prop("private", featMountExpect{hasNot: []string{"shared:", "master:", "unbindable"}}),
		"rprivate":    prop("rprivate", featMountExpect{hasNot: []string{"shared:", "master:", "unbindable"}}),
		"unbindable":  prop("unbindable", featMountExpect{has: []string{"unbindable"}}),
		"runbindable": prop("runbindable", featMountExpect{has: []string{"unbindable"}}),

		// ID-mapped binds: see featIDMapWant.
		"idmap": {src: "idmap", opts: []string{"bind", "idmap"}, expect: []featMountExpect{on("/mnt")},
			script: "stat -c %u:%g /mnt/owned", out: featIDMapWant},
		"ridmap": {src: "idmap", opts: []string{"rbind", "ridmap"}, expect: []featMountExpect{on("/mnt"), on("/mnt/sub")},
			script: "stat -c %u:%g /mnt/owned /mnt/sub/owned", out: featIDMapWant + "\n" + featIDMapWant},
	}
}

// An ID-mapped mount with uid/gid mapping containerID 1000, hostID 5000,
// size 1000 shows a file that is 1234:1234 in the source filesystem as
// 5234:5234 (runtime-spec config.md: the mappings convert "from the
// source file system to the destination mount point").
var featIDMapping = []specs.LinuxIDMapping{{ContainerID: 1000, HostID: 5000, Size: 1000}}

const featIDMapWant = "5234:5234"

// featSources are the host directories the mount cases bind.
type featSources struct{ tree, shared, idmap string }

// featMountTmpfs mounts a tmpfs on dir and unmounts it at cleanup.
func featMountTmpfs(t *testing.T, dir string, flags uintptr) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", flags, "size=64k"); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
}

func featMountSources(t *testing.T, h *H) featSources {
	t.Helper()
	var s featSources

	s.tree = h.hostDir("tree")
	if err := os.WriteFile(filepath.Join(s.tree, "hello"), []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	featMountTmpfs(t, filepath.Join(s.tree, "plain"), 0)
	featMountTmpfs(t, filepath.Join(s.tree, "flagged"), unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|
		unix.MS_NODIRATIME|unix.MS_NOATIME|unix.MS_NOSYMFOLLOW)
	featMountTmpfs(t, filepath.Join(s.tree, "strict"), unix.MS_STRICTATIME)

	s.shared = h.hostDir("shared")
	featMountTmpfs(t, s.shared, 0)
	if err := unix.Mount("", s.shared, "", unix.MS_SHARED, ""); err != nil {
		t.Fatalf("make %s shared: %v", s.shared, err)
	}

	s.idmap = h.hostDir("idmap")
	featMountTmpfs(t, filepath.Join(s.idmap, "sub"), 0)
	for _, p := range []string{filepath.Join(s.idmap, "owned"), filepath.Join(s.idmap, "sub", "owned")} {
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, 1234, 1234); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// featRunMountCase runs one container with c's mount and checks it.
func featRunMountCase(t *testing.T, h *H, src featSources, c featMountCase) {
	t.Helper()
	m := specs.Mount{Destination: c.dest, Options: c.opts}
	mods := []func(*specs.Spec){}
	switch c.src {
	case "tmpfs":
		m.Type, m.Source = "tmpfs", "tmpfs"
		if m.Destination == "" {
			m.Destination = "/data"
		}
	default:
		m.Type = "bind"
		m.Source = map[string]string{"tree": src.tree, "shared": src.shared, "idmap": src.idmap}[c.src]
		if m.Destination == "" {
			m.Destination = "/mnt"
		}
		if c.src == "idmap" {
			m.UIDMappings, m.GIDMappings = featIDMapping, featIDMapping
		}
		if c.src == "shared" {
			mods = append(mods, func(s *specs.Spec) { s.Linux.RootfsPropagation = "rslave" })
		}
	}
	if c.before != nil {
		first := m
		first.Options = c.before
		mods = append(mods, withMount(first))
	}
	mods = append(mods, withMount(m))
	script := "cat /proc/self/mountinfo"
	if c.script != "" {
		script += "; echo ---; " + c.script
	}
	out := h.runOut(h.bundle(sh(script), mods...))
	info, extra, _ := strings.Cut(out, "---\n")
	mounts := featParseMountinfo(info)
	for _, e := range c.expect {
		mi, ok := mounts[e.at]
		if e.absent {
			if ok {
				t.Errorf("%s is a mount point inside (%v), want none", e.at, mi.opts)
			}
			continue
		}
		if !ok {
			t.Errorf("no mount at %s inside; mountinfo:\n%s", e.at, sysproc.Indent(info))
			continue
		}
		featCheckOpts(t, e.at, "mount", mi.opts, e.has, e.hasNot)
		featCheckOpts(t, e.at, "superblock", mi.super, e.super, e.superNot)
		if e.wantFS != "" && mi.fs != e.wantFS {
			t.Errorf("%s: filesystem %q, want %q", e.at, mi.fs, e.wantFS)
		}
	}
	if c.out != "" && !strings.Contains(extra, c.out) {
		t.Errorf("`%s` printed %q, want %q", c.script, extra, c.out)
	}
}

func TestFeaturesMountOptions(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	src := featMountSources(t, h)
	cases := featMountCases()
	for _, o := range f.MountOptions {
		c, ok := cases[o]
		if !ok {
			t.Errorf("hull features advertises mount option %q, which this test does not know", o)
			continue
		}
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			if o == "ridmap" && !kernelAtLeast(t, 6, 3) {
				t.Skip("ridmap of a tree with a tmpfs in it needs Linux 6.3 (tmpfs ID-mapped mounts)")
			}
			featRunMountCase(t, newH(t), src, c)
		})
	}
}

// ---------------------------------------------------------------------------
// linux.mountExtensions.idmap

func TestFeaturesIDMappedMounts(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	if f.Linux.MountExtensions == nil || f.Linux.MountExtensions.IDMap == nil || f.Linux.MountExtensions.IDMap.Enabled == nil {
		t.Fatalf("hull features does not say whether ID-mapped mounts work (linux.mountExtensions.idmap.enabled)")
	}
	if !*f.Linux.MountExtensions.IDMap.Enabled {
		t.Fatalf("hull features says ID-mapped mounts are not implemented; hull implements them (libcontainer's mount_setattr)")
	}
	for _, o := range []string{"idmap", "ridmap"} {
		if !slices.Contains(f.MountOptions, o) {
			t.Errorf("idmap mounts are enabled but mount option %q is not advertised", o)
		}
	}
	// mount_setattr(2) on a bad fd: EBADF where the kernel has it, ENOSYS
	// where it does not (Linux 5.12).
	if unix.MountSetattr(-1, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP}) == unix.ENOSYS {
		m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
		featHostLacks(t, h, h.bundle([]string{"true"}, withMount(specs.Mount{Destination: "/mnt", Type: "bind",
			Source: h.hostDir("idmap"), Options: []string{"bind"}, UIDMappings: m, GIDMappings: m})), "mounts[")
		return
	}
	// The sub-mount of the source tree is a tmpfs, which the kernel can
	// ID-map from Linux 6.3 on (the VM of tests/vm runs Debian 12's 6.1).
	if !kernelAtLeast(t, 6, 3) {
		t.Skip("ridmap of a tree with a tmpfs in it needs Linux 6.3 (tmpfs ID-mapped mounts)")
	}
	src := featMountSources(t, h)
	featRunMountCase(t, h, src, featMountCases()["ridmap"])
}

// kernelAtLeast says whether the running kernel is major.minor or later.
func kernelAtLeast(t *testing.T, major, minor int) bool {
	t.Helper()
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var maj, min int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &maj, &min); err != nil {
		t.Fatalf("kernel release %q: %v", u.Release[:], err)
	}
	return maj > major || maj == major && min >= minor
}

// ---------------------------------------------------------------------------
// linux.namespaces

var featNSFiles = map[string]string{
	"cgroup": "cgroup", "ipc": "ipc", "mount": "mnt", "network": "net",
	"pid": "pid", "time": "time", "user": "user", "uts": "uts",
}

func TestFeaturesNamespaces(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	if len(f.Linux.Namespaces) == 0 {
		t.Errorf("hull features lists no namespaces")
	}
	for _, ns := range f.Linux.Namespaces {
		file, ok := featNSFiles[ns]
		if !ok {
			t.Errorf("hull features advertises namespace %q, which this test does not know", ns)
			continue
		}
		t.Run(ns, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			script := "readlink /proc/self/ns/" + file
			b := h.bundle(sh(script), func(s *specs.Spec) {
				typ := specs.LinuxNamespaceType(ns)
				if !hasNamespace(s, typ) {
					s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: typ})
				}
				switch typ {
				case specs.UserNamespace:
					m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
					s.Linux.UIDMappings, s.Linux.GIDMappings = m, m
				case specs.TimeNamespace:
					s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"monotonic": {Secs: 86400}}
					s.Process.Args = sh(script + "; cat /proc/self/timens_offsets")
				}
			})
			host, err := os.Readlink("/proc/self/ns/" + file)
			if err != nil {
				t.Logf("this kernel has no %s namespace (%v)", ns, err)
				featHostLacks(t, h, b, "linux.namespaces[")
				return
			}
			out := h.runOut(b)
			ls := lines(out)
			if len(ls) == 0 || !strings.HasPrefix(ls[0], file+":[") {
				t.Fatalf("readlink /proc/self/ns/%s inside printed %q", file, out)
			}
			if ls[0] == host {
				t.Errorf("namespace %s: the container has the host's %s", ns, host)
			}
			if ns == "time" && !slices.ContainsFunc(ls, func(l string) bool {
				f := strings.Fields(l)
				return len(f) == 3 && f[0] == "monotonic" && f[1] == "86400"
			}) {
				t.Errorf("time namespace: /proc/self/timens_offsets does not show monotonic 86400:\n%s", out)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// linux.capabilities

// featCapBits maps every capability the library knows to its bit.
func featCapBits() map[string]uint {
	m := map[string]uint{}
	for _, c := range capability.ListKnown() {
		m["CAP_"+strings.ToUpper(c.String())] = uint(c)
	}
	return m
}

// featBoundingSet is this process's capability bounding set (hull's, as
// the tests start it), from /proc/self/status.
func featBoundingSet(t *testing.T) uint64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines(string(data)) {
		if v, ok := strings.CutPrefix(l, "CapBnd:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatalf("CapBnd %q: %v", v, err)
			}
			return n
		}
	}
	t.Fatal("no CapBnd in /proc/self/status")
	return 0
}

func TestFeaturesCapabilities(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	bits := featCapBits()
	bounding := featBoundingSet(t)
	// Every capability the kernel interface knows is advertised (hull
	// passes them all to the kernel); those outside this host's bounding
	// set are the host's lack.
	var usable, lacking []string
	var mask uint64
	for name, b := range bits {
		if !slices.Contains(f.Linux.Capabilities, name) {
			t.Errorf("hull features does not advertise %s", name)
		}
		if bounding&(1<<b) == 0 {
			lacking = append(lacking, name)
			continue
		}
		usable = append(usable, name)
		mask |= 1 << b
	}
	for _, c := range f.Linux.Capabilities {
		if _, ok := bits[c]; !ok {
			t.Errorf("hull features advertises %q, not a capability this kernel interface knows", c)
		}
	}
	slices.Sort(usable)
	slices.Sort(lacking)
	want := fmt.Sprintf("%016x", mask)

	t.Run("all-in-bounding-set", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle([]string{"grep", "^Cap", "/proc/self/status"}, func(s *specs.Spec) {
			s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: usable, Effective: usable, Permitted: usable}
		}))
		for _, set := range []string{"CapBnd", "CapEff", "CapPrm"} {
			if !strings.Contains(out, set+":\t"+want+"\n") {
				t.Errorf("%s inside is not %s (exactly the advertised ones this host's bounding set has):\n%s", set, want, out)
			}
		}
	})

	if len(lacking) == 0 {
		t.Log("this host's bounding set has every capability; no refusal to check")
		return
	}
	// The first one outside the bounding set (CAP_SYS_RESOURCE on this
	// machine): check --host says so, create refuses it clearly.
	c := lacking[0]
	t.Run("not-in-bounding-set="+c, func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		featHostLacks(t, h, h.bundle([]string{"true"}, func(s *specs.Spec) {
			caps := []string{"CAP_CHOWN", c}
			s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
		}), "process.capabilities.effective[1]")
	})
}

// ---------------------------------------------------------------------------
// linux.cgroup

func TestFeaturesCgroup(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	cg := f.Linux.Cgroup
	if cg == nil || cg.V1 == nil || cg.V2 == nil || cg.Systemd == nil || cg.SystemdUser == nil || cg.Rdma == nil {
		t.Fatalf("hull features: linux.cgroup lacks v1, v2, systemd, systemdUser or rdma: %+v", cg)
	}
	// What hull implements, whatever this host runs: both cgroup
	// versions (TestCgroupV2 drives v2 here), the systemd driver
	// (TestSystemdCgroup), RDMA limits; not the systemd user instance.
	for name, c := range map[string]struct{ got, want bool }{
		"v1": {*cg.V1, true}, "v2": {*cg.V2, true}, "systemd": {*cg.Systemd, true},
		"systemdUser": {*cg.SystemdUser, true}, "rdma": {*cg.Rdma, true},
	} {
		if c.got != c.want {
			t.Errorf("hull features linux.cgroup.%s = %v, want %v", name, c.got, c.want)
		}
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		t.Fatal(err)
	}
	unified := st.Type == unix.CGROUP2_SUPER_MAGIC

	t.Run("limit", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		limit, pids := int64(48<<20), int64(61)
		h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
			if s.Linux.Resources == nil {
				s.Linux.Resources = &specs.LinuxResources{}
			}
			s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
			s.Linux.Resources.Pids = &specs.LinuxPids{Limit: &pids}
		}), id)
		pid := h.state(id).Pid
		if unified {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
			if err != nil {
				t.Fatal(err)
			}
			path := strings.TrimPrefix(strings.TrimSpace(string(data)), "0::")
			for file, want := range map[string]int64{"memory.max": limit, "pids.max": pids} {
				got, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", path, file))
				if err != nil || strings.TrimSpace(string(got)) != fmt.Sprint(want) {
					t.Errorf("cgroup v2 %s: %q (%v), want %d", file, got, err, want)
				}
			}
		} else {
			if got := cgroupFile(t, pid, "memory", "memory.limit_in_bytes"); got != fmt.Sprint(limit) {
				t.Errorf("cgroup v1 memory.limit_in_bytes %s, want %d", got, limit)
			}
			if got := cgroupFile(t, pid, "pids", "pids.max"); got != fmt.Sprint(pids) {
				t.Errorf("cgroup v1 pids.max %s, want %d", got, pids)
			}
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})

	t.Run("systemd", func(t *testing.T) {
		t.Parallel()
		if fileExists("/run/systemd/system") {
			t.Skip("systemd runs this host (TestSystemdCgroup uses the driver); this checks a host without it")
		}
		h := newH(t)
		b := h.bundle([]string{"true"}, func(s *specs.Spec) { s.Linux.CgroupsPath = "system.slice:hulltest:x" })
		featHostLacks(t, h, b, "systemd", "--systemd-cgroup")
	})

	t.Run("rdma", func(t *testing.T) {
		data, err := os.ReadFile("/proc/cgroups")
		if err != nil {
			t.Skip(err)
		}
		has := false
		for _, l := range lines(string(data)) {
			if f := strings.Fields(l); len(f) == 4 && f[0] == "rdma" && f[3] == "1" {
				has = true
			}
		}
		if has {
			t.Skip("this host has an rdma controller; limiting it needs an RDMA device")
		}
		h := newH(t)
		featHostLacks(t, h, h.bundle([]string{"true"}, func(s *specs.Spec) {
			if s.Linux.Resources == nil {
				s.Linux.Resources = &specs.LinuxResources{}
			}
			s.Linux.Resources.Rdma = map[string]specs.LinuxRdma{"mlx5_0": {HcaHandles: ptr[uint32](2)}}
		}), "linux.resources.rdma")
	})
}

// ---------------------------------------------------------------------------
// linux.seccomp

// featNativeArch is the libseccomp name of this machine's architecture.
var featNativeArch = map[string]string{
	"amd64": "SCMP_ARCH_X86_64", "386": "SCMP_ARCH_X86", "arm64": "SCMP_ARCH_AARCH64", "arm": "SCMP_ARCH_ARM",
	"ppc64le": "SCMP_ARCH_PPC64LE", "s390x": "SCMP_ARCH_S390X", "riscv64": "SCMP_ARCH_RISCV64",
	"loong64": "SCMP_ARCH_LOONGARCH64", "mips64le": "SCMP_ARCH_MIPSEL64",
}[runtime.GOARCH]

// featSeccompAgent listens on a unix socket for the seccomp notify fd
// that SCMP_ACT_NOTIFY sends to linux.seccomp.listenerPath. got receives
// a description of the message once the runtime sent it.
func featSeccompAgent(t *testing.T, dir string) (path string, got <-chan string) {
	t.Helper()
	path = filepath.Join(dir, "agent.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 1)
	go func() {
		defer close(ch)
		c, err := l.AcceptUnix()
		if err != nil {
			return
		}
		defer c.Close()
		buf, oob := make([]byte, 64<<10), make([]byte, unix.CmsgSpace(16*4))
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			ch <- "read: " + err.Error()
			return
		}
		fds := 0
		msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
		for i := range msgs {
			rights, _ := unix.ParseUnixRights(&msgs[i])
			for _, fd := range rights {
				unix.Close(fd)
				fds++
			}
		}
		ch <- fmt.Sprintf("%d fd(s) with %s", fds, buf[:n])
	}()
	t.Cleanup(func() { l.Close() })
	return path, ch
}

// ---------------------------------------------------------------------------
// linux.apparmor, linux.selinux, linux.intelRdt

func TestFeaturesDisabledLSMAndRDT(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	enabled := func(p *bool) bool { return p != nil && *p }
	if f.Linux.Apparmor == nil || !enabled(f.Linux.Apparmor.Enabled) || f.Linux.Selinux == nil || !enabled(f.Linux.Selinux.Enabled) ||
		f.Linux.IntelRdt == nil || !enabled(f.Linux.IntelRdt.Enabled) || !enabled(f.Linux.IntelRdt.Schemata) || !enabled(f.Linux.IntelRdt.Monitoring) {
		t.Errorf("hull features: apparmor, selinux and intelRdt (with schemata and monitoring) are implemented (libcontainer's): %+v %+v %+v",
			f.Linux.Apparmor, f.Linux.Selinux, f.Linux.IntelRdt)
	}
	apparmor, _ := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	rdt := false
	if ms, err := sysproc.Mounts(); err == nil {
		rdt = slices.ContainsFunc(ms, func(m sysproc.Mount) bool { return m.FSType == "resctrl" })
	}
	cases := []struct {
		name  string
		host  bool // this host has it
		mod   func(*specs.Spec)
		field string
	}{
		{"apparmor", strings.TrimSpace(string(apparmor)) == "Y",
			func(s *specs.Spec) { s.Process.ApparmorProfile = "hulltest-profile" }, "process.apparmorProfile"},
		{"selinux", fileExists("/sys/fs/selinux/enforce"),
			func(s *specs.Spec) { s.Process.SelinuxLabel = "system_u:system_r:container_t:s0:c1,c2" }, "process.selinuxLabel"},
		{"intelRdt", rdt,
			func(s *specs.Spec) {
				s.Linux.IntelRdt = &specs.LinuxIntelRdt{ClosID: "hulltest", L3CacheSchema: "L3:0=f"}
			}, "linux.intelRdt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.host {
				t.Skipf("this host has %s; this checks the refusal on hosts without it", c.name)
			}
			h := newH(t)
			featHostLacks(t, h, h.bundle([]string{"true"}, c.mod), c.field)
		})
	}
}

// ---------------------------------------------------------------------------
// linux.memoryPolicy

// featMpolNames are the kernel's names in /proc/PID/numa_maps (mpol_to_str
// in mm/mempolicy.c).
var featMpolNames = map[string]string{
	"MPOL_DEFAULT": "default", "MPOL_PREFERRED": "prefer", "MPOL_BIND": "bind",
	"MPOL_INTERLEAVE": "interleave", "MPOL_LOCAL": "local", "MPOL_PREFERRED_MANY": "prefer (many)",
	"MPOL_WEIGHTED_INTERLEAVE": "weighted interleave",
}

var featMpolFlagNames = map[string]string{
	"MPOL_F_STATIC_NODES": "static", "MPOL_F_RELATIVE_NODES": "relative", "MPOL_F_NUMA_BALANCING": "balancing",
}

func TestFeaturesMemoryPolicy(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	mp := f.Linux.MemoryPolicy
	if mp == nil {
		t.Skip("hull features advertises no linux.memoryPolicy")
	}
	if _, err := os.Stat("/sys/devices/system/node/node0"); err != nil {
		t.Skipf("no NUMA node 0 on this host (%v)", err)
	}
	type mcase struct {
		mode, flag, nodes string
		want              string // start of the policy field of numa_maps
	}
	var cases []mcase
	for _, m := range mp.Modes {
		name, ok := featMpolNames[m]
		if !ok {
			t.Errorf("hull features advertises memory policy mode %q, which this test does not know", m)
			continue
		}
		c := mcase{mode: m, nodes: "0", want: name + ":0"}
		if m == "MPOL_DEFAULT" || m == "MPOL_LOCAL" {
			c.nodes, c.want = "", name
		}
		cases = append(cases, c)
	}
	for _, fl := range mp.Flags {
		name, ok := featMpolFlagNames[fl]
		if !ok {
			t.Errorf("hull features advertises memory policy flag %q, which this test does not know", fl)
			continue
		}
		// MPOL_F_NUMA_BALANCING is valid only with MPOL_BIND (Linux 5.12).
		cases = append(cases, mcase{mode: "MPOL_BIND", flag: fl, nodes: "0", want: "bind=" + name + ":0"})
	}
	for _, c := range cases {
		name := c.mode
		if c.flag != "" {
			name += "+" + c.flag
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if c.mode == "MPOL_WEIGHTED_INTERLEAVE" && !kernelAtLeast(t, 6, 9) {
				t.Skip("MPOL_WEIGHTED_INTERLEAVE needs Linux 6.9; set_mempolicy(2) refuses it here")
			}
			h := newH(t)
			out := h.runOut(h.bundle(sh(`cat /proc/self/numa_maps`), func(s *specs.Spec) {
				s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MemoryPolicyModeType(c.mode), Nodes: c.nodes}
				if c.flag != "" {
					s.Linux.MemoryPolicy.Flags = []specs.MemoryPolicyFlagType{specs.MemoryPolicyFlagType(c.flag)}
				}
			}))
			// The task policy shows on mappings without their own
			// policy: the first field after the address.
			ls := lines(out)
			if len(ls) == 0 {
				t.Fatalf("empty /proc/self/numa_maps")
			}
			_, policy, _ := strings.Cut(ls[0], " ")
			if !strings.HasPrefix(policy, c.want+" ") {
				t.Errorf("numa_maps policy %q, want %q", ls[0], c.want)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// linux.netDevices

func TestFeaturesNetDevices(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	if f.Linux.NetDevices == nil || f.Linux.NetDevices.Enabled == nil || !*f.Linux.NetDevices.Enabled {
		t.Skip("hull features says linux.netDevices is not available")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs ip(8) to make a veth pair")
	}
	suffix := fmt.Sprintf("%06x", rand.Uint32()&0xffffff)
	dev, peer := "hvfa"+suffix, "hvfb"+suffix
	if r := runCmd(t, h.dir, cmdOpts{}, "ip", "link", "add", dev, "type", "veth", "peer", "name", peer); r.Code != 0 {
		t.Fatalf("cannot make a veth pair:\n%s", r)
	}
	t.Cleanup(func() {
		for _, d := range []string{dev, peer} {
			if fileExists("/sys/class/net/" + d) {
				runCmd(t, h.dir, cmdOpts{}, "ip", "link", "del", d)
			}
		}
	})
	out := h.hostDir("out")
	id := h.id()
	h.ok("create", "--bundle", h.bundle(sh(`ls /sys/class/net > /mnt/ifaces`),
		withMount(specs.Mount{Destination: "/mnt", Type: "bind", Source: out, Options: []string{"bind", "rw"}}),
		func(s *specs.Spec) {
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{dev: {Name: "ctr0"}}
		}), id)
	if fileExists("/sys/class/net/" + dev) {
		t.Errorf("after create %s is still in the host's network namespace", dev)
	}
	h.ok("start", id)
	h.waitStatus(id, "stopped")
	data, err := os.ReadFile(filepath.Join(out, "ifaces"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines(string(data)), ","); got != "ctr0,lo" {
		t.Errorf("interfaces inside: %s, want ctr0,lo (%s moved in and renamed)", got, dev)
	}
	h.ok("delete", id)
	h.assertClean(id)
	// libcontainer does not move devices back at delete; the kernel
	// destroys the namespace, and with it a veth (and its peer). A
	// physical device would return to the host instead. Namespace
	// teardown is asynchronous (cleanup_net), so poll.
	var left []string
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		left = nil
		for _, d := range []string{dev, "ctr0", peer} {
			if fileExists("/sys/class/net/" + d) {
				left = append(left, d)
			}
		}
		if len(left) == 0 {
			break
		}
	}
	if len(left) != 0 {
		t.Errorf("after delete the host still has %q; want the veth pair destroyed with the container's network namespace", left)
	}
}

// ---------------------------------------------------------------------------
// annotations

func TestFeaturesAnnotations(t *testing.T) {
	t.Parallel()
	h := newH(t)
	f := featuresDoc(t, h)
	v := h.ok("--version")
	first, _, _ := strings.Cut(v.Stdout, "\n")
	version, ok := strings.CutPrefix(first, "hull version ")
	if !ok {
		t.Fatalf("hull --version does not start with \"hull version \":\n%s", v)
	}
	if got := f.Annotations["org.hullrt.hull.version"]; got != version {
		t.Errorf("annotation org.hullrt.hull.version %q, hull --version says %q", got, version)
	}

	got, ok := f.Annotations["io.github.seccomp.libseccomp.version"]
	if !ok {
		if f.Linux.Seccomp != nil && f.Linux.Seccomp.Enabled != nil && *f.Linux.Seccomp.Enabled {
			t.Errorf("seccomp is enabled but there is no io.github.seccomp.libseccomp.version annotation")
		}
		return
	}
	for _, l := range lines(v.Stdout) {
		if lv, ok := strings.CutPrefix(l, "libseccomp: "); ok && lv != got {
			t.Errorf("annotation libseccomp version %q, hull --version says %q", got, lv)
		}
	}
	// What hull really loads: the libseccomp.so.2 symlink ldd resolves,
	// whose target is named after the full version.
	r := runCmd(t, h.dir, cmdOpts{}, "ldd", hullBin)
	for _, l := range lines(r.Stdout) {
		name, path, ok := strings.Cut(l, " => ")
		if !ok || !strings.HasPrefix(name, "libseccomp.so") {
			continue
		}
		real, err := filepath.EvalSymlinks(strings.Fields(path)[0])
		if err != nil {
			t.Fatal(err)
		}
		if lib := strings.TrimPrefix(filepath.Base(real), "libseccomp.so."); lib != got {
			t.Errorf("annotation libseccomp version %q, hull loads %s", got, real)
		}
		return
	}
	t.Logf("hull is not dynamically linked to libseccomp (ldd: %q); checked against hull --version only", r.Stdout)
}

// ---------------------------------------------------------------------------
// the document as a whole, against runc's

// featDiff lists the JSON paths where a and b differ.
func featDiff(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			out = append(out, featDiff(strings.TrimPrefix(path+"."+k, "."), am[k], bm[k])...)
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	return []string{fmt.Sprintf("%s: runc %s, hull %s", path, aj, bj)}
}

// TestFeaturesMatchRunc compares `hull features` with runc's, field by
// field: engines read both the same way. Every difference is one where
// hull truly implements something else, listed here with the reason.
func TestFeaturesMatchRunc(t *testing.T) {
	t.Parallel()
	ref := requireRunc(t)
	h := newH(t)
	docs := map[string]map[string]any{}
	for name, bin := range map[string]string{"runc": ref, "hull": hullBin} {
		r := runCmd(t, h.dir, cmdOpts{}, bin, "features")
		if r.Code != 0 {
			t.Fatalf("%s features failed:\n%s", name, r)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
			t.Fatalf("%s features printed invalid JSON: %v\n%s", name, err, r.Stdout)
		}
		docs[name] = doc
	}
	runc, hull := docs["runc"], docs["hull"]

	deliberate := []struct {
		what, why string
		// take removes the difference from both documents, failing when
		// it is not there as described.
		take func() error
	}{
		{"mountOptions idmap and ridmap", "both runtimes accept them (ID-mapped bind mounts); runc's list leaves them out, hull lists every option it parses",
			func() error {
				opts, _ := hull["mountOptions"].([]any)
				n := len(opts)
				opts = slices.DeleteFunc(opts, func(o any) bool { return o == "idmap" || o == "ridmap" })
				hull["mountOptions"] = opts
				if n-len(opts) != 2 {
					return fmt.Errorf("hull's mountOptions lack idmap or ridmap")
				}
				return nil
			}},
		{"annotations name the runtime", "runc's org.opencontainers.runc.version and .commit describe runc; hull has org.hullrt.hull.version (and runc's checkpoint.enabled, which hull's checkpoint earns)",
			func() error {
				ra, ha := runc["annotations"].(map[string]any), hull["annotations"].(map[string]any)
				delete(ra, "org.opencontainers.runc.version")
				delete(ra, "org.opencontainers.runc.commit")
				if _, ok := ha["org.hullrt.hull.version"]; !ok {
					return fmt.Errorf("hull's annotations lack org.hullrt.hull.version")
				}
				delete(ha, "org.hullrt.hull.version")
				return nil
			}},
	}
	for _, d := range deliberate {
		if err := d.take(); err != nil {
			t.Errorf("deliberate difference %q (%s) is not as described: %v", d.what, d.why, err)
		}
	}
	if diff := featDiff("", runc, hull); len(diff) > 0 {
		t.Errorf("hull features differs from runc's beyond the deliberate differences:\n\t%s", strings.Join(diff, "\n\t"))
	}
}
