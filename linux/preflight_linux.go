package linux

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/opencontainers/runc/libcontainer/configs"

	"github.com/hullrt/hull/spec"
)

// Preflight checks what config.json asks of the host before anything is
// created, so that a bad bundle fails with a message that names the file,
// the JSON path and the value, and leaves nothing behind. libcontainer
// would find most of these too, but half-way through starting the
// container and with messages that do not say which setting is wrong.
func Preflight(configFile string, cfg *configs.Config, proc *spec.Process) error {
	var errs []error
	field := func(jsonPath string, value any, format string, a ...any) {
		errs = append(errs, &spec.FieldError{File: configFile, Path: jsonPath, Value: value, Msg: fmt.Sprintf(format, a...)})
	}
	if fi, err := os.Stat(cfg.Rootfs); err != nil {
		field("root.path", cfg.Rootfs, "the container's root filesystem is missing: %v", unwrapPath(err))
	} else if !fi.IsDir() {
		field("root.path", cfg.Rootfs, "the container's root filesystem must be a directory")
	}
	for i, ns := range cfg.Namespaces {
		if ns.Path == "" {
			continue
		}
		if _, err := os.Stat(ns.Path); err != nil {
			field(fmt.Sprintf("linux.namespaces[%d].path", i), ns.Path, "cannot join the %s namespace: %v", ns.Type, unwrapPath(err))
		}
	}
	for i, m := range cfg.Mounts {
		if !m.IsBind() {
			continue
		}
		if _, err := os.Stat(m.Source); err != nil {
			field(fmt.Sprintf("mounts[%d].source", i), m.Source, "bind mount source for %s is missing: %v", m.Destination, unwrapPath(err))
		}
	}
	if len(errs) == 0 && len(proc.Args) > 0 && !hasHooks(cfg) {
		if err := findExecutable(cfg, proc); err != nil {
			field("process.args[0]", proc.Args[0], "%v", err)
		}
	}
	return errors.Join(errs...)
}

// hasHooks reports whether hooks may change the rootfs before the process
// starts, in which case its executable cannot be looked for beforehand.
func hasHooks(cfg *configs.Config) bool {
	for _, hs := range cfg.Hooks {
		if len(hs) > 0 {
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
func findExecutable(cfg *configs.Config, proc *spec.Process) error {
	name := proc.Args[0]
	if strings.Contains(name, "/") {
		p := name
		if !path.IsAbs(p) {
			p = path.Join(proc.Cwd, p)
		}
		if err := checkExecutable(cfg, p); err != nil {
			return fmt.Errorf("%w (in rootfs %s)", err, cfg.Rootfs)
		}
		return nil
	}
	pathEnv := ""
	for _, kv := range proc.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = v
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" || !path.IsAbs(dir) {
			continue
		}
		if checkExecutable(cfg, path.Join(dir, name)) == nil {
			return nil
		}
	}
	return fmt.Errorf("executable file not found in $PATH (searched PATH=%q in rootfs %s)", pathEnv, cfg.Rootfs)
}

func checkExecutable(cfg *configs.Config, p string) error {
	for _, m := range cfg.Mounts {
		if m.Destination != "/" && (p == m.Destination || strings.HasPrefix(p, strings.TrimSuffix(m.Destination, "/")+"/")) {
			return nil
		}
	}
	host, err := securejoin.SecureJoin(cfg.Rootfs, p)
	if err != nil {
		return err
	}
	fi, err := os.Stat(host)
	if err != nil {
		return unwrapPath(err)
	}
	if fi.IsDir() {
		return errors.New("is a directory")
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return errors.New("permission denied: the file is not executable")
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
