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
			// libcontainer's words lead, as runc prints them.
			if lead := "hull: unable to start container process: error during container init: error mounting "; !strings.HasPrefix(r.Stderr, lead) {
				t.Errorf("want the line to start with %q:\n%s", lead, r)
			}
			h.assertClean(id)
		})
	}
}

// TestUnbindableRootfs: with an unbindable rootfs every bind under it
// fails with EINVAL; the error names linux.rootfsPropagation, not the
// mount that happened to come first.
func TestUnbindableRootfs(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	b := h.bundle([]string{"true"}, func(s *specs.Spec) { s.Linux.RootfsPropagation = "runbindable" })
	r := h.fail("run", "--bundle", b, id)
	if want := `config.json: linux.rootfsPropagation: "runbindable": the kernel refused `; !strings.Contains(r.Stderr, want) || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("want one line with %q:\n%s", want, r)
	}
	h.assertClean(id)
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

// TestStartErrors: what the kernel refuses while the container starts is
// named by its config.json entry, in one line (libcontainer's warnings
// about the half-made container it removes are not printed), and
// nothing is left.
func TestStartErrors(t *testing.T) {
	t.Parallel()
	h := newH(t)
	for _, tc := range []struct {
		name string
		mod  func(*specs.Spec)
		want string
	}{
		{"sysctl value", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "banana"} },
			`linux.sysctl["net.ipv4.ip_forward"]: "banana": the kernel refused this value`},
		{"sysctl missing", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"net.ipv4.no_such_knob": "1"} },
			`linux.sysctl["net.ipv4.no_such_knob"]: "1": there is no such sysctl in the container`},
		{"cpuset out of range", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Cpus: "0,1000"} },
			`linux.resources.cpu.cpus: "0,1000": CPUs 1000 are not online on this host (online: `},
		{"memory node out of range", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Mems: "63"} },
			`linux.resources.cpu.mems: "63": memory nodes 63 are not online on this host`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := h.id()
			r := h.fail("run", "--bundle", h.bundle([]string{"true"}, tc.mod), id)
			if !strings.Contains(r.Stderr, tc.want) || strings.Count(r.Stderr, "\n") != 1 || !strings.HasPrefix(r.Stderr, "hull: ") {
				t.Errorf("want one line with %q:\n%s", tc.want, r)
			}
			h.assertClean(id)
		})
	}
}

// TestRlimitAboveHardLimit: a hard limit above hull's own, which only
// CAP_SYS_RESOURCE may raise, is refused up front by name when hull lacks
// that capability (as on this test host).
func TestRlimitAboveHardLimit(t *testing.T) {
	t.Parallel()
	if selfCapMask(t, "CapEff")&(1<<24) != 0 {
		t.Skip("this test process has CAP_SYS_RESOURCE: hull may raise hard limits here")
	}
	h := newH(t)
	id := h.id()
	r := h.fail("run", "--bundle", h.bundle([]string{"true"}, func(s *specs.Spec) {
		s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1 << 40, Soft: 1024}}
	}), id)
	if !strings.Contains(r.Stderr, "process.rlimits[0].hard: 1099511627776: RLIMIT_NOFILE above hull's own hard limit") {
		t.Errorf("want the rlimit named:\n%s", r)
	}
	h.assertClean(id)
}
