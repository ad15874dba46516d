package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

var (
	criuOnce sync.Once
	// criuWorks is whether `criu check` passes on this machine; criuWhy
	// is CRIU's first error otherwise.
	criuWorks bool
	criuWhy   string
)

// criuErrorLine is CRIU's error format: "Error (criu/vdso.c:381): msg".
var criuErrorLine = regexp.MustCompile(`Error \([^)]*\): (.*)`)

// criuState runs `criu check` once.
func criuState() (works bool, why string) {
	criuOnce.Do(func() {
		bin, err := exec.LookPath("criu")
		if err != nil {
			criuWhy = "criu is not installed (scripts/install-deps.sh installs it)"
			return
		}
		out, err := exec.Command(bin, "check").CombinedOutput()
		if err == nil {
			criuWorks = true
			return
		}
		criuWhy = strings.TrimSpace(string(out))
		if m := criuErrorLine.FindStringSubmatch(criuWhy); m != nil {
			criuWhy = strings.TrimSpace(m[1])
		}
	})
	return criuWorks, criuWhy
}

// requireCriuFailing returns the reason `criu check` gives on this
// machine; it skips when CRIU works (the round trip test covers that
// case) or is not installed.
func requireCriuFailing(t *testing.T) string {
	t.Helper()
	works, why := criuState()
	if works {
		t.Skip("criu check passes on this kernel, so CRIU cannot be made to fail this way; TestCheckpointRestoreRoundTrip runs the real thing")
	}
	if _, err := exec.LookPath("criu"); err != nil {
		t.Skip(why)
	}
	return why
}

// ckptRunc runs the reference runc on the harness's bundles, with its own
// --root; its containers are deleted with it (the runc in PATH, which the
// harness's cleanup uses, cannot read runc 1.5's state).
type ckptRunc struct {
	h    *H
	bin  string
	root string
}

func newCkptRunc(t *testing.T, h *H) *ckptRunc {
	t.Helper()
	bin := optionalRunc()
	if bin == "" {
		return nil
	}
	r := &ckptRunc{h: h, bin: bin, root: filepath.Join(h.dir, "runc-state")}
	t.Cleanup(func() {
		ents, _ := os.ReadDir(r.root)
		for _, e := range ents {
			runCmd(t, h.dir, cmdOpts{}, r.bin, "--root", r.root, "delete", "--force", e.Name())
		}
	})
	return r
}

func (r *ckptRunc) id() string { return r.h.runcID(r.bin, r.root) }

func (r *ckptRunc) run(o cmdOpts, args ...string) result {
	r.h.t.Helper()
	return runCmd(r.h.t, r.h.dir, o, r.bin, append([]string{"--root", r.root}, args...)...)
}

// runcError is the msg of runc's last error line on stderr.
func runcError(r result) string {
	ls := lines(r.Stderr)
	for i := len(ls) - 1; i >= 0; i-- {
		_, rest, ok := strings.Cut(ls[i], `level=error msg=`)
		if !ok {
			continue
		}
		if msg, err := strconv.Unquote(rest); err == nil {
			return msg
		}
		return rest
	}
	return ""
}

// sameFailure checks that hull failed as runc did: the same exit code,
// and hull's line holding runc's words (case aside: runc capitalises
// some of its errors).
func sameFailure(t *testing.T, hull, runc result, words string) {
	t.Helper()
	if runc.Code == 0 {
		t.Fatalf("runc succeeded where hull failed:\n%s", runc)
	}
	if hull.Code != runc.Code {
		t.Errorf("exit code: runc %d, hull %d", runc.Code, hull.Code)
	}
	msg := runcError(runc)
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(words)) {
		t.Errorf("runc's error %q does not say %q: the test's words are wrong\n%s", msg, words, runc)
	}
	if !strings.Contains(strings.ToLower(hull.Stderr), strings.ToLower(words)) {
		t.Errorf("hull's error does not say runc's %q (runc: %q):\n%s", words, msg, hull)
	}
}

// criuProcesses lists running criu processes.
func criuProcesses() []string {
	var out []string
	for _, p := range sysproc.Procs() {
		if !p.Live() {
			continue
		}
		if args := sysproc.Cmdline(p.PID); len(args) > 0 && filepath.Base(args[0]) == "criu" {
			out = append(out, strconv.Itoa(p.PID)+": "+strings.Join(args, " "))
		}
	}
	return out
}

// assertRunningAndUsable checks that container id is running and that a
// process can be exec'd into it.
func (h *H) assertRunningAndUsable(id string) {
	h.t.Helper()
	if st := h.state(id); st.Status != "running" {
		h.t.Errorf("container %s is %s, want running", id, st.Status)
	}
	if r := h.hull("exec", id, "echo", "alive"); r.Code != 0 || r.Stdout != "alive\n" {
		h.t.Errorf("exec into container %s after the failure:\n%s", id, r)
	}
	if left := criuProcesses(); len(left) > 0 {
		h.t.Errorf("criu processes left: %v", left)
	}
}

// mustNotExist fails the test if path exists.
func mustNotExist(t *testing.T, path, why string) {
	t.Helper()
	if _, err := os.Lstat(path); err == nil {
		t.Errorf("%s exists: %s", path, why)
	}
}

// TestCheckpointFailsCleanly checkpoints a running container on a machine
// where CRIU fails (here: `criu check` refuses the kernel's vDSO): one
// line naming CRIU's reason, exit 1 as runc, the container still running
// and usable, no criu process, and no image directory hull made.
func TestCheckpointFailsCleanly(t *testing.T) {
	// Not parallel: it checks that no criu process is left, and CRIU
	// runs only in these tests.
	why := requireCriuFailing(t)
	h := newH(t)
	bundle := h.bundle(longRunning)
	id := h.id()
	h.ok("run", "--detach", "--bundle", bundle, id)

	wd := h.hostDir("cwd")
	existing := h.hostDir("existing-images")
	t.Run("default image path", func(t *testing.T) {
		r := h.hullOpts(cmdOpts{Dir: wd}, "checkpoint", id)
		checkOneLineError(t, r, "checkpoint container", "criu failed: type DUMP", why)
		mustNotExist(t, filepath.Join(wd, "checkpoint"), "hull made the default image directory and left it after the failure")
		h.assertRunningAndUsable(id)
	})
	t.Run("new nested image path", func(t *testing.T) {
		img := filepath.Join(h.dir, "new", "a", "b")
		r := h.hull("checkpoint", "--image-path", img, id)
		checkOneLineError(t, r, "criu failed: type DUMP", why)
		mustNotExist(t, filepath.Join(h.dir, "new"), "hull made it and left it after the failure")
		h.assertRunningAndUsable(id)
	})
	t.Run("existing image path", func(t *testing.T) {
		// A directory hull did not make stays, with CRIU's log, named.
		log := filepath.Join(existing, "dump.log")
		r := h.hull("checkpoint", "--image-path", existing, id)
		checkOneLineError(t, r, "criu failed: type DUMP", why, "CRIU's log: "+log)
		if !fileExists(log) {
			t.Errorf("%s is missing after a failure in a directory hull did not make", log)
		}
		h.assertRunningAndUsable(id)
	})
	t.Run("work path", func(t *testing.T) {
		img, work := filepath.Join(h.dir, "img-w"), filepath.Join(h.dir, "work")
		r := h.hull("checkpoint", "--image-path", img, "--work-path", work, id)
		log := filepath.Join(work, "dump.log")
		checkOneLineError(t, r, "criu failed: type DUMP", why, "CRIU's log: "+log)
		if !fileExists(log) {
			t.Errorf("%s is missing: --work-path is where the caller asked for CRIU's log", log)
		}
		mustNotExist(t, img, "hull made it and left it after the failure")
		h.assertRunningAndUsable(id)
	})
	t.Run("paused", func(t *testing.T) {
		h.ok("pause", id)
		r := h.hull("checkpoint", "--image-path", filepath.Join(h.dir, "img-p"), id)
		checkOneLineError(t, r, "criu failed: type DUMP", why)
		if st := h.state(id); st.Status != "paused" {
			t.Errorf("a paused container is %s after a failed checkpoint, want paused", st.Status)
		}
		h.ok("resume", id)
		h.assertRunningAndUsable(id)
	})

	t.Run("same as runc", func(t *testing.T) {
		rc := newCkptRunc(t, h)
		if rc == nil {
			t.Skip("no reference runc (HULL_RUNC_REF, or scripts/install-runc-ref.sh's cache)")
		}
		rid := rc.id()
		if r := rc.run(cmdOpts{}, "run", "--detach", "--bundle", bundle, rid); r.Code != 0 {
			t.Fatalf("runc run failed:\n%s", r)
		}
		want := rc.run(cmdOpts{}, "checkpoint", "--image-path", filepath.Join(h.dir, "runc-img"), rid)
		got := h.hull("checkpoint", "--image-path", filepath.Join(h.dir, "hull-img"), id)
		sameFailure(t, got, want, "criu failed: type DUMP errno 0")
		if st := rc.run(cmdOpts{}, "state", rid); !strings.Contains(st.Stdout, `"running"`) {
			t.Errorf("runc's container is not running after its failed checkpoint:\n%s", st)
		}
		h.assertRunningAndUsable(id)
	})
}

// TestRestoreFailsCleanly restores from a checkpoint directory on a
// machine where CRIU fails: one line naming CRIU's reason, runc's exit
// code, and no state directory, cgroup, mount or process left.
func TestRestoreFailsCleanly(t *testing.T) {
	// Not parallel: it checks that no criu process is left, and CRIU
	// runs only in these tests.
	why := requireCriuFailing(t)
	h := newH(t)
	bundle := h.bundle(longRunning)
	// A failed checkpoint into a directory hull did not make leaves what
	// restore reads first (libcontainer's descriptors.json): restore then
	// gets as far as CRIU.
	img := h.hostDir("images")
	src := h.id()
	h.ok("run", "--detach", "--bundle", bundle, src)
	h.fail("checkpoint", "--image-path", img, src)
	h.ok("delete", "--force", src)

	for _, detach := range []bool{true, false} {
		name := "foreground"
		if detach {
			name = "detached"
		}
		t.Run(name, func(t *testing.T) {
			id := h.id()
			args := []string{"restore", "--bundle", bundle, "--image-path", img, "--pid-file", filepath.Join(h.dir, id+".pid")}
			if detach {
				args = append(args, "--detach")
			}
			r := h.hull(append(args, id)...)
			checkOneLineError(t, r, "restore container", "criu failed: type RESTORE", why, "CRIU's log: "+filepath.Join(img, "restore.log"))
			h.assertClean(id)
			mustNotExist(t, filepath.Join(h.dir, id+".pid"), "a failed restore wrote the pid file")
			if left := criuProcesses(); len(left) > 0 {
				t.Errorf("criu processes left: %v", left)
			}
		})
	}

	t.Run("same as runc", func(t *testing.T) {
		rc := newCkptRunc(t, h)
		if rc == nil {
			t.Skip("no reference runc (HULL_RUNC_REF, or scripts/install-runc-ref.sh's cache)")
		}
		rid, id := rc.id(), h.id()
		want := rc.run(cmdOpts{}, "restore", "--detach", "--bundle", bundle, "--image-path", img, rid)
		got := h.hull("restore", "--detach", "--bundle", bundle, "--image-path", img, id)
		sameFailure(t, got, want, "criu failed: type RESTORE errno 0")
		h.assertClean(rid)
		h.assertClean(id)
	})
}

// TestCheckpointBadInput: each mistake is one line naming what to fix,
// exit 1 as in runc, runc's words where runc has them, and nothing made
// or changed (a running container keeps running).
func TestCheckpointBadInput(t *testing.T) {
	t.Parallel()
	h := newH(t)
	rc := newCkptRunc(t, h)
	host := h.hostDir("mnt")
	running := h.bundle(longRunning)
	exits := h.bundle(sh(`while [ ! -e /mnt/go ]; do sleep 0.05; done`), withHostMnt(host))

	// The same three containers under hull and (when there) runc 1.5.
	type trio struct{ running, created, stopped string }
	make3 := func(run func(args ...string) result, newID func() string) trio {
		t.Helper()
		c := trio{newID(), newID(), newID()}
		for _, step := range [][]string{
			{"run", "--detach", "--bundle", running, c.running},
			{"create", "--bundle", running, c.created},
			{"run", "--detach", "--bundle", exits, c.stopped},
		} {
			if r := run(step...); r.Code != 0 {
				t.Fatalf("setting up:\n%s", r)
			}
		}
		return c
	}
	hc := make3(h.hull, h.id)
	var runcC trio
	if rc != nil {
		runcC = make3(func(args ...string) result { return rc.run(cmdOpts{}, args...) }, rc.id)
	}
	writeFile(t, filepath.Join(host, "go"), "")
	h.waitStatus(hc.stopped, "stopped")
	for i := 0; rc != nil && !strings.Contains(rc.run(cmdOpts{}, "state", runcC.stopped).Stdout, `"stopped"`); i++ {
		if i == 200 {
			t.Fatalf("runc's container %s has not stopped after 10s", runcC.stopped)
		}
		time.Sleep(50 * time.Millisecond)
	}

	file := filepath.Join(h.dir, "a-file")
	writeFile(t, file, "")
	// "$NODIR" in a case is a directory that does not exist, one for
	// hull and one for runc: runc makes the --image-path before it checks
	// some flags (a difference the README lists).
	const noDir = "$NODIR"
	noImages := h.hostDir("no-images")
	// What restore checks before it creates the container: a checkpoint's
	// descriptors.json (CRIU itself is never reached here).
	someImages := h.hostDir("some-images")
	writeFile(t, filepath.Join(someImages, "descriptors.json"), `["/dev/null","/dev/null","/dev/null"]`)

	for _, tc := range []struct {
		name string
		// args come before the container ID, which pick chooses.
		args []string
		pick func(trio) string
		// wants are in hull's line; runcWords also in runc's ("" when
		// runc's words differ, see deliberate).
		wants     []string
		runcWords string
		// mustNotExist are paths the failure must not create.
		mustNotExist []string
	}{
		{"unknown container", []string{"checkpoint"}, func(trio) string { return "no-such-container" },
			[]string{"container does not exist"}, "container does not exist", nil},
		{"created container", []string{"checkpoint", "--image-path", noDir}, func(c trio) string { return c.created },
			[]string{"cannot be checkpointed in created state"}, "cannot be checkpointed in created state", []string{noDir}},
		{"stopped container", []string{"checkpoint", "--image-path", noDir}, func(c trio) string { return c.stopped },
			[]string{"cannot be checkpointed in stopped state"}, "cannot be checkpointed in stopped state", []string{noDir}},
		{"bad manage-cgroups-mode", []string{"checkpoint", "--image-path", noImages, "--manage-cgroups-mode", "bogus"}, func(c trio) string { return c.running },
			[]string{`invalid manage-cgroups-mode value "bogus"`, "soft, full, strict or ignore"}, "invalid manage-cgroups-mode value", nil},
		{"image path under a file", []string{"checkpoint", "--image-path", file + "/img"}, func(c trio) string { return c.running },
			[]string{"--image-path " + file + "/img", "cannot create it", "not a directory"}, "not a directory", nil},
		{"bad page server", []string{"checkpoint", "--image-path", noDir, "--page-server", "nowhere"}, func(c trio) string { return c.running },
			[]string{`--page-server "nowhere"`}, "use --page-server ADDRESS:PORT to specify page server", []string{noDir}},
		{"bad page server port", []string{"checkpoint", "--image-path", noDir, "--page-server", "127.0.0.1:http"}, func(c trio) string { return c.running },
			[]string{`--page-server "127.0.0.1:http"`, "invalid port number"}, "invalid port number", []string{noDir}},
		{"empty-ns other than network", []string{"checkpoint", "--image-path", noDir, "--empty-ns", "pid"}, func(c trio) string { return c.running },
			[]string{`--empty-ns "pid"`}, `namespace "pid" is not supported`, []string{noDir}},
		{"absolute parent path", []string{"checkpoint", "--image-path", noDir, "--parent-path", "/abs"}, func(c trio) string { return c.running },
			[]string{"--parent-path must be relative"}, "--parent-path must be relative", []string{noDir}},
		{"missing parent path", []string{"checkpoint", "--image-path", noDir, "--parent-path", "../pre"}, func(c trio) string { return c.running },
			[]string{"invalid --parent-path ../pre", "no such file or directory"}, "invalid --parent-path", []string{noDir}},
		// runc 1.5 has no --criu (runc 1.1 had); hull keeps it.
		{"missing --criu binary", []string{"--criu", "/no/such/criu", "checkpoint", "--image-path", noDir}, func(c trio) string { return c.running },
			[]string{"--criu /no/such/criu", "no such file or directory"}, "", []string{noDir}},
		// runc makes a missing --image-path on restore, then fails in
		// it; hull makes nothing.
		{"restore from a missing image path", []string{"restore", "--bundle", running, "--image-path", noDir}, func(trio) string { return h.id() },
			[]string{"--image-path " + noDir, "no such file or directory"}, "", []string{noDir}},
		{"restore from a directory without a checkpoint", []string{"restore", "--bundle", running, "--image-path", noImages}, func(trio) string { return h.id() },
			[]string{"--image-path " + noImages + " holds no container checkpoint"}, "descriptors.json: no such file or directory", nil},
		{"restore with a bad manage-cgroups-mode", []string{"restore", "--bundle", running, "--image-path", noImages, "--manage-cgroups-mode", "bogus"}, func(trio) string { return h.id() },
			[]string{`invalid manage-cgroups-mode value "bogus"`}, "invalid manage-cgroups-mode value", nil},
		{"restore onto an existing container", []string{"restore", "--bundle", running, "--image-path", someImages}, func(c trio) string { return c.running },
			[]string{"container with given ID already exists"}, "container with given ID already exists", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			slug := strings.ReplaceAll(tc.name, " ", "-")
			hullDir, runcDir := filepath.Join(h.dir, "hull-"+slug), filepath.Join(h.dir, "runc-"+slug)
			subst := func(list []string, dir string) []string {
				out := make([]string, len(list))
				for i, a := range list {
					out[i] = strings.ReplaceAll(a, noDir, dir)
				}
				return out
			}
			id := tc.pick(hc)
			r := h.hull(append(subst(tc.args, hullDir), id)...)
			checkOneLineError(t, r, subst(tc.wants, hullDir)...)
			for _, p := range subst(tc.mustNotExist, hullDir) {
				mustNotExist(t, p, "made by a command that failed")
			}
			if tc.args[0] == "restore" && id != hc.running {
				h.assertClean(id)
			}
			h.assertRunningAndUsable(hc.running)
			if st := h.state(hc.created); st.Status != "created" {
				t.Errorf("the created container is %s", st.Status)
			}
			if rc == nil || tc.args[0] == "--criu" {
				return
			}
			rid := tc.pick(runcC)
			if tc.args[0] == "restore" && rid != runcC.running {
				rid = rc.id()
			}
			rr := rc.run(cmdOpts{}, append(subst(tc.args, runcDir), rid)...)
			if tc.args[0] == "restore" && rid != runcC.running {
				h.assertClean(rid)
			}
			if tc.runcWords == "" {
				if rr.Code != r.Code {
					t.Errorf("exit code: runc %d, hull %d\n%s", rr.Code, r.Code, rr)
				}
				return
			}
			sameFailure(t, r, rr, tc.runcWords)
		})
	}
}

// TestCheckpointCriuFlag: the global --criu names the criu binary that
// checkpoint runs, whatever its file name.
func TestCheckpointCriuFlag(t *testing.T) {
	// Not parallel: it checks that no criu process is left, and CRIU
	// runs only in these tests.
	h := newH(t)
	bundle := h.bundle(longRunning)
	id := h.id()
	h.ok("run", "--detach", "--bundle", bundle, id)
	marker := filepath.Join(h.dir, "criu-was-run")
	wrapper := filepath.Join(h.dir, "my-criu-wrapper")
	real, err := exec.LookPath("criu")
	tail := `exec "` + real + `" "$@"`
	if err != nil {
		tail = "exit 1"
	}
	writeFile(t, wrapper, "#!/bin/sh\necho \"$@\" >> "+marker+"\n"+tail+"\n")
	if err := os.Chmod(wrapper, 0o755); err != nil {
		t.Fatal(err)
	}
	r := h.hull("--criu", wrapper, "checkpoint", "--leave-running", "--image-path", filepath.Join(h.dir, "img"), id)
	if works, _ := criuState(); !works && r.Code == 0 {
		t.Errorf("checkpoint succeeded with a criu that fails:\n%s", r)
	}
	data, _ := os.ReadFile(marker)
	if !strings.Contains(string(data), "swrk") {
		t.Errorf("hull --criu %s did not run it (its log: %q):\n%s", wrapper, data, r)
	}
	h.assertRunningAndUsable(id)
}

// TestCheckpointRestoreRoundTrip checkpoints a counting container, once
// leaving it running and once for good, and restores it: the count goes
// on from where it was. It needs a kernel `criu check` accepts.
func TestCheckpointRestoreRoundTrip(t *testing.T) {
	// Not parallel: it checks that no criu process is left, and CRIU
	// runs only in these tests.
	if works, why := criuState(); !works {
		t.Skip("CRIU cannot checkpoint on this machine: criu check: " + why)
	}
	h := newH(t)
	host := h.hostDir("mnt")
	// Its stdio goes to /dev/null: the harness removes the files that
	// take a detached container's output once hull returns, and CRIU
	// would have to save them as unlinked ("ghost") files.
	bundle := h.bundle(sh(`exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i > /mnt/count.new; mv /mnt/count.new /mnt/count; sleep 0.1; done`),
		withHostMnt(host))
	id := h.id()
	count := func() int {
		data, _ := os.ReadFile(filepath.Join(host, "count"))
		n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		return n
	}
	waitCount := func(min int) int {
		t.Helper()
		deadline := time.Now().Add(waitLimit)
		for count() < min {
			if time.Now().After(deadline) {
				t.Fatalf("count %d after %v, want at least %d", count(), waitLimit, min)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return count()
	}
	h.ok("run", "--detach", "--bundle", bundle, id)
	waitCount(3)

	h.ok("checkpoint", "--leave-running", "--image-path", filepath.Join(h.dir, "img1"), id)
	h.assertRunningAndUsable(id)

	img := filepath.Join(h.dir, "img2")
	h.ok("checkpoint", "--image-path", img, id)
	saved := count()
	checkOneLineError(t, h.hull("state", id), "container does not exist")
	time.Sleep(500 * time.Millisecond)
	if n := count(); n != saved {
		t.Errorf("the count went on from %d to %d after a checkpoint without --leave-running", saved, n)
	}

	pidFile := filepath.Join(h.dir, "restored.pid")
	h.ok("restore", "--detach", "--bundle", bundle, "--image-path", img, "--pid-file", pidFile, id)
	st := h.state(id)
	if st.Status != "running" {
		t.Errorf("restored container is %s, want running", st.Status)
	}
	if data, err := os.ReadFile(pidFile); err != nil || string(data) != strconv.Itoa(st.Pid) {
		t.Errorf("pid file %q (%v), state pid %d", data, err, st.Pid)
	}
	// From where it was, not from 1: the shell's memory came back.
	if n := waitCount(saved + 3); n < saved {
		t.Errorf("count %d after restore, below %d at the checkpoint", n, saved)
	}
	h.assertRunningAndUsable(id)
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestCheckpointCriuFlagKilled: a hull killed while the --criu binary of
// another name runs leaves no temporary directory for its "criu" link;
// the link lives in the container's state directory, is replaced by the
// next checkpoint and goes with `delete`.
func TestCheckpointCriuFlagKilled(t *testing.T) {
	// Not parallel: it checks that no criu process is left, and CRIU
	// runs only in these tests.
	h := newH(t)
	bundle := h.bundle(longRunning)
	id := h.id()
	h.ok("run", "--detach", "--bundle", bundle, id)
	tmp := h.hostDir("tmp")
	wrapper := filepath.Join(h.dir, "killing-criu")
	// CRIU's first run (the version check) is hull's child: kill hull.
	writeFile(t, wrapper, "#!/bin/sh\nkill -KILL $PPID\nexit 1\n")
	if err := os.Chmod(wrapper, 0o755); err != nil {
		t.Fatal(err)
	}
	r := h.hullOpts(cmdOpts{Env: []string{"TMPDIR=" + tmp}}, "--criu", wrapper, "checkpoint", "--leave-running", "--image-path", filepath.Join(h.dir, "img"), id)
	if r.Code != 128+9 {
		t.Fatalf("want hull killed by the wrapper (exit 137):\n%s", r)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		t.Errorf("a killed hull left %d entries in TMPDIR %s, %s first", len(ents), tmp, ents[0].Name())
	}
	link := filepath.Join(h.root, ".hull", id, "criu-bin", "criu")
	if target, err := os.Readlink(link); err != nil || target != wrapper {
		t.Errorf("the killed hull's link %s: %q, %v; want it to the wrapper %s, in the container's state", link, target, err, wrapper)
	}
	// The next run replaces it and removes it when done.
	other := filepath.Join(h.dir, "failing-criu")
	writeFile(t, other, "#!/bin/sh\nexit 1\n")
	if err := os.Chmod(other, 0o755); err != nil {
		t.Fatal(err)
	}
	h.fail("--criu", other, "checkpoint", "--leave-running", "--image-path", filepath.Join(h.dir, "img"), id)
	mustNotExist(t, filepath.Dir(link), "a checkpoint that ran to its end left its criu link")
	h.assertRunningAndUsable(id)
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
