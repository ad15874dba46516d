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

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

// Preflight runs the rootfs checks of Prepare's list (kindRootfs: rootfs,
// namespace-paths, bind-sources, executable) alone and joins their
// errors. They check what config.json asks of the host before anything is
// created, so that a bad bundle fails with a message that names the file,
// the JSON path and the value, and leaves nothing behind. libcontainer
// would find most of these too, but half-way through starting the
// container and with messages that do not say which setting is wrong. It
// reads the bundle's spec as written, so it works (and `hull check` can
// report its findings) even when Validate has refused something else.
//
// It never refuses what create would run: mounts apply in order, and a
// path that an earlier mount covers (directly, as a mount point the
// runtime creates, or through a symlink) is taken on trust, for bind
// sources as for the executable and its interpreter.
func Preflight(b *spec.Bundle) error {
	return runKind(b, kindRootfs)
}

// newRootView is the container's filesystem as far as it can be seen
// before anything is mounted: the rootfs (absolute, "" when it is not a
// directory; checkRootfs says why) and no mounts yet.
func newRootView(b *spec.Bundle) (*rootView, error) {
	s := b.Spec
	v := &rootView{}
	if s.Root == nil || s.Root.Path == "" {
		return v, nil // Validate's to report
	}
	v.rootfs = s.Root.Path
	if !filepath.IsAbs(v.rootfs) {
		v.rootfs = filepath.Join(b.Dir, v.rootfs)
	}
	fi, err := os.Stat(v.rootfs)
	switch {
	case err != nil:
		v.rootfs = ""
		return v, fmt.Errorf("the container's root filesystem is missing: %w", unwrapPath(err))
	case !fi.IsDir():
		v.rootfs = ""
		return v, errors.New("the container's root filesystem must be a directory")
	}
	if real, err := filepath.EvalSymlinks(v.rootfs); err == nil && real != v.rootfs {
		v.realRootfs = real
	}
	return v, nil
}

// checkRootfs: root.path is a directory.
func checkRootfs(r *prepared) {
	if _, err := newRootView(r.b); err != nil {
		r.field(SeverityError, "root.path", r.b.Spec.Root.Path, err.Error())
	}
}

// checkNamespacePaths: the namespaces to join are there.
func checkNamespacePaths(r *prepared) {
	l := r.b.Spec.Linux
	if l == nil {
		return
	}
	for i, ns := range l.Namespaces {
		if ns.Path == "" {
			continue
		}
		if _, err := os.Stat(ns.Path); err != nil {
			r.field(SeverityError, spec.Path("linux.namespaces", i, "path"), ns.Path, fmt.Sprintf("cannot join the %s namespace: %v", ns.Type, unwrapPath(err)))
		}
	}
}

// checkBindSources: each bind mount's source is there, or may be made by
// an earlier mount. Mounts apply in order, and a bind source may be made
// by an earlier one: a path under its destination, a mount point it
// created, a symlink that leads there. What is under an earlier mount
// cannot be known now, so it is taken on trust; only a source that is
// missing whatever the earlier mounts do is refused.
func checkBindSources(r *prepared) {
	v, _ := newRootView(r.b)
	for i, m := range r.b.Spec.Mounts {
		if spec.IsBind(m) && m.Source != "" {
			src := m.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(r.b.Dir, src)
			}
			if _, covered, err := walk("/", src, v.hostCovered); err != nil && !covered {
				r.field(SeverityError, spec.Path("mounts", i, "source"), m.Source, fmt.Sprintf("bind mount source for %s is missing: %v", m.Destination, err))
			}
		}
		v.addMount(m.Destination)
	}
}

// checkExecutable: the process's executable, and its ELF interpreter or
// #! program, are in the rootfs (or under a mount, taken on trust).
// Hooks that run before the process may change the rootfs, so with them
// nothing is looked for.
func checkExecutable(r *prepared) {
	s := r.b.Spec
	p := s.Process
	if p == nil || len(p.Args) == 0 || p.Args[0] == "" || hasHooks(s.Hooks) {
		return
	}
	v, _ := newRootView(r.b)
	if v.rootfs == "" {
		return
	}
	for _, m := range s.Mounts {
		v.addMount(m.Destination)
	}
	if ee := v.findExecutable(p.Args[0], p.Cwd, p.Env); ee != nil {
		r.error(spec.Lead(ee.lead, &spec.FieldError{File: r.b.ConfigPath, Path: spec.Path("process.args", 0), Value: p.Args[0], Msg: ee.detail}))
	}
}

// hasHooks reports whether hooks may change the rootfs before the process
// starts, in which case its executable cannot be looked for beforehand.
func hasHooks(h *specs.Hooks) bool {
	return h != nil && len(h.Prestart)+len(h.CreateRuntime)+len(h.CreateContainer)+len(h.StartContainer) > 0
}

// rootView is the container's filesystem as far as Preflight can see it
// beforehand: the rootfs, with the mount destinations that will cover it.
type rootView struct {
	rootfs string
	// realRootfs is rootfs with its symlinks resolved, as a host path
	// through it resolves ("" when the same).
	realRootfs string
	// mountDests are the container paths the mounts so far cover: each
	// destination as written and as it resolves in the rootfs (runc
	// follows symlinks there to find where to mount).
	mountDests []string
}

// addMount records that a mount will cover dest.
func (v *rootView) addMount(dest string) {
	if dest == "" {
		return
	}
	dest = path.Clean("/" + dest) // relative destinations are taken from /
	if v.rootfs != "" {
		// Resolved through the mounts before this one. Missing
		// components are made by the runtime as directories, so the
		// path as resolved so far, plus the rest, is where it mounts.
		if resolved, covered, _ := walk(v.rootfs, dest, v.covered); !covered && resolved != dest {
			v.mountDests = append(v.mountDests, resolved)
		}
	}
	v.mountDests = append(v.mountDests, dest)
}

// covered reports whether the container path p is under a mount
// destination: what is there comes from the mount, which Preflight takes
// on trust.
func (v *rootView) covered(p string) bool {
	for _, d := range v.mountDests {
		if d != "/" && (p == d || strings.HasPrefix(p, d+"/")) {
			return true
		}
	}
	return false
}

// hostCovered is covered for a host path: one under the rootfs, at a
// mount destination.
func (v *rootView) hostCovered(p string) bool {
	if v.rootfs == "" {
		return false
	}
	for _, r := range []string{v.rootfs, v.realRootfs} {
		if r == "" {
			continue
		}
		if rel, err := filepath.Rel(r, p); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			if v.covered(path.Join("/", rel)) {
				return true
			}
		}
	}
	return false
}

// maxSymlinks is the kernel's limit on symlinks in one path lookup
// (MAXSYMLINKS, path_resolution(7)).
const maxSymlinks = 40

// walk resolves the absolute path p inside the tree at root one component
// at a time, following symlinks as the kernel would with root as "/"
// (".." and absolute targets stay inside root). As soon as the path so
// far is one that covered says a mount will replace, it stops with
// covered true: what lies there is not known yet. Otherwise it returns
// the resolved path (relative to root, absolute) and, when a component
// is missing, the resolved part joined with the unresolved rest and the
// error for it.
func walk(root, p string, covered func(string) bool) (resolved string, isCovered bool, err error) {
	rest := strings.Split(path.Clean("/"+p), "/")[1:]
	cur := "/"
	links := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		if covered(next) {
			return next, true, nil
		}
		fi, err := os.Lstat(filepath.Join(root, next))
		if err != nil {
			// A mount may still make a deeper path: the runtime creates
			// a missing mount point's directories.
			full := next
			for _, r := range rest {
				if full = path.Join(full, r); covered(full) {
					return full, true, nil
				}
			}
			return full, false, unwrapPath(err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if len(rest) > 0 && !fi.IsDir() {
				return path.Join(append([]string{next}, rest...)...), false, unix.ENOTDIR
			}
			cur = next
			continue
		}
		if links++; links > maxSymlinks {
			return next, false, unix.ELOOP
		}
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			return next, false, unwrapPath(err)
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return cur, false, nil
}

// execError is why the process's executable cannot run: lead is what
// runc (through Go's os/exec and execve(2)) says, the words podman and
// scripts match (podman maps "executable file not found", "no such file
// or directory" to exit status 127 and "permission denied" to 126);
// detail is hull's own account, with the rootfs.
type execError struct {
	lead, detail string
}

func (e *execError) Error() string { return e.lead + ": " + e.detail }

// findExecutable looks for the process's executable the way the
// container's exec will: relative to cwd when it has a slash, else along
// PATH from the process environment, all resolved inside the rootfs.
// Paths under a mount destination are taken on trust: the file may come
// from the mount.
func (v *rootView) findExecutable(name, cwd string, env []string) *execError {
	if !path.IsAbs(cwd) {
		cwd = "/"
	}
	if strings.Contains(name, "/") {
		p := name
		if !path.IsAbs(p) {
			p = path.Join(cwd, p)
		}
		host, err := v.locate(p, name)
		if err == nil && host != "" {
			err = v.checkInterpreter(host, name)
		}
		return err
	}
	pathEnv := ""
	for _, kv := range env {
		if val, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = val
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "." // an empty PATH entry is the current directory
		}
		p := path.Join(dir, name)
		full := p
		if !path.IsAbs(full) {
			// path.Join would put an absolute entry under cwd too.
			full = path.Join(cwd, p)
		}
		host, err := v.locate(full, p)
		if err != nil {
			continue
		}
		if !path.IsAbs(dir) {
			if host == "" {
				return nil // under a mount: cannot tell
			}
			// Go's exec.LookPath (so runc's init) refuses a match
			// through a relative PATH entry (exec.ErrDot).
			return &execError{fmt.Sprintf("exec: %q: cannot run executable found relative to current directory", name),
				fmt.Sprintf("found as %s through the relative PATH entry %q (cwd %s); make PATH's entries absolute", p, dir, cwd)}
		}
		if host != "" {
			return v.checkInterpreter(host, p)
		}
		return nil
	}
	return &execError{fmt.Sprintf("exec: %q: executable file not found in $PATH", name),
		fmt.Sprintf("not found in $PATH (searched PATH=%q in rootfs %s)", pathEnv, v.rootfs)}
}

// locate finds the executable file at p inside the container and returns
// its path on the host, or "" when p is, or is reached through, a path a
// mount covers. name is p as the process gives it, for the error.
func (v *rootView) locate(p, name string) (string, *execError) {
	resolved, covered, err := walk(v.rootfs, p, v.covered)
	if covered {
		return "", nil
	}
	host := filepath.Join(v.rootfs, resolved)
	var fi os.FileInfo
	if err == nil {
		fi, err = os.Stat(host)
		err = unwrapPath(err)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", &execError{fmt.Sprintf("exec: %q: stat %s: %v", name, name, err), "no such file in rootfs " + v.rootfs}
	case err != nil:
		return "", &execError{fmt.Sprintf("exec: %q: stat %s: %v", name, name, err), "in rootfs " + v.rootfs}
	case fi.IsDir():
		return "", &execError{fmt.Sprintf("exec: %q: is a directory", name), "a directory in rootfs " + v.rootfs}
	case fi.Mode().Perm()&0o111 == 0:
		return "", &execError{fmt.Sprintf("exec: %q: permission denied", name), "the file is not executable (in rootfs " + v.rootfs + ")"}
	case !fi.Mode().IsRegular():
		// exec(2) runs regular files only; and hull must not open a
		// device or a FIFO of an untrusted rootfs to look inside it.
		return "", &execError{fmt.Sprintf("exec: %q: permission denied", name), "not a regular file (in rootfs " + v.rootfs + ")"}
	}
	return host, nil
}

// checkInterpreter finds what the kernel will load to run the file: the
// ELF interpreter (the dynamic loader, such as /lib64/ld-linux-x86-64.so.2)
// or a script's #! program. When that is missing from the rootfs, exec
// fails with a bare "no such file or directory" that names the file, not
// what is missing; hull names it, after those words. name is the file's
// path in the container.
func (v *rootView) checkInterpreter(host, name string) *execError {
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
	if _, covered, err := walk(v.rootfs, interp, v.covered); err != nil && !covered {
		return &execError{fmt.Sprintf("exec %s: no such file or directory", name),
			fmt.Sprintf("its %s %s is missing from the rootfs %s", what, interp, v.rootfs)}
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
