package tests

// The process's scheduling and personality settings: scheduler,
// ioPriority, execCPUAffinity, umask, personality, consoleSize.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Scheduling policies as /proc/PID/stat field 41 shows them (sched.h).
const (
	extSchedBatch = 3
	extSchedIdle  = 5
)

// extIoprio is ioprio_get(IOPRIO_WHO_PROCESS, pid): class<<13 | level.
func extIoprio(t *testing.T, pid int) int {
	t.Helper()
	const whoProcess = 1
	v, _, e := unix.Syscall(unix.SYS_IOPRIO_GET, whoProcess, uintptr(pid), 0)
	if e != 0 {
		t.Fatalf("ioprio_get(%d): %v", pid, e)
	}
	return int(v)
}

// extCheckProc compares the scheduling settings of the live process pid.
func extCheckProc(t *testing.T, what string, pid, policy, nice, ioprio int, cpus, umask string) {
	t.Helper()
	f := extStat(t, pid)
	if got := f[41-3]; got != strconv.Itoa(policy) {
		t.Errorf("%s: scheduling policy %s, want %d", what, got, policy)
	}
	if got := f[19-3]; got != strconv.Itoa(nice) {
		t.Errorf("%s: nice %s, want %d", what, got, nice)
	}
	if got := extIoprio(t, pid); got != ioprio {
		t.Errorf("%s: ioprio class %d level %d, want class %d level %d", what, got>>13, got&0xff, ioprio>>13, ioprio&0xff)
	}
	if got := extStatus(t, pid, "Cpus_allowed_list"); got != cpus {
		t.Errorf("%s: Cpus_allowed_list %q, want %q", what, got, cpus)
	}
	if got := extStatus(t, pid, "Umask"); got != umask {
		t.Errorf("%s: umask %s, want %s", what, got, umask)
	}
}

func TestExtrasProcess(t *testing.T) {
	t.Parallel()
	last := extLastCPU(t)

	t.Run("scheduling", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
			s.Process.Scheduler = &specs.Scheduler{Policy: specs.SchedBatch, Nice: 7}
			s.Process.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_BE, Priority: 3}
			s.Process.ExecCPUAffinity = &specs.CPUAffinity{Initial: "0", Final: last}
			s.Process.User.Umask = ptr[uint32](0o027)
		}), id)
		// runtime-spec: execCPUAffinity "is not applicable to the
		// container's init process"; libcontainer resets init to all CPUs.
		all := extStatus(t, os.Getpid(), "Cpus_allowed_list")
		extCheckProc(t, "init", h.state(id).Pid, extSchedBatch, 7, 2<<13|3, all, "0027")

		// A plain exec takes them all from config.json, with the final
		// execCPUAffinity.
		pidFile := filepath.Join(h.dir, "exec.pid")
		h.ok("exec", "-d", "--pid-file", pidFile, id, "sleep", "1000")
		extCheckProc(t, "exec from config.json", extReadPid(t, pidFile), extSchedBatch, 7, 2<<13|3, last, "0027")

		// An exec'd process.json overrides them.
		p := specs.Process{Args: longRunning, Cwd: "/", Env: []string{"PATH=/bin"},
			Scheduler:       &specs.Scheduler{Policy: specs.SchedIdle},
			IOPriority:      &specs.LinuxIOPriority{Class: specs.IOPRIO_CLASS_IDLE, Priority: 0},
			ExecCPUAffinity: &specs.CPUAffinity{Final: "0"}}
		data, _ := json.Marshal(p)
		file := filepath.Join(h.dir, "process.json")
		writeFile(t, file, string(data))
		h.ok("exec", "-d", "--pid-file", pidFile, "--process", file, id)
		extCheckProc(t, "exec from process.json", extReadPid(t, pidFile), extSchedIdle, 0, 3<<13, "0", "0027")
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})

	t.Run("exec-umask", func(t *testing.T) {
		// libcontainer gives every exec'd process the container's umask;
		// runc runs an exec whose process.user.umask differs with the
		// container's, and so does hull, but it says so.
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) { s.Process.User.Umask = ptr[uint32](0o027) }), id)
		p := specs.Process{Args: []string{"sh", "-c", "umask"}, Cwd: "/", Env: []string{"PATH=/bin"},
			User: specs.User{Umask: ptr[uint32](0o077)}}
		data, _ := json.Marshal(p)
		file := filepath.Join(h.dir, "process.json")
		writeFile(t, file, string(data))
		r := h.ok("exec", "--process", file, id)
		// The --process file is a process object: its path is user.umask.
		if strings.TrimSpace(r.Stdout) != "0027" || len(lines(r.Stderr)) != 1 || !strings.Contains(r.Stderr, "level=warning") || !strings.Contains(r.Stderr, `process.json: user.umask: \"0077\": ignored`) {
			t.Errorf("exec with process.user.umask 0077: want the container's 0027 and one warning naming process.json's user.umask:\n%s", r)
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})

	t.Run("umask-inside", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle(sh("umask; touch /tmp/f; stat -c %a /tmp/f"),
			withMount(specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=64k"}}),
			func(s *specs.Spec) { s.Process.User.Umask = ptr[uint32](0o027) }))
		if got := lines(out); len(got) != 2 || got[0] != "0027" || got[1] != "640" {
			t.Errorf("umask 0027: printed %q, want 0027 and a new file of mode 640", got)
		}
	})

	t.Run("personality", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		out := h.runOut(h.bundle(sh("uname -m; cat /proc/self/personality"), func(s *specs.Spec) {
			s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.PerLinux32}
		}))
		// PER_LINUX32 is 0x0008 (linux/personality.h).
		if got := lines(out); len(got) != 2 || got[0] != "i686" || got[1] != "00000008" {
			t.Errorf("LINUX32 personality: printed %q, want uname -m i686 and personality 00000008", got)
		}
	})

	t.Run("exec-consoleSize", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
		cl := listenConsole(t, h.dir)
		p := specs.Process{Args: []string{"sh", "-c", "stty size; echo done"}, Cwd: "/", Env: []string{"PATH=/bin"},
			Terminal: true, ConsoleSize: &specs.Box{Height: 21, Width: 77}}
		data, _ := json.Marshal(p)
		file := filepath.Join(h.dir, "process.json")
		writeFile(t, file, string(data))
		h.ok("exec", "-d", "--tty", "--console-socket", cl.path, "--process", file, id)
		out := readPty(cl.wait(t))
		out.waitFor(t, "done")
		if !strings.Contains(out.String(), "21 77\r\n") {
			t.Errorf("stty size in an exec'd terminal: %q, want 21 77 (process.consoleSize)", out.String())
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})
}
