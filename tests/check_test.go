package tests

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestCheck: `hull check` reports every problem of a broken config in one
// run, each on its own line with the JSON path, and exits 1; a good
// config passes with 0. `create` refuses the same config, leaving nothing.
func TestCheck(t *testing.T) {
	t.Parallel()
	h := newH(t)
	good := h.bundle([]string{"true"})
	r := h.ok("check", "--host", "--bundle", good)
	if !strings.Contains(r.Stdout, "no problems found") {
		t.Fatalf("check of a good bundle:\n%s", r)
	}

	weight := uint16(500)
	broken := h.bundle([]string{"no-such-program"}, func(s *specs.Spec) {
		s.Process.Cwd = "tmp"
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "pidx"})
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "/nonexistent-source", Options: []string{"rbind"}})
		s.Linux.Sysctl = map[string]string{"vm.swappiness": "0"}
		s.Linux.Resources.Unified = map[string]string{"memory.max": "1G"}
		s.Linux.Resources.BlockIO = &specs.LinuxBlockIO{Weight: &weight}
		s.Process.ApparmorProfile = "docker-default"
		s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdir", "mkdri", "socketcall"}, Action: specs.ActErrno},
		}}
	})
	// A misspelt field, which the specs-go struct cannot carry.
	raw := strings.Replace(string(readFile(t, broken+"/config.json")), `"readonly": true`, `"readOnly": true`, 1)
	writeFile(t, broken+"/config.json", raw)

	r = h.hull("check", "--host", "--bundle", broken)
	if r.Code != 1 {
		t.Fatalf("check of a broken bundle: want exit 1:\n%s", r)
	}
	want := []string{
		`root.readOnly: "readOnly": field names are case-sensitive`,
		`linux.namespaces[`,
		`process.cwd: "tmp": must be an absolute path`,
		`linux.sysctl["vm.swappiness"]`,
		`mounts[`, `"/nonexistent-source": bind mount source for /data is missing`,
		`exec: "no-such-program": executable file not found in $PATH: `, `process.args[0]: "no-such-program": not found in $PATH`,
		`linux.seccomp.syscalls[0].names[1]: "mkdri": no architecture has a syscall of this name`,
	}
	// What --host says depends on the host: unified keys and a blkio
	// weight cannot apply on this machine's cgroup v1 (without CFQ/BFQ),
	// and they can on cgroup v2 (the VM of tests/vm), where the AppArmor
	// of Debian's kernel is on, too.
	hostFindings := map[string]bool{
		`linux.resources.unified["memory.max"]`:                              !cgroupV2(),
		`linux.resources.blockIO.weight`:                                     !cgroupV2(),
		`process.apparmorProfile: "docker-default": AppArmor is not enabled`: !appArmorEnabled(),
	}
	for w, expected := range hostFindings {
		if expected {
			want = append(want, w)
		} else if strings.Contains(r.Stdout, w) {
			t.Errorf("check output has %q, which does not hold on this host", w)
		}
	}
	for _, w := range want {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("check output lacks %q", w)
		}
	}
	if strings.Contains(r.Stdout, "names[2]") {
		t.Errorf("socketcall exists on 32-bit x86 and must not be flagged:\n%s", r.Stdout)
	}
	for _, l := range lines(r.Stdout) {
		if !strings.HasPrefix(l, "error: ") && !strings.HasPrefix(l, "warning: ") {
			t.Errorf("check line %q: want error: or warning: first", l)
		}
	}
	if t.Failed() {
		t.Logf("check output:\n%s", r)
	}

	r = h.hull("check", "--host", "--format", "json", "--bundle", broken)
	var findings []struct{ Severity, File, Path, Message string }
	if err := json.Unmarshal([]byte(r.Stdout), &findings); err != nil || r.Code != 1 {
		t.Fatalf("check --format json: exit %d, %v:\n%s", r.Code, err, r.Stdout)
	}
	paths := map[string]bool{}
	for _, f := range findings {
		paths[f.Path] = true
		if f.File != broken+"/config.json" || f.Message == "" {
			t.Errorf("json finding %+v: want the file and a message", f)
		}
	}
	wantPaths := []string{"process.cwd", "process.args[0]", "root.readOnly"}
	if !appArmorEnabled() {
		wantPaths = append(wantPaths, "process.apparmorProfile")
	}
	for _, p := range wantPaths {
		if !paths[p] {
			t.Errorf("json findings lack path %s", p)
		}
	}

	// create runs the same checks first and leaves nothing behind.
	id := h.id()
	r = h.fail("create", "--bundle", broken, id)
	if !strings.Contains(r.Stderr, "process.cwd") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("create of the broken bundle: want one line naming the problems:\n%s", r)
	}
	h.assertClean(id)
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckInterpreter: an executable that is there but cannot run
// because its ELF interpreter or #! program is missing from the rootfs is
// named as such, by check and by create.
func TestCheckInterpreter(t *testing.T) {
	t.Parallel()
	h := newH(t)
	rootfs := h.hostDir("interp-rootfs")
	for _, d := range []string{"bin", "proc", "dev", "sys"} {
		if err := os.MkdirAll(rootfs+"/"+d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dynamic := ""
	for _, cand := range []string{"/bin/ls", "/usr/bin/ls", "/bin/cat"} {
		if data, err := os.ReadFile(cand); err == nil && strings.Contains(string(data[:min(len(data), 4096)]), "ld-linux") {
			dynamic = cand
			writeFile(t, rootfs+"/bin/dyn", string(data))
			break
		}
	}
	if dynamic == "" {
		t.Skip("no dynamically linked /bin/ls or /bin/cat on this host to copy")
	}
	if err := os.Chmod(rootfs+"/bin/dyn", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, rootfs+"/bin/script", "#!/usr/bin/python3\nprint(1)\n")
	if err := os.Chmod(rootfs+"/bin/script", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ prog, want string }{
		{"dyn", "its ELF interpreter (dynamic loader) /lib64/ld-linux-x86-64.so.2 is missing from the rootfs"},
		{"/bin/script", "its script interpreter /usr/bin/python3 is missing from the rootfs"},
	} {
		b := h.bundle([]string{tc.prog}, func(s *specs.Spec) { s.Root.Path = rootfs })
		r := h.hull("check", "--bundle", b)
		if r.Code != 1 || !strings.Contains(r.Stdout, "process.args[0]") || !strings.Contains(r.Stdout, tc.want) {
			t.Errorf("check of %s: want process.args[0] and %q:\n%s", tc.prog, tc.want, r)
		}
		id := h.id()
		r = h.fail("run", "--bundle", b, id)
		if !strings.Contains(r.Stderr, tc.want) || !strings.Contains(r.Stderr, "no such file or directory") {
			t.Errorf("run of %s: want %q with podman's words:\n%s", tc.prog, tc.want, r)
		}
		h.assertClean(id)
	}
}

// TestCheckSeccompNameAtCreate: a syscall name no architecture has is the
// same finding for create as for check: runc runs such a config (the rule
// is skipped), so create runs it too, and warns with the JSON path.
func TestCheckSeccompNameAtCreate(t *testing.T) {
	t.Parallel()
	h := newH(t)
	b := h.bundle([]string{"true"}, func(s *specs.Spec) {
		s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdri"}, Action: specs.ActErrno},
		}}
	})
	const want = `linux.seccomp.syscalls[0].names[0]: \"mkdri\": no architecture has a syscall of this name`
	r := h.hull("check", "--bundle", b)
	if r.Code != 1 || !strings.Contains(r.Stdout, "warning: ") || !strings.Contains(r.Stdout, strings.ReplaceAll(want, `\"`, `"`)) {
		t.Errorf("check: want the warning:\n%s", r)
	}
	id := h.id()
	r = h.ok("run", "--bundle", b, id)
	if !strings.Contains(r.Stderr, "level=warning") || !strings.Contains(r.Stderr, want) {
		t.Errorf("run: want the same warning on stderr:\n%s", r)
	}
	h.assertClean(id)
}

// appArmorEnabled is what libcontainer's apparmor.IsEnabled reads.
func appArmorEnabled() bool {
	if !fileExists("/sys/kernel/security/apparmor") {
		return false
	}
	b, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && len(b) > 0 && b[0] == 'Y'
}
