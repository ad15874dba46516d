package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHarnessSeesLeftovers proves the leftover checker can fail: while a
// container exists it must report its state dir, cgroups and process, and
// a mount under a bundle.
func TestHarnessSeesLeftovers(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	bundle := h.bundle(longRunning)
	h.ok("create", "--bundle", bundle, id)
	left := strings.Join(h.leftovers(id), "\n")
	for _, want := range []string{"state dir " + filepath.Join(h.root, id), "cgroup /sys/fs/cgroup/", "process "} {
		if !strings.Contains(left, want) {
			t.Errorf("leftovers of a live container lack %q:\n%s", want, left)
		}
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)

	sub := filepath.Join(bundle, "mnt")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", sub, "tmpfs", 0, "size=16k"); err != nil {
		t.Fatal(err)
	}
	got := h.leftovers(id)
	_ = unix.Unmount(sub, unix.MNT_DETACH)
	if len(got) != 1 || got[0] != "mount "+sub {
		t.Errorf("leftovers with a mount under the bundle: %q, want [mount %s]", got, sub)
	}
}
