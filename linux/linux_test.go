package linux

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		ws   unix.WaitStatus
		want int
	}{
		{"exit 0", 0, 0},
		{"exit 3", 3 << 8, 3},
		{"killed by SIGKILL", unix.WaitStatus(syscall.SIGKILL), 137},
		{"killed by SIGTERM", unix.WaitStatus(syscall.SIGTERM), 143},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := exitStatus(tc.ws); got != tc.want {
				t.Errorf("exitStatus = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pid")
	for _, content := range []string{"123", "4567"} {
		if err := writeFileAtomic(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("pid file %q, %v; want %q", got, err, content)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	if err := writeFileAtomic(filepath.Join(dir, "no", "such", "dir", "pid"), []byte("1")); err == nil || !strings.Contains(err.Error(), "pid file") {
		t.Errorf("pid file in a missing directory: %v", err)
	}
}

func TestReadIDMap(t *testing.T) {
	p := filepath.Join(t.TempDir(), "uid_map")
	if err := os.WriteFile(p, []byte("         0     100000      65536\n     65536          0          1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readIDMap(p)
	want := []configs.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}, {ContainerID: 65536, HostID: 0, Size: 1}}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("readIDMap = %v, %v; want %v", got, err, want)
	}
	if err := os.WriteFile(p, []byte("0 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readIDMap(p); err == nil {
		t.Error("a malformed map line was accepted")
	}
	uid, gid, err := UserNSMappings(fmt.Sprintf("/proc/%d/ns/user", os.Getpid()))
	if err != nil || len(uid) == 0 || len(gid) == 0 {
		t.Errorf("UserNSMappings of our own namespace: %v %v %v", uid, gid, err)
	}
}

func TestRecvFile(t *testing.T) {
	parent, child, err := socketPair()
	if err != nil {
		t.Fatal(err)
	}
	defer parent.Close()
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Sendmsg(int(child.Fd()), []byte("/dev/pts/9"), unix.UnixRights(int(f.Fd())), nil, 0); err != nil {
		t.Fatal(err)
	}
	got, err := recvFile(parent)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.Name() != "/dev/pts/9" {
		t.Errorf("received file named %q", got.Name())
	}
	var a, b unix.Stat_t
	_ = unix.Fstat(int(f.Fd()), &a)
	_ = unix.Fstat(int(got.Fd()), &b)
	if a.Rdev != b.Rdev || a.Ino != b.Ino {
		t.Error("the received fd is not the file sent")
	}
	child.Close()
	if _, err := recvFile(parent); err == nil {
		t.Error("a closed socket gave a file")
	}
}

func TestWithCgroupField(t *testing.T) {
	raw := &fs.PathError{Op: "write", Path: "/sys/fs/cgroup/cpu/x/cpu.rt_runtime_us", Err: unix.EINVAL}
	err := withCgroupField(fmt.Errorf("apply: %w", raw))
	if !strings.HasPrefix(err.Error(), "linux.resources.cpu.realtimeRuntime: ") || !errors.Is(err, unix.EINVAL) {
		t.Errorf("withCgroupField = %v", err)
	}
	other := &fs.PathError{Op: "write", Path: "/sys/fs/cgroup/x/cgroup.procs", Err: unix.EBUSY}
	if got := withCgroupField(other); got != error(other) {
		t.Errorf("an unmapped file changed the error: %v", got)
	}
	if withCgroupField(nil) != nil {
		t.Error("nil became an error")
	}
}

func TestSplitErrors(t *testing.T) {
	a, b, c := errors.New("a"), errors.New("b"), errors.New("c")
	got := splitErrors(errors.Join(a, errors.Join(b, c)))
	if len(got) != 3 || got[0] != a || got[2] != c {
		t.Errorf("splitErrors = %v", got)
	}
	if splitErrors(nil) != nil {
		t.Error("nil split into errors")
	}
	fe := &spec.FieldError{Path: "p", Msg: "m"}
	if got, ok := AsFieldError(fmt.Errorf("x: %w", fe)); !ok || got != fe {
		t.Error("AsFieldError missed a wrapped FieldError")
	}
}

func TestPreflight(t *testing.T) {
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "usr/bin", "data"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, content string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(rootfs, p), []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("bin/tool", "\x7fELF-not-really", 0o755)
	write("bin/notexec", "x", 0o644)
	write("bin/script", "#!/bin/tool -x\n", 0o755)
	write("bin/badscript", "#!/opt/missing/interp\n", 0o755)
	if err := os.Symlink("/bin/tool", filepath.Join(rootfs, "usr/bin/link")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(rootfs, "bin/fifo"), 0o755); err != nil {
		t.Fatal(err)
	}
	b := func(mod func(*bundleSpec)) *spec.Bundle {
		s := &bundleSpec{args: []string{"tool"}, env: []string{"PATH=/usr/bin:/bin"}, cwd: "/"}
		if mod != nil {
			mod(s)
		}
		return s.bundle(dir)
	}
	for _, tc := range []struct {
		name string
		mod  func(*bundleSpec)
		want string // "" for no error
	}{
		{"found on PATH", nil, ""},
		{"found on PATH from another cwd", func(s *bundleSpec) { s.cwd = "/usr" }, ""},
		{"absolute symlink resolved in the rootfs", func(s *bundleSpec) { s.args = []string{"link"} }, ""},
		{"relative to cwd", func(s *bundleSpec) { s.args = []string{"./tool"}; s.cwd = "/bin" }, ""},
		{"script with its interpreter", func(s *bundleSpec) { s.args = []string{"script"} }, ""},
		{"not on PATH", func(s *bundleSpec) { s.args = []string{"nope"} }, `process.args[0]: "nope": not found in $PATH (searched PATH="/usr/bin:/bin"`},
		{"not executable", func(s *bundleSpec) { s.args = []string{"/bin/notexec"} }, "permission denied"},
		{"a directory", func(s *bundleSpec) { s.args = []string{"/data"} }, "is a directory"},
		{"a FIFO is neither run nor opened", func(s *bundleSpec) { s.args = []string{"/bin/fifo"} }, "not a regular file"},
		{"script interpreter missing", func(s *bundleSpec) { s.args = []string{"badscript"} }, "its script interpreter /opt/missing/interp is missing"},
		{"covered by a mount", func(s *bundleSpec) { s.args = []string{"/opt/x/tool"}; s.mounts = []string{"/opt/x"} }, ""},
		{"missing rootfs", func(s *bundleSpec) { s.rootfs = "nowhere" }, `root.path: "nowhere": the container's root filesystem is missing`},
		{"missing bind source", func(s *bundleSpec) { s.binds = []string{"/no/such/source"} }, `mounts[0].source: "/no/such/source": bind mount source for /mnt is missing`},
		{"missing namespace path", func(s *bundleSpec) { s.netns = "/proc/0/ns/net" }, `linux.namespaces[0].path: "/proc/0/ns/net": cannot join the network namespace`},
		{"hooks may create it", func(s *bundleSpec) { s.args = []string{"nope"}; s.hooked = true }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Preflight(b(tc.mod))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Preflight: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Preflight error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestExplainStartError(t *testing.T) {
	b := (&bundleSpec{args: []string{"true"}, mounts: []string{"/x", "/y"}}).bundle("/b")
	raw := errors.New(`start container "c": unable to start container process: error during container init: error mounting "tmpfs" to rootfs at "/y": mount src=tmpfs, dst=/y, data=size=x: invalid argument`)
	got := ExplainStartError(raw, b).Error()
	want := raw.Error() + `; /b/config.json: mounts[1]: "/y": cannot be mounted: the kernel refused this tmpfs mount`
	if got != want {
		t.Errorf("ExplainStartError:\n got %s\nwant %s", got, want)
	}
	b.Spec.Linux.RootfsPropagation = "runbindable"
	got = ExplainStartError(raw, b).Error()
	want = raw.Error() + `; /b/config.json: linux.rootfsPropagation: "runbindable": the kernel refused to mount /y under an unbindable root filesystem; use private, rprivate, slave or shared`
	if got != want {
		t.Errorf("ExplainStartError with an unbindable rootfs:\n got %s\nwant %s", got, want)
	}
	// A read-only path fails the same way, outside config.json's mounts.
	ro := errors.New(`unable to start container process: error during container init: can't make "/proc/bus" read-only: mount src=/proc/bus, dst=/proc/bus, flags=MS_BIND|MS_REC: invalid argument`)
	got = ExplainStartError(ro, b).Error()
	want = ro.Error() + `; /b/config.json: linux.rootfsPropagation: "runbindable": the kernel refused a bind mount under an unbindable root filesystem; use private, rprivate, slave or shared`
	if got != want {
		t.Errorf("ExplainStartError of a read-only path with an unbindable rootfs:\n got %s\nwant %s", got, want)
	}
	b.Spec.Linux.RootfsPropagation = ""
	if ExplainStartError(ro, b) != ro {
		t.Error("an EINVAL outside the mounts was changed without an unbindable rootfs")
	}
	other := errors.New("unable to start container process: exec: permission denied")
	if ExplainStartError(other, b) != other {
		t.Error("an error about no mount was changed")
	}
	unknown := errors.New(`error mounting "a" to rootfs at "/z": no such device`)
	if ExplainStartError(unknown, b) != unknown {
		t.Error("an error about a mount not in config.json was changed")
	}
}

func TestWithUpdateField(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"cpu.shares", "cpu.shares: "},
		{"blkio.weight", "blockIO.weight: "},
		{"blkio.weight_device", "blockIO.weightDevice: "},
		{"cgroup.procs", "write "},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw := &fs.PathError{Op: "write", Path: "/sys/fs/cgroup/x/" + tc.file, Err: unix.EINVAL}
			err := withUpdateField(raw)
			if !strings.HasPrefix(err.Error(), tc.want) || !errors.Is(err, unix.EINVAL) {
				t.Errorf("withUpdateField = %v, want it to start with %q", err, tc.want)
			}
		})
	}
}
func TestCapabilityFindings(t *testing.T) {
	kernel := []string{"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"}
	bounded := []string{"CAP_CHOWN", "CAP_KILL"}
	for _, tc := range []struct {
		name string
		caps specs.LinuxCapabilities
		want string // path=refuse|warn, space separated
	}{
		{"all given", specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN"}, Effective: []string{"CAP_KILL"}}, ""},
		{"unknown name is spec's", specs.LinuxCapabilities{Bounding: []string{"CAP_FUTURE"}}, ""},
		{"in kernel, not bounded", specs.LinuxCapabilities{Permitted: []string{"CAP_CHOWN", "CAP_SYS_ADMIN"}}, "process.capabilities.permitted[1]=refuse"},
		{"not bounded, effective and inheritable", specs.LinuxCapabilities{Effective: []string{"CAP_SYS_ADMIN"}, Inheritable: []string{"CAP_SYS_ADMIN"}},
			"process.capabilities.effective[0]=refuse process.capabilities.inheritable[0]=refuse"},
		{"not bounded, bounding and ambient only", specs.LinuxCapabilities{Bounding: []string{"CAP_SYS_ADMIN"}, Ambient: []string{"CAP_SYS_ADMIN"}},
			"process.capabilities.bounding[0]=warn process.capabilities.ambient[0]=warn"},
		{"known, not in kernel", specs.LinuxCapabilities{Ambient: []string{"CAP_BPF"}}, "process.capabilities.ambient[0]=warn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range capabilityFindings(&tc.caps, kernel, bounded) {
				v := "warn"
				if f.refuse {
					v = "refuse"
				}
				got = append(got, f.path+"="+v)
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("got %q, want %q", g, tc.want)
			}
		})
	}
}

// libcontainer's words lead a start error, the container's ID follows,
// and the mount explanation still finds the errno at the end of
// libcontainer's text.
func TestStartErrorKeepsLibcontainerWordsFirst(t *testing.T) {
	b := (&bundleSpec{args: []string{"true"}, mounts: []string{"/x"}}).bundle("/b")
	raw := errors.New(`unable to start container process: error during container init: error mounting "tmpfs" to rootfs at "/x": mount src=tmpfs, dst=/x: no such device`)
	err := &startError{id: "c1", err: raw}
	if got, want := err.Error(), raw.Error()+` (starting container "c1")`; got != want {
		t.Errorf("startError = %q, want %q", got, want)
	}
	got := ExplainStartError(err, b).Error()
	if !strings.Contains(got, `mounts[0]: "/x": cannot be mounted: this kernel does not know the filesystem type "tmpfs"`) {
		t.Errorf("ExplainStartError lost the errno behind the ID: %s", got)
	}
}
