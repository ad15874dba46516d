package tests

import (
	"fmt"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestRuncAccepts: configs that runc 1.5.3 runs (checked side by side on
// the same bundles) run under hull too. hull warns at create, naming the
// JSON path, and `hull check` lists the same warning, as a warning.
func TestRuncAccepts(t *testing.T) {
	t.Parallel()
	umask := uint32(0o1027)
	for _, tc := range []struct {
		name   string
		args   []string
		mod    func(*specs.Spec)
		path   string // JSON path the warning names
		stdout string // what the process prints
	}{
		{"capability newer than libcontainer", []string{"sh", "-c", "grep CapEff /proc/self/status"}, func(s *specs.Spec) {
			c := s.Process.Capabilities
			c.Bounding = append(c.Bounding, "CAP_FUTURE_THING")
			c.Effective = append(c.Effective, "CAP_FUTURE_THING")
			c.Permitted = append(c.Permitted, "CAP_FUTURE_THING")
		}, "process.capabilities.bounding[3]", "CapEff:\t0000000020000420\n"},
		{"device rule rwa", []string{"sh", "-c", "echo x > /dev/null && echo ok"}, func(s *specs.Spec) {
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(3)), Access: "rwa"})
		}, "linux.resources.devices[1].access", "ok\n"},
		{"ociVersion 2.0.0", []string{"echo", "ok"}, func(s *specs.Spec) { s.Version = "2.0.0" }, "ociVersion", "ok\n"},
		{"umask above 0777", []string{"sh", "-c", "umask"}, func(s *specs.Spec) { s.Process.User.Umask = &umask }, "process.user.umask", "0027\n"},
		{"personality flag", []string{"echo", "ok"}, func(s *specs.Spec) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux, Flags: []specs.LinuxPersonalityFlag{"ADDR_NO_RANDOMIZE"}}
		}, "linux.personality.flags[0]", "ok\n"},
		{"relative readonly path", []string{"sh", "-c", "touch /mnt/x 2>/dev/null || echo read-only"}, func(s *specs.Spec) {
			s.Linux.ReadonlyPaths = append(s.Linux.ReadonlyPaths, "mnt")
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/mnt", Type: "tmpfs", Source: "tmpfs"})
		}, "linux.readonlyPaths[5]", "read-only\n"},
		{"relative device path", []string{"sh", "-c", "ls -l /dev/foo | cut -c1"}, func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "dev/foo", Type: "c", Major: 1, Minor: 3}}
		}, "linux.devices[0].path", "c\n"},
		{"id mappings without a user namespace", []string{"echo", "ok"}, func(s *specs.Spec) {
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 1000, Size: 10}}
		}, "linux", "ok\n"},
		{"rlimit twice", []string{"sh", "-c", "ulimit -n"}, func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 200, Soft: 200}, {Type: "RLIMIT_NOFILE", Hard: 100, Soft: 100}}
		}, "process.rlimits[1].type", "100\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			b := h.bundle(tc.args, tc.mod)
			r := h.ok("run", "--bundle", b, h.id())
			if r.Stdout != tc.stdout {
				t.Errorf("stdout %q, want %q\n%s", r.Stdout, tc.stdout, r)
			}
			if !strings.Contains(r.Stderr, "level=warning") || !strings.Contains(r.Stderr, "config.json: "+tc.path+": ") {
				t.Errorf("run: want a warning naming %s:\n%s", tc.path, r)
			}
			// check exits 1 on any finding, warnings included, but
			// names them as warnings.
			r = h.hull("check", "--bundle", b)
			if !strings.Contains(r.Stdout, tc.path+": ") || strings.Contains(r.Stdout, "error: ") || !strings.HasPrefix(r.Stdout, "warning: ") {
				t.Errorf("check: want only warnings, one naming %s:\n%s", tc.path, r)
			}
		})
	}
}

// TestRuncAcceptsUnboundedCapability: a capability outside hull's own
// bounding set (CAP_SYS_RESOURCE on the test hosts) asked for only in the
// bounding or ambient set leaves the container without it, under runc as
// under hull, which warns; in the effective, permitted or inheritable set
// capset(2) fails, and hull refuses it up front.
func TestRuncAcceptsUnboundedCapability(t *testing.T) {
	t.Parallel()
	const name, bit = "CAP_SYS_RESOURCE", 24
	if selfCapMask(t, "CapBnd")&(1<<bit) != 0 {
		t.Skip("this test process has CAP_SYS_RESOURCE in its bounding set: no capability to leave out")
	}
	for _, tc := range []struct {
		set    string
		refuse bool
	}{{"bounding", false}, {"ambient", false}, {"effective", true}, {"inheritable", true}} {
		t.Run(tc.set, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			b := h.bundle([]string{"sh", "-c", "grep CapBnd /proc/self/status"}, func(s *specs.Spec) {
				c := s.Process.Capabilities
				switch tc.set {
				case "bounding":
					c.Bounding = append(c.Bounding, name)
				case "ambient":
					c.Ambient = append(c.Ambient, name)
				case "effective":
					c.Effective = append(c.Effective, name)
				case "inheritable":
					c.Inheritable = append(c.Inheritable, name)
				}
			})
			id := h.id()
			if tc.refuse {
				r := h.fail("run", "--bundle", b, id)
				if !strings.Contains(r.Stderr, "process.capabilities."+tc.set) || !strings.Contains(r.Stderr, "not in this host's capability bounding set") {
					t.Errorf("want a refusal naming process.capabilities.%s:\n%s", tc.set, r)
				}
				h.assertClean(id)
				return
			}
			r := h.ok("run", "--bundle", b, id)
			if !strings.Contains(r.Stderr, "level=warning") || !strings.Contains(r.Stderr, "process.capabilities."+tc.set) {
				t.Errorf("want a warning naming process.capabilities.%s:\n%s", tc.set, r)
			}
			var bnd uint64
			if _, err := fmt.Sscanf(strings.TrimPrefix(r.Stdout, "CapBnd:"), "%x", &bnd); err != nil || bnd&(1<<bit) != 0 {
				t.Errorf("container's bounding set %q: want it without %s", r.Stdout, name)
			}
			r = h.hull("check", "--host", "--bundle", b)
			if !strings.Contains(r.Stdout, "warning: ") || strings.Contains(r.Stdout, "error: ") {
				t.Errorf("check --host: want a warning, no error:\n%s", r)
			}
		})
	}
}

// selfCapMask reads a capability mask ("CapBnd", "CapEff") of this process.
func selfCapMask(t *testing.T, field string) uint64 {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var mask uint64
	for _, l := range lines(string(status)) {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%x", &mask); err != nil {
				t.Fatalf("%s in /proc/self/status: %v", field, err)
			}
		}
	}
	return mask
}
