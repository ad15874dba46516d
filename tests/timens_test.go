package tests

// Time namespaces (linux.timeOffsets), with real containers.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hullrt/hull/tests/internal/sysproc"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestExtrasTimeNamespace(t *testing.T) {
	t.Parallel()
	if !fileExists("/proc/self/ns/time") {
		t.Skip("this kernel has no time namespace (Linux 5.6 or later)")
	}
	h := newH(t)
	const monoOff, bootOff = 10 * 86400, 20 * 86400
	helper := extBuildHelper(t, h.dir, "clocks")
	b := h.bundle(sh(`cat /proc/self/timens_offsets; /mnt/clocks; cut -d' ' -f1 /proc/uptime`),
		withMount(specs.Mount{Destination: "/mnt", Type: "bind", Source: helper, Options: []string{"bind", "ro"}}),
		func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.TimeNamespace})
			s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{
				"monotonic": {Secs: monoOff},
				"boottime":  {Secs: bootOff},
			}
		})
	var hostMono, hostBoot unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &hostMono)
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &hostBoot)
	out := h.runOut(b)
	got := map[string]string{}
	ls := lines(out)
	for _, l := range ls {
		if f := strings.Fields(l); len(f) >= 2 {
			got[f[0]] = strings.Join(f[1:], " ")
		}
	}
	if got["monotonic"] == "" || len(ls) != 5 {
		t.Fatalf("time namespace container printed:\n%s\nwant timens_offsets (2 lines), the helper's clocks (2 lines) and the uptime", sysproc.Indent(out))
	}
	// timens_offsets: "<clock> <secs> <nsecs>", then the helper's lines.
	if strings.Join(strings.Fields(ls[0]), " ") != fmt.Sprintf("monotonic %d 0", monoOff) ||
		strings.Join(strings.Fields(ls[1]), " ") != fmt.Sprintf("boottime %d 0", bootOff) {
		t.Errorf("/proc/self/timens_offsets:\n%s\nwant monotonic %d and boottime %d", sysproc.Indent(strings.Join(ls[:2], "\n")), monoOff, bootOff)
	}
	near := func(what, s string, want int64) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || int64(v) < want-1 || int64(v) > want+10 {
			t.Errorf("%s inside: %q, want about %d (the host's clock plus the offset)", what, s, want)
		}
	}
	near("CLOCK_MONOTONIC", strings.Fields(ls[2])[1], hostMono.Sec+monoOff)
	near("CLOCK_BOOTTIME", strings.Fields(ls[3])[1], hostBoot.Sec+bootOff)
	near("/proc/uptime", ls[4], hostBoot.Sec+bootOff)
}
