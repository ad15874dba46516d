//go:build cgo && seccomp

package linux

import (
	"runtime"
	"testing"
)

func TestSeccompArchUsable(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the table lists x86 architectures as usable; this machine is " + runtime.GOARCH)
	}
	for _, tc := range []struct {
		arch string
		want bool
	}{
		{"SCMP_ARCH_X86_64", true}, // the test machines' native arch
		{"SCMP_ARCH_X86", true},
		{"SCMP_ARCH_X32", true},
		{"SCMP_ARCH_NOPE", false},
		{"x86_64", false}, // config.json wants the SCMP_ARCH_ name
		{"", false},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			if got := seccompArchUsable(tc.arch); got != tc.want {
				t.Errorf("seccompArchUsable(%q) = %v, want %v", tc.arch, got, tc.want)
			}
		})
	}
}

func TestSeccompSyscallKnown(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"read", true},
		{"arm_fadvise64_64", true}, // arm only: other architectures' names are not mistakes
		{"socketcall", true},       // x86 (32-bit) and others, not x86_64
		{"mkdirr", false},
		{"", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := seccompSyscallKnown(tc.name); got != tc.want {
				t.Errorf("seccompSyscallKnown(%q) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}
