package app

import (
	"bytes"
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec/spectest"
)

// create and check share one pipeline: for a broken bundle, create's one
// error line is exactly check --host's errors, in the same order, and
// check without --host lists all but the host's. Nothing needs root:
// create stops before it makes anything.
func TestCreateRefusesWhatCheckFinds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		global []string
		mod    func(s *specs.Spec)
		edit   func(string) string
		host   string // a finding only --host lists
	}{
		{name: "spec and rootfs", mod: func(s *specs.Spec) {
			s.Process.Cwd = "tmp"
			s.Process.Args = []string{"no-such-program"}
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "/no/such/source", Options: []string{"rbind"}})
		}},
		{name: "with a host finding", mod: func(s *specs.Spec) {
			s.Process.Args = []string{"no-such-program"}
			s.Linux.Resources.CPU = &specs.LinuxCPU{Cpus: "1000"}
		}, host: "linux.resources.cpu.cpus"},
		{name: "with warnings", mod: func(s *specs.Spec) {
			s.Version = ""
			s.Process.Cwd = "tmp"
		}, edit: func(s string) string { return strings.Replace(s, `"ociVersion"`, `"hostnme":"x","ociVersion"`, 1) }},
		{name: "wrong types", edit: func(s string) string {
			return strings.Replace(strings.Replace(s, `"cwd":"/"`, `"cwd":5`, 1), `"terminal":false`, `"terminal":"no"`, 1)
		}},
		{name: "systemd driver", global: []string{"--systemd-cgroup"}, mod: func(s *specs.Spec) { s.Process.Cwd = "tmp" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := spectest.Bundle(t, tc.mod, tc.edit)
			root := t.TempDir()
			args := append(append([]string{"hull", "--root", root}, tc.global...), "check", "--bundle", dir)
			withHost, errs := runCheck(t, append(args, "--host"))
			without, _ := runCheck(t, args)
			if len(errs) == 0 {
				t.Fatalf("check --host finds no error:\n%s", withHost)
			}
			var stderr bytes.Buffer
			code := Run(append(append([]string{"hull", "--root", root}, tc.global...), "create", "--bundle", dir, "c1"), &stderr)
			if want := "hull: " + strings.Join(errs, "; ") + "\n"; code != 1 || stderr.String() != want {
				t.Errorf("create: exit %d, stderr\n%s\nwant check --host's errors\n%s", code, stderr.String(), want)
			}
			if ents, _ := os.ReadDir(root); len(ents) != 0 {
				t.Errorf("create left %v in its root", ents)
			}
			for _, l := range strings.Split(withHost, "\n") {
				isHost := tc.host != "" && strings.Contains(l, tc.host) || strings.Contains(l, "--systemd-cgroup")
				if l != "" && !isHost && !strings.Contains(without, l) {
					t.Errorf("check without --host lacks %q", l)
				}
				if isHost && strings.Contains(without, l) {
					t.Errorf("check without --host has the host's %q", l)
				}
			}
		})
	}
}

// runCheck runs `hull check` and returns its output and its errors.
func runCheck(t *testing.T, args []string) (string, []string) {
	t.Helper()
	var out, diag bytes.Buffer
	a := newApp(&globalOptions{})
	a.Writer, a.ErrWriter = &out, &diag
	if err := a.Run(reorderArgs(a, args)); err == nil {
		t.Fatalf("%v: no problem found:\n%s", args, out.String())
	}
	var errs []string
	for _, l := range strings.Split(out.String(), "\n") {
		if msg, ok := strings.CutPrefix(l, "error: "); ok {
			errs = append(errs, msg)
		}
	}
	return out.String(), errs
}
