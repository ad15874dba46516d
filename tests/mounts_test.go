package tests

// Mounts: types and options, tmpcopyup, rootfsPropagation.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hullrt/hull/tests/internal/sysproc"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func extHasPrefix(list []string, prefix string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}

func TestExtrasMounts(t *testing.T) {
	t.Parallel()

	t.Run("tmpcopyup", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle(sh(`head -1 /etc/passwd; echo new >/etc/hulltest && cat /etc/hulltest; grep ' /etc ' /proc/self/mountinfo`),
			withMount(specs.Mount{Destination: "/etc", Type: "tmpfs", Source: "tmpfs", Options: []string{"tmpcopyup", "size=1m"}})))
		got := lines(out)
		if len(got) != 3 || !strings.HasPrefix(got[0], "root:x:0:0") || got[1] != "new" || !strings.Contains(got[2], " - tmpfs ") {
			t.Errorf("tmpfs with tmpcopyup over /etc: printed\n%s\nwant the rootfs's /etc/passwd, a writable /etc and a tmpfs at /etc", sysproc.Indent(out))
		}
		if fileExists(filepath.Join(rootfsDir, "etc", "hulltest")) {
			os.Remove(filepath.Join(rootfsDir, "etc", "hulltest"))
			t.Errorf("the write went through to the rootfs")
		}
	})

	// sharedRoot makes a shared bind mount of the rootfs, so that a slave
	// has a master to follow.
	sharedRoot := func(t *testing.T, h *H) string {
		t.Helper()
		dir := h.hostDir("shared-rootfs")
		if err := unix.Mount(rootfsDir, dir, "", unix.MS_BIND, ""); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
		if err := unix.Mount("", dir, "", unix.MS_SHARED, ""); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, c := range []struct {
		prop       string
		sharedSrc  bool
		want, dont string // an optional field prefix that must (must not) be on /
	}{
		{"shared", false, "shared:", "master:"},
		{"rshared", false, "shared:", "master:"},
		{"slave", true, "master:", "shared:"},
		{"rslave", true, "master:", "shared:"},
		{"private", true, "", ""},
		{"rprivate", true, "", ""},
	} {
		t.Run("rootfsPropagation="+c.prop, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			out := h.runOut(h.bundle([]string{"cat", "/proc/self/mountinfo"}, func(s *specs.Spec) {
				s.Linux.RootfsPropagation = c.prop
				if c.sharedSrc {
					s.Root.Path = sharedRoot(t, h)
				}
			}))
			opt := extMountinfoRoot(t, out)
			switch {
			case c.want == "" && len(opt) != 0:
				t.Errorf("/ has propagation %q, want private (none)", opt)
			case c.want != "" && !extHasPrefix(opt, c.want):
				t.Errorf("/ has propagation %q, want %s", opt, c.want)
			case c.dont != "" && extHasPrefix(opt, c.dont):
				t.Errorf("/ has propagation %q, want no %s", opt, c.dont)
			}
		})
	}
}

func TestMounts(t *testing.T) {
	t.Parallel()
	h := newH(t)

	// A read-only bind of a host dir holding a file.
	roSrc := h.hostDir("ro")
	if err := os.WriteFile(filepath.Join(roSrc, "hello"), []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A host dir with a tmpfs mounted under it: rbind carries the
	// submount into the container, bind does not.
	recSrc := h.hostDir("rec")
	sub := filepath.Join(recSrc, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", sub, "tmpfs", 0, "size=64k"); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", sub, err)
	}
	t.Cleanup(func() { _ = unix.Unmount(sub, unix.MNT_DETACH) })
	if err := os.WriteFile(filepath.Join(sub, "inner"), []byte("submount\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	script := `
cat /proc/mounts
echo ---
cat /mnt/hello
touch /mnt/new 2>/dev/null && echo ro-write-ok
echo ---
cat /mnt2/sub/inner
echo ---
cat /tmp/sub/inner 2>&1 || echo plain-bind-no-submount
echo ---
echo x > /data/f && cat /data/f`
	bundle := h.bundle(sh(script),
		withMount(specs.Mount{Destination: "/data", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "size=1m", "mode=755"}}),
		withMount(specs.Mount{Destination: "/mnt", Type: "bind", Source: roSrc, Options: []string{"bind", "ro"}}),
		withMount(specs.Mount{Destination: "/mnt2", Type: "bind", Source: recSrc, Options: []string{"rbind", "ro"}}),
		withMount(specs.Mount{Destination: "/tmp", Type: "bind", Source: recSrc, Options: []string{"bind", "ro"}}),
	)
	r := h.hull("run", "--bundle", bundle, h.id())
	if r.Code != 0 {
		t.Fatalf("run failed:\n%s", r)
	}
	parts := strings.Split(r.Stdout, "---\n")
	if len(parts) != 5 {
		t.Fatalf("unexpected output:\n%s", r)
	}
	mounts := procMounts(parts[0])
	if m := mounts["/data"]; m == nil || m[2] != "tmpfs" || !strings.Contains(m[3], "size=1024k") ||
		!strings.Contains(m[3], "mode=755") || !strings.Contains(m[3], "nosuid") || !strings.Contains(m[3], "nodev") {
		t.Errorf("/data mount %q, want tmpfs with nosuid,nodev,size=1024k,mode=755", m)
	}
	if m := mounts["/mnt"]; m == nil || !strings.HasPrefix(m[3], "ro") {
		t.Errorf("/mnt mount %q, want a read-only bind", m)
	}
	if parts[1] != "from host\n" {
		t.Errorf("reading the ro bind: %q, want %q", parts[1], "from host\n")
	}
	if fileExists(filepath.Join(roSrc, "new")) {
		t.Errorf("the container wrote through a read-only bind mount")
	}
	if parts[2] != "submount\n" {
		t.Errorf("rbind: /mnt2/sub/inner = %q, want the host submount's file", parts[2])
	}
	if !strings.Contains(parts[3], "plain-bind-no-submount") {
		t.Errorf("plain bind: /tmp/sub/inner = %q, want it absent (bind is not recursive)", parts[3])
	}
	if parts[4] != "x\n" {
		t.Errorf("writing the tmpfs: %q, want x", parts[4])
	}
}
