package tests

import (
	"fmt"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestMountErrors: a mount the kernel refuses while the container starts
// is named by its config.json entry, with what to change; nothing is
// left behind. A rootfs given as a symlink is followed (runc refuses it).
func TestMountErrors(t *testing.T) {
	t.Parallel()
	h := newH(t)
	hostFile := h.hostDir("mnt-errors") + "/file"
	writeFile(t, hostFile, "x")
	for _, tc := range []struct {
		name  string
		mount specs.Mount
		want  string
	}{
		{"file onto a directory", specs.Mount{Destination: "/etc", Type: "bind", Source: hostFile, Options: []string{"bind"}},
			"cannot be mounted: the source and the destination must both be directories or both be files"},
		{"bad tmpfs option", specs.Mount{Destination: "/mnt", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=banana"}},
			"cannot be mounted: the kernel refused the tmpfs options size=banana"},
		{"unknown filesystem", specs.Mount{Destination: "/mnt", Type: "nosuchfs", Source: "none"},
			`cannot be mounted: this kernel does not know the filesystem type "nosuchfs"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := h.id()
			var idx int
			b := h.bundle([]string{"true"}, func(s *specs.Spec) {
				s.Mounts = append(s.Mounts, tc.mount)
				idx = len(s.Mounts) - 1
			})
			r := h.fail("run", "--bundle", b, id)
			want := fmt.Sprintf("config.json: mounts[%d]: %q: %s", idx, tc.mount.Destination, tc.want)
			if !strings.Contains(r.Stderr, want) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("want one line with %q:\n%s", want, r)
			}
			h.assertClean(id)
		})
	}
}

func TestRootfsSymlink(t *testing.T) {
	t.Parallel()
	h := newH(t)
	link := h.dir + "/rootfs-link"
	b := h.bundle([]string{"cat", "/etc/passwd"}, func(s *specs.Spec) { s.Root.Path = link })
	if err := os.Symlink(rootfsDir, link); err != nil {
		t.Fatal(err)
	}
	id := h.id()
	r := h.ok("run", "--keep", "--bundle", b, id)
	if !strings.Contains(r.Stdout, "root:x:0:0") {
		t.Fatalf("container through a rootfs symlink:\n%s", r)
	}
	if st := h.state(id); st.Rootfs != rootfsDir {
		t.Errorf("state rootfs %q, want the resolved %q", st.Rootfs, rootfsDir)
	}
	h.ok("delete", id)
}
