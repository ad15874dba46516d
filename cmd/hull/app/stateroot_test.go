package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateRoot(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		set  bool
		want string // "": an error
	}{
		{"/run/hull", false, "/run/hull"},
		{"/tmp/x/", true, "/tmp/x"},
		{"rel", true, filepath.Join(cwd, "rel")},
		{"/", true, ""},
		{"/tmp/..", true, ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := stateRoot(tc.in, tc.set)
			if tc.want == "" {
				if err == nil || !strings.HasPrefix(err.Error(), "Option --root argument should not be set to /") {
					t.Fatalf("stateRoot(%q) = %q, %v; want runc's error", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("stateRoot(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// A --root that does not exist is an error for list, as in runc: a typo
// must not read as "no containers".
func TestListMissingRoot(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"table", []string{"--root", missing, "list"}, "hull: open " + missing + ": no such file or directory: check --root\n"},
		{"quiet", []string{"--root", missing, "list", "-q"}, "hull: open " + missing + ": no such file or directory"},
		{"json", []string{"--root", missing, "list", "--format", "json"}, "hull: open " + missing + ": no such file or directory"},
		{"not a directory", []string{"--root", file, "list"}, "hull: open " + file + ": not a directory: check --root\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := Run(append([]string{"hull"}, tc.args...), &stderr); code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.HasPrefix(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.want)
			}
		})
	}
}
