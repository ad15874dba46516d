package linux

import (
	"errors"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
)

// Sysctl errors come back from the container's init as text; the
// explanation names the config.json entry, however the key is spelt.
func TestExplainSysctl(t *testing.T) {
	const (
		writeErr = `unable to start container process: error during container init: failed to write sysctl net.ipv4.ip_forward = "7": write /proc/sys/net/ipv4/ip_forward: invalid argument`
		openErr  = `unable to start container process: error during container init: open sysctl net.ipv4.no_such file: open /proc/sys/net/ipv4/no_such: no such file or directory`
		openPerm = `unable to start container process: error during container init: open sysctl net.ipv4.no_such file: open /proc/sys/net/ipv4/no_such: permission denied`
	)
	for _, tc := range []struct {
		name    string
		err     string
		sysctl  map[string]string
		noLinux bool
		want    string // appended to err; "" = unchanged
	}{
		{"write refused", writeErr, map[string]string{"net.ipv4.ip_forward": "7"},
			false, `; /b/config.json: linux.sysctl["net.ipv4.ip_forward"]: "7": the kernel refused this value`},
		{"write refused, key with slashes", writeErr, map[string]string{"net/ipv4/ip_forward": "7"},
			false, `; /b/config.json: linux.sysctl["net.ipv4.ip_forward"]: "7": the kernel refused this value`},
		{"no such sysctl", openErr, map[string]string{"net.ipv4.no_such": "1"},
			false, `; /b/config.json: linux.sysctl["net.ipv4.no_such"]: "1": there is no such sysctl in the container (this kernel lacks it, or it is for a network device the container does not have)`},
		{"open refused otherwise", openPerm, map[string]string{"net.ipv4.no_such": "1"}, false, ""},
		{"key not in config.json", writeErr, map[string]string{"net.core.somaxconn": "1"}, false, ""},
		{"no linux section", writeErr, nil, true, ""},
		{"not a sysctl error", "unable to start container process: exec: \"x\": executable file not found in $PATH", nil, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &specs.Spec{Linux: &specs.Linux{Sysctl: tc.sysctl}}
			if tc.noLinux {
				s.Linux = nil
			}
			b := &spec.Bundle{Dir: "/b", ConfigPath: "/b/config.json", Spec: s}
			raw := errors.New(tc.err)
			got := ExplainStartError(raw, b)
			if tc.want == "" {
				if got != raw {
					t.Errorf("ExplainStartError changed the error: %v", got)
				}
				return
			}
			if got.Error() != tc.err+tc.want {
				t.Errorf("ExplainStartError:\n got %s\nwant %s", got, tc.err+tc.want)
			}
			if !errors.Is(got, raw) {
				t.Error("the explained error does not wrap libcontainer's")
			}
		})
	}
	if ExplainStartError(nil, nil) != nil {
		t.Error("ExplainStartError(nil) is not nil")
	}
}
