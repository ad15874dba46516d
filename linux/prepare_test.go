package linux

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	cgsystemd "github.com/opencontainers/cgroups/systemd"
	"github.com/opencontainers/runc/libcontainer/apparmor"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
	"github.com/hullrt/hull/spec/spectest"
)

// The commands select from one list: create and `check --host` run every
// check, `check` all but the host's, in the list's order.
func TestPrepareRunsEveryCheck(t *testing.T) {
	dir := spectest.Bundle(t, nil, nil)
	paths := []struct {
		name string
		o    PrepareOptions
		host bool
	}{
		{"create", PrepareOptions{ID: "c1", Host: true}, true},
		{"check --host", PrepareOptions{ID: "check", Host: true}, true},
		{"check", PrepareOptions{ID: "check"}, false},
	}
	ran := map[string][]string{}
	for _, p := range paths {
		r := prepare(dir, p.o)
		if err := r.findings.Err(); err != nil {
			t.Fatalf("%s: the good bundle has errors: %v", p.name, err)
		}
		ran[p.name] = r.ran
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range paths {
				want := c.kind != kindHost || p.host
				if got := slices.Contains(ran[p.name], c.name); got != want {
					t.Errorf("%s: ran %v, want %v", p.name, got, want)
				}
			}
		})
	}
	var names []string
	for _, c := range checks {
		if slices.Contains(names, c.name) {
			t.Errorf("two checks named %s", c.name)
		}
		names = append(names, c.name)
	}
	if !slices.Equal(ran["create"], names) {
		t.Errorf("create ran %v, want the list's order %v", ran["create"], names)
	}
}

// Each check, tripped by a bundle, reports under its name, with the JSON
// path, on every command that selects it. A new check fails this test
// until it has a case here (or a reason why it has none).
func TestPrepareFindings(t *testing.T) {
	type tc struct {
		mod  func(s *specs.Spec)
		edit func(string) string
		opts PrepareOptions
		sev  string
		path string // of the finding
		skip string // why this host cannot trip it, if so
	}
	cases := map[string]tc{
		"unknown-fields": {edit: func(s string) string { return strings.Replace(s, `"ociVersion"`, `"hostnme":"x","ociVersion"`, 1) },
			sev: SeverityWarning, path: "hostnme"},
		"spec-warnings": {mod: func(s *specs.Spec) { s.Version = "" }, sev: SeverityWarning, path: "ociVersion"},
		"seccomp-syscall-names": {mod: func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdri"}, Action: specs.ActErrno}}}
		}, sev: SeverityWarning, path: "linux.seccomp.syscalls[0].names[1]", skip: noSyscallNames()},
		"validate":     {mod: func(s *specs.Spec) { s.Process.Cwd = "tmp" }, sev: SeverityError, path: "process.cwd"},
		"capabilities": {skip: "needs a capability this kernel lacks or hull's bounding set misses; TestCapabilityFindings covers the rules"},
		"rlimit-ceiling": {mod: func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1 << 40, Soft: 1}}
		}, sev: SeverityError, path: "process.rlimits[0].hard", skip: ifRoot("root has CAP_SYS_RESOURCE")},
		"security-modules": {mod: func(s *specs.Spec) { s.Process.ApparmorProfile = "docker-default" },
			sev: SeverityError, path: "process.apparmorProfile", skip: ifTrue(apparmor.IsEnabled(), "AppArmor is enabled here")},
		"seccomp-architectures": {mod: func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchS390X}}
		}, sev: SeverityError, path: "linux.seccomp.architectures[0]",
			skip: ifTrue(noSyscallNames() != "" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64"), "needs libseccomp on a little-endian machine, which refuses s390x")},
		"kernel-namespaces": {skip: "needs a kernel without one of the namespace types"},
		"intel-rdt":         {skip: "needs a host without resctrl; this check is a one-liner over intelrdt.IsEnabled"},
		"idmapped-mounts":   {skip: "needs a kernel older than 5.12"},
		"cgroup-controllers": {mod: func(s *specs.Spec) { s.Linux.Resources.Unified = map[string]string{"memory.max": "1G"} },
			sev: SeverityError, path: `linux.resources.unified["memory.max"]`, skip: ifTrue(cgroups.IsCgroup2UnifiedMode(), "cgroup v2 host: unified settings apply")},
		"cgroup-v1-only": {mod: func(s *specs.Spec) {
			swappiness := uint64(10)
			s.Linux.Resources.Memory = &specs.LinuxMemory{Swappiness: &swappiness}
		},
			sev: SeverityWarning, path: "linux.resources.memory.swappiness", skip: ifTrue(!cgroups.IsCgroup2UnifiedMode(), "cgroup v1 host: swappiness applies")},
		"cpuset-online": {mod: func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Cpus: "1000"} },
			sev: SeverityError, path: "linux.resources.cpu.cpus"},
		"cgroup-driver": {opts: PrepareOptions{SystemdCgroup: true}, sev: SeverityError,
			skip: ifTrue(cgsystemd.IsRunningSystemd(), "systemd runs this host")},
		"rootless": {mod: func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
			own := func(id int) []specs.LinuxIDMapping { return []specs.LinuxIDMapping{{HostID: uint32(id), Size: 1}} }
			s.Linux.UIDMappings, s.Linux.GIDMappings = own(os.Geteuid()), own(os.Getegid())
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/no-such-device", Type: "c", Major: 1, Minor: 3}}
			for i := range s.Mounts { // gid=5 is not mapped
				s.Mounts[i].Options = slices.DeleteFunc(s.Mounts[i].Options, func(o string) bool { return strings.HasPrefix(o, "gid=") })
			}
		}, opts: PrepareOptions{RootlessEUID: true}, sev: SeverityError, path: "linux.devices[0].path"},
		"rootless-cgroups": {mod: func(s *specs.Spec) { lim := int64(10); s.Linux.Resources.Pids = &specs.LinuxPids{Limit: &lim} },
			opts: PrepareOptions{RootlessCgroups: true}, sev: SeverityWarning, path: "linux.resources.pids",
			skip: ifRoot("root may make any cgroup; TestRootlessResourcesDropped trips it as an unprivileged user")},
		"rootfs": {mod: func(s *specs.Spec) { s.Root.Path = "no-such-rootfs" }, sev: SeverityError, path: "root.path"},
		"namespace-paths": {mod: func(s *specs.Spec) {
			for i := range s.Linux.Namespaces {
				if s.Linux.Namespaces[i].Type == specs.NetworkNamespace {
					s.Linux.Namespaces[i].Path = "/no/such/netns"
				}
			}
		}, sev: SeverityError, path: spec.Path("linux.namespaces", netnsIndex(), "path")},
		"bind-sources": {mod: func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "/no/such/source", Options: []string{"rbind"}})
		}, sev: SeverityError, path: spec.Path("mounts", len(spectest.Config().Mounts), "source")},
		"executable": {mod: func(s *specs.Spec) { s.Process.Args = []string{"no-such-program"} }, sev: SeverityError, path: "process.args[0]"},
		// Validate accepts private propagation; without pivot_root
		// (an option) Translate refuses it.
		"translate": {mod: func(s *specs.Spec) { s.Linux.RootfsPropagation = "private" },
			opts: PrepareOptions{NoPivotRoot: true}, sev: SeverityError, path: "linux.rootfsPropagation"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			tc, ok := cases[c.name]
			if !ok {
				t.Fatalf("no case for check %s: add one", c.name)
			}
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			dir := spectest.Bundle(t, tc.mod, tc.edit)
			for _, path := range []struct {
				name string
				host bool
			}{{"create", true}, {"check --host", true}, {"check", false}} {
				if c.kind == kindHost && !path.host {
					continue
				}
				o := tc.opts
				o.ID, o.Host = "c1", path.host
				plan, findings := Prepare(dir, o)
				var found *Finding
				for i, f := range findings {
					if f.Check == c.name {
						found = &findings[i]
					} else if f.Severity == SeverityError {
						t.Errorf("%s: another check's error: %s: %v", path.name, f.Check, f.Err)
					}
				}
				if found == nil {
					t.Fatalf("%s: no finding of %s in %v", path.name, c.name, findings)
				}
				if found.Severity != tc.sev {
					t.Errorf("%s: severity %s, want %s: %v", path.name, found.Severity, tc.sev, found.Err)
				}
				if tc.path != "" {
					fe, ok := AsFieldError(found.Err)
					if !ok || fe.Path != tc.path || fe.File != filepath.Join(dir, spec.ConfigFile) {
						t.Errorf("%s: %v: want a FieldError of %s at %s", path.name, found.Err, dir, tc.path)
					}
				}
				if (plan == nil) != (tc.sev == SeverityError) {
					t.Errorf("%s: plan %v with a finding of severity %s", path.name, plan != nil, tc.sev)
				}
				if plan != nil && !slices.ContainsFunc(plan.Warnings, func(f Finding) bool { return f.Check == c.name }) {
					t.Errorf("%s: the plan's warnings lack %s's", path.name, c.name)
				}
			}
		})
	}
}

// netnsIndex is where writeBundle's config lists the network namespace.
func netnsIndex() int {
	for i, ns := range spectest.Config().Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace {
			return i
		}
	}
	return -1
}

func ifTrue(cond bool, why string) string {
	if cond {
		return why
	}
	return ""
}

func ifRoot(why string) string { return ifTrue(os.Geteuid() == 0, why) }

// noSyscallNames says why checkSeccompNames cannot find anything in this
// build, if so.
func noSyscallNames() string {
	return ifTrue(seccompSyscallKnown("no-such-syscall"), "built without libseccomp (tags cgo, seccomp)")
}

// A good bundle gives a plan: the translated configuration and process,
// the bundle's hooks, and the warnings.
func TestPreparePlan(t *testing.T) {
	dir := spectest.Bundle(t, func(s *specs.Spec) {
		s.Version = "" // a warning
		s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/true"}}}
	}, nil)
	plan, findings := Prepare(dir, PrepareOptions{ID: "c1", NoPivotRoot: true, NoNewKeyring: true, Host: true})
	if plan == nil {
		t.Fatalf("no plan: %v", findings.Err())
	}
	if plan.Config == nil || plan.Process == nil || plan.Bundle == nil || plan.Bundle.Dir != dir {
		t.Fatalf("plan %+v lacks a part", plan)
	}
	if !plan.Config.NoPivotRoot || !plan.Config.NoNewKeyring || plan.Config.Rootfs != filepath.Join(dir, "rootfs") {
		t.Errorf("options not in the configuration: %+v", plan.Config)
	}
	if plan.Config.Cgroups.Name != "c1" {
		t.Errorf("cgroup name %q is not the ID", plan.Config.Cgroups.Name)
	}
	if plan.Hooks == nil || len(plan.Hooks.Poststop) != 1 {
		t.Errorf("hooks %+v", plan.Hooks)
	}
	if len(plan.Warnings) != 1 || plan.Warnings[0].Check != "spec-warnings" || len(findings) != 1 {
		t.Errorf("warnings %v, findings %v: want the one of ociVersion", plan.Warnings, findings)
	}
}

// Every problem at once: Validate's, the rootfs', the host's, in the
// list's order; Translate, which needs a valid config, is not run.
func TestPrepareAllAtOnce(t *testing.T) {
	dir := spectest.Bundle(t, func(s *specs.Spec) {
		s.Process.Cwd = "tmp"
		s.Process.Args = []string{"no-such-program"}
		s.Linux.Resources.CPU = &specs.LinuxCPU{Cpus: "1000"}
	}, nil)
	r := prepare(dir, PrepareOptions{ID: "c1", Host: true})
	var got []string
	for _, f := range r.findings {
		got = append(got, f.Severity+" "+f.Check)
	}
	want := []string{"error validate", "error cpuset-online", "error executable"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	err := r.findings.Err()
	if err == nil || !strings.Contains(err.Error(), "process.cwd") || !strings.Contains(err.Error(), "process.args[0]") {
		t.Errorf("Err() = %v, want both", err)
	}
}

// A config.json that cannot be read is one finding; values of the wrong
// type are all listed, with the unknown fields; the checks of the
// options alone still run.
func TestPrepareLoad(t *testing.T) {
	t.Run("missing bundle", func(t *testing.T) {
		plan, findings := Prepare(filepath.Join(t.TempDir(), "nope"), PrepareOptions{})
		if plan != nil || len(findings) != 1 || findings[0].Check != "load" || !strings.Contains(findings[0].Err.Error(), "does not exist") {
			t.Errorf("plan %v, findings %v", plan, findings)
		}
	})
	t.Run("wrong types", func(t *testing.T) {
		dir := spectest.Bundle(t, nil, func(s string) string {
			s = strings.Replace(s, `"cwd":"/"`, `"cwd":5`, 1)
			return strings.Replace(s, `"ociVersion"`, `"hostnme":"x","ociVersion"`, 1)
		})
		plan, findings := Prepare(dir, PrepareOptions{Host: true, SystemdCgroup: true})
		var got []string
		for _, f := range findings {
			fe, _ := AsFieldError(f.Err)
			p := ""
			if fe != nil {
				p = fe.Path
			}
			got = append(got, f.Severity+" "+f.Check+" "+p)
		}
		want := []string{"warning unknown-fields hostnme", "error load process.cwd"}
		if !cgsystemd.IsRunningSystemd() {
			want = append(want, "error cgroup-driver ")
		}
		if plan != nil || !slices.Equal(got, want) {
			t.Errorf("plan %v, findings %q, want %q", plan, got, want)
		}
	})
}

func TestFindings(t *testing.T) {
	e1, e2, w := os.ErrNotExist, os.ErrExist, os.ErrClosed
	fs := Findings{{SeverityError, "a", e1}, {SeverityWarning, "b", w}, {SeverityError, "c", e2}}
	if err := fs.Err(); err == nil || err.Error() != e1.Error()+"\n"+e2.Error() {
		t.Errorf("Err() = %v", err)
	}
	if got := fs.Warnings(); len(got) != 1 || got[0].Err != w {
		t.Errorf("Warnings() = %v", got)
	}
	if (Findings{{SeverityWarning, "b", w}}).Err() != nil {
		t.Error("warnings alone are no error")
	}
}
