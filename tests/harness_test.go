package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// cmdTimeout bounds every hull (or runc) invocation; a command that hangs
// is killed and reported with whatever it printed.
const cmdTimeout = 30 * time.Second

// waitLimit bounds a test's wait for something that must happen (a
// status, a file, a handler). It is generous because the suites also run
// in a software-emulated VM (make vm-test) on a loaded 2-core machine,
// where a start can take seconds; a passing test never waits it out.
const waitLimit = 30 * time.Second

var (
	// hullBin is the absolute path of the hull binary under test.
	hullBin string
	// rootfsDir is the shared, read-only busybox rootfs (absolute).
	rootfsDir string
	// workDir holds rootfsDir, a built hull and the spec template; removed
	// by TestMain.
	workDir string
	// skipReason, when set, makes every test skip (not root, no busybox).
	skipReason string
	// setupErr, when set, makes every test fail (hull does not build...).
	setupErr error
	// reaper reaps the containers re-parented to the test binary; every
	// command runs through it (runCmd). Nil when the tests skip.
	reaper *sysproc.Reaper

	idCounter atomic.Int64

	templateOnce sync.Once
	templateSpec []byte
	templateErr  error
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	workDir, err = os.MkdirTemp("", "hulltest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests:", err)
		return 1
	}
	defer os.RemoveAll(workDir)
	if err := os.Chmod(workDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "tests:", err)
		return 1
	}

	switch {
	case os.Geteuid() != 0:
		skipReason = "integration tests create real containers and need root (euid 0)"
	case !fileExists("/bin/busybox"):
		skipReason = "/bin/busybox is missing (apt-get install busybox-static)"
	default:
		setupErr = setup()
	}
	if skipReason == "" && setupErr == nil {
		// Containers whose hull create/run parent exits are re-parented to
		// the nearest subreaper; PID 1 on these machines never reaps, so
		// without this every stopped container would stay a zombie. The test
		// binary plays the part of containerd-shim here.
		if reaper, err = sysproc.NewReaper(100 * time.Millisecond); err != nil {
			fmt.Fprintln(os.Stderr, "tests:", err)
			return 1
		}
		defer reaper.Close()
	}

	code := m.Run()

	if skipReason == "" && setupErr == nil {
		if strays := strayHullProcesses(); len(strays) > 0 {
			fmt.Fprintf(os.Stderr, "tests: hull processes left running after all tests: %s\n", strings.Join(strays, "; "))
			code = 1
		}
		reaper.Reap()
	}
	return code
}

// setup locates or builds hull and builds the busybox rootfs.
func setup() error {
	bin := os.Getenv("HULL_BINARY")
	if bin == "" {
		bin = filepath.Join("..", "bin", "hull")
	}
	if fileExists(bin) {
		abs, err := filepath.Abs(bin)
		if err != nil {
			return err
		}
		hullBin = abs
	} else {
		if os.Getenv("HULL_BINARY") != "" {
			return fmt.Errorf("HULL_BINARY=%s does not exist", bin)
		}
		hullBin = filepath.Join(workDir, "hull")
		cmd := exec.Command("go", "build", "-tags", "seccomp", "-o", hullBin, "./cmd/hull")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s bin/hull is missing and `go build -tags seccomp ./cmd/hull` failed: %v\n%s", bin, err, out)
		}
	}
	rootfsDir = filepath.Join(workDir, "rootfs")
	return buildRootfs(rootfsDir)
}

// buildRootfs makes a minimal busybox rootfs: /bin/busybox plus a symlink
// per applet, the mount points the tests use, and passwd/group files with
// root and nobody.
func buildRootfs(dir string) error {
	for _, d := range []string{"bin", "proc", "sys", "dev", "etc", "tmp", "root", "mnt", "mnt2", "data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		return err
	}
	if err := copyFile("/bin/busybox", filepath.Join(dir, "bin", "busybox"), 0o755); err != nil {
		return err
	}
	out, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %w", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" || strings.Contains(applet, "/") {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", applet)); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	// A static sd_notify sender for the NOTIFY_SOCKET tests.
	if err := buildTestdata("sdnotify", filepath.Join(dir, "bin", "sdnotify")); err != nil {
		return err
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\nnobody:x:65534:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// buildTestdata puts the static program tests/testdata/<name> at dst:
// `go build`, or a copy of $HULL_TESTDATA_BIN/<name> where there is no Go
// (the cgroup v2 VM of tests/vm, which gets binaries built on the host).
func buildTestdata(name, dst string) error {
	if pre := os.Getenv("HULL_TESTDATA_BIN"); pre != "" {
		if err := copyFile(filepath.Join(pre, name), dst, 0o755); err != nil {
			return fmt.Errorf("testdata/%s from HULL_TESTDATA_BIN: %w", name, err)
		}
		return nil
	}
	build := exec.Command("go", "build", "-o", dst, "./testdata/"+name)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./testdata/%s: %v\n%s", name, err, out)
	}
	return nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ---------------------------------------------------------------------------
// Running commands

// result is one finished command.
type result = sysproc.Result

// cmdOpts are optional settings for runCmd; Timeout and OutDir are set by
// runCmd.
type cmdOpts = sysproc.RunOpts

// runCmd runs name with args under o.Timeout (cmdTimeout when zero), its
// output kept in files in dir, through the reaper so that the reaper never
// takes its exit status.
func runCmd(t testing.TB, dir string, o cmdOpts, name string, args ...string) result {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = cmdTimeout
	}
	o.OutDir = dir
	r, err := reaper.Run(o, name, args...)
	if err != nil {
		// Errorf, not Fatal: runCmd may run on a goroutine of the test.
		t.Errorf("runCmd: %v", err)
	}
	return r
}

// strayHullProcesses lists running processes of the hull binary under test.
func strayHullProcesses() []string {
	var out []string
	for _, p := range sysproc.Procs() {
		if p.State == 'Z' || p.PID == os.Getpid() {
			continue
		}
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", p.PID))
		args := sysproc.Cmdline(p.PID)
		if strings.HasPrefix(exe, hullBin) || (len(args) > 0 && args[0] == hullBin) {
			out = append(out, fmt.Sprintf("pid %d: %s", p.PID, strings.Join(args, " ")))
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Per-test harness

// H is one test's view of hull: its own --root, its containers, its bundles.
// Everything it creates is removed by t.Cleanup, which also fails the test
// when hull left something behind.
type H struct {
	t    *testing.T
	dir  string // per-test temp dir; bundles and host files live here
	root string // hull --root

	mu          sync.Mutex
	ids         []string
	bundles     []string
	cgroupPaths map[string]string  // id -> configured linux.cgroupsPath
	runcs       map[string]runcRun // id -> the runc that made it, for runc containers
}

// runcRun is the runc binary and --root that a runc container of a test
// lives under, so that cleanup deletes it with the same runc.
type runcRun struct{ bin, root string }

// newH returns a harness, skipping the test when the machine cannot run
// containers and failing it when hull could not be found or built.
func newH(t *testing.T) *H {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	skipOffLane(t)
	if setupErr != nil {
		t.Fatalf("test setup failed: %v", setupErr)
	}
	dir := t.TempDir()
	h := &H{t: t, dir: dir, root: filepath.Join(dir, "state"),
		cgroupPaths: map[string]string{}, runcs: map[string]runcRun{}}
	// Registered after t.TempDir, so it runs before the directory is removed.
	t.Cleanup(h.cleanup)
	return h
}

// id returns a fresh container ID, registered for cleanup.
func (h *H) id() string {
	hs := fnv.New32a()
	hs.Write([]byte(h.t.Name()))
	id := fmt.Sprintf("hulltest-%08x-%d", hs.Sum32(), idCounter.Add(1))
	h.track(id)
	return id
}

func (h *H) track(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, x := range h.ids {
		if x == id {
			return
		}
	}
	h.ids = append(h.ids, id)
}

// runcID returns a fresh container ID for a container that runc (bin,
// with --root root) makes, registered so that cleanup deletes it with that
// runc and looks for its leftovers under that root.
func (h *H) runcID(bin, root string) string {
	id := h.id()
	h.mu.Lock()
	h.runcs[id] = runcRun{bin: bin, root: root}
	h.mu.Unlock()
	return id
}

// hull runs the hull binary with --root h.root and args.
func (h *H) hull(args ...string) result {
	h.t.Helper()
	return h.hullOpts(cmdOpts{}, args...)
}

func (h *H) hullOpts(o cmdOpts, args ...string) result {
	h.t.Helper()
	return runCmd(h.t, h.dir, o, hullBin, append([]string{"--root", h.root}, args...)...)
}

// ok runs hull and fails the test unless it exits 0.
func (h *H) ok(args ...string) result {
	h.t.Helper()
	r := h.hull(args...)
	if r.Code != 0 {
		h.t.Fatalf("hull failed:\n%s", r)
	}
	return r
}

// fail runs hull and fails the test unless it exits non-zero.
func (h *H) fail(args ...string) result {
	h.t.Helper()
	r := h.hull(args...)
	if r.Code == 0 {
		h.t.Fatalf("hull succeeded, want an error:\n%s", r)
	}
	return r
}

// template returns `hull spec` output, generated once per test binary.
func (h *H) template() *specs.Spec {
	h.t.Helper()
	templateOnce.Do(func() {
		dir := filepath.Join(workDir, "template")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			templateErr = err
			return
		}
		r := runCmd(h.t, dir, cmdOpts{}, hullBin, "spec", "--bundle", dir)
		if r.Code != 0 {
			templateErr = fmt.Errorf("hull spec failed:\n%s", r)
			return
		}
		templateSpec, templateErr = os.ReadFile(filepath.Join(dir, "config.json"))
	})
	if templateErr != nil {
		h.t.Fatalf("cannot make a bundle: %v", templateErr)
	}
	var s specs.Spec
	if err := json.Unmarshal(templateSpec, &s); err != nil {
		h.t.Fatalf("hull spec wrote invalid JSON: %v\n%s", err, templateSpec)
	}
	if s.Process == nil || s.Root == nil || s.Linux == nil {
		h.t.Fatalf("hull spec output lacks process, root or linux:\n%s", templateSpec)
	}
	return &s
}

// bundle writes a bundle whose config.json is `hull spec` output, running
// args on the shared read-only rootfs without a terminal, then changed by
// mods. It returns the bundle's absolute path.
func (h *H) bundle(args []string, mods ...func(*specs.Spec)) string {
	h.t.Helper()
	s := h.template()
	s.Root.Path = rootfsDir
	s.Root.Readonly = true
	s.Process.Terminal = false
	s.Process.Args = args
	for _, m := range mods {
		m(s)
	}
	return h.writeBundle(s)
}

// writeBundle writes s as config.json of a new bundle directory.
func (h *H) writeBundle(s *specs.Spec) string {
	h.t.Helper()
	data, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		h.t.Fatal(err)
	}
	return h.rawBundle(data)
}

// rawBundle writes config bytes as-is (nil: no config.json at all).
func (h *H) rawBundle(config []byte) string {
	h.t.Helper()
	dir, err := os.MkdirTemp(h.dir, "bundle-")
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		h.t.Fatal(err)
	}
	if config != nil {
		if err := os.WriteFile(filepath.Join(dir, "config.json"), config, 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
	h.mu.Lock()
	h.bundles = append(h.bundles, dir)
	h.mu.Unlock()
	return dir
}

// hostDir makes a host directory (outside any bundle) for bind mounts.
func (h *H) hostDir(name string) string {
	h.t.Helper()
	d := filepath.Join(h.dir, "host-"+name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		h.t.Fatal(err)
	}
	return d
}

// containerState is `hull state` output (runc's fields).
type containerState struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Status      string            `json:"status"`
	Pid         int               `json:"pid"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations"`
	Owner       string            `json:"owner"`
}

// state runs `hull state id` and decodes it, failing the test on error.
func (h *H) state(id string) containerState {
	h.t.Helper()
	r := h.ok("state", id)
	var st containerState
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		h.t.Fatalf("hull state printed invalid JSON: %v\n%s", err, r)
	}
	return st
}

// waitStatus polls `hull state` until status is want.
func (h *H) waitStatus(id, want string) containerState {
	h.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		st := h.state(id)
		if st.Status == want {
			return st
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("container %s: status %q after %v, want %q", id, st.Status, waitLimit, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runOut runs a container in the foreground with `hull run` and returns
// its stdout; it fails the test unless the run exits 0.
func (h *H) runOut(bundle string, extraArgs ...string) string {
	h.t.Helper()
	id := h.id()
	args := append([]string{"run", "--bundle", bundle}, extraArgs...)
	r := h.ok(append(args, id)...)
	return r.Stdout
}

// ---------------------------------------------------------------------------
// Leftovers

// leftovers lists what hull left behind for container id: its state dir,
// cgroups, mounts under the harness's bundles or the rootfs, and processes.
func (h *H) leftovers(id string) []string {
	var out []string
	root := h.root
	h.mu.Lock()
	if rr, ok := h.runcs[id]; ok {
		root = rr.root
	}
	cgPath := h.cgroupPaths[id]
	bundles := append([]string(nil), h.bundles...)
	h.mu.Unlock()

	if fileExists(filepath.Join(root, id)) {
		out = append(out, "state dir "+filepath.Join(root, id))
	}
	// hull keeps its own state (the intent record, the lock) beside
	// libcontainer's.
	if fileExists(filepath.Join(root, ".hull", id)) {
		out = append(out, "state dir "+filepath.Join(root, ".hull", id))
	}
	for _, d := range cgroupDirs(id, cgPath) {
		out = append(out, "cgroup "+d)
	}
	for _, m := range sysproc.MountsUnder(append(bundles, rootfsDir)...) {
		out = append(out, "mount "+m)
	}
	for _, p := range containerProcs(id, cgPath) {
		out = append(out, fmt.Sprintf("process %d (%s)", p.PID, strings.Join(sysproc.Cmdline(p.PID), " ")))
	}
	return out
}

// assertClean fails the test if hull left anything behind for id.
func (h *H) assertClean(id string) {
	h.t.Helper()
	reaper.Reap()
	// A killed process may take a moment to leave its cgroup.
	var left []string
	for i := 0; i < 40; i++ {
		if left = h.leftovers(id); len(left) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Errorf("container %s: hull left behind:\n\t%s", id, strings.Join(left, "\n\t"))
}

// cgroupHierarchies are the mounted hierarchies under /sys/fs/cgroup.
func cgroupHierarchies() []string {
	ents, _ := os.ReadDir("/sys/fs/cgroup")
	var hs []string
	for _, e := range ents {
		p := filepath.Join("/sys/fs/cgroup", e.Name())
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			hs = append(hs, p)
		}
	}
	if len(hs) == 0 || fileExists("/sys/fs/cgroup/cgroup.controllers") {
		hs = []string{"/sys/fs/cgroup"}
	}
	return hs
}

// cgroupDirs finds cgroup directories named id in any hierarchy, and the
// configured cgroupsPath (if any) in each hierarchy.
func cgroupDirs(id, cgroupsPath string) []string {
	var found []string
	for _, hier := range cgroupHierarchies() {
		_ = filepath.WalkDir(hier, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if d.Name() == id {
				found = append(found, p)
				return fs.SkipDir
			}
			return nil
		})
		if cgroupsPath != "" && filepath.IsAbs(cgroupsPath) {
			p := filepath.Join(hier, cgroupsPath)
			if fileExists(p) && !contains(found, p) {
				found = append(found, p)
			}
		}
	}
	return found
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// containerProcs finds live processes that belong to container id: in a
// cgroup named id or at cgroupsPath, or a hull (or runc) process with id
// among its arguments.
func containerProcs(id, cgroupsPath string) []sysproc.Proc {
	var out []sysproc.Proc
	me := os.Getpid()
	for _, p := range sysproc.Procs() {
		if p.PID == me || !p.Live() {
			continue
		}
		if inCgroupNamed(p.PID, id) || (cgroupsPath != "" && inCgroupPath(p.PID, cgroupsPath)) {
			out = append(out, p)
			continue
		}
		args := sysproc.Cmdline(p.PID)
		if len(args) > 1 && (args[0] == hullBin || filepath.Base(args[0]) == "runc") && contains(args[1:], id) {
			out = append(out, p)
		}
	}
	return out
}

// inCgroupPath reports whether pid is in a cgroup whose path ends in path,
// in any hierarchy.
func inCgroupPath(pid int, path string) bool {
	return inCgroup(pid, func(p string) bool { return p == path || strings.HasSuffix(p, path) })
}

// inCgroupNamed reports whether pid is in a cgroup named id, or below
// one, in any hierarchy.
func inCgroupNamed(pid int, id string) bool {
	return inCgroup(pid, func(p string) bool { return filepath.Base(p) == id || strings.Contains(p, "/"+id+"/") })
}

// inCgroup reports whether match accepts one of pid's cgroup paths, from
// /proc/<pid>/cgroup.
func inCgroup(pid int, match func(path string) bool) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && match(parts[2]) {
			return true
		}
	}
	return false
}

// cleanup deletes every container the test created, then reports and
// removes anything hull left behind, so a failing hull cannot pollute the
// machine or the next test.
func (h *H) cleanup() {
	h.mu.Lock()
	ids := append([]string(nil), h.ids...)
	h.mu.Unlock()
	for _, id := range ids {
		h.mu.Lock()
		rr, isRunc := h.runcs[id]
		h.mu.Unlock()
		if isRunc {
			runCmd(h.t, h.dir, cmdOpts{}, rr.bin, "--root", rr.root, "delete", "--force", id)
		} else {
			runCmd(h.t, h.dir, cmdOpts{}, hullBin, "--root", h.root, "delete", "--force", id)
		}
	}
	reaper.Reap()
	for _, id := range ids {
		var left []string
		for i := 0; i < 40; i++ {
			if left = h.leftovers(id); len(left) == 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
			reaper.Reap()
		}
		if len(left) == 0 {
			continue
		}
		h.t.Errorf("container %s: left behind after `delete --force`:\n\t%s", id, strings.Join(left, "\n\t"))
		h.forceClean(id)
	}
}

// forceClean removes by hand what hull failed to remove.
func (h *H) forceClean(id string) {
	h.mu.Lock()
	cgp := h.cgroupPaths[id]
	h.mu.Unlock()
	for _, p := range containerProcs(id, cgp) {
		_ = unix.Kill(p.PID, unix.SIGKILL)
	}
	time.Sleep(100 * time.Millisecond)
	reaper.Reap()
	h.mu.Lock()
	cg := h.cgroupPaths[id]
	bundles := append([]string(nil), h.bundles...)
	h.mu.Unlock()
	for _, d := range cgroupDirs(id, cg) {
		rmdirTree(d)
	}
	for _, m := range sysproc.MountsUnder(append(bundles, rootfsDir)...) {
		_ = unix.Unmount(m, unix.MNT_DETACH)
	}
	root := h.root
	h.mu.Lock()
	if rr, ok := h.runcs[id]; ok {
		root = rr.root
	}
	h.mu.Unlock()
	_ = os.RemoveAll(filepath.Join(root, id))
	_ = os.RemoveAll(filepath.Join(root, ".hull", id))
}

// rmdirTree removes a cgroup directory and its children, deepest first
// (cgroup dirs cannot be removed with RemoveAll: their files are not unlinkable).
func rmdirTree(dir string) {
	var dirs []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = unix.Rmdir(dirs[i])
	}
}

// ---------------------------------------------------------------------------
// Spec helpers

// withoutNamespace removes namespace typ from the config.
func withoutNamespace(typ specs.LinuxNamespaceType) func(*specs.Spec) {
	return func(s *specs.Spec) {
		var ns []specs.LinuxNamespace
		for _, n := range s.Linux.Namespaces {
			if n.Type != typ {
				ns = append(ns, n)
			}
		}
		s.Linux.Namespaces = ns
	}
}

// withNamespace adds a new namespace of typ unless the config has one:
// `hull spec` lists the cgroup namespace on a cgroup v2 host (as `runc
// spec` does), and a type listed twice is refused.
func withNamespace(typ specs.LinuxNamespaceType) func(*specs.Spec) {
	return func(s *specs.Spec) {
		if !hasNamespace(s, typ) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: typ})
		}
	}
}

// withMount appends a mount.
func withMount(m specs.Mount) func(*specs.Spec) {
	return func(s *specs.Spec) { s.Mounts = append(s.Mounts, m) }
}

// hasNamespace reports whether s lists typ.
func hasNamespace(s *specs.Spec, typ specs.LinuxNamespaceType) bool {
	for _, n := range s.Linux.Namespaces {
		if n.Type == typ {
			return true
		}
	}
	return false
}

// lines splits output into trimmed non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// mustContain fails the test unless s contains every want.
func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, sysproc.Indent(s))
		}
	}
}

// waitExecuted waits, up to five seconds, until pid runs the program
// named argv0: `start` and `run -d` return once the container's init has
// passed libcontainer's exec fifo, as runc's do, and the execve(2) of the
// user process follows a moment later. It returns the command line last
// seen.
func waitExecuted(pid int, argv0 string) []string {
	var got []string
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got = sysproc.Cmdline(pid); len(got) > 0 && got[0] == argv0 {
			break
		}
	}
	return got
}
