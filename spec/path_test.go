package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		name  string
		base  string
		elems []any
		want  string
	}{
		{"base alone", "process.cwd", nil, "process.cwd"},
		{"index then key", "mounts", []any{2, "source"}, "mounts[2].source"},
		{"nested indexes", "linux.seccomp.syscalls", []any{0, "names", 1}, "linux.seccomp.syscalls[0].names[1]"},
		{"key with dots", "linux.sysctl", []any{"net.ipv4.ip_forward"}, `linux.sysctl["net.ipv4.ip_forward"]`},
		{"key with a quote", "annotations", []any{`a"b`}, `annotations["a\"b"]`},
		{"top-level key", "", []any{"hostname"}, "hostname"},
		{"top-level odd key", "", []any{"x-y"}, `["x-y"]`},
		{"named string type", "process.capabilities", []any{specs.LinuxNamespaceType("bounding"), 3}, "process.capabilities.bounding[3]"},
		{"other integer type", "linux.devices", []any{int64(4), "path"}, "linux.devices[4].path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Path(tc.base, tc.elems...); got != tc.want {
				t.Errorf("Path(%q, %v) = %q, want %q", tc.base, tc.elems, got, tc.want)
			}
		})
	}
}

func TestNamespaceFile(t *testing.T) {
	for typ, want := range map[specs.LinuxNamespaceType]string{
		specs.MountNamespace: "mnt", specs.NetworkNamespace: "net", specs.CgroupNamespace: "cgroup",
		specs.IPCNamespace: "ipc", specs.PIDNamespace: "pid", specs.TimeNamespace: "time",
		specs.UserNamespace: "user", specs.UTSNamespace: "uts", "bogus": "",
	} {
		t.Run(string(typ), func(t *testing.T) {
			if got := NamespaceFile(typ); got != want {
				t.Errorf("NamespaceFile(%q) = %q, want %q", typ, got, want)
			}
		})
	}
}

func TestIsBind(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    specs.Mount
		want bool
	}{
		{"type bind", specs.Mount{Type: "bind"}, true},
		{"rbind option", specs.Mount{Type: "none", Options: []string{"ro", "rbind"}}, true},
		{"bind option", specs.Mount{Options: []string{"bind"}}, true},
		{"tmpfs", specs.Mount{Type: "tmpfs", Options: []string{"nosuid"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsBind(tc.m); got != tc.want {
				t.Errorf("IsBind = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCapabilitySets(t *testing.T) {
	if CapabilitySets(nil) != nil {
		t.Error("nil capabilities have sets")
	}
	c := &specs.LinuxCapabilities{Bounding: []string{"B"}, Effective: []string{"E"}, Inheritable: []string{"I"}, Permitted: []string{"P"}, Ambient: []string{"A"}}
	got := ""
	for _, s := range CapabilitySets(c) {
		got += s.Name + "=" + s.Caps[0] + " "
	}
	if want := "bounding=B effective=E inheritable=I permitted=P ambient=A "; got != want {
		t.Errorf("sets %q, want %q", got, want)
	}
}
