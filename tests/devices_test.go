package tests

import (
	"os"
	"strings"
	"testing"

	"github.com/hullrt/hull/tests/internal/sysproc"
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

func TestExtrasDevices(t *testing.T) {
	t.Parallel()
	extRequireV1(t)

	t.Run("rules", func(t *testing.T) {
		t.Parallel()
		if !fileExists("/sys/block/loop0/dev") {
			t.Skip("needs /dev/loop0 (block 7:0) as a harmless block device to allow")
		}
		h := newH(t)
		// A linux.devices entry at /dev/zero replaces the default one and
		// with it the default allow rule (as runc does), so the explicit
		// deny of c 1:5 holds. The block device is allowed read-only.
		b := h.bundle(sh(`
			try() { if out=$(sh -c "$2" 2>&1); then echo "$1:ok"; else echo "$1:fail:$out"; fi; }
			try zero-read 'head -c1 /dev/zero >/dev/null'
			try blk-read 'head -c1 /dev/hulltest-blk >/dev/null'
			try blk-rdwr 'exec 3<>/dev/hulltest-blk'
			try blk-other 'head -c1 /dev/hulltest-blk1 >/dev/null'
			try null-write 'echo x >/dev/null'
		`), func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{
				{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5},
				{Path: "/dev/hulltest-blk", Type: "b", Major: 7, Minor: 0},
				{Path: "/dev/hulltest-blk1", Type: "b", Major: 7, Minor: 1},
			}
			r := extResources(s)
			r.Devices = []specs.LinuxDeviceCgroup{
				{Allow: false, Access: "rwm"},
				{Allow: true, Type: "b", Major: ptr[int64](7), Minor: ptr[int64](0), Access: "r"},
				{Allow: false, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](5), Access: "rwm"},
			}
		})
		out := h.runOut(b)
		got := map[string]string{}
		for _, l := range lines(out) {
			k, v, _ := strings.Cut(l, ":")
			got[k] = v
		}
		for k, want := range map[string]string{
			"zero-read": "fail", "blk-read": "ok", "blk-rdwr": "fail", "blk-other": "fail", "null-write": "ok",
		} {
			v := got[k]
			if !strings.HasPrefix(v, want) || (want == "fail" && !strings.Contains(v, "Operation not permitted")) {
				t.Errorf("%s: %q, want %s (failures with EPERM from the device cgroup)\nall output:\n%s", k, v, want, sysproc.Indent(out))
			}
		}
	})

	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
		// Opening is what the device cgroup checks: /dev/full opens and
		// then refuses the write (ENOSPC), /dev/tty opens and finds no
		// controlling terminal (ENXIO), a fresh /dev/pts/0 opens and is
		// still locked (EIO). None may fail with EPERM.
		r := h.ok("exec", id, "sh", "-c", `
			for d in null zero full random urandom; do head -c1 /dev/$d >/dev/null && echo "$d:read-ok"; done
			echo x >/dev/null && echo null:write-ok
			echo "full:$( (echo x >/dev/full) 2>&1)"
			echo "tty:$( (exec 3<>/dev/tty) 2>&1)"
			exec 4<>/dev/ptmx && echo ptmx:open-ok
			echo "pts:$(ls /dev/pts | tr '\n' ' ')"
			echo "pts0:$( (exec 5<>/dev/pts/0) 2>&1)"
		`)
		out := r.Stdout
		mustContain(t, "default devices", out, "null:read-ok", "zero:read-ok", "full:read-ok", "random:read-ok",
			"urandom:read-ok", "null:write-ok", "No space left on device", "No such device or address",
			"ptmx:open-ok", "pts:0 ptmx", "pts0:")
		if strings.Contains(out, "Operation not permitted") || strings.Contains(out, "Permission denied") {
			t.Errorf("a default device was refused:\n%s", sysproc.Indent(out))
		}
		// runc's list, after the template's deny-all.
		list := cgroupFile(t, h.state(id).Pid, "devices", "devices.list")
		for _, rule := range []string{"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm",
			"c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm"} {
			if !contains(lines(list), rule) {
				t.Errorf("devices.list lacks runc's default rule %q:\n%s", rule, sysproc.Indent(list))
			}
		}
		if n := len(lines(list)); n != 11 {
			t.Errorf("devices.list has %d rules, want runc's 11:\n%s", n, sysproc.Indent(list))
		}
	})
}
