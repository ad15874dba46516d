package linux

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The state root holds two directories per container:
//
//	ROOT/ID/            libcontainer's: state.json, exec.fifo, notify/
//	ROOT/.hull/ID/      hull's own: intent.json, hooks.json,
//	                    resources.json, lock
//
// hull's files sit next to libcontainer's, not inside: libcontainer's
// Destroy removes its directory whole, and a create cut short before
// libcontainer made its directory still has to leave a record of what it
// was about to create. ".hull" starts with a dot so that `list` can tell it
// from a container; the one container ID that would collide, ".hull"
// itself, is refused (runc accepts it; nothing uses it).
const (
	hullDirName = ".hull"
	intentFile  = "intent.json"
	hooksFile   = "hooks.json"
	// resourcesFile keeps the cgroup resources the container has after
	// its last update (state.json keeps those it was created with).
	resourcesFile = "resources.json"
	lockFile      = "lock"
)

// Before the intent record, hull kept its files inside libcontainer's
// directory under these names; they are still read, so that containers
// created by an older hull can be started, updated and deleted.
const (
	legacyHooksFile     = "hull-hooks.json"
	legacyResourcesFile = "hull-resources.json"
)

// layout names the paths of one container under a state root.
type layout struct{ root, id string }

// lcDir is libcontainer's state directory.
func (l layout) lcDir() string { return filepath.Join(l.root, l.id) }

// stateFile is libcontainer's state.json, written once the container's
// init has started.
func (l layout) stateFile() string { return filepath.Join(l.lcDir(), "state.json") }

// dir is hull's own state directory.
func (l layout) dir() string { return filepath.Join(l.root, hullDirName, l.id) }

func (l layout) file(name string) string { return filepath.Join(l.dir(), name) }

// readFile reads hull's file name, or from an older hull, legacy in
// libcontainer's directory. A file in neither place is (nil, nil).
func (l layout) readFile(name, legacy string) ([]byte, error) {
	data, err := os.ReadFile(l.file(name))
	if errors.Is(err, os.ErrNotExist) && legacy != "" {
		data, err = os.ReadFile(filepath.Join(l.lcDir(), legacy))
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// writeFileSync replaces path with data durably: a temporary file in the
// same directory, fsync'd, renamed over path, and the directory fsync'd,
// so that after a crash path holds either the old content or all of the
// new, never a prefix.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+base+".")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// stateLock is a held flock(2) on a container's lock file. The kernel
// releases it when hull dies, so a killed hull never leaves a container
// locked.
type stateLock struct{ f *os.File }

// errNoLockFile means the container has no lock file: it does not exist
// (or was deleted while we waited).
var errNoLockFile = errors.New("no lock file")

// acquireLock takes the exclusive lock of the container's state
// directory, waiting for whoever holds it. With create, the directory and
// the lock file are made if missing; without, a missing one is
// errNoLockFile, so that looking at a container that does not exist
// leaves nothing behind.
//
// A delete removes the lock file while holding it; a waiter that then
// gets the lock holds it on a file nobody else can open. So once locked,
// the file must still be the one at the path, or we start over.
func acquireLock(dir string, create bool) (*stateLock, error) {
	path := filepath.Join(dir, lockFile)
	for {
		flags := os.O_RDWR | unix.O_CLOEXEC
		if create {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, err
			}
			flags |= os.O_CREATE
		}
		f, err := os.OpenFile(path, flags, 0o600)
		if errors.Is(err, os.ErrNotExist) {
			if create {
				continue // the directory went between MkdirAll and open
			}
			return nil, errNoLockFile
		}
		if err != nil {
			return nil, err
		}
		if err := flock(f, unix.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		var held, now unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &held); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := unix.Stat(path, &now); err == nil && now.Ino == held.Ino && now.Dev == held.Dev {
			return &stateLock{f: f}, nil
		}
		f.Close()
	}
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// release drops the lock; nil-safe and idempotent.
func (l *stateLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Close()
	l.f = nil
}

// removeDir removes hull's state directory. The intent record goes last
// but for the lock file, so that a delete cut short still finds it; a
// lock file that a concurrent create has just made keeps the directory,
// which then belongs to that create.
func (l layout) removeDir() error { return removeStateDir(l.dir()) }

func removeStateDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove state %s: %w", dir, err)
	}
	for _, e := range ents {
		if e.Name() == intentFile || e.Name() == lockFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("remove state %s: %w", dir, err)
		}
	}
	for _, name := range []string{intentFile, lockFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove state %s: %w", dir, err)
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("remove state %s: %w", dir, err)
	}
	return nil
}
