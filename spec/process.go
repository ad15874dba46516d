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
// in errors. containerUmask is the container's umask (nil: none set):
// libcontainer gives it to every exec'd process, so a process.user.umask
// that differs is refused rather than dropped.
func ExecProcess(file string, standalone bool, p *specs.Process, containerUmask *uint32) (*Process, error) {
	c := &checker{file: file}
	c.process(p)
	if u := p.User.Umask; u != nil && (containerUmask == nil || *containerUmask != *u) {
		have := "none, so it inherits hull's"
		if containerUmask != nil {
			have = fmt.Sprintf("%04o", *containerUmask)
		}
		c.add("process.user.umask", fmt.Sprintf("%04o", *u), "an exec'd process gets the container's umask (%s); remove it or use the container's", have)
	}
	if standalone {
		for _, err := range c.errs {
			if fe, ok := err.(*FieldError); ok {
				fe.Path = strings.TrimPrefix(strings.TrimPrefix(fe.Path, "process"), ".")
			}
		}
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return newProcess(p), nil
}
