package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestPreflightMountsInOrder: mounts apply in order, so an earlier one can
// make a later bind mount's source (a path under it, a mount point it
// created, a symlink it makes valid) or the process's executable. runc
// 1.5.3 runs each of these; hull's pre-flight must not refuse them. A
// source that only a later mount provides fails under runc too, and
// pre-flight refuses it up front.
func TestPreflightMountsInOrder(t *testing.T) {
	t.Parallel()
	h := newH(t)
	rootfs := h.hostDir("rootfs")
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp", "mnt", "mnt2", "data"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	host := h.hostDir("src")
	for _, d := range []string{"sub", "bin"} {
		if err := os.MkdirAll(filepath.Join(host, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, host+"/sub/f", "from the earlier mount\n")
	// busybox runs the applet named like itself: the mount provides echo.
	if err := copyFile("/bin/busybox", host+"/bin/echo", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyFile("/bin/busybox", rootfs+"/bin/busybox", 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		rootfs + "/bin/cat": "busybox",
		rootfs + "/bin/sh":  "busybox",
		rootfs + "/lnk":     "mnt/sub",  // valid once /mnt is mounted
		rootfs + "/lnkbin":  "/mnt/bin", // the executable's directory, from the mount
		h.dir + "/hostlnk":  rootfs + "/mnt/sub",
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	bind := func(src, dst string) specs.Mount {
		return specs.Mount{Type: "bind", Source: src, Destination: dst, Options: []string{"rbind"}}
	}
	idmapped := bind(rootfs+"/mnt/sub", "/mnt2")
	idmapped.Options = append(idmapped.Options, "idmap")
	idmapped.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 65536}}
	idmapped.GIDMappings = idmapped.UIDMappings
	catF := []string{"cat", "/mnt2/f"}
	for _, tc := range []struct {
		name   string
		mounts []specs.Mount
		args   []string
		path   string // process PATH; "" leaves the template's
		stdout string
		fail   string // hull must refuse, with this
	}{
		{"source under an earlier mount", []specs.Mount{bind(host, "/mnt"), bind(rootfs+"/mnt/sub", "/mnt2")}, catF, "", "from the earlier mount\n", ""},
		{"source is an earlier mount's mount point", []specs.Mount{{Type: "tmpfs", Source: "tmpfs", Destination: "/mnt"}, bind(host, "/mnt/x"), bind(rootfs+"/mnt/x/sub", "/mnt2")}, catF, "", "from the earlier mount\n", ""},
		{"idmapped source under an earlier mount", []specs.Mount{bind(host, "/mnt"), idmapped}, []string{"sh", "-c", "stat -c %u /mnt2/f"}, "", "1000\n", ""},
		{"source through a rootfs symlink", []specs.Mount{bind(host, "/mnt"), bind(rootfs+"/lnk", "/mnt2")}, catF, "", "from the earlier mount\n", ""},
		{"source through a host symlink", []specs.Mount{bind(host, "/mnt"), bind(h.dir+"/hostlnk", "/mnt2")}, catF, "", "from the earlier mount\n", ""},
		{"executable from a mount through a symlink", []specs.Mount{bind(host, "/mnt")}, []string{"/lnkbin/echo", "ok"}, "", "ok\n", ""},
		{"executable on PATH from a mount", []specs.Mount{bind(host, "/mnt")}, []string{"echo", "ok"}, "/lnkbin", "ok\n", ""},
		{"source only a later mount provides", []specs.Mount{bind(rootfs+"/mnt/sub", "/mnt2"), bind(host, "/mnt")}, catF, "", "",
			`].source: "` + rootfs + `/mnt/sub": bind mount source for /mnt2 is missing: no such file or directory`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := h.bundle(tc.args, func(s *specs.Spec) {
				s.Root.Path = rootfs
				s.Mounts = append(s.Mounts, tc.mounts...)
				if tc.path != "" {
					s.Process.Env = []string{"PATH=" + tc.path}
				}
			})
			id := h.id()
			if tc.fail != "" {
				r := h.fail("run", "--bundle", b, id)
				if !strings.Contains(r.Stderr, tc.fail) {
					t.Errorf("want %q:\n%s", tc.fail, r)
				}
				h.assertClean(id)
				return
			}
			if r := h.ok("run", "--bundle", b, id); r.Stdout != tc.stdout {
				t.Errorf("stdout %q, want %q\n%s", r.Stdout, tc.stdout, r)
			}
			h.ok("check", "--bundle", b)
		})
	}
}
