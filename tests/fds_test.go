package tests

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPreserveFds(t *testing.T) {
	t.Parallel()
	h := newH(t)
	newPipe := func(content string) *os.File {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.WriteString(content); err != nil {
			t.Fatal(err)
		}
		w.Close()
		t.Cleanup(func() { r.Close() })
		return r
	}

	t.Run("one", func(t *testing.T) {
		id := h.id()
		// ExtraFiles[0] is fd 3 in hull, and with --preserve-fds 1 in the container.
		r := h.hullOpts(cmdOpts{ExtraFiles: []*os.File{newPipe("secret via fd 3\n")}},
			"run", "--preserve-fds", "1", "--bundle", h.bundle(sh(`cat <&3`)), id)
		if r.Code != 0 || r.Stdout != "secret via fd 3\n" {
			t.Errorf("want the pipe's content from fd 3:\n%s", r)
		}
		h.assertClean(id)
	})

	t.Run("two-via-proc", func(t *testing.T) {
		id := h.id()
		r := h.hullOpts(cmdOpts{ExtraFiles: []*os.File{newPipe("three\n"), newPipe("four\n")}},
			"run", "--preserve-fds", "2", "--bundle", h.bundle(sh(`cat /proc/self/fd/3 /proc/self/fd/4`)), id)
		if r.Code != 0 || r.Stdout != "three\nfour\n" {
			t.Errorf("want fds 3 and 4:\n%s", r)
		}
		h.assertClean(id)
	})

	t.Run("not-preserved", func(t *testing.T) {
		// Without the flag, fd 3 must not leak into the container, and
		// neither may any of hull's own descriptors beyond stdio.
		id := h.id()
		r := h.hullOpts(cmdOpts{ExtraFiles: []*os.File{newPipe("leak\n")}},
			"run", "--bundle", h.bundle(sh(`cat <&3 2>/dev/null || echo no-fd3; ls /proc/self/fd | sort -n | tr '\n' ' '`)), id)
		if r.Code != 0 || r.Stdout != "no-fd3\n0 1 2 3 " {
			// "3" in the listing is ls's own directory fd.
			t.Errorf("want no fd 3 and only stdio open:\n%s", r)
		}
		h.assertClean(id)
	})

	t.Run("create-start", func(t *testing.T) {
		id := h.id()
		host := h.hostDir("mnt")
		r := h.hullOpts(cmdOpts{ExtraFiles: []*os.File{newPipe("created\n")}},
			"create", "--preserve-fds", "1", "--bundle", h.bundle(sh(`cat <&3 > /mnt/out`), withHostMnt(host)), id)
		if r.Code != 0 {
			t.Fatalf("create:\n%s", r)
		}
		h.ok("start", id)
		h.waitStatus(id, "stopped")
		if got, _ := os.ReadFile(filepath.Join(host, "out")); string(got) != "created\n" {
			t.Errorf("fd 3 kept from create to start: container read %q, want %q", got, "created\n")
		}
		h.ok("delete", id)
		h.assertClean(id)
	})
}
