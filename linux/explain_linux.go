package linux

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

// libcontainer's mount errors read `error mounting "SRC" to rootfs at
// "DST": ...`; the destination is the container path.
var mountErrRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`error mounting "[^"]*" to rootfs at "([^"]*)"`)
})

// and its sysctl errors `failed to write sysctl KEY = "VALUE": ...` or
// `open sysctl KEY file: ...`.
var (
	sysctlWriteRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`failed to write sysctl (\S+) = `) })
	sysctlOpenRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`open sysctl (\S+) file: `) })
)

// ExplainStartError adds to an error of libcontainer's container start
// the config.json entry it is about and, for the usual kernel refusals,
// what to change. libcontainer's own text leads, as runc prints it, for
// callers and scripts that match it; hull's explanation follows.
func ExplainStartError(err error, b *spec.Bundle) error {
	if err == nil || b == nil || b.Spec == nil {
		return err
	}
	if e := explainSysctl(err, b); e != err {
		return e
	}
	m := mountErrRE().FindStringSubmatch(startMessage(err))
	if m == nil {
		// Not one of config.json's mounts: the read-only and masked
		// paths are bind mounts too ("can't make /proc/bus read-only").
		if unbindableRootfs(b) && strings.HasSuffix(startMessage(err), ": "+unix.EINVAL.Error()) {
			fe := &spec.FieldError{File: b.ConfigPath, Path: "linux.rootfsPropagation", Value: b.Spec.Linux.RootfsPropagation,
				Msg: "the kernel refused a bind mount under an unbindable root filesystem; use private, rprivate, slave or shared"}
			return fmt.Errorf("%w; %s", err, fe.Error())
		}
		return err
	}
	dest := m[1]
	idx := -1
	for i, mnt := range b.Spec.Mounts {
		if path.Clean("/"+mnt.Destination) == path.Clean("/"+dest) {
			idx = i // the last one wins, as it is mounted last
		}
	}
	if idx < 0 {
		return err
	}
	mnt := b.Spec.Mounts[idx]
	// The error crossed the pipe from the container's init as text: its
	// errno is only at the end of the message.
	msg := startMessage(err)
	has := func(e unix.Errno) bool { return errors.Is(err, e) || strings.HasSuffix(msg, ": "+e.Error()) }
	if has(unix.EINVAL) && unbindableRootfs(b) {
		// An unbindable rootfs makes every bind of a tree under it fail
		// with EINVAL, whichever mount comes first (mount(2)); the
		// mount named is not the one to change.
		fe := &spec.FieldError{File: b.ConfigPath, Path: "linux.rootfsPropagation", Value: b.Spec.Linux.RootfsPropagation,
			Msg: fmt.Sprintf("the kernel refused to mount %s under an unbindable root filesystem; use private, rprivate, slave or shared", mnt.Destination)}
		return fmt.Errorf("%w; %s", err, fe.Error())
	}
	hint := ""
	switch {
	case has(unix.ENOTDIR):
		hint = "the source and the destination must both be directories or both be files"
	case has(unix.ENODEV):
		hint = fmt.Sprintf("this kernel does not know the filesystem type %q", mnt.Type)
	case has(unix.EINVAL) && mnt.Type != "" && mnt.Type != "bind" && len(mnt.Options) > 0:
		hint = fmt.Sprintf("the kernel refused the %s options %s", mnt.Type, strings.Join(mnt.Options, ","))
	case has(unix.EINVAL) && mnt.Type != "" && mnt.Type != "bind":
		hint = fmt.Sprintf("the kernel refused this %s mount", mnt.Type)
	case has(unix.ENOENT):
		hint = "the source does not exist"
	case has(unix.EPERM) || has(unix.EACCES):
		hint = "permission denied: check the source's ownership and the user namespace"
	}
	fe := &spec.FieldError{File: b.ConfigPath, Path: spec.Path("mounts", idx), Value: mnt.Destination, Msg: "cannot be mounted"}
	if hint != "" {
		fe.Msg += ": " + hint
	}
	return fmt.Errorf("%w; %s", err, fe.Error())
}

func explainSysctl(err error, b *spec.Bundle) error {
	var key, msg string
	text := startMessage(err)
	if m := sysctlWriteRE().FindStringSubmatch(text); m != nil {
		key, msg = m[1], "the kernel refused this value"
	} else if m := sysctlOpenRE().FindStringSubmatch(text); m != nil && strings.HasSuffix(text, unix.ENOENT.Error()) {
		key, msg = m[1], "there is no such sysctl in the container (this kernel lacks it, or it is for a network device the container does not have)"
	} else {
		return err
	}
	if b.Spec.Linux == nil {
		return err
	}
	val, ok := b.Spec.Linux.Sysctl[key]
	if !ok {
		// config.json may write the key with slashes.
		val, ok = b.Spec.Linux.Sysctl[strings.ReplaceAll(key, ".", "/")]
	}
	if !ok {
		return err
	}
	fe := &spec.FieldError{File: b.ConfigPath, Path: spec.Path("linux.sysctl", key), Value: val, Msg: msg}
	return fmt.Errorf("%w; %s", err, fe.Error())
}

// unbindableRootfs: with "unbindable" or "runbindable", no tree under the
// rootfs can be bind mounted (mount(2): EINVAL), whichever mount the
// runtime happens to make first.
func unbindableRootfs(b *spec.Bundle) bool {
	return b.Spec.Linux != nil && strings.HasSuffix(b.Spec.Linux.RootfsPropagation, "unbindable")
}
