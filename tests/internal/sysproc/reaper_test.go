package sysproc

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newTestReaper opens a Reaper that reaps only when the test calls Reap.
func newTestReaper(t *testing.T) *Reaper {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("a child subreaper needs Linux")
	}
	r, err := NewReaper(time.Hour)
	if err != nil {
		t.Fatalf("NewReaper: %v", err)
	}
	t.Cleanup(r.Close)
	return r
}

func waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReaperLeavesOwnChildren: a command started with Start that has
// exited is not reaped, so Wait still gets its exit status.
func TestReaperLeavesOwnChildren(t *testing.T) {
	r := newTestReaper(t)
	cmd := exec.Command("sh", "-c", "exit 3")
	if err := r.Start(cmd); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the command to exit", func() bool { return slices.Contains(ZombieChildren(os.Getpid()), cmd.Process.Pid) })
	if n := r.Reap(); n != 0 {
		t.Errorf("Reap reaped %d processes, want none", n)
	}
	err := r.Wait(cmd)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("Wait after Reap: %v, want exit status 3", err)
	}
}

// TestReaperReapsOrphans: a grandchild of another session (as a
// container's init or a daemon is) whose parent exits is re-parented to
// this process, and Reap waits for it once it has exited.
func TestReaperReapsOrphans(t *testing.T) {
	r := newTestReaper(t)
	res, err := r.Run(RunOpts{}, "sh", "-c", "setsid sleep 0.2 & echo $!")
	if err != nil || res.Code != 0 {
		t.Fatalf("%v\n%s", err, res)
	}
	orphan, err := strconv.Atoi(strings.TrimSpace(res.Stdout))
	if err != nil {
		t.Fatalf("sh printed %q, want the pid of its background sleep", res.Stdout)
	}
	waitFor(t, "the orphan to exit", func() bool { return slices.Contains(ZombieChildren(os.Getpid()), orphan) })
	if n := r.Reap(); n != 1 {
		t.Errorf("Reap reaped %d processes, want the orphan", n)
	}
	if p, ok := ReadProc(orphan); ok {
		t.Errorf("orphan after Reap: %+v, want it gone", p)
	}
}

// TestReaperBackground: the loop reaps without being asked, and Close
// stops it so that another Reaper may open.
func TestReaperBackground(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a child subreaper needs Linux")
	}
	r, err := NewReaper(10 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r2, err := NewReaper(time.Second); !errors.Is(err, ErrReaperOpen) {
		r2.Close()
		t.Errorf("a second NewReaper: %v, want ErrReaperOpen", err)
	}
	res, _ := r.Run(RunOpts{}, "sh", "-c", "setsid sleep 0.1 & echo $!")
	orphan, _ := strconv.Atoi(strings.TrimSpace(res.Stdout))
	if orphan <= 0 {
		t.Fatalf("no orphan pid:\n%s", res)
	}
	waitFor(t, "the background loop to reap the orphan", func() bool { _, ok := ReadProc(orphan); return !ok })
	r.Close()
	r.Close() // twice is fine
	r3, err := NewReaper(time.Hour)
	if err != nil {
		t.Fatalf("NewReaper after Close: %v", err)
	}
	r3.Close()
}

// TestReaperSparesPlainCommands: a child started with plain os/exec (not
// Start) is in this process's session and is left to its own Wait, even
// while the reaper runs; an orphan of this session is reaped by Close.
func TestReaperSparesPlainCommands(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a child subreaper needs Linux")
	}
	r, err := NewReaper(time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 50 {
		if out, err := exec.Command("sh", "-c", "echo ok").Output(); err != nil || string(out) != "ok\n" {
			t.Fatalf("plain exec under the reaper: %q, %v", out, err)
		}
	}
	res, _ := r.Run(RunOpts{}, "sh", "-c", "sleep 0.05 & echo $!")
	orphan, _ := strconv.Atoi(strings.TrimSpace(res.Stdout))
	waitFor(t, "the same-session orphan to exit", func() bool { return slices.Contains(ZombieChildren(os.Getpid()), orphan) })
	r.Close()
	if p, ok := ReadProc(orphan); ok {
		t.Errorf("same-session orphan after Close: %+v, want it reaped", p)
	}
}

func TestNilReaper(t *testing.T) {
	var r *Reaper
	cmd := exec.Command("true")
	if err := r.Start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := r.Wait(cmd); err != nil {
		t.Errorf("Wait: %v", err)
	}
	if n := r.Reap(); n != 0 {
		t.Errorf("a nil Reaper reaped %d", n)
	}
	r.Close()
}

func TestRun(t *testing.T) {
	var r *Reaper // Run itself needs no subreaper
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		opts    RunOpts
		args    []string
		code    int
		stdout  string
		stderr  string
		errHas  string
		started bool
	}{
		{name: "output", args: []string{"sh", "-c", "echo out; echo err >&2"}, stdout: "out\n", stderr: "err\n"},
		{name: "exit code", args: []string{"sh", "-c", "exit 7"}, code: 7, errHas: "exit status 7"},
		{name: "signal", args: []string{"sh", "-c", "kill -9 $$"}, code: 128 + 9, errHas: "killed"},
		{name: "env and dir", opts: RunOpts{Env: []string{"SYSPROC_X=1"}, Dir: dir},
			args: []string{"sh", "-c", `echo "$SYSPROC_X $PWD"`}, stdout: "1 " + dir + "\n"},
		{name: "stdin", opts: RunOpts{Stdin: strings.NewReader("in\n")}, args: []string{"cat"}, stdout: "in\n"},
		{name: "timeout", opts: RunOpts{Timeout: 100 * time.Millisecond}, args: []string{"sleep", "10"},
			code: 128 + 9, errHas: "timed out after 100ms"},
		{name: "missing program", args: []string{"/no/such/program"}, code: -1, errHas: "no such file"},
		{name: "started", args: []string{"true"}, started: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			called := false
			if c.started {
				c.opts.Started = func(cmd *exec.Cmd) { called = cmd.Process != nil }
			}
			c.opts.OutDir = dir
			res, err := r.Run(c.opts, c.args[0], c.args[1:]...)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Code != c.code || res.Stdout != c.stdout || res.Stderr != c.stderr ||
				(c.errHas == "") != (res.Err == nil) || (res.Err != nil && !strings.Contains(res.Err.Error(), c.errHas)) {
				t.Errorf("want code %d, stdout %q, stderr %q, error with %q; got\n%s", c.code, c.stdout, c.stderr, c.errHas, res)
			}
			if c.started && !called {
				t.Error("Started was not called with the running command")
			}
			if !slices.Equal(res.Args, c.args) {
				t.Errorf("Args %q, want %q", res.Args, c.args)
			}
		})
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Run left files in OutDir: %v", left)
	}
	if _, err := r.Run(RunOpts{OutDir: "/no/such/dir"}, "true"); err == nil {
		t.Error("Run with an OutDir that does not exist: no error")
	}
}

func TestExitCodeNotRun(t *testing.T) {
	if got := ExitCode(nil); got != -1 {
		t.Errorf("ExitCode(nil) = %d, want -1", got)
	}
}

func TestShellQuote(t *testing.T) {
	long := strings.Repeat("x", 201)
	for name, c := range map[string]struct {
		in   []string
		want string
	}{
		"plain":   {[]string{"hull", "run", "id"}, "hull run id"},
		"empty":   {[]string{"echo", ""}, "echo ''"},
		"space":   {[]string{"sh", "-c", "echo a"}, "sh -c 'echo a'"},
		"quote":   {[]string{"it's"}, `'it'\''s'`},
		"long":    {[]string{long}, strings.Repeat("x", 100) + "...(201 bytes)"},
		"nothing": {nil, ""},
	} {
		t.Run(name, func(t *testing.T) {
			if got := ShellQuote(c.in); got != c.want {
				t.Errorf("ShellQuote(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestIndent(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"empty":         {"", "\t<empty>"},
		"one line":      {"a\n", "\ta"},
		"several lines": {"a\nb\n\n", "\ta\n\tb"},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Indent(c.in); got != c.want {
				t.Errorf("Indent(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
