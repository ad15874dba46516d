package linux

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer/configs"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       procStat
		bad        bool
	}{
		{"plain", "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 305659 1000 10", procStat{'S', 305659}, false},
		{"name with spaces and parens", "7 (a) b (c)) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0", procStat{'Z', 99}, false},
		{"libcontainer init", "17614 (runc:[2:INIT]) S 1 17614 17614 0 -1 4194624 647 0 0 0 0 1 0 0 20 0 5 0 306616 1603117056 3214", procStat{'S', 306616}, false},
		{"no name", "42 sleep S 1", procStat{}, true},
		{"short", "42 (sleep) S 1 42", procStat{}, true},
		{"start not a number", "42 (sleep) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x 1", procStat{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat(tc.line)
			if (err != nil) != tc.bad || got != tc.want {
				t.Errorf("parseStat = %+v, %v; want %+v, error %v", got, err, tc.want, tc.bad)
			}
		})
	}
}

func TestHalfStatus(t *testing.T) {
	in := &intent{Hull: procRef{Pid: 10, Start: 5}}
	for _, tc := range []struct {
		name  string
		alive bool
		want  string
	}{{"its hull runs", true, statusCreating}, {"its hull is gone", false, statusStopped}} {
		t.Run(tc.name, func(t *testing.T) {
			got := halfStatus(in, func(p procRef) bool {
				if p != in.Hull {
					t.Errorf("asked about %+v, want the hull %+v", p, in.Hull)
				}
				return tc.alive
			})
			if got != tc.want {
				t.Errorf("halfStatus = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProcAlive(t *testing.T) {
	self := selfRef()
	for _, tc := range []struct {
		name string
		p    procRef
		want bool
	}{
		{"this process", self, true},
		{"its pid reused", procRef{Pid: self.Pid, Start: self.Start + 1}, false},
		{"no pid", procRef{}, false},
		{"no such process", procRef{Pid: 1 << 30, Start: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := procAlive(tc.p); got != tc.want {
				t.Errorf("procAlive(%+v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestIntentRecord(t *testing.T) {
	l := layout{root: t.TempDir(), id: "c1"}
	if err := os.MkdirAll(l.dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Run("none", func(t *testing.T) {
		if in, err := l.readIntent(); in != nil || err != nil {
			t.Errorf("readIntent = %+v, %v; want nothing", in, err)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		want := &intent{
			ID: "c1", Bundle: "/b", Created: time.Unix(100, 0).UTC(), Hull: procRef{Pid: 3, Start: 4},
			Init:   &procRef{Pid: 5, Start: 6},
			Cgroup: intentCgroup{Paths: map[string]string{"": "/sys/fs/cgroup/unified/c1", "memory": "/sys/fs/cgroup/memory/c1"}, Existing: []string{"/sys/fs/cgroup/memory/c1"}},
		}
		if err := l.writeIntent(want); err != nil {
			t.Fatal(err)
		}
		got, err := l.readIntent()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("readIntent = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("broken", func(t *testing.T) {
		if err := os.WriteFile(l.file(intentFile), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := l.readIntent(); err == nil || !strings.Contains(err.Error(), intentFile) {
			t.Errorf("readIntent of a broken record: %v, want an error naming %s", err, intentFile)
		}
	})
}

func TestNewIntent(t *testing.T) {
	self := procRef{Pid: 1, Start: 2}
	t.Run("no cgroup", func(t *testing.T) {
		in := newIntent("c1", &configs.Config{Rootfs: "/r", Labels: []string{"bundle=/b", "k=v"}}, self)
		if in.Bundle != "/b" || in.Rootfs != "/r" || in.Annotations["k"] != "v" || in.Hull != self || len(in.Cgroup.Paths) != 0 {
			t.Errorf("newIntent = %+v", in)
		}
	})
	t.Run("systemd unit", func(t *testing.T) {
		cg := &cgroups.Cgroup{Systemd: true, Parent: "system.slice", ScopePrefix: "hull", Name: "c1", Resources: &cgroups.Resources{}}
		in := newIntent("c1", &configs.Config{Cgroups: cg}, self)
		if in.Cgroup.Unit != "hull-c1.scope" || !in.Cgroup.Systemd || in.Cgroup.Parent != "system.slice" {
			t.Errorf("newIntent cgroup = %+v", in.Cgroup)
		}
	})
}

func TestUnitName(t *testing.T) {
	for _, tc := range []struct {
		name string
		cg   cgroups.Cgroup
		want string
	}{
		{"scope", cgroups.Cgroup{ScopePrefix: "cri-containerd", Name: "abc"}, "cri-containerd-abc.scope"},
		{"slice", cgroups.Cgroup{ScopePrefix: "x", Name: "pod.slice"}, "pod.slice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unitName(&tc.cg); got != tc.want {
				t.Errorf("unitName = %q, want %q", got, tc.want)
			}
		})
	}
}
