package tests

import (
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestLinuxDevices: linux.devices are created in the container with their
// type, numbers, mode and owner; a FIFO's numbers are ignored (runc 1.5
// fails such a config, which the OCI validation suite uses).
func TestLinuxDevices(t *testing.T) {
	t.Parallel()
	h := newH(t)
	mode := func(m os.FileMode) *os.FileMode { return &m }
	uid, gid := uint32(65534), uint32(65534)
	out := h.runOut(h.bundle([]string{"sh", "-c", "ls -ln /dev/hulltest-char /dev/hulltest-fifo /dev/hulltest-block | awk '{print $1, $3, $4, $5, $6}'"}, func(s *specs.Spec) {
		s.Linux.Devices = []specs.LinuxDevice{
			{Path: "/dev/hulltest-char", Type: "c", Major: 1, Minor: 3, FileMode: mode(0o640), UID: &uid, GID: &gid},
			{Path: "/dev/hulltest-fifo", Type: "p", Major: 8, Minor: 666},
			{Path: "/dev/hulltest-block", Type: "b", Major: 7, Minor: 200},
		}
	}))
	want := []string{"brw-rw-rw- 0 0 7, 200", "crw-r----- 65534 65534 1, 3", "prw-rw-rw- 0 0 0"}
	got := lines(out)
	for i := range got {
		got[i] = strings.Join(strings.Fields(got[i]), " ")
	}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || !strings.HasPrefix(got[2], want[2]) {
		t.Fatalf("devices in the container:\n%s\nwant %q", out, want)
	}
}

// TestBindMountDataIgnored: filesystem options on a bind mount are
// ignored with a warning, as runc does, not refused.
func TestBindMountDataIgnored(t *testing.T) {
	t.Parallel()
	h := newH(t)
	src := h.hostDir("bind-data")
	writeFile(t, src+"/file", "content\n")
	logFile := h.dir + "/hull.log"
	id := h.id()
	r := h.ok("--log", logFile, "run", "--bundle", h.bundle([]string{"cat", "/mnt/file"}, withMount(specs.Mount{
		Destination: "/mnt", Source: src, Type: "bind", Options: []string{"bind", "mode=755", "size=1k"},
	})), id)
	if r.Stdout != "content\n" {
		t.Fatalf("bind mount with data options:\n%s", r)
	}
	if log := string(readFile(t, logFile)); !strings.Contains(log, "filesystem options (mode=755,size=1k) are ignored on a bind mount") {
		t.Errorf("no warning about the ignored options in the log:\n%s", log)
	}
}
