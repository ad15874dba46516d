package tests

import (
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// onlcrScript prints lines and whether the container's terminal maps
// "\n" to "\r\n" ("onlcr") or not ("-onlcr").
const onlcrScript = `echo $HOME; stty -a 2>/dev/null | tr ' ' '\n' | grep -x -- '-*onlcr'; printf 'a\tb\n'`

// onlcrWant is what onlcrScript writes, byte for byte, when hull hands on
// the container's output as runc does: with ONLCR cleared.
const onlcrWant = "/root\n-onlcr\na\tb\n"

func terminalOn(s *specs.Spec) { s.Process.Terminal = true }

// TestTerminalOutput: a foreground run or exec with a terminal prints the
// process's "\n" as "\n" (runc clears ONLCR on the pty it makes), whether
// hull's own stdio is a pipe or a file.
func TestTerminalOutput(t *testing.T) {
	t.Parallel()
	t.Run("run", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		if got := h.runOut(h.bundle(sh(onlcrScript), terminalOn)); got != onlcrWant {
			t.Errorf("hull run with process.terminal printed %q, want %q", got, onlcrWant)
		}
	})
	t.Run("exec-tty", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
		if got := h.ok("exec", "--tty", id, "sh", "-c", onlcrScript).Stdout; got != onlcrWant {
			t.Errorf("hull exec --tty printed %q, want %q", got, onlcrWant)
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})
}

// TestTerminalHost runs hull with a terminal as its stdio, as from an
// interactive shell: the container's terminal has the host terminal's
// size and ONLCR off; the host terminal is raw while the container runs
// (no echo, no line editing) but keeps its output processing, so lines
// reach the screen as "\r\n" once, not "\r\r\n"; its modes come back
// afterwards.
func TestTerminalHost(t *testing.T) {
	t.Parallel()
	h := newH(t)
	bundle := h.bundle(sh(`stty size; `+onlcrScript+`; sleep 1; echo done`), terminalOn)
	master, slave, err := sysproc.OpenPTY()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 33, Col: 111}); err != nil {
		t.Fatal(err)
	}
	before, err := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	id := h.id()
	cmd := exec.Command(hullBin, "--root", h.root, "run", "--bundle", bundle, id)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := reaper.Start(cmd); err != nil {
		slave.Close()
		t.Fatal(err)
	}
	slave.Close()
	out := readPty(master)
	out.waitFor(t, "a\tb")
	// The container sleeps now: hull has set the host terminal up.
	during, err := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(cmdTimeout, func() { _ = cmd.Process.Kill() })
	werr := reaper.Wait(cmd)
	timer.Stop()
	after, _ := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS)
	got := out.String()
	if werr != nil {
		t.Fatalf("hull run on a terminal: %v\n%q", werr, got)
	}
	if want := "33 111\r\n" + strings.ReplaceAll(onlcrWant, "\n", "\r\n") + "done\r\n"; got != want {
		t.Errorf("host terminal shows %q, want %q", got, want)
	}
	if during.Lflag&(unix.ECHO|unix.ICANON) != 0 {
		t.Errorf("host terminal during the run: lflag %#o, want ECHO and ICANON off (raw)", during.Lflag)
	}
	if during.Oflag&(unix.OPOST|unix.ONLCR) != unix.OPOST|unix.ONLCR {
		t.Errorf("host terminal during the run: oflag %#o, want OPOST and ONLCR kept", during.Oflag)
	}
	if *after != *before {
		t.Errorf("host terminal modes after the run %+v, want them restored to %+v", *after, *before)
	}
	h.assertClean(id)
}

// TestTerminalStdinOnly: with stdin a terminal and stdout a file (`hull
// run ID > log`), the file gets the process's bytes, and the terminal on
// stdin gives the size.
func TestTerminalStdinOnly(t *testing.T) {
	t.Parallel()
	h := newH(t)
	bundle := h.bundle(sh(`stty size; `+onlcrScript), terminalOn)
	master, slave, err := sysproc.OpenPTY()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	go func() { _, _ = io.Copy(io.Discard, master) }()
	id := h.id()
	r := h.hullOpts(cmdOpts{Stdin: slave}, "run", "--bundle", bundle, id)
	slave.Close()
	if r.Code != 0 {
		t.Fatalf("hull run failed:\n%s", r)
	}
	if want := "24 80\n" + onlcrWant; r.Stdout != want {
		t.Errorf("stdout %q, want %q", r.Stdout, want)
	}
	h.assertClean(id)
}
