package linux

import (
	"errors"

	"github.com/opencontainers/runc/libcontainer/seccomp"

	"github.com/hullrt/hull/spec"
)

// Severity of a Finding.
const (
	SeverityError   = "error"   // create would fail, or do something else than asked
	SeverityWarning = "warning" // accepted, but probably not what was meant
)

// Finding is one problem Prepare found.
type Finding struct {
	Severity string
	// Check is the name of the check that found it (see checks), or
	// "load" when config.json could not be read.
	Check string
	Err   error
}

// translateOptions are spec.Options with this host's probes.
func translateOptions(id string) spec.Options {
	return spec.Options{
		ID: id,
		// spec does not touch the host; these probes do it for it.
		UserNSMappings:       UserNSMappings,
		SeccompFlagSupported: seccomp.FlagSupported,
	}
}

// splitErrors undoes errors.Join.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// AsFieldError returns the *spec.FieldError inside err, if any.
func AsFieldError(err error) (*spec.FieldError, bool) {
	var fe *spec.FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// checkSeccompNames finds syscall names in linux.seccomp that libseccomp
// knows on no architecture: libcontainer (like runc) skips such a rule
// silently, so a misspelt name leaves the syscall unfiltered. A warning,
// not an error: runc runs such a config, so hull does too, but says so.
func checkSeccompNames(r *prepared) {
	l := r.b.Spec.Linux
	if l == nil || l.Seccomp == nil {
		return
	}
	for i, sc := range l.Seccomp.Syscalls {
		for j, name := range sc.Names {
			if !seccompSyscallKnown(name) {
				r.field(SeverityWarning, spec.Path("linux.seccomp.syscalls", i, "names", j), name,
					"no architecture has a syscall of this name, so libcontainer skips it and the syscall you meant is not filtered; check the spelling")
			}
		}
	}
}
