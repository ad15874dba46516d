package sysproc

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Result is one finished command.
type Result struct {
	Args   []string // the program and its arguments
	Stdout string
	Stderr string
	// Code is the exit code; 128+n when killed by signal n; -1 when the
	// command did not run.
	Code int
	Err  error
}

// String shows the command, its exit status and its output, for a test
// failure.
func (r Result) String() string {
	return fmt.Sprintf("command: %s\nexit status: %d (err: %v)\nstdout:\n%s\nstderr:\n%s",
		ShellQuote(r.Args), r.Code, r.Err, Indent(r.Stdout), Indent(r.Stderr))
}

// RunOpts are the optional settings of Run.
type RunOpts struct {
	// Dir is the command's working directory (default: this process's).
	Dir string
	// Env is added to this process's environment.
	Env        []string
	Stdin      io.Reader
	ExtraFiles []*os.File
	// Timeout kills the command when it runs longer (default 30s).
	Timeout time.Duration
	// OutDir holds the files that take stdout and stderr while it runs
	// (default: os.TempDir()).
	OutDir string
	// Started, if set, is called with the running command before Run
	// waits for it.
	Started func(*exec.Cmd)
}

// Run runs name with args through r and waits for it. Stdout and stderr
// go to files, not pipes, because a detached container or an engine's
// monitor inherits them and would keep a pipe open long after the command
// exits. The command's failures (it cannot start, exits non-zero, times
// out) are in the Result; err is set (and is also Result.Err) only when
// Run cannot make its output files.
func (r *Reaper) Run(o RunOpts, name string, args ...string) (res Result, err error) {
	res = Result{Args: append([]string{name}, args...), Code: -1}
	outF, err := os.CreateTemp(o.OutDir, "stdout-")
	if err != nil {
		res.Err = err
		return res, err
	}
	defer os.Remove(outF.Name())
	defer outF.Close()
	errF, err := os.CreateTemp(o.OutDir, "stderr-")
	if err != nil {
		res.Err = err
		return res, err
	}
	defer os.Remove(errF.Name())
	defer errF.Close()

	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = outF, errF
	cmd.Stdin = o.Stdin
	cmd.Dir = o.Dir
	cmd.ExtraFiles = o.ExtraFiles
	if o.Env != nil {
		cmd.Env = append(os.Environ(), o.Env...)
	}
	// Without it, Wait would wait for ever for a child that keeps stdin.
	cmd.WaitDelay = 5 * time.Second
	if err := r.Start(cmd); err != nil {
		res.Err = err
		return res, nil
	}
	if o.Started != nil {
		o.Started(cmd)
	}
	res.Err = r.Wait(cmd)
	if ctx.Err() != nil {
		res.Err = fmt.Errorf("timed out after %v: %w", timeout, res.Err)
	}
	res.Code = ExitCode(cmd.ProcessState)
	stdout, _ := os.ReadFile(outF.Name())
	stderr, _ := os.ReadFile(errF.Name())
	res.Stdout, res.Stderr = string(stdout), string(stderr)
	return res, nil
}

// ExitCode is the shell's view of how a process ended: its exit code, or
// 128+n when signal n killed it; -1 when it did not run (ps is nil).
func ExitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// Indent prefixes every line of s with a tab, for output quoted in a
// test failure; "<empty>" when s is empty.
func Indent(s string) string {
	if s == "" {
		return "\t<empty>"
	}
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}

// ShellQuote writes args as a shell command line, quoting what the shell
// would interpret. An argument longer than 200 bytes is cut to its first
// 100 and its length, so that a failure stays readable.
func ShellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$&;|<>*?()[]{}\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		if len(a) > 200 {
			a = a[:100] + fmt.Sprintf("...(%d bytes)", len(a))
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
