package linux

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/opencontainers/runc/libcontainer"
)

func TestLayoutPaths(t *testing.T) {
	l := layout{root: "/run/hull", id: "c1"}
	for _, tc := range []struct{ name, got, want string }{
		{"libcontainer's directory", l.lcDir(), "/run/hull/c1"},
		{"hull's directory", l.dir(), "/run/hull/.hull/c1"},
		{"intent record", l.file(intentFile), "/run/hull/.hull/c1/intent.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %s, want %s", tc.got, tc.want)
			}
		})
	}
}

func TestValidateIDReservesHullDir(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{{".hull", false}, {"hull", true}, {".hull2", true}, {"a.hull", true}} {
		t.Run(tc.id, func(t *testing.T) {
			if err := validateID(tc.id); (err == nil) != tc.ok {
				t.Errorf("validateID(%q) = %v, want ok=%v", tc.id, err, tc.ok)
			}
		})
	}
}

func TestReadFileLegacy(t *testing.T) {
	l := layout{root: t.TempDir(), id: "c1"}
	for _, d := range []string{l.lcDir(), l.dir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("neither", func(t *testing.T) {
		if data, err := l.readFile(hooksFile, legacyHooksFile); data != nil || err != nil {
			t.Errorf("got %q, %v; want nothing", data, err)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(l.lcDir(), legacyHooksFile), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if data, err := l.readFile(hooksFile, legacyHooksFile); string(data) != "old" || err != nil {
			t.Errorf("got %q, %v; want the legacy file", data, err)
		}
	})
	t.Run("new wins", func(t *testing.T) {
		if err := writeFileSync(l.file(hooksFile), []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		if data, err := l.readFile(hooksFile, legacyHooksFile); string(data) != "new" || err != nil {
			t.Errorf("got %q, %v; want hull's own file", data, err)
		}
	})
}

func TestWriteFileSync(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, content := range []string{"first", "second, longer"} {
		t.Run(content, func(t *testing.T) {
			if err := writeFileSync(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil || string(data) != content {
				t.Errorf("read %q, %v; want %q", data, err, content)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Errorf("temporary files left: %v", ents)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode())
			}
		})
	}
}

func TestLockExcludes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c1")
	t.Run("missing without create", func(t *testing.T) {
		if _, err := acquireLock(dir, false); !errors.Is(err, errNoLockFile) {
			t.Errorf("got %v, want errNoLockFile", err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a lock of nothing made %s", dir)
		}
	})
	t.Run("second waits", func(t *testing.T) {
		first, err := acquireLock(dir, true)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan *stateLock)
		go func() {
			l, err := acquireLock(dir, false)
			if err != nil {
				t.Error(err)
			}
			got <- l
		}()
		select {
		case <-got:
			t.Fatal("the second lock was granted while the first was held")
		case <-time.After(100 * time.Millisecond):
		}
		first.release()
		(<-got).release()
	})
	t.Run("waiter of a removed lock", func(t *testing.T) {
		// A delete holds the lock and removes the directory; the waiter
		// must not believe it holds a lock on the deleted file.
		first, err := acquireLock(dir, true)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() {
			l, err := acquireLock(dir, false)
			l.release()
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		if err := removeStateDir(dir); err != nil {
			t.Fatal(err)
		}
		first.release()
		if err := <-done; !errors.Is(err, errNoLockFile) {
			t.Errorf("waiter got %v, want errNoLockFile", err)
		}
	})
}

func TestRemoveDir(t *testing.T) {
	l := layout{root: t.TempDir(), id: "c1"}
	lk, err := acquireLock(l.dir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer lk.release()
	for _, f := range []string{intentFile, hooksFile, resourcesFile} {
		if err := os.WriteFile(l.file(f), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.removeDir(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left: %v", l.dir(), err)
	}
	if err := l.removeDir(); err != nil {
		t.Errorf("removing it again: %v", err)
	}
}

func TestListHalfCreated(t *testing.T) {
	root := t.TempDir()
	l := layout{root: root, id: "half"}
	if err := os.MkdirAll(l.dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	in := &intent{ID: "half", Bundle: "/b", Created: time.Unix(1, 0).UTC(), Hull: procRef{Pid: 1 << 30}}
	if err := l.writeIntent(in); err != nil {
		t.Fatal(err)
	}
	// An empty hull directory (a delete cut short) and libcontainer's
	// directory without state are no containers.
	for _, d := range []string{filepath.Join(root, hullDirName, "empty"), filepath.Join(root, "nostate")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	states, skipped, err := List(root)
	if err != nil || len(skipped) > 0 {
		t.Fatalf("List: %v, skipped %v", err, skipped)
	}
	ids := []string{}
	for _, s := range states {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, []string{"half"}) {
		t.Fatalf("List = %v, want [half]", ids)
	}
	if s := states[0]; s.Status != statusStopped || s.Bundle != "/b" || s.Pid != 0 {
		t.Errorf("half-created container: %+v, want stopped with bundle /b", s)
	}
	if _, err := Open(root, "nostate"); !errors.Is(err, libcontainer.ErrNotExist) {
		t.Errorf("Open of a directory without state: %v, want ErrNotExist", err)
	}
}
