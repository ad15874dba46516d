package linux

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

// Preflight checks what config.json asks of the host before anything is
// created, so that a bad bundle fails with a message that names the file,
// the JSON path and the value, and leaves nothing behind. libcontainer
// would find most of these too, but half-way through starting the
// container and with messages that do not say which setting is wrong. It
// reads the bundle's spec as written, so it works (and `hull check` can
// report its findings) even when Validate has refused something else.
func Preflight(b *spec.Bundle) error {
	var errs []error
	field := func(jsonPath string, value any, format string, a ...any) {
		errs = append(errs, &spec.FieldError{File: b.ConfigPath, Path: jsonPath, Value: value, Msg: fmt.Sprintf(format, a...)})
	}
	s := b.Spec
	fsv := &rootView{}
	if s.Root != nil && s.Root.Path != "" {
		fsv.rootfs = s.Root.Path
		if !filepath.IsAbs(fsv.rootfs) {
			fsv.rootfs = filepath.Join(b.Dir, fsv.rootfs)
		}
		if fi, err := os.Stat(fsv.rootfs); err != nil {
			field("root.path", s.Root.Path, "the container's root filesystem is missing: %v", unwrapPath(err))
			fsv.rootfs = ""
		} else if !fi.IsDir() {
			field("root.path", s.Root.Path, "the container's root filesystem must be a directory")
			fsv.rootfs = ""
		}
	}
	if s.Linux != nil {
		for i, ns := range s.Linux.Namespaces {
			if ns.Path == "" {
				continue
			}
			if _, err := os.Stat(ns.Path); err != nil {
				field(fmt.Sprintf("linux.namespaces[%d].path", i), ns.Path, "cannot join the %s namespace: %v", ns.Type, unwrapPath(err))
			}
		}
	}
	for i, m := range s.Mounts {
		if path.IsAbs(m.Destination) {
			fsv.mountDests = append(fsv.mountDests, path.Clean(m.Destination))
		}
		if !isBind(m) || m.Source == "" {
			continue
		}
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(b.Dir, src)
		}
		if _, err := os.Stat(src); err != nil {
			field(fmt.Sprintf("mounts[%d].source", i), m.Source, "bind mount source for %s is missing: %v", m.Destination, unwrapPath(err))
		}
	}
	p := s.Process
	if fsv.rootfs != "" && p != nil && len(p.Args) > 0 && p.Args[0] != "" && !hasHooks(s.Hooks) {
		if err := fsv.findExecutable(p.Args[0], p.Cwd, p.Env); err != nil {
			field("process.args[0]", p.Args[0], "%v", err)
		}
	}
	return errors.Join(errs...)
}

func isBind(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}

// hasHooks reports whether hooks may change the rootfs before the process
// starts, in which case its executable cannot be looked for beforehand.
func hasHooks(h *specs.Hooks) bool {
	return h != nil && len(h.Prestart)+len(h.CreateRuntime)+len(h.CreateContainer)+len(h.StartContainer) > 0
}

// rootView is the container's filesystem as far as Preflight can see it
// beforehand: the rootfs, with the mount destinations that will cover it.
type rootView struct {
	rootfs     string
	mountDests []string
}

// covered reports whether p is under a mount destination: what is there
// comes from the mount, which Preflight takes on trust.
func (v *rootView) covered(p string) bool {
	for _, d := range v.mountDests {
		if d != "/" && (p == d || strings.HasPrefix(p, d+"/")) {
			return true
		}
	}
	return false
}

// findExecutable looks for the process's executable the way the
// container's exec will: relative to cwd when it has a slash, else along
// PATH from the process environment, all resolved inside the rootfs.
// Paths under a mount destination are taken on trust: the file may come
// from the mount.
func (v *rootView) findExecutable(name, cwd string, env []string) error {
	if strings.Contains(name, "/") {
		p := name
		if !path.IsAbs(p) {
			if !path.IsAbs(cwd) {
				cwd = "/"
			}
			p = path.Join(cwd, p)
		}
		host, err := v.locate(p)
		if err == nil && host != "" {
			err = v.checkInterpreter(host)
		}
		if err != nil {
			return fmt.Errorf("%w (in rootfs %s)", err, v.rootfs)
		}
		return nil
	}
	pathEnv := ""
	for _, kv := range env {
		if val, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = val
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" || !path.IsAbs(dir) {
			continue
		}
		host, err := v.locate(path.Join(dir, name))
		if err != nil {
			continue
		}
		if host != "" {
			if err := v.checkInterpreter(host); err != nil {
				return fmt.Errorf("%s: %w (in rootfs %s)", path.Join(dir, name), err, v.rootfs)
			}
		}
		return nil
	}
	return fmt.Errorf("executable file not found in $PATH (searched PATH=%q in rootfs %s)", pathEnv, v.rootfs)
}

// locate finds the executable file at p inside the container and returns
// its path on the host, or "" when p is covered by a mount.
func (v *rootView) locate(p string) (string, error) {
	if v.covered(p) {
		return "", nil
	}
	host, err := securejoin.SecureJoin(v.rootfs, p)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(host)
	if err != nil {
		return "", unwrapPath(err)
	}
	if fi.IsDir() {
		return "", errors.New("is a directory")
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return "", errors.New("permission denied: the file is not executable")
	}
	if !fi.Mode().IsRegular() {
		// exec(2) runs regular files only; and hull must not open a
		// device or a FIFO of an untrusted rootfs to look inside it.
		return "", errors.New("permission denied: not a regular file")
	}
	return host, nil
}

// checkInterpreter finds what the kernel will load to run the file: the
// ELF interpreter (the dynamic loader, such as /lib64/ld-linux-x86-64.so.2)
// or a script's #! program. When that is missing from the rootfs, exec
// fails with a bare "no such file or directory" that names the file, not
// what is missing; hull names it.
func (v *rootView) checkInterpreter(host string) error {
	// The rootfs is untrusted and may change under us: do not follow a
	// symlink swapped in since SecureJoin resolved the path, do not block
	// on a FIFO, and look only inside a regular file.
	f, err := os.OpenFile(host, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil // exec will tell
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	var interp, what string
	switch {
	case bytes.HasPrefix(head, []byte("#!")):
		line, _, _ := bytes.Cut(head[2:], []byte("\n"))
		fields := strings.Fields(string(line))
		if len(fields) == 0 {
			return nil
		}
		interp, what = fields[0], "script interpreter"
	case bytes.HasPrefix(head, []byte(elf.ELFMAG)):
		ef, err := elf.NewFile(f)
		if err != nil {
			return nil
		}
		defer ef.Close()
		for _, prog := range ef.Progs {
			if prog.Type != elf.PT_INTERP {
				continue
			}
			data := make([]byte, prog.Filesz)
			if _, err := prog.ReadAt(data, 0); err != nil {
				return nil
			}
			interp, what = string(bytes.TrimRight(data, "\x00")), "ELF interpreter (dynamic loader)"
		}
	}
	if interp == "" || !path.IsAbs(interp) {
		return nil
	}
	if v.covered(interp) {
		return nil
	}
	ih, err := securejoin.SecureJoin(v.rootfs, interp)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(ih); err != nil {
		return fmt.Errorf("no such file or directory: its %s %s is missing from the rootfs", what, interp)
	}
	return nil
}

// unwrapPath drops the *PathError wrapper: the path is already in the
// message around it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
