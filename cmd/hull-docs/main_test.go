package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// docsDir holds what generate writes from hull's real definitions, once
// for every test in the package.
var docsDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hull-docs-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	docsDir = dir
	if err := generate(dir, "2026-01-02"); err != nil {
		fmt.Fprintf(os.Stderr, "generate: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func docsFile(parts ...string) string {
	return filepath.Join(append([]string{docsDir}, parts...)...)
}

// TestGenerateRemovesStalePages: a page of a command that is gone does
// not survive a second run into the same directory.
func TestGenerateRemovesStalePages(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "man", "man8", "hull-gone.8")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte(".TH GONE 8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := generate(dir, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("%s survived generate (stat: %v)", stale, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "man", "man8", "hull.8")); err != nil {
		t.Errorf("hull.8 not written: %v", err)
	}
}
