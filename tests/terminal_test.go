package tests

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
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

// TestTerminalOutput: a foreground run or exec with a terminal prints the
// process's "\n" as "\n" (runc clears ONLCR on the pty it makes), whether
// hull's own stdio is a pipe or a file.
func TestTerminalOutput(t *testing.T) {
	t.Parallel()
	t.Run("run", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		if got := h.runOut(h.bundle(sh(onlcrScript), withTerminal)); got != onlcrWant {
			t.Errorf("hull run with process.terminal printed %q, want %q", got, onlcrWant)
		}
	})
	t.Run("exec-tty", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
		// libcontainer's exec init sends the pty master and goes on to
		// execve with no sync point (setupConsole), so on a loaded
		// machine the process can write before hull (or runc, which has
		// the same window) has cleared ONLCR. The pause keeps this test
		// about what hull controls.
		if got := h.ok("exec", "--tty", id, "sh", "-c", "sleep 0.3; "+onlcrScript).Stdout; got != onlcrWant {
			t.Errorf("hull exec --tty printed %q, want %q", got, onlcrWant)
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})
}

// hostPty opens a pty of 33x111 for hull's side, closed with the test,
// and returns its modes before hull touches them.
func hostPty(t *testing.T) (master, slave *os.File, modes *unix.Termios) {
	t.Helper()
	master, slave, err := sysproc.OpenPTY()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 33, Col: 111}); err != nil {
		t.Fatal(err)
	}
	modes, err = unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return master, slave, modes
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
	bundle := h.bundle(sh(`stty size; `+onlcrScript+`; sleep 1; echo done`), withTerminal)
	master, slave, before := hostPty(t)
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

// TestTerminalBackground: a foreground `hull run` started as a background
// job of an interactive shell (`hull run ID < /dev/null &`) leaves the
// shell's terminal alone: changing its modes from the background would
// stop hull (SIGTTOU), or with the signal caught, spin in the kernel's
// retries (as runc 1.5 does). The container's output still reaches the
// terminal.
func TestTerminalBackground(t *testing.T) {
	t.Parallel()
	h := newH(t)
	bundle := h.bundle(sh(`echo from-container`), withTerminal)
	master, slave, before := hostPty(t)
	id := h.id()
	// sh -m puts the job in a process group of its own, in the background.
	script := `set -m; "$@" < /dev/null & wait $!; echo "hull-exit:$?"`
	cmd := exec.Command("/bin/sh", "-c", script, "sh", hullBin, "--root", h.root, "run", "--bundle", bundle, id)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := reaper.Start(cmd); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	out := readPty(master)
	timer := time.AfterFunc(15*time.Second, func() { _ = cmd.Process.Kill() })
	werr := reaper.Wait(cmd)
	timer.Stop()
	if werr == nil {
		// The shell has exited; its last line may still be on its way
		// through the pty to the reader.
		out.waitFor(t, "hull-exit:")
	}
	if werr != nil || !strings.Contains(out.String(), "hull-exit:0") {
		// hull may still spin: its own cleanup is the harness's.
		t.Fatalf("background hull run did not finish with status 0 within 15s (%v):\n%q", werr, out.String())
	}
	mustContain(t, "the terminal", out.String(), "from-container")
	if after, _ := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS); *after != *before {
		t.Errorf("terminal modes after a background run %+v, want them untouched %+v", *after, *before)
	}
	h.assertClean(id)
}

// TestTerminalOneStream: with one of hull's streams a terminal and stdout
// a file (`hull run ID > log`), the file gets the process's bytes, and
// that terminal, as runc picks it (stderr, stdout, then stdin), gives the
// container's size and is back in its own modes afterwards.
func TestTerminalOneStream(t *testing.T) {
	t.Parallel()
	for _, stream := range []string{"stdin", "stderr"} {
		t.Run(stream, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			bundle := h.bundle(sh(`stty size; `+onlcrScript), withTerminal)
			master, slave, before := hostPty(t)
			go func() { _, _ = io.Copy(io.Discard, master) }()
			id := h.id()
			var r result
			if stream == "stdin" {
				r = h.hullOpts(cmdOpts{Stdin: slave}, "run", "--bundle", bundle, id)
			} else {
				r = runWithStderr(t, slave, hullBin, "--root", h.root, "run", "--bundle", bundle, id)
			}
			slave.Close()
			if r.Code != 0 {
				t.Fatalf("hull run failed:\n%s", r)
			}
			if want := "33 111\n" + onlcrWant; r.Stdout != want {
				t.Errorf("stdout %q, want %q", r.Stdout, want)
			}
			if after, _ := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS); *after != *before {
				t.Errorf("terminal on %s: modes after the run %+v, want them restored to %+v", stream, *after, *before)
			}
			h.assertClean(id)
		})
	}
}

// runWithStderr runs a command with stdin /dev/null, stdout to a file
// and stderr to f.
func runWithStderr(t *testing.T, f *os.File, name string, args ...string) result {
	t.Helper()
	res := result{Args: append([]string{name}, args...), Code: -1}
	out, err := os.CreateTemp(t.TempDir(), "stdout-")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, f
	if err := reaper.Start(cmd); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(cmdTimeout, func() { _ = cmd.Process.Kill() })
	res.Err = reaper.Wait(cmd)
	timer.Stop()
	res.Code = sysproc.ExitCode(cmd.ProcessState)
	data, _ := os.ReadFile(out.Name())
	res.Stdout = string(data)
	return res
}

// TestTerminalMatchesRunc runs, for each setting whose effect used to be
// compared through a pty (where hull's "\r\n" hid any other difference),
// the same config.json under runc without a terminal and under hull with
// one, and compares stdout byte for byte. runc needs a terminal of its
// own for process.terminal, which a test does not have; without ONLCR a
// pty adds nothing, so the bytes must be the same.
func TestTerminalMatchesRunc(t *testing.T) {
	t.Parallel()
	runc := requireRunc(t)
	noHome := func(s *specs.Spec) {
		var env []string
		for _, e := range s.Process.Env {
			if !strings.HasPrefix(e, "HOME=") {
				env = append(env, e)
			}
		}
		s.Process.Env = env
	}
	user := func(uid uint32) func(*specs.Spec) {
		return func(s *specs.Spec) { noHome(s); s.Process.User = specs.User{UID: uid, GID: uid} }
	}
	memoryPolicy := func(mode specs.MemoryPolicyModeType, nodes string, flags ...specs.MemoryPolicyFlagType) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: mode, Nodes: nodes, Flags: flags}
		}
	}
	// Mount point, per-mount options, then after " - " the type, source
	// and superblock options; peer group numbers vary from run to run.
	const mounts = `awk '$5 ~ /^\/(dev|dev\/shm|dev\/mqueue|tmp|mnt)$/ || $5 == "/" {o=""; for (i=7; $i != "-"; i++) o=o" "$i; print $5, $6, o, "-", $(i+1), $(i+2), $(i+3)}' /proc/self/mountinfo | sed 's/:[0-9]*/:N/g'`
	type scenario struct {
		name   string
		script string
		mods   []func(*specs.Spec)
		needs  string // a file whose absence skips the scenario, with why
		why    string
	}
	scenarios := []scenario{
		{name: "tmpfs-modes", script: `stat -c '%n %a %u:%g' /dev /dev/shm /dev/pts /dev/mqueue /tmp /mnt; ` + mounts, mods: []func(*specs.Spec){
			withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid"}}),
			withMount(specs.Mount{Destination: "/mnt", Type: "tmpfs", Source: "tmpfs", Options: []string{"mode=700", "uid=65534"}}),
		}},
		{name: "home-set", script: `echo "HOME=$HOME"`, mods: []func(*specs.Spec){func(s *specs.Spec) { noHome(s); s.Process.Env = append(s.Process.Env, "HOME=/custom") }}},
		{name: "home-root", script: `echo "HOME=$HOME"; env | sort`, mods: []func(*specs.Spec){noHome}},
		{name: "home-nobody", script: `echo "HOME=$HOME"`, mods: []func(*specs.Spec){user(65534)}},
		{name: "home-no-passwd-entry", script: `echo "HOME=$HOME"`, mods: []func(*specs.Spec){user(1234)}},
		{name: "time-offsets", script: `cat /proc/self/timens_offsets`, needs: "/proc/self/ns/time", why: "this kernel has no time namespaces (Linux 5.6)",
			mods: []func(*specs.Spec){func(s *specs.Spec) {
				s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.TimeNamespace})
				s.Linux.TimeOffsets = map[string]specs.LinuxTimeOffset{"monotonic": {Secs: 86400}, "boottime": {Secs: 172800, Nanosecs: 5}}
			}}},
		{name: "memory-policy-bind", script: `head -1 /proc/self/numa_maps | cut -d' ' -f2`, needs: "/proc/self/numa_maps", why: "this kernel has no NUMA support",
			mods: []func(*specs.Spec){memoryPolicy(specs.MpolBind, "0")}},
		{name: "memory-policy-preferred-static", script: `head -1 /proc/self/numa_maps | cut -d' ' -f2`, needs: "/proc/self/numa_maps", why: "this kernel has no NUMA support",
			mods: []func(*specs.Spec){memoryPolicy(specs.MpolPreferred, "0", specs.MpolFStaticNodes)}},
		{name: "memory-policy-local", script: `head -1 /proc/self/numa_maps | cut -d' ' -f2`, needs: "/proc/self/numa_maps", why: "this kernel has no NUMA support",
			mods: []func(*specs.Spec){memoryPolicy(specs.MpolLocal, "")}},
	}
	for _, p := range []string{"", "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate"} {
		scenarios = append(scenarios, scenario{name: "rootfs-propagation-" + p, script: mounts,
			mods: []func(*specs.Spec){func(s *specs.Spec) { s.Linux.RootfsPropagation = p }}})
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			if sc.needs != "" && !fileExists(sc.needs) {
				t.Skip(sc.why)
			}
			h := newH(t)
			pipes := h.bundle(sh(sc.script), sc.mods...)
			tty := h.bundle(sh(sc.script), append(sc.mods, withTerminal)...)

			// A foreground runc run deletes its container; the harness
			// checks the cgroups and processes of runcID, and this its
			// state directory.
			runcRoot := filepath.Join(h.dir, "runc-state")
			runcID := h.id()
			want := runCmd(t, h.dir, cmdOpts{}, runc, "--root", runcRoot, "run", "--bundle", pipes, runcID)
			h.assertClean(runcID)
			if fileExists(filepath.Join(runcRoot, runcID)) {
				t.Errorf("runc left its state directory %s", filepath.Join(runcRoot, runcID))
			}
			id := h.id()
			got := h.hull("run", "--bundle", tty, id)
			h.assertClean(id)
			if want.Code != 0 {
				t.Fatalf("runc run failed, so hull's result cannot be compared:\n%s", want)
			}
			if got.Code != 0 || got.Stdout != want.Stdout {
				t.Errorf("hull with a terminal differs from runc:\nrunc printed %q\nhull printed %q\n%s", want.Stdout, got.Stdout, got)
			}
		})
	}
}
