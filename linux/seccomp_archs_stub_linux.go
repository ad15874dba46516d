//go:build !cgo || !seccomp

package linux

// seccompArchUsable cannot probe without libseccomp; hull built so has
// no seccomp at all, and refuses linux.seccomp elsewhere.
func seccompArchUsable(string) bool { return true }

// seccompSyscallKnown cannot look names up without libseccomp.
func seccompSyscallKnown(string) bool { return true }
