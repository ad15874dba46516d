package spec

import (
	"errors"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ExecProcess checks and translates a process to start in a running
// container (`exec`): one read from a --process file, or the bundle's
// process with the command line's overrides. file is named in errors.
func ExecProcess(file string, p *specs.Process) (*Process, error) {
	c := &checker{file: file}
	c.process(p, false)
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return newProcess(p), nil
}
