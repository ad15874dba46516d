// Package hooks runs OCI hooks: a program from config.json's "hooks",
// given the container's state as JSON on stdin, with the hook's own args
// and env, under its timeout. A failure reports the hook's kind, index,
// path, exit status and what it wrote to stderr, so that the user can see
// why it failed.
//
// libcontainer calls the hooks that belong inside its create and start
// steps (prestart, createRuntime, createContainer, startContainer), the
// first two through `hull hook`, which uses Exec; hull runs poststart and
// poststop itself through this package, at the moments runtime-spec 1.3
// gives them: poststart after the user process has started (libcontainer
// would run it at create), poststop after the container is deleted, where
// a failure is only a warning.
package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Kinds of hooks, as config.json names them.
const (
	Prestart        = "prestart"
	CreateRuntime   = "createRuntime"
	CreateContainer = "createContainer"
	StartContainer  = "startContainer"
	Poststart       = "poststart"
	Poststop        = "poststop"
)

// outputLimit bounds how much of a hook's output an error carries.
const outputLimit = 2048

// Error is a hook that failed.
type Error struct {
	Kind   string
	Index  int
	Path   string
	Err    error
	Stderr string
	Stdout string
}

// Error reads "error running KIND hook #I: CAUSE", runc's words, which
// callers and scripts match, then hull's detail: the JSON path, the
// program and what it wrote.
func (e *Error) Error() string {
	msg := fmt.Sprintf("error running %s hook #%d: %v (hooks.%s[%d], %s)", e.Kind, e.Index, e.Err, e.Kind, e.Index, e.Path)
	if e.Stderr != "" {
		msg += "; stderr: " + strconv.Quote(e.Stderr)
	}
	if e.Stdout != "" {
		msg += "; stdout: " + strconv.Quote(e.Stdout)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Run runs the hooks of one kind in order and stops at the first that
// fails, returning its *Error.
func Run(ctx context.Context, kind string, list []specs.Hook, state *specs.State) error {
	for i, h := range list {
		if err := runOne(ctx, kind, i, h, state); err != nil {
			return err
		}
	}
	return nil
}

// RunAll runs every hook of one kind, even after a failure, and returns
// all failures; poststop hooks are run this way.
func RunAll(ctx context.Context, kind string, list []specs.Hook, state *specs.State) []error {
	var errs []error
	for i, h := range list {
		if err := runOne(ctx, kind, i, h, state); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func runOne(ctx context.Context, kind string, i int, h specs.Hook, state *specs.State) error {
	in, err := json.Marshal(state)
	if err == nil {
		var stdout, stderr []byte
		stdout, stderr, err = Exec(ctx, h, in)
		if err != nil {
			return &Error{Kind: kind, Index: i, Path: h.Path, Err: err, Stdout: clip(stdout), Stderr: clip(stderr)}
		}
		return nil
	}
	return &Error{Kind: kind, Index: i, Path: h.Path, Err: err}
}

// Exec runs one hook program with stdin, under its timeout, and returns
// what it wrote. The program gets pipes of its own and a process group
// of its own, so that on timeout everything it started is killed and
// nothing it left behind keeps the caller waiting for end of output.
func Exec(ctx context.Context, h specs.Hook, stdin []byte) (stdout, stderr []byte, err error) {
	if h.Timeout != nil {
		if *h.Timeout <= 0 {
			return nil, nil, fmt.Errorf("timeout %d: must be a positive number of seconds", *h.Timeout)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	var outBuf, errBuf bytes.Buffer
	cmd := &exec.Cmd{
		Path:        h.Path,
		Args:        h.Args,
		Env:         h.Env, // nil inherits the caller's environment, as with runc
		Stdin:       bytes.NewReader(stdin),
		Stdout:      &outBuf,
		Stderr:      &errBuf,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
		// Once the hook itself has exited, stop reading output that its
		// leftover children may hold open.
		WaitDelay: time.Second,
	}
	if len(cmd.Args) == 0 {
		cmd.Args = []string{h.Path}
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
		if errors.Is(err, exec.ErrWaitDelay) {
			err = nil // the hook succeeded; a child of it kept its output
		}
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		err = ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("hook ran past specified timeout of %.1fs; killed it and everything it started", float64(*h.Timeout))
		}
	}
	return outBuf.Bytes(), errBuf.Bytes(), err
}

func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > outputLimit {
		b = append(b[:outputLimit:outputLimit], "..."...)
	}
	return string(b)
}
