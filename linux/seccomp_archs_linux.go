//go:build cgo && seccomp

package linux

import (
	libseccomp "github.com/seccomp/libseccomp-golang"
	"sync"

	"github.com/opencontainers/runc/libcontainer/seccomp"
)

// seccompArchUsable reports whether a container here can list arch (an
// SCMP_ARCH_* name) in linux.seccomp.architectures. libcontainer builds
// every filter from the native arch and adds the listed ones; libseccomp
// refuses an arch it is too old for (SCMP_ARCH_LOONGARCH64 needs 2.5.5)
// and one of the other byte order (EDOM), so probe the same way.
func seccompArchUsable(arch string) bool {
	name, err := seccomp.ConvertStringToArch(arch)
	if err != nil {
		return false
	}
	a, err := libseccomp.GetArchFromString(name)
	if err != nil {
		return false
	}
	f, err := libseccomp.NewFilter(libseccomp.ActAllow)
	if err != nil {
		return false
	}
	defer f.Release()
	return f.AddArch(a) == nil
}

// allArchs are the architectures a syscall name is looked up in: a
// profile may name syscalls of other architectures (Docker's does, under
// "includes"), so only a name no architecture knows is a mistake. Made
// on first use: it calls into libseccomp, which package init would do in
// every command and every container's init.
var allArchs = sync.OnceValue(func() []libseccomp.ScmpArch {
	var out []libseccomp.ScmpArch
	for _, name := range seccomp.KnownArchs() {
		if n, err := seccomp.ConvertStringToArch(name); err == nil {
			if a, err := libseccomp.GetArchFromString(n); err == nil {
				out = append(out, a)
			}
		}
	}
	return out
})

// seccompSyscallKnown reports whether libseccomp knows a syscall name on
// any architecture.
func seccompSyscallKnown(name string) bool {
	if _, err := libseccomp.GetSyscallFromName(name); err == nil {
		return true
	}
	for _, a := range allArchs() {
		if _, err := libseccomp.GetSyscallFromNameByArch(name, a); err == nil {
			return true
		}
	}
	return false
}
