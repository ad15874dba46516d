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
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
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
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: PR_SET_CHILD_SUBREAPER:", err)
		return 1
	}
	stopReaper := startReaper()

	code := m.Run()

	// Last line of defence: the fixtures clean up after themselves, this
	// catches what a crashed fixture left.
	if left := finalSweep(); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: left behind after all tests (removed now):\n\t%s\n", strings.Join(left, "\n\t"))
		code = 1
	}
	stopReaper()
	reapNow()
	if z := zombieChildren(); len(z) > 0 {
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
// the programs is missing (scripts/e2e-deps.sh installs them).
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
			t.Skipf("%s is not installed (run scripts/e2e-deps.sh): %v", p, err)
		}
	}
}

// ---------------------------------------------------------------------------
// Running commands

// result is one finished command.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int // exit code; 128+n when killed by signal n; -1 when it did not run
	err    error
}

func (r result) String() string {
	return fmt.Sprintf("command: %s\nexit status: %d (err: %v)\nstdout:\n%s\nstderr:\n%s",
		shellQuote(r.args), r.code, r.err, indent(r.stdout), indent(r.stderr))
}

func indent(s string) string {
	if s == "" {
		return "\t<empty>"
	}
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}

func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$&;|<>*?()[]{}\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// cmdOpts are optional settings for runCmd.
type cmdOpts struct {
	env        []string // added to os.Environ()
	stdin      io.Reader
	extraFiles []*os.File
	dir        string        // working directory (default: the test's)
	timeout    time.Duration // default 90s
}

// runCmd runs name with args. Stdout and stderr go to files, not pipes:
// a detached container or a monitor may inherit them and would keep a pipe
// open long after the command exits.
func runCmd(o cmdOpts, name string, args ...string) result {
	r := result{args: append([]string{name}, args...), code: -1}
	outF, err := os.CreateTemp(workDir, "stdout-")
	if err != nil {
		r.err = err
		return r
	}
	errF, err := os.CreateTemp(workDir, "stderr-")
	if err != nil {
		outF.Close()
		os.Remove(outF.Name())
		r.err = err
		return r
	}
	defer func() {
		outF.Close()
		errF.Close()
		os.Remove(outF.Name())
		os.Remove(errF.Name())
	}()
	if o.timeout == 0 {
		o.timeout = 90 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = outF, errF
	cmd.Stdin = o.stdin
	cmd.ExtraFiles = o.extraFiles
	cmd.Dir = o.dir
	cmd.Env = append(os.Environ(), o.env...)
	cmd.WaitDelay = 5 * time.Second
	if err := startTracked(cmd); err != nil {
		r.err = err
		return r
	}
	r.err = waitTracked(cmd)
	if ctx.Err() != nil {
		r.err = fmt.Errorf("timed out after %v: %w", o.timeout, r.err)
	}
	r.code = exitCode(cmd.ProcessState)
	stdout, _ := os.ReadFile(outF.Name())
	stderr, _ := os.ReadFile(errF.Name())
	r.stdout, r.stderr = string(stdout), string(stderr)
	return r
}

// runPTY runs name with a new pseudo-terminal as its controlling terminal
// and stdio (ctr -t and podman -t want a terminal on their side too) and
// returns everything written to the terminal.
func runPTY(o cmdOpts, name string, args ...string) result {
	r := result{args: append([]string{name}, args...), code: -1}
	master, slave, err := openPTY()
	if err != nil {
		r.err = err
		return r
	}
	defer master.Close()
	if o.timeout == 0 {
		o.timeout = 90 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), o.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	cmd.WaitDelay = 5 * time.Second
	if err := startTracked(cmd); err != nil {
		slave.Close()
		r.err = err
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
	if o.stdin != nil {
		go io.Copy(master, o.stdin)
	}
	r.err = waitTracked(cmd)
	if ctx.Err() != nil {
		r.err = fmt.Errorf("timed out after %v: %w", o.timeout, r.err)
	}
	r.code = exitCode(cmd.ProcessState)
	// The read ends with EIO once no process holds the slave any more.
	select {
	case <-readDone:
	case <-time.After(3 * time.Second):
		master.Close()
		<-readDone
	}
	r.stdout = buf.String()
	return r
}

// openPTY opens a new pseudo-terminal pair, 24x80.
func openPTY() (master, slave *os.File, err error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", err)
	}
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("TIOCSWINSZ: %w", err)
	}
	name := "/dev/pts/" + strconv.Itoa(n)
	slave, err = os.OpenFile(name, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// ---------------------------------------------------------------------------
// Child tracking and reaping. The test binary is a subreaper; orphaned
// shims, conmons and container processes become its children. The reaper
// waits only for zombies that no exec.Cmd owns, so it never steals an exit
// status from os/exec.

var (
	procMu       sync.RWMutex // read-held while starting, write-held while reaping
	execChildren sync.Map     // pid -> struct{}: children owned by an exec.Cmd
)

func startTracked(cmd *exec.Cmd) error {
	procMu.RLock()
	defer procMu.RUnlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	execChildren.Store(cmd.Process.Pid, struct{}{})
	return nil
}

func waitTracked(cmd *exec.Cmd) error {
	err := cmd.Wait()
	execChildren.Delete(cmd.Process.Pid)
	return err
}

func startReaper() (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				reapNow()
			}
		}
	}()
	return func() { close(done); <-finished }
}

// reapNow waits for every zombie child of this process that no exec.Cmd owns.
func reapNow() {
	procMu.Lock()
	defer procMu.Unlock()
	me := os.Getpid()
	for _, p := range listProcs() {
		if p.ppid != me || p.state != 'Z' {
			continue
		}
		if _, owned := execChildren.Load(p.pid); owned {
			continue
		}
		var ws unix.WaitStatus
		_, _ = unix.Wait4(p.pid, &ws, unix.WNOHANG, nil)
	}
}

func zombieChildren() []int {
	var out []int
	me := os.Getpid()
	for _, p := range listProcs() {
		if p.ppid == me && p.state == 'Z' {
			out = append(out, p.pid)
		}
	}
	return out
}

type procInfo struct {
	pid, ppid int
	state     byte
	comm      string
}

func listProcs() []procInfo {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var ps []procInfo
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			ps = append(ps, p)
		}
	}
	return ps
}

func readProc(pid int) (procInfo, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procInfo{}, false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < 0 || end+4 > len(s) {
		return procInfo{}, false
	}
	fields := strings.Fields(s[end+2:])
	if len(fields) < 2 {
		return procInfo{}, false
	}
	ppid, _ := strconv.Atoi(fields[1])
	return procInfo{pid: pid, ppid: ppid, state: fields[0][0], comm: s[open+1 : end]}, true
}

func cmdline(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(data), "\x00", " "))
}

// descendants lists the live processes below this one (all generations).
func descendants() []procInfo {
	ps := listProcs()
	children := map[int][]procInfo{}
	for _, p := range ps {
		children[p.ppid] = append(children[p.ppid], p)
	}
	var out []procInfo
	var walk func(int)
	walk = func(pid int) {
		for _, c := range children[pid] {
			if c.state != 'Z' && c.state != 'X' {
				out = append(out, c)
			}
			walk(c.pid)
		}
	}
	walk(os.Getpid())
	return out
}

// killProcs SIGKILLs the live processes whose command line matches, waits
// briefly for them to go and returns a description of each.
func killProcs(match func(p procInfo, args string) bool) []string {
	var out []string
	var pids []int
	for _, p := range listProcs() {
		if p.pid == os.Getpid() || p.state == 'Z' || p.state == 'X' {
			continue
		}
		args := cmdline(p.pid)
		if match(p, args) {
			out = append(out, fmt.Sprintf("process %d (%s): %s", p.pid, p.comm, args))
			pids = append(pids, p.pid)
			_ = unix.Kill(p.pid, unix.SIGKILL)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) {
			p, ok := readProc(pid)
			if !ok || p.state == 'Z' || p.state == 'X' {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	reapNow()
	return out
}

// ---------------------------------------------------------------------------
// Mounts, cgroups and directories

// mountsUnder lists mount points (deepest first) under dir in this mount
// namespace.
func mountsUnder(dir string) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil || dir == "" {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		mp := unescapeMount(f[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountUnder lazily unmounts everything under dir, deepest first, and
// returns what it found. The engines leave overlay, shm and nsfs mounts
// behind when they are stopped abruptly.
func unmountUnder(dir string) []string {
	var found []string
	for i := 0; i < 5; i++ { // stacked mounts need more than one pass
		mps := mountsUnder(dir)
		if len(mps) == 0 {
			break
		}
		for _, mp := range mps {
			found = append(found, "mount "+mp)
			_ = unix.Unmount(mp, unix.MNT_DETACH)
		}
	}
	return found
}

// cgroupRoots lists the mounted cgroup hierarchies (v1 controllers and the
// unified tree).
func cgroupRoots() []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		i := strings.Index(line, " - ")
		if i < 0 {
			continue
		}
		after := strings.Fields(line[i+3:])
		f := strings.Fields(line[:i])
		if len(after) > 0 && (after[0] == "cgroup" || after[0] == "cgroup2") && len(f) >= 5 {
			out = append(out, unescapeMount(f[4]))
		}
	}
	return out
}

// cgroupDirs lists, for every hierarchy, the directory for the cgroup path
// p ("/hulle2e123/x") that exists.
func cgroupDirs(p string) []string {
	var out []string
	for _, root := range cgroupRoots() {
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

// finalSweep removes whatever the fixtures did not: processes below this
// one, mounts under workDir, this run's cgroups, workDir itself.
func finalSweep() []string {
	if workDir == "" {
		return nil
	}
	var left []string
	left = append(left, killProcs(func(p procInfo, args string) bool {
		return isDescendant(p.pid) || strings.Contains(args, workDir)
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

func isDescendant(pid int) bool {
	me := os.Getpid()
	for i := 0; i < 64 && pid > 1; i++ {
		p, ok := readProc(pid)
		if !ok {
			return false
		}
		if p.ppid == me {
			return true
		}
		pid = p.ppid
	}
	return false
}

// ---------------------------------------------------------------------------
// Small helpers

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, indent(s))
		}
	}
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
