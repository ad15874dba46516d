package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// sh runs a shell script in the container.
func sh(script string) []string { return []string{"sh", "-c", script} }

func TestPIDNamespace(t *testing.T) {
	t.Parallel()
	h := newH(t)
	out := h.runOut(h.bundle(sh(`echo $$; ps -o pid= 2>/dev/null | wc -l; ls /proc | grep -c '^[0-9]'`)))
	ls := lines(out)
	if len(ls) < 1 || ls[0] != "1" {
		t.Errorf("echo $$ inside: %q, want 1", out)
	}
	// The shell, ls and grep: a handful, not the host's hundreds.
	if len(ls) == 3 && len(ls[2]) > 1 {
		t.Errorf("the container sees %s pids in /proc; want only its own few", ls[2])
	}
}

func TestHostname(t *testing.T) {
	t.Parallel()
	h := newH(t)
	hostBefore, _ := os.Hostname()
	out := h.runOut(h.bundle(sh(`hostname; cat /proc/sys/kernel/hostname; cat /proc/sys/kernel/domainname`),
		func(s *specs.Spec) { s.Hostname = "hulltest-host"; s.Domainname = "hull.test" }))
	if want := "hulltest-host\nhulltest-host\nhull.test\n"; out != want {
		t.Errorf("hostname inside: %q, want %q", out, want)
	}
	if after, _ := os.Hostname(); after != hostBefore {
		t.Errorf("host hostname changed from %q to %q", hostBefore, after)
	}
}

func TestNetworkNamespaceOnlyLoopback(t *testing.T) {
	t.Parallel()
	h := newH(t)
	out := h.runOut(h.bundle(sh(`tail -n +3 /proc/net/dev | cut -d: -f1`)))
	var ifaces []string
	for _, l := range lines(out) {
		ifaces = append(ifaces, l)
	}
	if strings.Join(ifaces, ",") != "lo" {
		t.Errorf("interfaces in a new network namespace: %q, want only lo", ifaces)
	}
}

var nsNames = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace:     "pid",
	specs.NetworkNamespace: "net",
	specs.IPCNamespace:     "ipc",
	specs.UTSNamespace:     "uts",
	specs.MountNamespace:   "mnt",
	specs.CgroupNamespace:  "cgroup",
}

// TestNamespaceInodes compares /proc/self/ns/* inside and outside: each
// namespace the config lists must be new, each one it omits shared.
func TestNamespaceInodes(t *testing.T) {
	t.Parallel()
	cases := map[string][]func(*specs.Spec){
		"default":       nil,
		"with-cgroupns": {withNamespace(specs.CgroupNamespace)},
		"no-net-no-ipc": {withoutNamespace(specs.NetworkNamespace), withoutNamespace(specs.IPCNamespace)},
		"no-uts-no-pid": {withoutNamespace(specs.UTSNamespace), withoutNamespace(specs.PIDNamespace),
			func(s *specs.Spec) { s.Hostname = "" }},
	}
	for name, mods := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			var script []string
			for _, n := range []string{"pid", "net", "ipc", "uts", "mnt", "cgroup"} {
				script = append(script, fmt.Sprintf("echo %s=$(readlink /proc/self/ns/%s)", n, n))
			}
			var cfg *specs.Spec
			bundle := h.bundle(sh(strings.Join(script, "; ")), append(mods, func(s *specs.Spec) { cfg = s })...)
			out := h.runOut(bundle)
			inside := map[string]string{}
			for _, l := range lines(out) {
				k, v, _ := strings.Cut(l, "=")
				inside[k] = v
			}
			for typ, n := range nsNames {
				host, err := os.Readlink("/proc/self/ns/" + n)
				if err != nil {
					t.Fatal(err)
				}
				if inside[n] == "" {
					t.Errorf("no %s namespace link inside:\n%s", n, out)
					continue
				}
				if hasNamespace(cfg, typ) && inside[n] == host {
					t.Errorf("namespace %s is configured but the container shares the host's %s", typ, host)
				}
				if !hasNamespace(cfg, typ) && inside[n] != host {
					t.Errorf("namespace %s is not configured but the container has %s, host %s", typ, inside[n], host)
				}
			}
		})
	}
}

// TestJoinNamespacePath starts one container and a second one that joins
// the first's network and UTS namespaces by path.
func TestJoinNamespacePath(t *testing.T) {
	t.Parallel()
	h := newH(t)
	first := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) { s.Hostname = "first" }), first)
	pid := h.state(first).Pid
	netns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		t.Fatal(err)
	}
	hostNet, _ := os.Readlink("/proc/self/ns/net")
	if netns == hostNet {
		t.Fatalf("first container shares the host network namespace")
	}
	bundle := h.bundle(sh(`readlink /proc/self/ns/net; hostname`), func(s *specs.Spec) {
		withoutNamespace(specs.NetworkNamespace)(s)
		withoutNamespace(specs.UTSNamespace)(s)
		s.Hostname = ""
		s.Linux.Namespaces = append(s.Linux.Namespaces,
			specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: fmt.Sprintf("/proc/%d/ns/net", pid)},
			specs.LinuxNamespace{Type: specs.UTSNamespace, Path: fmt.Sprintf("/proc/%d/ns/uts", pid)})
	})
	out := h.runOut(bundle)
	if want := netns + "\nfirst\n"; out != want {
		t.Errorf("second container: %q, want %q (the first's netns and hostname)", out, want)
	}
	h.ok("delete", "--force", first)
	h.assertClean(first)
}

// procMounts returns /proc/mounts lines by mount point, as the container
// printed them.
func procMounts(out string) map[string][]string {
	m := map[string][]string{}
	for _, l := range lines(out) {
		f := strings.Fields(l)
		if len(f) >= 4 {
			m[f[1]] = f
		}
	}
	return m
}

func TestMaskedAndReadonlyPaths(t *testing.T) {
	t.Parallel()
	h := newH(t)
	cfg := h.template()
	// Which masked paths exist depends on the kernel (this one has no
	// /proc/kcore); check those the host has.
	var files, dirs []string
	for _, p := range cfg.Linux.MaskedPaths {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
		case fi.IsDir():
			dirs = append(dirs, p)
		default:
			files = append(files, p)
		}
	}
	if len(files) == 0 || len(dirs) == 0 {
		t.Fatalf("hull spec masks %q; want at least one file and one directory that exist on this host (runc masks /proc/keys, /proc/timer_list, /sys/firmware...)", cfg.Linux.MaskedPaths)
	}
	var script []string
	for _, f := range files {
		script = append(script, fmt.Sprintf("echo %s=$(stat -c %%t:%%T %s) size=$(cat %s | wc -c)", f, f, f))
	}
	for _, d := range dirs {
		script = append(script, fmt.Sprintf("echo %s=$(stat -f -c %%T %s) entries=$(ls -A %s | wc -l)", d, d, d))
	}
	script = append(script,
		"echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo procsys-write-ok || echo procsys-write-failed",
		"echo 1 > /proc/sysrq-trigger 2>/dev/null && echo sysrq-write-ok || echo sysrq-write-failed",
		"grep -E ' /proc/(sys|bus) ' /proc/mounts")
	out := h.runOut(h.bundle(sh(strings.Join(script, "\n"))))
	var wants []string
	for _, f := range files {
		// A masked file is /dev/null bound over it: char 1:3, empty.
		wants = append(wants, f+"=1:3 size=0")
	}
	for _, d := range dirs {
		// A masked directory is an empty read-only tmpfs.
		wants = append(wants, d+"=tmpfs entries=0")
	}
	if !contains(cfg.Linux.ReadonlyPaths, "/proc/sys") || !contains(cfg.Linux.ReadonlyPaths, "/proc/sysrq-trigger") {
		t.Errorf("hull spec does not make /proc/sys and /proc/sysrq-trigger read-only (runc spec does): %q", cfg.Linux.ReadonlyPaths)
	}
	mustContain(t, "masked paths", out, append(wants, "procsys-write-failed", "sysrq-write-failed")...)
	m := procMounts(out)
	if f := m["/proc/sys"]; f == nil || !strings.HasPrefix(f[3], "ro") {
		t.Errorf("/proc/sys mount %q, want read-only", f)
	}
}

// capBits maps capability names to bit numbers (linux/capability.h).
var capBits = map[string]uint{
	"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_FOWNER": 3, "CAP_KILL": 5, "CAP_SETGID": 6,
	"CAP_SETUID": 7, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_RAW": 13, "CAP_SYS_CHROOT": 18,
	"CAP_SYS_ADMIN": 21, "CAP_MKNOD": 27, "CAP_AUDIT_WRITE": 29, "CAP_SETFCAP": 31,
}

func capMask(t *testing.T, names []string) string {
	var m uint64
	for _, n := range names {
		b, ok := capBits[n]
		if !ok {
			t.Fatalf("test table lacks %s", n)
		}
		m |= 1 << b
	}
	return fmt.Sprintf("%016x", m)
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	type caps struct{ bnd, eff, prm, inh, amb []string }
	cases := map[string]*caps{
		"default":    nil, // hull spec's own set
		"chown-only": {bnd: []string{"CAP_CHOWN"}, eff: []string{"CAP_CHOWN"}, prm: []string{"CAP_CHOWN"}},
		"none":       {},
		"ambient": {bnd: []string{"CAP_NET_BIND_SERVICE", "CAP_KILL"}, eff: []string{"CAP_NET_BIND_SERVICE", "CAP_KILL"},
			prm: []string{"CAP_NET_BIND_SERVICE", "CAP_KILL"}, inh: []string{"CAP_NET_BIND_SERVICE"}, amb: []string{"CAP_NET_BIND_SERVICE"}},
		"bounding-wider": {bnd: []string{"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_MKNOD"}, eff: []string{"CAP_CHOWN"}, prm: []string{"CAP_CHOWN"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			var cfg *specs.Spec
			out := h.runOut(h.bundle([]string{"grep", "^Cap", "/proc/self/status"}, func(s *specs.Spec) {
				if c != nil {
					s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: c.bnd, Effective: c.eff,
						Permitted: c.prm, Inheritable: c.inh, Ambient: c.amb}
				}
				cfg = s
			}))
			pc := cfg.Process.Capabilities
			if pc == nil {
				pc = &specs.LinuxCapabilities{}
			}
			want := fmt.Sprintf("CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s\n",
				capMask(t, pc.Inheritable), capMask(t, pc.Permitted), capMask(t, pc.Effective),
				capMask(t, pc.Bounding), capMask(t, pc.Ambient))
			if out != want {
				t.Errorf("capabilities inside:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

func TestRlimits(t *testing.T) {
	t.Parallel()
	h := newH(t)
	// The host's hard NOFILE limit is 20000 and CAP_SYS_RESOURCE is not in
	// our bounding set, so stay below the host limits.
	out := h.runOut(h.bundle(sh(`grep -E "Max (open files|core file size|locked memory)" /proc/self/limits; ulimit -n`),
		func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{
				{Type: "RLIMIT_NOFILE", Soft: 1000, Hard: 2000},
				{Type: "RLIMIT_CORE", Soft: 1024, Hard: 4096},
				{Type: "RLIMIT_MEMLOCK", Soft: 65536, Hard: 65536},
			}
		}))
	want := map[string][]string{
		"Max core file size": {"1024", "4096", "bytes"},
		"Max locked memory":  {"65536", "65536", "bytes"},
		"Max open files":     {"1000", "2000", "files"},
	}
	ls := lines(out)
	for _, l := range ls[:len(ls)-1] {
		for k, w := range want {
			if strings.HasPrefix(l, k) {
				if got := strings.Fields(strings.TrimPrefix(l, k)); strings.Join(got, " ") != strings.Join(w, " ") {
					t.Errorf("%s: %q, want %q", k, got, w)
				}
				delete(want, k)
			}
		}
	}
	if len(want) != 0 {
		t.Errorf("limits missing from /proc/self/limits: %v\n%s", want, out)
	}
	if ls[len(ls)-1] != "1000" {
		t.Errorf("ulimit -n: %q, want 1000", ls[len(ls)-1])
	}
}

func TestUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		user specs.User
		want string
	}{
		{"root", specs.User{UID: 0, GID: 0}, "0\n0\n0\n"},
		{"nobody-with-groups", specs.User{UID: 65534, GID: 65534, AdditionalGids: []uint32{1234, 5678}}, "65534\n65534\n1234 5678 65534\n"},
		{"numeric-not-in-passwd", specs.User{UID: 1000, GID: 2000}, "1000\n2000\n2000\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			out := h.runOut(h.bundle(sh(`id -u; id -g; id -G | tr ' ' '\n' | sort -n | tr '\n' ' '; echo`),
				func(s *specs.Spec) { s.Process.User = c.user }))
			got := strings.ReplaceAll(out, " \n", "\n")
			if got != c.want {
				t.Errorf("id inside: %q, want %q", got, c.want)
			}
		})
	}
}

func TestEnvAndCwd(t *testing.T) {
	t.Parallel()
	h := newH(t)
	out := h.runOut(h.bundle(sh(`echo "$FOO"; echo "$EMPTY."; pwd; env | grep -c .`), func(s *specs.Spec) {
		s.Process.Env = []string{"PATH=/bin", "FOO=bar baz", "EMPTY="}
		s.Process.Cwd = "/etc"
	}))
	ls := strings.Split(out, "\n")
	if len(ls) < 3 || ls[0] != "bar baz" || ls[1] != "." || ls[2] != "/etc" {
		t.Errorf("env/cwd inside: %q, want FOO=bar baz, EMPTY empty, cwd /etc", out)
	}
	envOut := h.runOut(h.bundle([]string{"env"}, func(s *specs.Spec) {
		s.Process.Env = []string{"PATH=/bin", "A=1"}
	}))
	got := lines(envOut)
	sort.Strings(got)
	// runc adds HOME when it is missing (from /etc/passwd, root: /root).
	for _, w := range []string{"A=1", "PATH=/bin", "HOME=/root"} {
		if !contains(got, w) {
			t.Errorf("env inside %q lacks %s", got, w)
		}
	}
	for _, g := range got {
		if strings.Contains(g, "_LIBCONTAINER") || strings.Contains(g, "HULL") {
			t.Errorf("env leaks runtime variable %q", g)
		}
	}
}

func TestNoNewPrivileges(t *testing.T) {
	t.Parallel()
	for _, nnp := range []bool{true, false} {
		t.Run(fmt.Sprint(nnp), func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			out := h.runOut(h.bundle([]string{"grep", "NoNewPrivs", "/proc/self/status"},
				func(s *specs.Spec) { s.Process.NoNewPrivileges = nnp }))
			want := "NoNewPrivs:\t0\n"
			if nnp {
				want = "NoNewPrivs:\t1\n"
			}
			if out != want {
				t.Errorf("got %q, want %q", out, want)
			}
		})
	}
}

func TestOOMScoreAdj(t *testing.T) {
	t.Parallel()
	// Positive values only: lowering needs CAP_SYS_RESOURCE, which this
	// machine's bounding set lacks.
	for _, v := range []int{500, 1000, 123} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			out := h.runOut(h.bundle([]string{"cat", "/proc/self/oom_score_adj"},
				func(s *specs.Spec) { s.Process.OOMScoreAdj = &v }))
			if strings.TrimSpace(out) != fmt.Sprint(v) {
				t.Errorf("oom_score_adj %q, want %d", out, v)
			}
		})
	}
}

func TestReadonlyRootfs(t *testing.T) {
	t.Parallel()
	h := newH(t)
	out := h.runOut(h.bundle(sh(`touch /newfile 2>&1 && echo write-ok; grep ' / ' /proc/mounts`)))
	if strings.Contains(out, "write-ok") || !strings.Contains(out, "Read-only file system") {
		t.Errorf("touch / on a read-only rootfs: %q, want Read-only file system", out)
	}
	if fileExists(filepath.Join(rootfsDir, "newfile")) {
		os.Remove(filepath.Join(rootfsDir, "newfile"))
		t.Errorf("the container wrote into the read-only rootfs")
	}
}

// TestRelativeWritableRootfs uses root.path "rootfs" (relative to the
// bundle) on a private, writable copy of the rootfs.
func TestRelativeWritableRootfs(t *testing.T) {
	t.Parallel()
	h := newH(t)
	bundle := h.bundle(sh(`echo hi > /written && cat /written && cat /etc/marker`), func(s *specs.Spec) {
		s.Root.Path = "rootfs"
		s.Root.Readonly = false
	})
	copyTree(t, rootfsDir, filepath.Join(bundle, "rootfs"))
	if err := os.WriteFile(filepath.Join(bundle, "rootfs", "etc", "marker"), []byte("private copy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := h.id()
	r := h.ok("run", "--bundle", bundle, id)
	if r.Stdout != "hi\nprivate copy\n" {
		t.Errorf("output %q, want the write and the copy's marker", r.Stdout)
	}
	if data, err := os.ReadFile(filepath.Join(bundle, "rootfs", "written")); err != nil || string(data) != "hi\n" {
		t.Errorf("the write did not reach the bundle's rootfs: %q %v", data, err)
	}
	h.assertClean(id)
}

// copyTree copies a directory of dirs, regular files and symlinks.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case fi.IsDir():
			return os.MkdirAll(target, fi.Mode().Perm()|os.ModeSticky&fi.Mode())
		case fi.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		default:
			return copyFile(p, target, fi.Mode().Perm())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNoPivot(t *testing.T) {
	t.Parallel()
	h := newH(t)
	out := h.runOut(h.bundle(sh(`cat /etc/group; ls /; echo $$; touch /x 2>/dev/null || echo ro`)), "--no-pivot")
	// mnt2 and data exist only in the test rootfs: the container is in it.
	mustContain(t, "run --no-pivot", out, "nobody:x:65534:", "mnt2\n", "data\n", "\n1\n", "ro\n")
}

func TestNoNewKeyring(t *testing.T) {
	t.Parallel()
	h := newH(t)
	for _, flag := range []string{"", "--no-new-keyring"} {
		name := flag
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			var args []string
			if flag != "" {
				args = append(args, flag)
			}
			out := h.runOut(h.bundle([]string{"echo", "ok"}), args...)
			if out != "ok\n" {
				t.Errorf("output %q, want ok", out)
			}
		})
	}
}
