package linux

import (
	"errors"
	"fmt"

	"github.com/opencontainers/runc/libcontainer/seccomp"

	"github.com/hullrt/hull/spec"
)

// Severity of a finding of Check.
const (
	SeverityError   = "error"   // create would fail, or do something else than asked
	SeverityWarning = "warning" // accepted, but probably not what was meant
)

// Finding is one problem Check found.
type Finding struct {
	Severity string
	Err      error
}

// Check runs every check create and run make, without creating anything,
// and returns all findings at once: unknown fields, what Validate,
// Translate and the pre-flight checks refuse (rootfs, bind sources,
// namespace paths, the executable and its interpreter), and spec's
// warnings. With host it adds what this host cannot do (HostCheck) or
// will skip (HostWarnings).
func Check(b *spec.Bundle, id string, host bool) []Finding {
	var out []Finding
	add := func(sev string, err error) {
		for _, e := range splitErrors(err) {
			out = append(out, Finding{Severity: sev, Err: e})
		}
	}
	for _, fe := range spec.UnknownFields(b) {
		add(SeverityWarning, fe)
	}
	for _, fe := range spec.Warnings(b) {
		add(SeverityWarning, fe)
	}
	add(SeverityWarning, seccompNameCheck(b))
	valid := spec.Validate(b)
	add(SeverityError, valid)
	if host {
		for _, fe := range HostWarnings(b) {
			add(SeverityWarning, fe)
		}
		add(SeverityError, HostCheck(b))
	}
	add(SeverityError, Preflight(b))
	if valid == nil {
		// Translate's own refusals (it runs Validate again first).
		_, _, err := spec.Translate(b, TranslateOptions(id))
		add(SeverityError, err)
	}
	return out
}

// TranslateOptions are spec.Options with this host's probes.
func TranslateOptions(id string) spec.Options {
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

// seccompNameCheck finds syscall names in linux.seccomp that libseccomp
// knows on no architecture: libcontainer (like runc) skips such a rule
// silently, so a misspelt name leaves the syscall unfiltered.
func seccompNameCheck(b *spec.Bundle) error {
	if b.Spec.Linux == nil || b.Spec.Linux.Seccomp == nil {
		return nil
	}
	var errs []error
	for i, sc := range b.Spec.Linux.Seccomp.Syscalls {
		for j, name := range sc.Names {
			if !seccompSyscallKnown(name) {
				errs = append(errs, &spec.FieldError{File: b.ConfigPath, Path: fmt.Sprintf("linux.seccomp.syscalls[%d].names[%d]", i, j), Value: name,
					Msg: "no architecture has a syscall of this name, so libcontainer skips it and the syscall you meant is not filtered; check the spelling"})
			}
		}
	}
	return errors.Join(errs...)
}
