package spec

import (
	"errors"
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ExecProcess checks and translates a process to start in a running
// container (`exec`): one read from a --process file (standalone: the
// file is the process object, and errors' JSON paths start there), or
// the bundle's process with the command line's overrides. file is named
// in errors.
func ExecProcess(file string, standalone bool, p *specs.Process) (*Process, error) {
	c := &checker{file: file}
	c.process(p)
	if standalone {
		for _, err := range c.errs {
			if fe, ok := err.(*FieldError); ok {
				fe.Path = standalonePath(fe.Path)
			}
		}
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return newProcess(p), nil
}

// ExecWarnings lists what an exec'd process asks for that hull, like
// runc, runs without: unknown capabilities (dropped), and a
// process.user.umask other than the container's (libcontainer gives
// every exec'd process the container's umask, containerUmask, nil when
// none is set). Arguments as for ExecProcess.
func ExecWarnings(file string, standalone bool, p *specs.Process, containerUmask *uint32) []*FieldError {
	w := &warner{file: file}
	w.capabilities(p.Capabilities)
	if u := p.User.Umask; u != nil && (containerUmask == nil || *containerUmask != *u) {
		have := "none, so it inherits hull's"
		if containerUmask != nil {
			have = fmt.Sprintf("%04o", *containerUmask)
		}
		w.add("process.user.umask", fmt.Sprintf("%04o", *u), fmt.Sprintf("ignored, as runc does: an exec'd process gets the container's umask (%s); remove it", have))
	}
	if standalone {
		for _, fe := range w.out {
			fe.Path = standalonePath(fe.Path)
		}
	}
	return w.out
}

// standalonePath is a process JSON path as seen in a --process file,
// which holds the process object itself.
func standalonePath(p string) string {
	return strings.TrimPrefix(strings.TrimPrefix(p, "process"), ".")
}
