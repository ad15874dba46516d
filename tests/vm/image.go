// Package vm boots a throw-away cgroup v2 + systemd Debian host under qemu
// and runs one command in it as root: the test lane for what this
// machine (cgroup v1, no systemd as PID 1) cannot show. The image is
// built from Debian packages by image/build.sh and cached; each boot runs
// on a qcow2 overlay of it, so the cached image never changes, and leaves
// no qemu process, overlay or temporary directory behind.
package vm

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultCacheDir holds one directory of built image per cache key.
const DefaultCacheDir = "/var/cache/hull-vm"

// staleAfter is how long an image unused by any boot is kept (another
// worktree or branch may still boot it).
const staleAfter = 14 * 24 * time.Hour

// Image is a built VM image: what qemu boots.
type Image struct {
	Dir    string // the cache entry
	Kernel string // vmlinuz
	Initrd string // initrd.img
	Rootfs string // raw ext4, never written: boots use an overlay
}

func imageIn(dir string) Image {
	return Image{
		Dir:    dir,
		Kernel: filepath.Join(dir, "vmlinuz"),
		Initrd: filepath.Join(dir, "initrd.img"),
		Rootfs: filepath.Join(dir, "rootfs.img"),
	}
}

func (im Image) complete() bool {
	for _, p := range []string{im.Kernel, im.Initrd, im.Rootfs} {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// ImageKey is the cache key of the image that the build directory
// (build.sh, packages.txt and the guest files) makes: a hash of every
// file's name, mode and content. Package versions are not in it: the
// image is rebuilt when its recipe changes, not when Debian publishes a
// point release (remove the cache entry for that).
func ImageKey(buildDir string) (string, error) {
	ents, err := os.ReadDir(buildDir)
	if err != nil {
		return "", fmt.Errorf("image key: %w", err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("image key: no files in %s", buildDir)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		p := filepath.Join(buildDir, n)
		st, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("image key: %w", err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("image key: %w", err)
		}
		// Lengths first, so that no two different sets of files hash the
		// same stream.
		fmt.Fprintf(h, "%d:%s %o %d:", len(n), n, st.Mode().Perm()&0o111, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// EnsureImage returns the cached image of buildDir's recipe, building it
// with buildDir/build.sh (as root, through mmdebstrap) when the cache has
// none. built says whether it was built now. The build's progress goes
// to log. Concurrent callers wait for one build (a lock file in
// cacheDir). Entries no boot has used for two weeks are removed.
func EnsureImage(cacheDir, buildDir string, log io.Writer) (im Image, built bool, err error) {
	key, err := ImageKey(buildDir)
	if err != nil {
		return Image{}, false, err
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return Image{}, false, fmt.Errorf("image cache: %w", err)
	}
	im = imageIn(filepath.Join(cacheDir, key))
	if im.complete() {
		touch(im.Dir)
		return im, false, nil
	}

	lock, err := os.OpenFile(filepath.Join(cacheDir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return Image{}, false, fmt.Errorf("image cache lock: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return Image{}, false, fmt.Errorf("image cache lock %s: %w", lock.Name(), err)
	}
	defer unix.Flock(int(lock.Fd()), unix.LOCK_UN) //nolint:errcheck // closing the file unlocks too
	// Built by the holder of the lock before us?
	if im.complete() {
		touch(im.Dir)
		return im, false, nil
	}

	tmp := im.Dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return Image{}, false, fmt.Errorf("image cache: %w", err)
	}
	script, err := filepath.Abs(filepath.Join(buildDir, "build.sh"))
	if err != nil {
		return Image{}, false, err
	}
	cmd := exec.Command(script, tmp)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		os.RemoveAll(tmp)
		return Image{}, false, fmt.Errorf("build the VM image (%s %s): %w", script, tmp, err)
	}
	if !imageIn(tmp).complete() {
		os.RemoveAll(tmp)
		return Image{}, false, fmt.Errorf("build the VM image: %s made no vmlinuz, initrd.img and rootfs.img in %s", script, tmp)
	}
	if err := os.Rename(tmp, im.Dir); err != nil {
		os.RemoveAll(tmp)
		return Image{}, false, fmt.Errorf("image cache: %w", err)
	}
	pruneCache(cacheDir, key, log)
	return im, true, nil
}

// touch marks an entry as used now, for pruneCache.
func touch(dir string) {
	now := time.Now()
	_ = os.Chtimes(dir, now, now)
}

// pruneCache removes the entries other than keep that no boot has used
// for staleAfter, and leftovers of interrupted builds.
func pruneCache(cacheDir, keep string, log io.Writer) {
	ents, err := os.ReadDir(cacheDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || e.Name() == keep {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if strings.HasSuffix(e.Name(), ".tmp") || time.Since(info.ModTime()) > staleAfter {
			p := filepath.Join(cacheDir, e.Name())
			if err := os.RemoveAll(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(log, "hullvm: remove stale image %s: %v\n", p, err)
			}
		}
	}
}
