package tests

// linux.sysctl: namespaced sysctls set in the container, and refusals.

import (
	"os"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestExtrasSysctl(t *testing.T) {
	t.Parallel()
	host := func() string {
		a, _ := os.ReadFile("/proc/sys/kernel/shm_rmid_forced")
		b, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
		return strings.TrimSpace(string(a)) + " " + strings.TrimSpace(string(b))
	}

	t.Run("namespaced", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		before := host()
		out := h.runOut(h.bundle(sh("cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_forward"), func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"kernel.shm_rmid_forced": "1", "net.ipv4.ip_forward": "1"}
		}))
		if got := lines(out); len(got) != 2 || got[0] != "1" || got[1] != "1" {
			t.Errorf("inside: kernel.shm_rmid_forced and net.ipv4.ip_forward %q, want 1 and 1", got)
		}
		if after := host(); after != before {
			t.Errorf("the host's values changed from %q to %q", before, after)
		}
	})

	t.Run("not-namespaced", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		extRefused(t, h, h.bundle([]string{"true"}, func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"vm.swappiness": "10"}
		}), `linux.sysctl["vm.swappiness"]`, "not namespaced")
	})
}

func TestSysctl(t *testing.T) {
	t.Parallel()
	h := newH(t)
	hostBefore, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	want := "1"
	if strings.TrimSpace(string(hostBefore)) == "1" {
		want = "0"
	}
	out := h.runOut(h.bundle(sh(`cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax`), func(s *specs.Spec) {
		s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": want, "kernel.msgmax": "4096"}
	}))
	if out != want+"\n4096\n" {
		t.Errorf("sysctls inside: %q, want %q", out, want+"\n4096\n")
	}
	if hostAfter, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward"); string(hostAfter) != string(hostBefore) {
		t.Errorf("host ip_forward changed from %q to %q", hostBefore, hostAfter)
	}
}
