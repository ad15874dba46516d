package linux

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"
)

func TestCriuPageServer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want libcontainer.CriuPageServerInfo
		err  string
	}{
		{"", libcontainer.CriuPageServerInfo{}, ""},
		{"10.0.0.1:27", libcontainer.CriuPageServerInfo{Address: "10.0.0.1", Port: 27}, ""},
		{"[::1]:8080", libcontainer.CriuPageServerInfo{Address: "::1", Port: 8080}, ""},
		{"host.example:65535", libcontainer.CriuPageServerInfo{Address: "host.example", Port: 65535}, ""},
		{"10.0.0.1", libcontainer.CriuPageServerInfo{}, "ADDRESS:PORT"},
		{":27", libcontainer.CriuPageServerInfo{}, "ADDRESS:PORT"},
		{"10.0.0.1:", libcontainer.CriuPageServerInfo{}, "ADDRESS:PORT"},
		{"10.0.0.1:http", libcontainer.CriuPageServerInfo{}, "invalid port number"},
		{"10.0.0.1:0", libcontainer.CriuPageServerInfo{}, "invalid port number"},
		{"10.0.0.1:70000", libcontainer.CriuPageServerInfo{}, "invalid port number"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := CriuPageServer(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--page-server") {
					t.Fatalf("CriuPageServer(%q) = %v, %v; want an error naming --page-server and %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("CriuPageServer(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestCriuEmptyNamespaces(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		err  bool
	}{
		{"none", nil, false},
		{"network", []string{"network"}, false},
		{"network twice", []string{"network", "network"}, false},
		{"pid", []string{"pid"}, true},
		{"net (not the spec's name)", []string{"net"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CriuEmptyNamespaces(tc.in)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), "--empty-ns") {
					t.Fatalf("got %#x, %v; want an error naming --empty-ns", got, err)
				}
				return
			}
			// The network namespace is always left to the caller.
			if err != nil || got != unix.CLONE_NEWNET {
				t.Fatalf("got %#x, %v; want CLONE_NEWNET", got, err)
			}
		})
	}
}

func TestCheckCgroupsMode(t *testing.T) {
	for _, mode := range []string{"", "soft", "full", "strict", "ignore"} {
		t.Run("ok "+mode, func(t *testing.T) {
			if err := checkCgroupsMode(mode); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, mode := range []string{"bogus", "Soft", " soft"} {
		t.Run("bad "+mode, func(t *testing.T) {
			err := checkCgroupsMode(mode)
			// runc's words lead.
			if err == nil || !strings.HasPrefix(err.Error(), "invalid manage-cgroups-mode value") {
				t.Fatalf("checkCgroupsMode(%q) = %v", mode, err)
			}
		})
	}
}

func TestMakeImageDir(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(tmp, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir, created, err string
	}{
		{"existing", existing, "", ""},
		{"new", filepath.Join(tmp, "new"), filepath.Join(tmp, "new"), ""},
		{"new parents", filepath.Join(tmp, "a/b/c"), filepath.Join(tmp, "a"), ""},
		{"under existing", filepath.Join(existing, "x/y"), filepath.Join(existing, "x"), ""},
		{"under a file", filepath.Join(file, "x"), "", "cannot create it"},
		{"a file", file, "", "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			created, err := makeImageDir(tc.dir)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--image-path "+tc.dir) {
					t.Fatalf("makeImageDir(%s) = %q, %v; want an error naming --image-path and %q", tc.dir, created, err, tc.err)
				}
				if _, err := os.Stat(file); err != nil {
					t.Errorf("the file in the way is gone: %v", err)
				}
				return
			}
			if err != nil || created != tc.created {
				t.Fatalf("makeImageDir(%s) = %q, %v; want %q", tc.dir, created, err, tc.created)
			}
			fi, err := os.Stat(tc.dir)
			if err != nil || !fi.IsDir() {
				t.Fatalf("%s is not a directory: %v", tc.dir, err)
			}
			if tc.created != "" && fi.Mode().Perm() != 0o700 {
				t.Errorf("%s has mode %v, want 0700", tc.dir, fi.Mode().Perm())
			}
		})
	}
}

func TestCheckParentPath(t *testing.T) {
	image := t.TempDir()
	if err := os.Mkdir(filepath.Join(image, "pre"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(image, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ parent, err string }{
		{"", ""},
		{"pre", ""},
		{"../" + filepath.Base(image) + "/pre", ""},
		{"/abs/pre", "must be relative"},
		{"missing", "no such file"},
		{"file", "not a directory"},
	} {
		t.Run(tc.parent, func(t *testing.T) {
			err := checkParentPath(image, tc.parent)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--parent-path") {
				t.Fatalf("checkParentPath(%q) = %v; want an error naming --parent-path and %q", tc.parent, err, tc.err)
			}
		})
	}
}

// A dump.log of CRIU 3.17 on a kernel whose vDSO it cannot parse.
const vdsoLog = `(00.000000) Version: 3.17.1 (gitid 0)
(00.017333) vdso: DT_STRSZ: cd
(00.017336) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds
(00.017340) Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable
(00.017343) Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.
`

func TestCriuReason(t *testing.T) {
	many := ""
	for _, m := range []string{"first", "second", "second", "third", "fourth", "last"} {
		many += "(00.1) Error (criu/x.c:1): " + m + "\n(00.2) some detail\n"
	}
	for _, tc := range []struct{ name, log, want string }{
		{"vdso", vdsoLog, "vdso: Unexpected rt vDSO area bounds; vdso: Failed to fill self vdso symtable; kerndat_vdso_fill_symtable failed when initializing kerndat."},
		{"no errors", "(00.000000) Version: 3.17.1\n(00.1) Warn (criu/x.c:1): something\n", ""},
		{"many", many, "first; second; ...; last"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "dump.log")
			if err := os.WriteFile(p, []byte(tc.log), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := criuReason(p); got != tc.want {
				t.Errorf("criuReason = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("missing log", func(t *testing.T) {
		if got := criuReason(filepath.Join(t.TempDir(), "none.log")); got != "" {
			t.Errorf("criuReason = %q, want \"\"", got)
		}
	})
}

func TestCriuError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, dumpLog), []byte(vdsoLog), 0o600); err != nil {
		t.Fatal(err)
	}
	dumpErr := errors.New("criu failed: type DUMP errno 0")
	for _, tc := range []struct {
		name    string
		err     error
		dir     string
		keptLog bool
		want    string
	}{
		{"reason and kept log", dumpErr, dir, true,
			`checkpoint container "c": criu failed: type DUMP errno 0: vdso: Unexpected rt vDSO area bounds; vdso: Failed to fill self vdso symtable; kerndat_vdso_fill_symtable failed when initializing kerndat. (CRIU's log: ` + filepath.Join(dir, dumpLog) + ")"},
		{"reason, log removed", dumpErr, dir, false,
			`checkpoint container "c": criu failed: type DUMP errno 0: vdso: Unexpected rt vDSO area bounds; vdso: Failed to fill self vdso symtable; kerndat_vdso_fill_symtable failed when initializing kerndat.`},
		{"no log", dumpErr, t.TempDir(), true, `checkpoint container "c": criu failed: type DUMP errno 0`},
		{"no criu", &exec.Error{Name: "criu", Err: exec.ErrNotFound}, dir, true,
			`checkpoint container "c": exec: "criu": executable file not found in $PATH; install CRIU (apt-get install criu) or name it with --criu PATH`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := criuError(`checkpoint container "c"`, tc.err, tc.dir, dumpLog, tc.keptLog)
			if got.Error() != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("%v does not wrap %v", got, tc.err)
			}
		})
	}
}

func TestUseCriu(t *testing.T) {
	dir := t.TempDir()
	named := filepath.Join(dir, "criu")
	other := filepath.Join(dir, "criu-3.19")
	for _, p := range []string{named, other} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", "/usr/bin:/bin")
	for _, tc := range []struct {
		name, path, want, err string
	}{
		{"default", "criu", "", ""},
		{"empty", "", "", ""},
		{"named criu", named, named, ""},
		{"other name", other, other, ""},
		{"missing", filepath.Join(dir, "nope"), "", "--criu " + filepath.Join(dir, "nope")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			linkDir := filepath.Join(t.TempDir(), criuBinDir)
			// A link a killed hull left is replaced.
			if err := os.MkdirAll(linkDir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/stale", filepath.Join(linkDir, "criu")); err != nil {
				t.Fatal(err)
			}
			undo, err := useCriu(tc.path, linkDir)
			defer undo()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("useCriu(%q) = %v; want an error naming %q", tc.path, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := exec.LookPath("criu")
			switch {
			case tc.want == "" && os.Getenv("PATH") != "/usr/bin:/bin":
				t.Errorf("PATH changed to %s", os.Getenv("PATH"))
			case tc.want == "":
			case err != nil:
				t.Errorf("criu not found in PATH %s: %v", os.Getenv("PATH"), err)
			default:
				if resolved, _ := filepath.EvalSymlinks(got); resolved != tc.want {
					t.Errorf("criu in PATH is %s (%s), want %s", got, resolved, tc.want)
				}
			}
			undo()
			if os.Getenv("PATH") != "/usr/bin:/bin" {
				t.Errorf("undo left PATH %s", os.Getenv("PATH"))
			}
			if _, err := os.Lstat(linkDir); tc.path == other && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("undo left %s (%v)", linkDir, err)
			}
			undo = func() {}
		})
	}
}
