package app

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestRunErrors(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int // 0: 1
	}{
		// runc exits 3 for an unknown command (urfave/cli's status).
		{"unknown command", []string{"frobnicate"}, `hull: unknown command "frobnicate"; see 'hull --help'` + "\n", 3},
		{"unknown container", []string{"state", "nope"}, `hull: container does not exist: "nope" under state root ` + root + "\n", 0},
		{"invalid id", []string{"state", "a/b"}, `invalid container ID`, 0},
		{"missing id", []string{"start"}, "hull: start needs exactly one container ID, got 0 arguments; usage: hull start [options] <container-id>\n", 0},
		{"bad signal", []string{"kill", "x", "SIGNOPE"}, `invalid signal "SIGNOPE"`, 0},
		{"signal 0 of an unknown container", []string{"kill", "x", "0"}, `hull: container does not exist: "x"`, 0},
		{"unknown flag", []string{"delete", "--bogus", "x"}, "hull: flag provided but not defined: -bogus; see 'hull delete --help'\n", 0},
		{"bad log format", []string{"--log-format", "xml", "list"}, `hull: --log-format "xml": use text or json` + "\n", 0},
		{"bad cgroup manager", []string{"--cgroup-manager", "x", "list"}, `--cgroup-manager "x": use cgroupfs or systemd`, 0},
		{"update of an unknown container", []string{"update", "--memory", "1g", "x"}, `container does not exist`, 0},
		{"update of an unknown container, flags after the ID", []string{"update", "x", "--memory", "1g"}, `container does not exist`, 0},
		// exec: a usage error is 1, hull's own failure past that is 255
		// ("exec failed: ..."), as in runc, so that neither reads as the
		// process's status.
		{"exec without arguments", []string{"exec"}, "hull: exec needs a container ID and a command", 0},
		{"exec with an unknown flag", []string{"exec", "--bogus", "x", "true"}, "flag provided but not defined: -bogus", 0},
		{"exec in an unknown container", []string{"exec", "x", "true"}, `hull: exec failed: container does not exist: "x"`, 255},
		{"exec with an invalid id", []string{"exec", "a/b", "true"}, `hull: exec failed: invalid container ID`, 255},
		{"exec with a bad --additional-gids", []string{"exec", "-g", "1,2", "x", "true"}, `invalid value "1,2" for flag -g`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := Run(append([]string{"hull", "--root", root}, tc.args...), &stderr)
			want := tc.code
			if want == 0 {
				want = 1
			}
			if code != want {
				t.Errorf("exit %d, want %d", code, want)
			}
			if !strings.Contains(stderr.String(), tc.want) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("stderr %q, want one line with %q", stderr.String(), tc.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb":         "a; b",
		"  a\r\nb\n\n": "a; b",
		"two  spaces":  "two  spaces",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseUser(t *testing.T) {
	for _, tc := range []struct {
		in       string
		uid      uint32
		gid      int64 // -1: none
		wantFail bool
	}{
		{"0", 0, -1, false},
		{"1000:100", 1000, 100, false},
		{"nobody", 0, 0, true},
		{"1:x", 0, 0, true},
		{"-1", 0, 0, true},
	} {
		uid, gid, err := parseUser(tc.in)
		if tc.wantFail {
			if err == nil {
				t.Errorf("parseUser(%q) accepted", tc.in)
			}
			continue
		}
		if err != nil || uid != tc.uid || (tc.gid < 0) != (gid == nil) || (gid != nil && int64(*gid) != tc.gid) {
			t.Errorf("parseUser(%q) = %d, %v, %v", tc.in, uid, gid, err)
		}
	}
}

func TestSubCgroupPaths(t *testing.T) {
	got, err := subCgroupPaths([]string{"pids,memory:sub", "cpu:other"})
	if err != nil || got["pids"] != "sub" || got["memory"] != "sub" || got["cpu"] != "other" {
		t.Errorf("subCgroupPaths = %v, %v", got, err)
	}
	if got, err := subCgroupPaths([]string{"all"}); err != nil || got[""] != "all" {
		t.Errorf("a bare path is for every controller: %v, %v", got, err)
	}
	for _, bad := range [][]string{{"pids:"}, {"pids:a", "pids:b"}, {":sub"}, {",cpu:sub"}, {"cpu,:sub"}} {
		if _, err := subCgroupPaths(bad); err == nil {
			t.Errorf("subCgroupPaths(%q) accepted", bad)
		}
	}
}

func TestBytesValue(t *testing.T) {
	for in, want := range map[string]int64{"-1": -1, "1024": 1024, "512m": 512 << 20, "1g": 1 << 30} {
		if got, err := bytesValue(in); err != nil || got != want {
			t.Errorf("bytesValue(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := bytesValue("lots"); err == nil {
		t.Error("bytesValue accepted lots")
	}
}

func TestVersionText(t *testing.T) {
	v := versionText()
	for _, want := range []string{"\nspec: 1.3.0", "\nlibcontainer: ", "\ngo: go1."} {
		if !strings.Contains(v, want) {
			t.Errorf("version text %q lacks %q", v, want)
		}
	}
}

func TestExitCode(t *testing.T) {
	// A real *exec.ExitError with status 3, as a failing hook gives.
	child := exec.Command("sh", "-c", "exit 3").Run()
	if child == nil {
		t.Fatal("sh -c 'exit 3' succeeded")
	}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"plain error", errors.New("x"), 1},
		{"a child's exit status is not hull's", fmt.Errorf("error running poststart hook #1: %w", child), 1},
		{"exec's own failure", execError{errors.New("container not running")}, 255},
		{"exec's failure around a child's status", execError{fmt.Errorf("hook: %w", child)}, 255},
		{"urfave/cli exit", cli.Exit("No help topic for 'x'", 3), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := exitCode(tc.err); got != tc.want {
				t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}
