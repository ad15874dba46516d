// Package spectest writes OCI bundles for unit tests that need one on
// disk, without root: a rootfs with an executable /bin/sh, and the
// config of `hull spec`.
package spectest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
)

// Bundle writes a bundle in a temporary directory of t that every check
// of create accepts, changed by mod and then, as text, by edit (either may
// be nil), and returns the directory. Its /bin/sh is neither ELF nor a
// #! script, so it has no interpreter to look for.
func Bundle(t testing.TB, mod func(s *specs.Spec), edit func(config string) string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rootfs", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "bin", "sh"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := Config()
	if mod != nil {
		mod(s)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		data = []byte(edit(string(data)))
	}
	if err := os.WriteFile(filepath.Join(dir, spec.ConfigFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Config is the configuration Bundle starts from: `hull spec`'s for root
// on cgroup v1, without a terminal.
func Config() *specs.Spec {
	s := spec.DefaultFor(false, false, 0, 0)
	s.Process.Terminal = false
	return s
}
