package spec

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Configs that runc 1.5.3 runs (each was run with runc on the same
// bundle): hull runs them too, so Validate accepts them, and Warnings
// names the one value and what hull does with it.
func TestWarningsWhereRuncRuns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*specs.Spec)
		noUser bool
		path   string
		value  string // formatted value; "" when the warning has none
		msg    string // substring of Msg
	}{
		{"version missing", func(s *specs.Spec) { s.Version = "" }, false, "ociVersion", "", "missing; read as runtime-spec " + specs.Version},
		{"version 2.0.0", func(s *specs.Spec) { s.Version = "2.0.0" }, false, "ociVersion", `"2.0.0"`, "hull supports 1.0.0 to 1.3.x"},
		{"version 1.4.0", func(s *specs.Spec) { s.Version = "1.4.0" }, false, "ociVersion", `"1.4.0"`, "not written for"},
		{"version 0.6.0", func(s *specs.Spec) { s.Version = "0.6.0" }, false, "ociVersion", `"0.6.0"`, "not written for"},
		{"version 1.0.0-rc5", func(s *specs.Spec) { s.Version = "1.0.0-rc5" }, false, "ociVersion", `"1.0.0-rc5"`, "not written for"},
		{"version garbage", func(s *specs.Spec) { s.Version = "v1" }, false, "ociVersion", `"v1"`, "not a semantic version"},
		{"user missing", func(*specs.Spec) {}, true, "process.user", "", "runs as uid 0, gid 0"},
		{"umask above 0777", func(s *specs.Spec) { s.Process.User.Umask = ptr(uint32(0o1027)) }, false, "process.user.umask", "535", "keeps the low 9 bits, 027"},
		{"capability unknown", func(s *specs.Spec) { s.Process.Capabilities.Effective[1] = "CAP_KILLL" }, false, "process.capabilities.effective[1]", `"CAP_KILLL"`, "unknown capability, ignored"},
		{"capability newer than libcontainer", func(s *specs.Spec) {
			s.Process.Capabilities.Bounding = append(s.Process.Capabilities.Bounding, "CAP_FUTURE_THING")
		}, false, "process.capabilities.bounding[3]", `"CAP_FUTURE_THING"`, "as runc does"},
		{"capability lower case", func(s *specs.Spec) { s.Process.Capabilities.Ambient = []string{"chown"} }, false, "process.capabilities.ambient[0]", `"chown"`, "with the CAP_ prefix"},
		{"rlimit twice", func(s *specs.Spec) { s.Process.Rlimits = append(s.Process.Rlimits, s.Process.Rlimits[0]) }, false, "process.rlimits[1].type", `"RLIMIT_NOFILE"`, "also set by process.rlimits[0]"},
		{"uid mappings without userns", func(s *specs.Spec) { s.Linux.UIDMappings = []specs.LinuxIDMapping{{Size: 1}} }, false, "linux", "", "ignored without a user namespace"},
		{"masked path relative", func(s *specs.Spec) { s.Linux.MaskedPaths[2] = "proc/kcore" }, false, "linux.maskedPaths[2]", `"proc/kcore"`, "relative to the container's /"},
		{"readonly path relative", func(s *specs.Spec) { s.Linux.ReadonlyPaths[0] = "bus" }, false, "linux.readonlyPaths[0]", `"bus"`, "relative to the container's /"},
		{"device path relative", func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Path: "dev/fuse", Type: "c"}} }, false, "linux.devices[0].path", `"dev/fuse"`, "relative to the container's /"},
		{"device path empty", func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Type: "c"}} }, false, "linux.devices[0].path", `""`, "not an absolute path"},
		{"device rule access rwa", func(s *specs.Spec) {
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: "c", Access: "rwa"})
		}, false, "linux.resources.devices[1].access", `"rwa"`, `ignored, as runc does, so the rule grants "rw"`},
		{"device rule access x", func(s *specs.Spec) { s.Linux.Resources.Devices[0].Access = "x" }, false, "linux.resources.devices[0].access", `"x"`, "grants nothing"},
		{"personality flags", func(s *specs.Spec) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux, Flags: []specs.LinuxPersonalityFlag{"ADDR_NO_RANDOMIZE"}}
		}, false, "linux.personality.flags[0]", `"ADDR_NO_RANDOMIZE"`, "ignored (only the domain is applied)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			tc.mutate(s)
			b := bundleOf(s)
			b.noUser = tc.noUser
			if err := Validate(b); err != nil {
				t.Fatalf("Validate refuses what runc runs: %v", err)
			}
			ws := Warnings(b)
			if len(ws) != 1 {
				t.Fatalf("got %d warnings, want 1:\n%v", len(ws), ws)
			}
			w := ws[0]
			gotValue := ""
			if w.Value != nil {
				gotValue = formatValue(w.Value)
			}
			if w.Path != tc.path || gotValue != tc.value || !strings.Contains(w.Msg, tc.msg) {
				t.Errorf("warning %q\nwant path %s, value %s, msg containing %q", w, tc.path, tc.value, tc.msg)
			}
			if want := testBundle + "/config.json: " + tc.path + ": "; !strings.HasPrefix(w.Error(), want) {
				t.Errorf("Error() = %q, want it to start with %q", w.Error(), want)
			}
		})
	}
}

func TestWarningsNoneForDefault(t *testing.T) {
	for _, v := range []string{specs.Version, "1.0.0", "1.0.2-dev", "1.3.7+build"} {
		t.Run(v, func(t *testing.T) {
			s := validSpec()
			s.Version = v
			if ws := Warnings(bundleOf(s)); len(ws) != 0 {
				t.Errorf("warnings for a default config: %v", ws)
			}
		})
	}
}

// Errors runc reports in words scripts match start with those words.
func TestValidateLeadsWithRuncWords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*specs.Spec)
		want   string
	}{
		{"memory policy mode", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "BIND"} },
			`invalid memory policy mode "BIND": ` + testBundle + `/config.json: linux.memoryPolicy.mode: "BIND": unknown mode`},
		{"memory policy nodes", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "x"} },
			`invalid memory policy nodes "x": ` + testBundle + `/config.json: linux.memoryPolicy.nodes: "x": `},
		{"memory policy flag", func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind, Nodes: "0", Flags: []specs.MemoryPolicyFlagType{"F"}}
		}, `invalid memory policy flag "F": ` + testBundle + `/config.json: linux.memoryPolicy.flags[0]: "F": unknown flag`},
		{"memory policy default with nodes", func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolDefault, Nodes: "0"}
		},
			`memory policy mode requires 0 nodes but got 1: ` + testBundle + `/config.json: linux.memoryPolicy.nodes: "0": MPOL_DEFAULT takes no nodes`},
		{"memory policy bind without nodes", func(s *specs.Spec) { s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: specs.MpolBind} },
			`memory policy mode requires at least one node but got 0: ` + testBundle + `/config.json: linux.memoryPolicy.nodes: MPOL_BIND needs at least one node`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSpec()
			tc.mutate(s)
			err := Validate(bundleOf(s))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v\nwant it to start with %s", err, tc.want)
			}
			fieldErrors(t, err) // the FieldError is still inside
		})
	}
}
