package linux

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseRootless(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		in   string
		want *bool
		err  bool
	}{
		{"", nil, false},
		{"auto", nil, false},
		{"AUTO", nil, false},
		{"true", &yes, false},
		{"1", &yes, false},
		{"false", &no, false},
		{"F", &no, false},
		{"maybe", nil, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRootless(tc.in)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), `--rootless "maybe"`) {
					t.Errorf("error %q does not name the value", err)
				}
				return
			}
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// runc's shouldUseRootlessCgroupManager, case by case.
func TestRootlessCgroupsFor(t *testing.T) {
	yes, no := true, false
	owner := func(uid int, err error) func() (int, error) { return func() (int, error) { return uid, err } }
	for _, tc := range []struct {
		name     string
		flag     *bool
		euid     int
		inUserNS bool
		systemd  bool
		owner    func() (int, error)
		want     bool
	}{
		{"--rootless true as root", &yes, 0, false, false, nil, true},
		{"--rootless false as a user", &no, 1000, false, false, nil, false},
		{"auto, a user", nil, 1000, false, false, nil, true},
		{"auto, root", nil, 0, false, false, nil, false},
		{"auto, root in a user namespace, cgroupfs", nil, 0, true, false, nil, true},
		{"auto, root in a user namespace, systemd of a user", nil, 0, true, true, owner(1000, nil), true},
		{"auto, root in a user namespace, systemd of root", nil, 0, true, true, owner(0, nil), false},
		{"auto, root in a user namespace, no user bus", nil, 0, true, true, owner(0, errors.New("no bus")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rootlessCgroupsFor(tc.flag, tc.euid, tc.inUserNS, tc.systemd, tc.owner); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// runc's root default and shouldHonorXDGRuntimeDir.
func TestDefaultRootFor(t *testing.T) {
	for _, tc := range []struct {
		name     string
		euid     int
		inUserNS bool
		user     string
		userSet  bool
		xdg      string
		want     string
		wantXDG  bool
	}{
		{"root", 0, false, "root", true, "/run/user/0", DefaultRoot, false},
		{"root without XDG_RUNTIME_DIR", 0, false, "root", true, "", DefaultRoot, false},
		{"a user", 1000, false, "alice", true, "/run/user/1000", "/run/user/1000/hull", true},
		{"a user without XDG_RUNTIME_DIR", 1000, false, "alice", true, "", DefaultRoot, false},
		{"root in a user namespace, USER=alice", 0, true, "alice", true, "/run/user/1000", "/run/user/1000/hull", true},
		{"root in a user namespace, no USER", 0, true, "", false, "/run/user/1000", "/run/user/1000/hull", true},
		{"root in a user namespace, USER=root", 0, true, "root", true, "/run/user/0", DefaultRoot, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, xdg := defaultRootFor(tc.euid, tc.inUserNS, tc.user, tc.userSet, tc.xdg)
			if got != tc.want || xdg != tc.wantXDG {
				t.Errorf("got %q, %v; want %q, %v", got, xdg, tc.want, tc.wantXDG)
			}
		})
	}
}

func TestSubIDRanges(t *testing.T) {
	entries := []user.SubID{
		{Name: "alice", SubID: 100000, Count: 65536},
		{Name: "bob", SubID: 200000, Count: 65536},
		{Name: "1000", SubID: 300000, Count: 10},
	}
	got := subIDRanges(entries, "alice", 1000)
	want := []idRange{{100000, 65536}, {300000, 10}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("alice (uid 1000): got %v, want %v", got, want)
	}
	if got := subIDRanges(entries, "carol", 1002); len(got) != 0 {
		t.Errorf("carol: got %v, want none", got)
	}
}

func TestMappingProblem(t *testing.T) {
	sub := []idRange{{100000, 65536}}
	for _, tc := range []struct {
		name string
		m    specs.LinuxIDMapping
		want string // in the problem; "" for none
	}{
		{"own id", specs.LinuxIDMapping{ContainerID: 0, HostID: 1000, Size: 1}, ""},
		{"whole range", specs.LinuxIDMapping{ContainerID: 1, HostID: 100000, Size: 65536}, ""},
		{"inside the range", specs.LinuxIDMapping{ContainerID: 1, HostID: 100010, Size: 10}, ""},
		{"past the range's end", specs.LinuxIDMapping{ContainerID: 1, HostID: 100000, Size: 65537}, "host ids 100000-165536 are not id 1000's to map: it may map 1000 (its own), 100000-165535 (/etc/subuid)"},
		{"own id and more", specs.LinuxIDMapping{ContainerID: 0, HostID: 1000, Size: 2}, "host ids 1000-1001"},
		{"another user's", specs.LinuxIDMapping{ContainerID: 0, HostID: 0, Size: 1}, "host ids 0-0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mappingProblem(tc.m, 1000, sub, "/etc/subuid")
			if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRootlessFindings(t *testing.T) {
	userNS := []specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.UserNamespace}}
	own := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}
	ranges := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}}
	found := func(string) (string, error) { return "/usr/bin/newuidmap", nil }
	missing := func(name string) (string, error) { return "", errors.New(name + ": not found") }
	h := rootlessHost{euid: 1000, egid: 1000, groups: []int{1000, 27}, userName: "alice",
		subuid: []idRange{{100000, 65536}}, subgid: []idRange{{100000, 65536}}, lookPath: found}
	for _, tc := range []struct {
		name  string
		l     specs.Linux
		h     func(rootlessHost) rootlessHost
		paths []string // of the findings, in order
	}{
		{"own ids", specs.Linux{Namespaces: userNS, UIDMappings: own, GIDMappings: own}, nil, nil},
		{"ranges with newuidmap", specs.Linux{Namespaces: userNS, UIDMappings: ranges, GIDMappings: ranges}, nil, nil},
		{"ranges without newuidmap", specs.Linux{Namespaces: userNS, UIDMappings: ranges, GIDMappings: own},
			func(h rootlessHost) rootlessHost { h.lookPath = missing; return h }, []string{"linux.uidMappings"}},
		{"ranges without /etc/subuid", specs.Linux{Namespaces: userNS, UIDMappings: ranges, GIDMappings: own},
			func(h rootlessHost) rootlessHost { h.subuid = nil; return h }, []string{"linux.uidMappings[1]"}},
		{"root mapped to a subordinate id", specs.Linux{Namespaces: userNS,
			UIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 1000}}, GIDMappings: own},
			nil, []string{"linux.uidMappings"}},
		{"root group one of the user's", specs.Linux{Namespaces: userNS, UIDMappings: own,
			GIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 27, Size: 1}}},
			nil, []string{"linux.gidMappings[0]"}},
		{"joined user namespace: its mappings are not hull's to write", specs.Linux{
			Namespaces: []specs.LinuxNamespace{{Type: specs.UserNamespace, Path: "/proc/1/ns/user"}}}, nil, nil},
		{"network namespace joined from a new user namespace", specs.Linux{Namespaces: append(userNS[:2:2],
			specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/run/netns/x"}), UIDMappings: own, GIDMappings: own},
			nil, []string{"linux.namespaces[2].path"}},
		{"network namespace joined from a joined user namespace", specs.Linux{Namespaces: []specs.LinuxNamespace{
			{Type: specs.UserNamespace, Path: "/proc/9/ns/user"}, {Type: specs.NetworkNamespace, Path: "/proc/9/ns/net"}}},
			nil, nil},
		{"host device", specs.Linux{Namespaces: userNS, UIDMappings: own, GIDMappings: own,
			Devices: []specs.LinuxDevice{{Path: "/dev/null", Type: "c", Major: 1, Minor: 3}}}, nil, nil},
		{"device the host lacks", specs.Linux{Namespaces: userNS, UIDMappings: own, GIDMappings: own,
			Devices: []specs.LinuxDevice{{Path: "/dev/hull-no-such-device", Type: "c", Major: 1, Minor: 3}}}, nil, []string{"linux.devices[0].path"}},
		{"device numbers not the host's", specs.Linux{Namespaces: userNS, UIDMappings: own, GIDMappings: own,
			Devices: []specs.LinuxDevice{{Path: "/dev/null", Type: "c", Major: 1, Minor: 5}}}, nil, []string{"linux.devices[0].path"}},
		{"intelRdt", specs.Linux{Namespaces: userNS, UIDMappings: own, GIDMappings: own, IntelRdt: &specs.LinuxIntelRdt{ClosID: "x"}},
			nil, []string{"linux.intelRdt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := h
			if tc.h != nil {
				host = tc.h(h)
			}
			l := tc.l
			got := rootlessFindings(&specs.Spec{Linux: &l}, host)
			var paths []string
			for _, f := range got {
				paths = append(paths, f.path)
			}
			if strings.Join(paths, " ") != strings.Join(tc.paths, " ") {
				t.Errorf("findings at %v, want %v: %+v", paths, tc.paths, got)
			}
		})
	}
}

func TestSettableResources(t *testing.T) {
	lim := int64(10)
	r := &specs.LinuxResources{
		Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
		Memory:  &specs.LinuxMemory{Limit: &lim},
		Pids:    &specs.LinuxPids{Limit: &lim},
		Unified: map[string]string{"io.weight": "10"},
	}
	var got []string
	for _, d := range settableResources(r) {
		got = append(got, d.path+"="+d.controller)
	}
	want := "linux.resources.memory=memory linux.resources.pids=pids linux.resources.unified=unified"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s (devices are not among them)", got, want)
	}
	if got := settableResources(&specs.LinuxResources{Devices: r.Devices}); len(got) != 0 {
		t.Errorf("device rules alone: got %v, want none", got)
	}
}

// A cgroup systemd delegates to a user has memory and pids, not cpu or
// io, unless configured.
func TestMissingControllers(t *testing.T) {
	lim, shares := int64(10), uint64(100)
	have := []string{"memory", "pids"}
	for _, tc := range []struct {
		name string
		res  *specs.LinuxResources
		want string
	}{
		{"none", nil, ""},
		{"memory and pids", &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &lim}, Pids: &specs.LinuxPids{Limit: &lim}}, ""},
		{"cpu shares", &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: &shares}}, "linux.resources.cpu=cpu"},
		{"cpus", &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0"}}, "linux.resources.cpu=cpuset"},
		{"blockIO", &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{}}, "linux.resources.blockIO=io"},
		{"unified", &specs.LinuxResources{Unified: map[string]string{"memory.high": "1M", "io.weight": "10", "cgroup.freeze": "0"}},
			`linux.resources.unified["io.weight"]=io`},
		{"devices alone", &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Access: "rwm"}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range missingControllers(tc.res, have) {
				got = append(got, m.path+"="+m.controller)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %q", got, tc.want)
			}
		})
	}
}

func TestRootlessSysctlFindings(t *testing.T) {
	probe := func(files []string) (map[string]string, error) {
		bad := map[string]string{}
		for _, f := range files {
			switch f {
			case "net/core/rmem_max":
				bad[f] = "read-only"
			case "net/ipv4/conf/eth0/forwarding":
				bad[f] = "missing"
			}
		}
		return bad, nil
	}
	private := []specs.LinuxNamespace{{Type: specs.UserNamespace}, {Type: specs.NetworkNamespace}, {Type: specs.IPCNamespace}}
	for _, tc := range []struct {
		name   string
		ns     []specs.LinuxNamespace
		sysctl map[string]string
		want   string
	}{
		{"writable", private, map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "1", "fs.mqueue.msg_max": "9"}, ""},
		{"read-only", private, map[string]string{"net.core.rmem_max": "1"}, `linux.sysctl["net.core.rmem_max"]`},
		{"slashed form", private, map[string]string{"net/core/rmem_max": "1"}, `linux.sysctl["net/core/rmem_max"]`},
		{"missing", private, map[string]string{"net.ipv4.conf.eth0.forwarding": "1"}, `linux.sysctl["net.ipv4.conf.eth0.forwarding"]`},
		{"network namespace joined", []specs.LinuxNamespace{{Type: specs.UserNamespace}, {Type: specs.NetworkNamespace, Path: "/run/netns/x"}},
			map[string]string{"net.core.rmem_max": "1"}, ""},
		{"user namespace joined", []specs.LinuxNamespace{{Type: specs.UserNamespace, Path: "/proc/1/ns/user"}, {Type: specs.NetworkNamespace}},
			map[string]string{"net.core.rmem_max": "1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range rootlessSysctlFindings(&specs.Linux{Namespaces: tc.ns, Sysctl: tc.sysctl}, probe) {
				got = append(got, f.path)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %q", got, tc.want)
			}
		})
	}
}

func TestCommonAncestor(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"/sys/fs/cgroup/user.slice/u/app.slice/x.scope", "/sys/fs/cgroup/user.slice/u/app.slice/ctr", "/sys/fs/cgroup/user.slice/u/app.slice"},
		{"/sys/fs/cgroup/system.slice/a", "/sys/fs/cgroup/deleg/ctr", "/sys/fs/cgroup"},
		{"/sys/fs/cgroup/a", "/sys/fs/cgroup/a", "/sys/fs/cgroup/a"},
		{"/sys/fs/cgroup/ab", "/sys/fs/cgroup/a", "/sys/fs/cgroup"},
		{"/a", "/b", "/"},
	} {
		t.Run(tc.a+" "+tc.b, func(t *testing.T) {
			if got := commonAncestor(tc.a, tc.b); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
