package spec

import (
	"reflect"
	"testing"
)

func TestDefaultFor(t *testing.T) {
	for _, tc := range []struct {
		name              string
		rootless, cgroup2 bool
		wantNS            []string
	}{
		{"root cgroup1", false, false, []string{"pid", "network", "ipc", "uts", "mount"}},
		{"root cgroup2", false, true, []string{"pid", "network", "ipc", "uts", "mount", "cgroup"}},
		{"rootless cgroup2", true, true, []string{"pid", "ipc", "uts", "mount", "cgroup", "user"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultFor(tc.rootless, tc.cgroup2, 1234, 5678)
			var ns []string
			for _, n := range s.Linux.Namespaces {
				ns = append(ns, string(n.Type))
			}
			if !reflect.DeepEqual(ns, tc.wantNS) {
				t.Errorf("namespaces = %v, want %v", ns, tc.wantNS)
			}
			if tc.rootless {
				if m := s.Linux.UIDMappings; len(m) != 1 || m[0].HostID != 1234 || m[0].Size != 1 {
					t.Errorf("uid mappings = %+v", m)
				}
				if m := s.Linux.GIDMappings; len(m) != 1 || m[0].HostID != 5678 {
					t.Errorf("gid mappings = %+v", m)
				}
				if s.Linux.Resources != nil {
					t.Errorf("rootless keeps resources")
				}
				for _, m := range s.Mounts {
					for _, o := range m.Options {
						if o == "gid=5" {
							t.Errorf("rootless keeps %s on %s", o, m.Destination)
						}
					}
				}
			}
			if err := Validate(bundleOf(s)); err != nil {
				t.Errorf("default does not validate: %v", err)
			}
			opts := Options{ID: "x", RootlessEUID: tc.rootless, RootlessCgroups: tc.rootless}
			if _, _, err := Translate(bundleOf(s), opts); err != nil {
				t.Errorf("default does not translate: %v", err)
			}
		})
	}
}
