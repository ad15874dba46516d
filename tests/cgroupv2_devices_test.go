package tests

import (
	"fmt"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// TestCgroupV2Devices: on cgroup v2 the device rules are an eBPF program
// that libcontainer attaches to the container's cgroup. A device the
// rules deny cannot be opened, not even from a node the container made
// itself (mknod is allowed for every device by runc's default rules, "c
// *:* m" and "b *:* m", which hull keeps); without CAP_MKNOD, as in the
// default config, mknod itself is refused. Allowed devices open.
func TestCgroupV2Devices(t *testing.T) {
	needCgroupV2(t)
	t.Parallel()
	h := newH(t)
	major, minor, _ := extBlockDevice(t)
	script := fmt.Sprintf(`
		try() { if out=$(sh -c "$2" 2>&1); then echo "$1:ok"; else echo "$1:fail:$out"; fi; }
		try mknod-null 'mknod /dev/h-null c 1 3 && echo x >/dev/h-null'
		try mknod-mem 'mknod /dev/h-mem c 1 1'
		try open-mem 'head -c1 /dev/h-mem >/dev/null'
		try mknod-disk 'mknod /dev/h-disk b %d %d'
		try open-disk 'head -c1 /dev/h-disk >/dev/null'
		try read-blk 'head -c1 /dev/h-blk >/dev/null'
		try write-blk 'exec 3<>/dev/h-blk'
		try zero-read 'head -c1 /dev/zero >/dev/null'
	`, major, minor)
	caps := []string{"CAP_MKNOD", "CAP_DAC_OVERRIDE"}
	out := h.runOut(h.bundle(sh(script), func(s *specs.Spec) {
		c := s.Process.Capabilities
		c.Bounding, c.Effective, c.Permitted = append(c.Bounding, caps...), append(c.Effective, caps...), append(c.Permitted, caps...)
		// A node the config gives, of the disk, allowed read-only; and
		// /dev/zero denied (its linux.devices entry replaces the
		// default rule that allows it, as in runc).
		s.Linux.Devices = []specs.LinuxDevice{
			{Path: "/dev/h-blk", Type: "b", Major: major, Minor: minor},
			{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5},
		}
		extResources(s).Devices = []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "b", Major: &major, Minor: &minor, Access: "r"},
			{Allow: false, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](5), Access: "rwm"},
		}
	}))
	want := map[string]string{
		"mknod-null": "ok", "mknod-mem": "ok", "open-mem": "fail", "mknod-disk": "ok", "open-disk": "ok",
		"read-blk": "ok", "write-blk": "fail", "zero-read": "fail",
	}
	checkTries(t, out, want)

	// The default config: no CAP_MKNOD, so mknod fails whatever the rules.
	out = h.runOut(h.bundle(sh(`
		try() { if out=$(sh -c "$2" 2>&1); then echo "$1:ok"; else echo "$1:fail:$out"; fi; }
		try mknod-null 'mknod /dev/h-null c 1 3'
		try null-write 'echo x >/dev/null'
	`)))
	checkTries(t, out, map[string]string{"mknod-null": "fail", "null-write": "ok"})
}

// checkTries compares the "name:ok" and "name:fail:message" lines of a
// script's try() with want; a failure must be EPERM, the answer of the
// device program and of a missing capability.
func checkTries(t *testing.T, out string, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, l := range lines(out) {
		k, v, _ := strings.Cut(l, ":")
		got[k] = v
	}
	for k, w := range want {
		v := got[k]
		if !strings.HasPrefix(v, w) || (w == "fail" && !strings.Contains(v, "Operation not permitted")) {
			t.Errorf("%s: %q, want %s (failures with EPERM)\nall output:\n%s", k, v, w, sysproc.Indent(out))
		}
	}
}
