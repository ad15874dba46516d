//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

var (
	// hullBin is the absolute path of the hull binary under test.
	hullBin string
	// workDir is the root of everything the tests create (mode 0711 so that
	// user-namespaced containers can traverse it); removed by TestMain.
	workDir string
	// tag names this run's containerd namespace and cgroup parents, so that
	// cleanup can find them and nothing else.
	tag string
	// skipReason, when set, makes every test skip (not root...).
	skipReason string
	// setupErr, when set, makes every test fail (no hull binary...).
	setupErr error
	// reaper reaps the monitors and containers re-parented to the test
	// binary; every command runs through it. Nil when the tests skip.
	reaper *sysproc.Reaper
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tag = fmt.Sprintf("hulle2e%d", os.Getpid())
	if os.Geteuid() != 0 {
		skipReason = "end-to-end tests start containerd and podman and need root (euid 0)"
		return m.Run()
	}
	var err error
	workDir, err = os.MkdirTemp("", "hull-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	// User-namespaced containers (ctr --uidmap, podman --userns) run as an
	// unprivileged host uid that must traverse every parent of their rootfs.
	if err := os.Chmod(workDir, 0o711); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	setupErr = setup()

	// The engines orphan their monitors on purpose (containerd-shim and
	// conmon double-fork). They are re-parented to the nearest subreaper;
	// PID 1 on these machines never reaps, so without this every monitor
	// would stay a zombie after it exits.
	if reaper, err = sysproc.NewReaper(100 * time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}

	code := m.Run()

	// Last line of defence: the fixtures clean up after themselves, this
	// catches what a crashed fixture left.
	if left := finalSweep(); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: left behind after all tests (removed now):\n\t%s\n", strings.Join(left, "\n\t"))
		code = 1
	}
	reaper.Close()
	if z := sysproc.ZombieChildren(os.Getpid()); len(z) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: zombie children left: %v\n", z)
		code = 1
	}
	return code
}

// setup finds hull.
func setup() error {
	bin := os.Getenv("HULL_BINARY")
	if bin == "" {
		bin = filepath.Join("..", "..", "bin", "hull")
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("hull binary: %w (run `make build` or set HULL_BINARY)", err)
	}
	hullBin = abs
	return nil
}

// need skips or fails t when the run cannot go on, and skips when one of
// the programs is missing (scripts/install-deps.sh e2e installs them).
func need(t *testing.T, programs ...string) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	if setupErr != nil {
		t.Fatalf("setup: %v", setupErr)
	}
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed (run scripts/install-deps.sh e2e): %v", p, err)
		}
	}
}

// ---------------------------------------------------------------------------
// Running commands

// result is one finished command.
type result = sysproc.Result

// cmdOpts are optional settings for runCmd and runPTY; Timeout defaults
// to 90s.
type cmdOpts = sysproc.RunOpts

// runCmd runs name with args through the reaper, its output kept in files
// under workDir.
func runCmd(o cmdOpts, name string, args ...string) result {
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	o.OutDir = workDir
	r, _ := reaper.Run(o, name, args...) // a failure to run is in r.Err too
	return r
}

// runPTY runs name with a new pseudo-terminal as its controlling terminal
// and stdio (ctr -t and podman -t want a terminal on their side too) and
// returns everything written to the terminal.
func runPTY(o cmdOpts, name string, args ...string) result {
	r := result{Args: append([]string{name}, args...), Code: -1}
	master, slave, err := sysproc.OpenPTY()
	if err != nil {
		r.Err = err
		return r
	}
	defer master.Close()
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), o.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	cmd.WaitDelay = 5 * time.Second
	if err := reaper.Start(cmd); err != nil {
		slave.Close()
		r.Err = err
		return r
	}
	slave.Close()
	var buf strings.Builder
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b := make([]byte, 4096)
		for {
			n, err := master.Read(b)
			buf.Write(b[:n])
			if err != nil {
				return
			}
		}
	}()
	if o.Stdin != nil {
		go io.Copy(master, o.Stdin)
	}
	r.Err = reaper.Wait(cmd)
	if ctx.Err() != nil {
		r.Err = fmt.Errorf("timed out after %v: %w", o.Timeout, r.Err)
	}
	r.Code = sysproc.ExitCode(cmd.ProcessState)
	// The read ends with EIO once no process holds the slave any more.
	select {
	case <-readDone:
	case <-time.After(3 * time.Second):
		master.Close()
		<-readDone
	}
	r.Stdout = buf.String()
	return r
}

// cmdline is the command line of pid, its arguments joined by spaces.
func cmdline(pid int) string {
	return strings.Join(sysproc.Cmdline(pid), " ")
}

// killProcs SIGKILLs the live processes whose command line matches, waits
// briefly for them to go and returns a description of each.
func killProcs(match func(p sysproc.Proc, args string) bool) []string {
	var out []string
	var pids []int
	for _, p := range sysproc.Procs() {
		if p.PID == os.Getpid() || !p.Live() {
			continue
		}
		args := cmdline(p.PID)
		if match(p, args) {
			out = append(out, fmt.Sprintf("process %d (%s): %s", p.PID, p.Comm, args))
			pids = append(pids, p.PID)
			_ = unix.Kill(p.PID, unix.SIGKILL)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) {
			if !sysproc.Alive(pid) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	reaper.Reap()
	return out
}

// ---------------------------------------------------------------------------
// Mounts, cgroups and directories

// unmountUnder lazily unmounts everything under dir, deepest first, and
// returns what it found. The engines leave overlay, shm and nsfs mounts
// behind when they are stopped abruptly.
func unmountUnder(dir string) []string {
	var found []string
	for i := 0; i < 5; i++ { // stacked mounts need more than one pass
		mps := sysproc.MountsUnder(dir)
		if len(mps) == 0 {
			break
		}
		sort.Slice(mps, func(i, j int) bool { return len(mps[i]) > len(mps[j]) })
		for _, mp := range mps {
			found = append(found, "mount "+mp)
			_ = unix.Unmount(mp, unix.MNT_DETACH)
		}
	}
	return found
}

// cgroupDirs lists, for every hierarchy, the directory for the cgroup path
// p ("/hulle2e123/x") that exists.
// cgroupV2 says whether /sys/fs/cgroup is the unified hierarchy alone (a
// cgroup v2 host, such as the VM of tests/vm), where the tests expect v2
// files.
func cgroupV2() bool {
	_, err := os.Stat("/sys/fs/cgroup/cgroup.controllers")
	return err == nil
}

// systemdCgroups says whether the engines use their systemd cgroup
// drivers here, as they do by default on a cgroup v2 host with systemd as
// PID 1 (the VM of tests/vm); elsewhere they use cgroupfs.
func systemdCgroups() bool {
	_, err := os.Stat("/run/systemd/system")
	return err == nil && cgroupV2()
}

// cgroupFilePath is file of cgroup cg in a v1 controller's hierarchy, or
// on a cgroup v2 host in the one hierarchy (controller is ignored).
func cgroupFilePath(cg, controller, file string) string {
	if cgroupV2() {
		controller = ""
	}
	return filepath.Join("/sys/fs/cgroup", controller, cg, file)
}

// cgFile is a cgroup file a test reads and what it must hold.
type cgFile struct{ ctrl, file, want string }

// cpuWeight512 is cpu.shares 512 as a cgroup v2 weight, by the
// opencontainers/cgroups formula that fits 2, 1024 and 262144 to 1, 100
// and 10000.
const cpuWeight512 = "59"

func cgroupDirs(p string) []string {
	var out []string
	for _, root := range sysproc.CgroupMountPoints() {
		d := filepath.Join(root, p)
		if _, err := os.Stat(d); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// removeCgroupTree removes the cgroup directory d and everything below it,
// deepest first, killing what still runs there. It returns what it removed.
func removeCgroupTree(d string) []string {
	var dirs []string
	_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	var out []string
	for _, dir := range dirs {
		if data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs")); err == nil {
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil {
					out = append(out, fmt.Sprintf("process %d in %s: %s", pid, dir, cmdline(pid)))
					_ = unix.Kill(pid, unix.SIGKILL)
				}
			}
		}
		// A frozen cgroup keeps its killed tasks; thaw it first (v1).
		_ = os.WriteFile(filepath.Join(dir, "freezer.state"), []byte("THAWED"), 0)
		var err error
		for i := 0; i < 50; i++ {
			if err = unix.Rmdir(dir); err == nil || errors.Is(err, unix.ENOENT) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err == nil {
			out = append(out, "cgroup "+dir)
		} else if !errors.Is(err, unix.ENOENT) {
			out = append(out, fmt.Sprintf("cgroup %s (cannot remove: %v)", dir, err))
		}
	}
	return out
}

// cgroupTreeBelow lists, without removing anything, the cgroups below the
// cgroup directory d and the processes in d or below it.
func cgroupTreeBelow(d string) []string {
	var out []string
	_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
		if err != nil || !e.IsDir() {
			return nil
		}
		if p != d {
			out = append(out, "cgroup "+p)
		}
		if data, err := os.ReadFile(filepath.Join(p, "cgroup.procs")); err == nil {
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil {
					out = append(out, fmt.Sprintf("process %d in %s: %s", pid, p, cmdline(pid)))
				}
			}
		}
		return nil
	})
	return out
}

// scopesLeft returns the scope units systemd still has loaded (running or
// failed) in one of the slices, and stops and forgets them.
func scopesLeft(slices ...string) []string {
	r := runCmd(cmdOpts{}, "systemctl", "show", "--property=Id", "--property=Slice", "--all", "*.scope")
	var out []string
	for _, block := range strings.Split(r.Stdout, "\n\n") {
		var id, slice string
		for _, l := range strings.Split(block, "\n") {
			if v, ok := strings.CutPrefix(l, "Id="); ok {
				id = v
			} else if v, ok := strings.CutPrefix(l, "Slice="); ok {
				slice = v
			}
		}
		if id != "" && contains(slices, slice) {
			out = append(out, fmt.Sprintf("scope unit %s in %s", id, slice))
			runCmd(cmdOpts{}, "systemctl", "stop", id)
			runCmd(cmdOpts{}, "systemctl", "reset-failed", id)
		}
	}
	return out
}

// finalSweep removes whatever the fixtures did not: processes below this
// one, mounts under workDir, this run's cgroups, workDir itself.
func finalSweep() []string {
	if workDir == "" {
		return nil
	}
	var left []string
	left = append(left, killProcs(func(p sysproc.Proc, args string) bool {
		return sysproc.IsDescendant(p.PID, os.Getpid()) || strings.Contains(args, workDir)
	})...)
	left = append(left, unmountUnder(workDir)...)
	for _, d := range cgroupDirs(tag) {
		left = append(left, removeCgroupTree(d)...)
	}
	if err := os.RemoveAll(workDir); err != nil {
		left = append(left, fmt.Sprintf("cannot remove %s: %v", workDir, err))
	}
	return left
}

// ---------------------------------------------------------------------------
// Small helpers

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, sysproc.Indent(s))
		}
	}
}

// containerName names the nth container of subtest t after the subtest:
// "c3-detached" for TestContainerd/detached with prefix "c". The engines
// take lower case letters, digits and dashes.
func containerName(prefix string, n int, t *testing.T) string {
	_, sub, _ := strings.Cut(t.Name(), "/")
	return fmt.Sprintf("%s%d-%s", prefix, n, strings.NewReplacer("/", "-", "_", "-").Replace(strings.ToLower(sub)))
}

// eventually polls f until it returns true or timeout passes.
func eventually(timeout time.Duration, f func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if f() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readTrim(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return strings.TrimSpace(string(data))
}

func writeExecutable(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o755)
}
