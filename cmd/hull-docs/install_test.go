package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// makeIn runs make in the repository with a clean make environment, so
// that variables given to an outer make (make unit PREFIX=...) do not
// leak in.
func makeIn(t *testing.T, args ...string) {
	t.Helper()
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed: `make install` cannot be run")
	}
	cmd := exec.Command(mk, append([]string{"-C", filepath.Join("..", "..")}, args...)...)
	for _, e := range os.Environ() {
		if k, _, _ := strings.Cut(e, "="); k != "MAKEFLAGS" && k != "MFLAGS" && k != "MAKELEVEL" {
			cmd.Env = append(cmd.Env, e)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestMakeInstall runs `make install DESTDIR=... PREFIX=/usr/local` and
// checks every file it installs, and that `make uninstall` removes them.
func TestMakeInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: make install builds hull")
	}
	dest := t.TempDir()
	// What make builds goes to a directory of the test's own, not bin/,
	// where integration tests may be running bin/hull meanwhile.
	build := t.TempDir()
	makeIn(t, "install", "DESTDIR="+dest, "PREFIX=/usr/local",
		"HULL="+filepath.Join(build, "hull"), "DOCS="+filepath.Join(build, "docs"), "DOCSGEN="+filepath.Join(build, "hull-docs"))

	want := map[string]os.FileMode{
		"usr/local/sbin/hull":                                 0o755,
		"usr/local/share/man/man8/hull.8":                     0o644,
		"usr/local/share/bash-completion/completions/hull":    0o644,
		"usr/local/share/zsh/site-functions/_hull":            0o644,
		"usr/local/share/fish/vendor_completions.d/hull.fish": 0o644,
	}
	for _, c := range visibleCommands() {
		want["usr/local/share/man/man8/hull-"+c.Name+".8"] = 0o644
	}
	got := installed(t, dest)
	var missing, extra, mode []string
	for name, m := range want {
		gm, ok := got[name]
		switch {
		case !ok:
			missing = append(missing, name)
		case gm != m:
			mode = append(mode, name+" "+gm.String())
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(mode)
	if len(missing)+len(extra)+len(mode) > 0 {
		t.Errorf("make install: missing %q, unexpected %q, wrong modes %q", missing, extra, mode)
	}

	out, err := exec.Command(filepath.Join(dest, "usr/local/sbin/hull"), "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "hull version ") {
		t.Errorf("installed hull --version: %v\n%s", err, out)
	}

	makeIn(t, "uninstall", "DESTDIR="+dest, "PREFIX=/usr/local")
	if left := installed(t, dest); len(left) > 0 {
		t.Errorf("make uninstall left %v", left)
	}
}

// installed lists the files under dir (relative paths) with their modes.
func installed(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	files := map[string]os.FileMode{}
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files[rel] = fi.Mode().Perm()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
