package linux

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
)

// Pre-flight never refuses what create would run: a mount applied
// earlier may make a bind source or the executable (each case below was
// run with runc 1.5.3, which runs it or fails as listed).
func TestPreflightMountsInOrder(t *testing.T) {
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	host := filepath.Join(dir, "host")
	for _, d := range []string{rootfs + "/bin", rootfs + "/mnt", rootfs + "/mnt2", host + "/sub", host + "/bin"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{rootfs + "/bin/sh", host + "/bin/tool"} {
		if err := os.WriteFile(f, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		rootfs + "/lnk":     "mnt/sub",              // relative, valid once /mnt is mounted
		rootfs + "/lnkbin":  "/mnt/bin",             // absolute: inside the rootfs for exec
		rootfs + "/loop":    "loop",                 // ELOOP
		dir + "/hostlnk":    rootfs + "/mnt/sub",    // a host symlink into the rootfs
		rootfs + "/mnt/dst": "../mnt2",              // a mount destination through a symlink
		rootfs + "/bin/nox": "/no/such/interpreter", // dangling
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	bind := func(src, dst string, opts ...string) specs.Mount {
		return specs.Mount{Type: "bind", Source: src, Destination: dst, Options: append([]string{"rbind"}, opts...)}
	}
	tmpfs := func(dst string) specs.Mount { return specs.Mount{Type: "tmpfs", Source: "tmpfs", Destination: dst} }
	idmapped := bind(rootfs+"/mnt/sub", "/mnt2", "idmap")
	idmapped.UIDMappings = []specs.LinuxIDMapping{{HostID: 1000, Size: 65536}}
	idmapped.GIDMappings = idmapped.UIDMappings
	for _, tc := range []struct {
		name   string
		mounts []specs.Mount
		args   []string
		path   string // process PATH
		want   string // "" for no error
	}{
		{"source under an earlier mount", []specs.Mount{bind(host, "/mnt"), bind(rootfs+"/mnt/sub", "/mnt2")}, nil, "", ""},
		{"source is an earlier mount point", []specs.Mount{tmpfs("/mnt"), bind(host, "/mnt/x"), bind(rootfs+"/mnt/x/sub", "/mnt2")}, nil, "", ""},
		{"idmapped source under an earlier mount", []specs.Mount{bind(host, "/mnt"), idmapped}, nil, "", ""},
		{"source through a rootfs symlink", []specs.Mount{bind(host, "/mnt"), bind(rootfs+"/lnk", "/mnt2")}, nil, "", ""},
		{"source through a host symlink", []specs.Mount{bind(host, "/mnt"), bind(dir+"/hostlnk", "/mnt2")}, nil, "", ""},
		{"destination through a symlink covers its target", []specs.Mount{bind(host, "/mnt/dst"), bind(rootfs+"/mnt2/sub", "/data")}, nil, "", ""},
		{"source under a later mount", []specs.Mount{bind(rootfs+"/mnt/sub", "/mnt2"), bind(host, "/mnt")}, nil, "",
			`mounts[0].source: "` + rootfs + `/mnt/sub": bind mount source for /mnt2 is missing: no such file or directory`},
		{"source missing whatever is mounted", []specs.Mount{bind(host, "/mnt"), bind(rootfs+"/bin/none", "/mnt2")}, nil, "", "bind mount source for /mnt2 is missing"},
		{"source in a symlink loop", []specs.Mount{bind(rootfs+"/loop", "/mnt2")}, nil, "", "too many levels of symbolic links"},
		{"executable through a symlink into a mount", []specs.Mount{bind(host, "/mnt")}, []string{"/lnkbin/tool"}, "", ""},
		{"executable on a PATH through a symlink into a mount", []specs.Mount{bind(host, "/mnt")}, []string{"tool"}, "/lnkbin", ""},
		{"executable through a symlink, nothing mounted", nil, []string{"/lnkbin/tool"}, "", "no such file or directory"},
		{"dangling executable", nil, []string{"/bin/nox"}, "", "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				args = []string{"/bin/sh"}
			}
			s := &specs.Spec{Version: specs.Version, Root: &specs.Root{Path: rootfs}, Mounts: tc.mounts,
				Process: &specs.Process{Args: args, Cwd: "/", Env: []string{"PATH=" + tc.path}}}
			err := Preflight(&spec.Bundle{Dir: dir, ConfigPath: dir + "/config.json", Spec: s})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Preflight refuses what runc runs: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Preflight error %v, want %q", err, tc.want)
			}
		})
	}
}

// A rootfs given through a symlink: bind sources under an earlier mount
// are recognised by either path.
func TestPreflightRootfsSymlink(t *testing.T) {
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "real-rootfs")
	host := filepath.Join(dir, "host")
	for _, d := range []string{rootfs + "/bin", rootfs + "/mnt", host + "/sub"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(rootfs+"/bin/sh", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real-rootfs", dir+"/rootfs"); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{"real path": rootfs + "/mnt/sub", "symlinked path": dir + "/rootfs/mnt/sub"} {
		t.Run(name, func(t *testing.T) {
			s := &specs.Spec{Version: specs.Version, Root: &specs.Root{Path: "rootfs"},
				Mounts: []specs.Mount{
					{Type: "bind", Source: host, Destination: "/mnt", Options: []string{"rbind"}},
					{Type: "bind", Source: src, Destination: "/data", Options: []string{"rbind"}},
				},
				Process: &specs.Process{Args: []string{"/bin/sh"}, Cwd: "/"}}
			if err := Preflight(&spec.Bundle{Dir: dir, ConfigPath: dir + "/config.json", Spec: s}); err != nil {
				t.Errorf("Preflight refuses what runc runs: %v", err)
			}
		})
	}
}

// A missing or unusable executable is reported in runc's words first
// (podman maps "executable file not found" and "no such file or
// directory" to 127, "permission denied" to 126), then hull's detail.
func TestPreflightExecWords(t *testing.T) {
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.MkdirAll(rootfs+"/bin", 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"script": "#!/no/interp\n", "plain": "x"} {
		mode := os.FileMode(0o755)
		if name == "plain" {
			mode = 0o644
		}
		if err := os.WriteFile(rootfs+"/bin/"+name, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		arg, lead, detail string
		path, cwd         string // "" for /bin and /
	}{
		{"nope", `exec: "nope": executable file not found in $PATH: `, `process.args[0]: "nope": not found in $PATH (searched PATH="/bin" in rootfs ` + rootfs + ")", "", ""},
		{"/bin/nope", `exec: "/bin/nope": stat /bin/nope: no such file or directory: `, `process.args[0]: "/bin/nope": no such file in rootfs ` + rootfs, "", ""},
		{"./nope", `exec: "./nope": stat ./nope: no such file or directory: `, `no such file in rootfs`, "", ""},
		{"/bin", `exec: "/bin": is a directory: `, `process.args[0]: "/bin": a directory in rootfs`, "", ""},
		{"/bin/plain", `exec: "/bin/plain": permission denied: `, `the file is not executable`, "", ""},
		{"/bin/script", `exec /bin/script: no such file or directory: `, `its script interpreter /no/interp is missing from the rootfs ` + rootfs, "", ""},
		{"script", `exec /bin/script: no such file or directory: `, `its script interpreter /no/interp is missing`, "", ""},
		{"script", `exec: "script": cannot run executable found relative to current directory: `, `found as script through the relative PATH entry "." (cwd /bin)`, ".", "/bin"},
		{"plain", `exec: "plain": executable file not found in $PATH: `, `searched PATH="."`, ".", "/bin"}, // not executable: skipped
		{"script", `exec: "script": cannot run executable found relative to current directory: `, `found as script through the relative PATH entry "."`, "/none::/bin", "/bin"},
		{"sh", `exec: "sh": executable file not found in $PATH: `, `searched PATH="bin"`, "bin", "/"},
	} {
		t.Run(tc.arg+" PATH="+tc.path, func(t *testing.T) {
			path, cwd := "/bin", "/"
			if tc.path != "" {
				path, cwd = tc.path, tc.cwd
			}
			s := &specs.Spec{Version: specs.Version, Root: &specs.Root{Path: rootfs},
				Process: &specs.Process{Args: []string{tc.arg}, Cwd: cwd, Env: []string{"PATH=" + path}}}
			err := Preflight(&spec.Bundle{Dir: dir, ConfigPath: dir + "/config.json", Spec: s})
			if err == nil || !strings.HasPrefix(err.Error(), tc.lead) || !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("got %v\nwant %q first, and %q", err, tc.lead, tc.detail)
			}
			if _, ok := AsFieldError(err); !ok {
				t.Errorf("no FieldError in %v", err)
			}
		})
	}
}
