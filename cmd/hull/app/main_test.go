package app

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunErrors(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, `hull: unknown command "frobnicate"; see 'hull --help'` + "\n"},
		{"unknown container", []string{"state", "nope"}, `hull: container does not exist: "nope" under state root ` + root + "\n"},
		{"invalid id", []string{"state", "a/b"}, `invalid container ID`},
		{"missing id", []string{"start"}, "hull: start needs exactly one container ID, got 0 arguments; usage: hull start [options] <container-id>\n"},
		{"bad signal", []string{"kill", "x", "SIGNOPE"}, `invalid signal "SIGNOPE"`},
		{"unknown flag", []string{"delete", "--bogus", "x"}, "hull: flag provided but not defined: -bogus; see 'hull delete --help'\n"},
		{"bad log format", []string{"--log-format", "xml", "list"}, `hull: --log-format "xml": use text or json` + "\n"},
		{"bad cgroup manager", []string{"--cgroup-manager", "x", "list"}, `--cgroup-manager "x": use cgroupfs or systemd`},
		{"update of an unknown container", []string{"update", "--memory", "1g", "x"}, `container does not exist`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := Run(append([]string{"hull", "--root", root}, tc.args...), &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
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
	for _, bad := range [][]string{{"pids:"}, {"pids:a", "pids:b"}} {
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
