package spec

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
	devices "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/opencontainers/runc/libcontainer/configs"
)

func translate(t *testing.T, s *specs.Spec, opts Options) (*configs.Config, *Process) {
	t.Helper()
	if opts.ID == "" {
		opts.ID = "ctr"
	}
	cfg, p, err := Translate(bundleOf(s), opts)
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	return cfg, p
}

func TestTranslateRoot(t *testing.T) {
	for _, tc := range []struct {
		path     string
		readonly bool
		want     string
	}{
		{"rootfs", true, testBundle + "/rootfs"},
		{"./a/../rootfs/", false, testBundle + "/rootfs"},
		{"/abs/rootfs", false, "/abs/rootfs"},
		{"/abs/./rootfs", false, "/abs/./rootfs"}, // as runc: absolute paths are taken as written
	} {
		t.Run(tc.path, func(t *testing.T) {
			s := validSpec()
			s.Root = &specs.Root{Path: tc.path, Readonly: tc.readonly}
			cfg, _ := translate(t, s, Options{})
			if cfg.Rootfs != tc.want || cfg.Readonlyfs != tc.readonly {
				t.Errorf("Rootfs, Readonlyfs = %q, %v; want %q, %v", cfg.Rootfs, cfg.Readonlyfs, tc.want, tc.readonly)
			}
		})
	}
}

func TestTranslateMountOptions(t *testing.T) {
	for _, tc := range []struct {
		opts      string
		flags     int
		cleared   int
		prop      []int
		data      string
		recSet    uint64
		recClr    uint64
		ext       int
		idmap     *configs.MountIDMapping
		bindMount bool
	}{
		{opts: "", flags: 0},
		{opts: "ro,nosuid,nodev,noexec", flags: unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC},
		{opts: "ro,rw", cleared: unix.MS_RDONLY},
		{opts: "rw,ro", flags: unix.MS_RDONLY},
		{opts: "defaults", flags: 0},
		{opts: "bind", flags: unix.MS_BIND, bindMount: true},
		{opts: "rbind", flags: unix.MS_BIND | unix.MS_REC, bindMount: true},
		{opts: "rprivate,slave", prop: []int{unix.MS_PRIVATE | unix.MS_REC, unix.MS_SLAVE}},
		{opts: "mode=755,size=64k,acl", data: "mode=755,size=64k,acl"},
		{opts: "rro,rnosuid", recSet: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID},
		{opts: "rro,rrw", recClr: unix.MOUNT_ATTR_RDONLY},
		{opts: "rnoatime", recSet: unix.MOUNT_ATTR_NOATIME, recClr: unix.MOUNT_ATTR__ATIME},
		{opts: "rrelatime", recClr: unix.MOUNT_ATTR__ATIME},
		{opts: "tmpcopyup", ext: configs.EXT_COPYUP},
		{opts: "rbind,idmap", flags: unix.MS_BIND | unix.MS_REC, idmap: &configs.MountIDMapping{}, bindMount: true},
		{opts: "bind,ridmap", flags: unix.MS_BIND, idmap: &configs.MountIDMapping{Recursive: true}, bindMount: true},
		{opts: "nosymfollow,symfollow", cleared: unix.MS_NOSYMFOLLOW},
		{opts: "strictatime,nostrictatime,relatime", flags: unix.MS_RELATIME, cleared: unix.MS_STRICTATIME},
	} {
		t.Run(tc.opts, func(t *testing.T) {
			var opts []string
			if tc.opts != "" {
				opts = strings.Split(tc.opts, ",")
			}
			m := parseMountOptions(opts)
			if m.Flags != tc.flags || m.ClearedFlags != tc.cleared {
				t.Errorf("flags %#x cleared %#x, want %#x %#x", m.Flags, m.ClearedFlags, tc.flags, tc.cleared)
			}
			if !reflect.DeepEqual(m.PropagationFlags, tc.prop) {
				t.Errorf("propagation %v, want %v", m.PropagationFlags, tc.prop)
			}
			if m.Data != tc.data {
				t.Errorf("data %q, want %q", m.Data, tc.data)
			}
			var set, clr uint64
			if m.RecAttr != nil {
				set, clr = m.RecAttr.Attr_set, m.RecAttr.Attr_clr
			}
			if set != tc.recSet || clr != tc.recClr {
				t.Errorf("rec attr set %#x clr %#x, want %#x %#x", set, clr, tc.recSet, tc.recClr)
			}
			if m.Extensions != tc.ext || !reflect.DeepEqual(m.IDMapping, tc.idmap) || m.IsBind() != tc.bindMount {
				t.Errorf("ext %d idmap %+v bind %v", m.Extensions, m.IDMapping, m.IsBind())
			}
		})
	}
}

func TestTranslateMountSource(t *testing.T) {
	for _, tc := range []struct {
		name   string
		m      specs.Mount
		source string
		device string
	}{
		{"tmpfs keeps source", specs.Mount{Destination: "/t", Type: "tmpfs", Source: "tmpfs"}, "tmpfs", "tmpfs"},
		{"bind relative source", specs.Mount{Destination: "/d", Type: "bind", Source: "data/x", Options: []string{"bind"}}, testBundle + "/data/x", "bind"},
		{"rbind type none", specs.Mount{Destination: "/d", Type: "none", Source: "/srv", Options: []string{"rbind"}}, "/srv", "bind"},
		{"relative destination kept", specs.Mount{Destination: "rel/d", Type: "tmpfs", Source: "tmpfs"}, "tmpfs", "tmpfs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			s.Mounts = []specs.Mount{tc.m}
			cfg, _ := translate(t, s, Options{})
			m := cfg.Mounts[0]
			if m.Source != tc.source || m.Device != tc.device || m.Destination != tc.m.Destination {
				t.Errorf("source %q device %q dest %q; want %q %q %q", m.Source, m.Device, m.Destination, tc.source, tc.device, tc.m.Destination)
			}
		})
	}
}

func TestTranslateCgroupsPath(t *testing.T) {
	for _, tc := range []struct {
		path    string
		systemd bool
		want    cgroups.Cgroup // Name, Parent, Path, ScopePrefix
	}{
		{"", false, cgroups.Cgroup{Name: "ctr"}},
		{"hull/ctr", false, cgroups.Cgroup{Path: "hull/ctr"}},
		{"/hull/ctr", false, cgroups.Cgroup{Path: "/hull/ctr"}},
		{"../../escape", false, cgroups.Cgroup{Path: "escape"}},
		{"/../a/./b/", false, cgroups.Cgroup{Path: "/a/b"}},
		{"..", false, cgroups.Cgroup{Path: "."}},
		{"", true, cgroups.Cgroup{Name: "ctr", ScopePrefix: "runc"}},
		{"system.slice:hull:ctr", true, cgroups.Cgroup{Parent: "system.slice", ScopePrefix: "hull", Name: "ctr"}},
		{"::ctr", true, cgroups.Cgroup{Name: "ctr"}},
	} {
		name := tc.path
		if tc.systemd {
			name = "systemd " + name
		}
		t.Run(name, func(t *testing.T) {
			s := validSpec()
			s.Linux.CgroupsPath = tc.path
			cfg, _ := translate(t, s, Options{SystemdCgroup: tc.systemd})
			c := cfg.Cgroups
			got := cgroups.Cgroup{Name: c.Name, Parent: c.Parent, Path: c.Path, ScopePrefix: c.ScopePrefix}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if c.Systemd != tc.systemd {
				t.Errorf("Systemd = %v", c.Systemd)
			}
		})
	}
}

func TestTranslateDevices(t *testing.T) {
	s := validSpec()
	s.Linux.Devices = []specs.LinuxDevice{
		{Path: "/dev/null", Type: "c", Major: 1, Minor: 3, UID: ptr(uint32(5))},
		{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, FileMode: ptr(os.FileMode(0o20600))},
		{Path: "/dev/fifo", Type: "p", Major: 8, Minor: 666},
	}
	cfg, _ := translate(t, s, Options{})
	if d := cfg.Devices[len(cfg.Devices)-1]; d.Rule.Type != devices.FifoDevice || d.Major != 0 || d.Minor != 0 {
		t.Errorf("fifo = %+v: a FIFO has no device number", d)
	}
	cfg.Devices = cfg.Devices[:len(cfg.Devices)-1]
	var paths []string
	for _, d := range cfg.Devices {
		paths = append(paths, d.Path)
	}
	// Default devices first, minus the one linux.devices replaces.
	want := "/dev/random /dev/full /dev/tty /dev/zero /dev/urandom /dev/null /dev/fuse"
	if strings.Join(paths, " ") != want {
		t.Errorf("devices %v, want %s", paths, want)
	}
	if d := cfg.Devices[6]; d.FileMode != 0o600 || d.Rule.Type != devices.CharDevice {
		t.Errorf("fuse = %+v: file type bits must be dropped", d)
	}
	if d := cfg.Devices[5]; d.Uid != 5 || d.FileMode != 0o666 {
		t.Errorf("null = %+v", d)
	}
	// The cgroup rules: the user's deny-all first, then runc's allow list
	// without /dev/null's entry.
	rules := cfg.Cgroups.Resources.Devices
	if len(rules) != 1+10 || rules[0].Allow || rules[0].Type != devices.WildcardDevice || rules[0].Major != -1 {
		t.Fatalf("rules %+v", rules)
	}
	for _, r := range rules[1:] {
		if !r.Allow {
			t.Errorf("default rule %+v is not an allow rule", r)
		}
		if r.Major == 1 && r.Minor == 3 {
			t.Errorf("/dev/null's default rule was kept")
		}
	}
}

func TestTranslateUserNamespace(t *testing.T) {
	s := validSpec()
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
	s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 200000, Size: 65536}}
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/m", Source: "/srv", Options: []string{"rbind", "idmap"}})
	cfg, _ := translate(t, s, Options{})
	for _, d := range cfg.Devices {
		if d.Uid != 100000 || d.Gid != 200000 {
			t.Errorf("device %s owned by %d:%d, want the container's root 100000:200000", d.Path, d.Uid, d.Gid)
		}
	}
	m := cfg.Mounts[len(cfg.Mounts)-1].IDMapping
	if m == nil || len(m.UIDMappings) != 1 || m.UIDMappings[0].HostID != 100000 || m.GIDMappings[0].HostID != 200000 {
		t.Errorf("idmap mount mappings = %+v", m)
	}
	// Fresh default devices each time: a second translation without a
	// user namespace is not affected.
	cfg2, _ := translate(t, validSpec(), Options{})
	if cfg2.Devices[0].Uid != 0 {
		t.Errorf("device ownership leaked between translations")
	}
}

func TestTranslateProcess(t *testing.T) {
	s := validSpec()
	p := s.Process
	p.User = specs.User{UID: 1, GID: 2, AdditionalGids: []uint32{3, 4}, Umask: ptr(uint32(0o27))}
	p.ConsoleSize = &specs.Box{Height: 24, Width: 80}
	p.OOMScoreAdj = ptr(100)
	p.ApparmorProfile = "prof"
	p.SelinuxLabel = "label"
	cfg, proc := translate(t, s, Options{})
	if proc.UID != 1 || proc.GID != 2 || !reflect.DeepEqual(proc.AdditionalGroups, []int{3, 4}) {
		t.Errorf("ids %d %d %v", proc.UID, proc.GID, proc.AdditionalGroups)
	}
	if proc.ConsoleWidth != 80 || proc.ConsoleHeight != 24 || !proc.Terminal {
		t.Errorf("console %dx%d terminal %v", proc.ConsoleWidth, proc.ConsoleHeight, proc.Terminal)
	}
	if *cfg.Umask != 0o27 || *cfg.OomScoreAdj != 100 || cfg.ProcessLabel != "label" || cfg.AppArmorProfile != "prof" || !cfg.NoNewPrivileges {
		t.Errorf("config process fields: umask %o oom %d label %q apparmor %q nnp %v", *cfg.Umask, *cfg.OomScoreAdj, cfg.ProcessLabel, cfg.AppArmorProfile, cfg.NoNewPrivileges)
	}
	if len(cfg.Rlimits) != 1 || cfg.Rlimits[0].Type != unix.RLIMIT_NOFILE || !reflect.DeepEqual(cfg.Rlimits, proc.Rlimits) {
		t.Errorf("rlimits %+v / %+v", cfg.Rlimits, proc.Rlimits)
	}
	if !reflect.DeepEqual(cfg.Capabilities, proc.Capabilities) || len(cfg.Capabilities.Bounding) != 3 {
		t.Errorf("capabilities %+v / %+v", cfg.Capabilities, proc.Capabilities)
	}
	// Nothing aliases the spec.
	proc.Args[0] = "changed"
	cfg.Capabilities.Bounding[0] = "changed"
	if s.Process.Args[0] != "sh" || s.Process.Capabilities.Bounding[0] != "CAP_AUDIT_WRITE" {
		t.Errorf("result shares memory with the spec")
	}
}

func TestTranslateLabelsAndHooks(t *testing.T) {
	s := validSpec()
	s.Annotations = map[string]string{"z": "1", "a": "b=c"}
	s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/x", Args: []string{"x"}, Timeout: ptr(3)}}}
	cfg, _ := translate(t, s, Options{})
	if want := []string{"a=b=c", "z=1", "bundle=" + testBundle}; !reflect.DeepEqual(cfg.Labels, want) {
		t.Errorf("labels %q, want %q", cfg.Labels, want)
	}
	h := cfg.Hooks[configs.Poststop]
	if len(h) != 1 {
		t.Fatalf("hooks %+v", cfg.Hooks)
	}
	c := h[0].(configs.CommandHook)
	if c.Path != "/bin/x" || *c.Timeout != 3*time.Second {
		t.Errorf("hook %+v", c.Command)
	}
	if cfg.Version != specs.Version {
		t.Errorf("Version = %q: like runc, the runtime-spec version hull implements", cfg.Version)
	}
}

func TestTranslateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*specs.Spec)
		opts   Options
		path   string
		msg    string
	}{
		{"invalid config", func(s *specs.Spec) { s.Process.Cwd = "x" }, Options{}, "process.cwd", "absolute"},
		{"systemd path format", func(s *specs.Spec) { s.Linux.CgroupsPath = "/a/b" }, Options{SystemdCgroup: true}, "linux.cgroupsPath", `"slice:prefix:name"`},
		{"private propagation without pivot_root", func(s *specs.Spec) { s.Linux.RootfsPropagation = "rprivate" }, Options{NoPivotRoot: true}, "linux.rootfsPropagation", "drop --no-pivot"},
		{"rootless without userns", func(*specs.Spec) {}, Options{RootlessEUID: true}, "linux.namespaces", "needs a user namespace"},
		{"rootless unmapped gid option", func(s *specs.Spec) {
			*s = *DefaultFor(true, true, 1000, 1000)
			s.Mounts[2].Options = append(s.Mounts[2].Options, "gid=5")
		}, Options{RootlessEUID: true}, "mounts[2].options", "gid 5 is not mapped"},
		{"rootless idmap", func(s *specs.Spec) {
			*s = *DefaultFor(true, true, 1000, 1000)
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/m", Source: "/s", Options: []string{"bind", "idmap"}})
		}, Options{RootlessEUID: true}, "mounts[7]", "need a root runtime"},
		{"userns root unmapped", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 1, HostID: 1000, Size: 1}}
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}
		}, Options{}, "linux.uidMappings", "container uid 0 is not mapped"},
		{"userns by path without reader", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: "/proc/1/ns/user"})
		}, Options{}, "linux.namespaces[6].path", "joining a user namespace by path"},
		{"userns by path unreadable", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: "/run/userns"})
		}, Options{UserNSMappings: func(string) ([]configs.IDMap, []configs.IDMap, error) {
			return nil, nil, errors.New("setns: invalid argument")
		}}, "linux.namespaces[6].path", "cannot read the user namespace's id mappings: setns: invalid argument"},
		{"userns by path with other mappings", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: "/proc/1/ns/user"})
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 5, Size: 1}}
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 5, Size: 1}}
		}, Options{UserNSMappings: func(string) ([]configs.IDMap, []configs.IDMap, error) {
			return []configs.IDMap{{HostID: 7, Size: 1}}, []configs.IDMap{{HostID: 7, Size: 1}}, nil
		}}, "linux", "remove the mappings"},
		{"bad systemd property", func(s *specs.Spec) {
			s.Annotations = map[string]string{"org.systemd.property.CPU1": "uint64 1"}
		}, Options{SystemdCgroup: true}, `annotations["org.systemd.property.CPU1"]`, "latin letters"},
		{"rootless additional gids", func(s *specs.Spec) {
			*s = *DefaultFor(true, true, 1000, 1000)
			s.Process.User.AdditionalGids = []uint32{1}
		}, Options{RootlessEUID: true}, "process.user.additionalGids", "cannot set any additional groups in a rootless container"},
		{"rootless sysfs without netns", func(s *specs.Spec) {
			*s = *DefaultFor(true, true, 1000, 1000)
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/sys2", Type: "sysfs", Source: "sysfs"})
		}, Options{RootlessEUID: true}, "mounts[7].type", "sysfs only in a network namespace of its own"},
		{"rootless proc without pid ns", func(s *specs.Spec) {
			*s = *DefaultFor(true, true, 1000, 1000)
			s.Linux.Namespaces = slices.DeleteFunc(s.Linux.Namespaces, func(n specs.LinuxNamespace) bool { return n.Type == specs.PIDNamespace })
		}, Options{RootlessEUID: true}, "mounts[0].type", "proc only in a pid namespace of its own"},
		{"netdevices rootless", func(s *specs.Spec) {
			*s = *DefaultFor(true, true, 1000, 1000)
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "network"})
			s.Linux.NetDevices = map[string]specs.LinuxNetDevice{"eth1": {}}
		}, Options{RootlessEUID: true}, "linux.netDevices", "root runtime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			tc.mutate(s)
			if tc.opts.ID == "" {
				tc.opts.ID = "ctr"
			}
			cfg, p, err := Translate(bundleOf(s), tc.opts)
			if err == nil || cfg != nil || p != nil {
				t.Fatalf("Translate succeeded")
			}
			errs := fieldErrors(t, err)
			if len(errs) != 1 || errs[0].Path != tc.path || !strings.Contains(errs[0].Msg, tc.msg) {
				t.Errorf("got %v; want one error at %s containing %q", errs, tc.path, tc.msg)
			}
		})
	}
}
