package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// waitForFile is a shell loop that blocks until the host creates a file in
// the directory bind-mounted at /mnt: it lets a test decide when the
// container's process exits.
const waitForFile = `while [ ! -e /mnt/go ]; do sleep 0.05; done`

// withHostMnt bind-mounts host dir at /mnt, read-write.
func withHostMnt(dir string) func(*specs.Spec) {
	return withMount(specs.Mount{Destination: "/mnt", Type: "bind", Source: dir, Options: []string{"rbind", "rw"}})
}

// longRunning is a process that lives until killed. `sleep` as PID 1
// ignores SIGTERM (no handler), so tests that need TERM use a trap.
var longRunning = []string{"sleep", "1000"}

func TestStateTransitions(t *testing.T) {
	t.Parallel()
	h := newH(t)
	host := h.hostDir("mnt")
	bundle := h.bundle([]string{"sh", "-c", waitForFile}, withHostMnt(host),
		func(s *specs.Spec) { s.Annotations = map[string]string{"org.hull.test": "yes"} })
	id := h.id()

	before := time.Now().Add(-time.Second)
	h.ok("create", "--bundle", bundle, id)
	st := h.state(id)
	if st.Status != "created" {
		t.Errorf("after create: status %q, want created", st.Status)
	}
	if st.Pid <= 0 || !sysproc.Alive(st.Pid) {
		t.Errorf("after create: pid %d is not a live process", st.Pid)
	}
	if st.ID != id {
		t.Errorf("state id %q, want %q", st.ID, id)
	}
	if st.Bundle != bundle {
		t.Errorf("state bundle %q, want %q (absolute)", st.Bundle, bundle)
	}
	if st.OCIVersion == "" {
		t.Errorf("state ociVersion is empty")
	}
	if st.Rootfs != rootfsDir {
		t.Errorf("state rootfs %q, want %q", st.Rootfs, rootfsDir)
	}
	if st.Created.Before(before) || st.Created.After(time.Now().Add(time.Second)) {
		t.Errorf("state created %v is not around now", st.Created)
	}
	if st.Annotations["org.hull.test"] != "yes" {
		t.Errorf("state annotations %v, want org.hull.test=yes", st.Annotations)
	}
	raw := h.ok("state", id).Stdout
	var fields map[string]any
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		t.Fatalf("state is not JSON: %v\n%s", err, raw)
	}
	for _, k := range []string{"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("state lacks field %q:\n%s", k, raw)
		}
	}

	h.ok("start", id)
	st2 := h.state(id)
	if st2.Status != "running" {
		t.Errorf("after start: status %q, want running", st2.Status)
	}
	if st2.Pid != st.Pid {
		t.Errorf("after start: pid %d, want the created pid %d", st2.Pid, st.Pid)
	}
	if got := waitExecuted(st2.Pid, "sh"); len(got) == 0 || got[0] != "sh" {
		t.Errorf("after start: pid %d runs %q, want the container's sh", st2.Pid, got)
	}
	r := h.fail("start", id)
	if r.Code == 0 {
		t.Errorf("second start succeeded")
	}

	if err := os.WriteFile(filepath.Join(host, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(id, "stopped")
	h.fail("start", id)
	h.ok("delete", id)
	h.fail("state", id)
	h.assertClean(id)
}

func TestRunExitCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		mods []func(*specs.Spec)
		want int
	}{
		{"exit0", []string{"true"}, nil, 0},
		{"exit3", []string{"sh", "-c", "exit 3"}, nil, 3},
		{"exit255", []string{"sh", "-c", "exit 255"}, nil, 255},
		// PID 1 of a PID namespace ignores signals it has no handler for,
		// so a self-kill needs the process not to be init.
		{"self-kill-TERM-no-pidns", []string{"sh", "-c", "kill -TERM $$; sleep 5"}, []func(*specs.Spec){withoutNamespace(specs.PIDNamespace)}, 143},
		{"self-kill-KILL-no-pidns", []string{"sh", "-c", "kill -KILL $$; sleep 5"}, []func(*specs.Spec){withoutNamespace(specs.PIDNamespace)}, 137},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			r := h.hull("run", "--bundle", h.bundle(c.args, c.mods...), id)
			if r.Code != c.want {
				t.Errorf("exit code %d, want %d\n%s", r.Code, c.want, r)
			}
			h.assertClean(id)
		})
	}
}

// TestRunSignalledFromOutside kills the container of a foreground `hull run`
// with `hull kill` and with a signal to hull itself (forwarded).
func TestRunSignalledFromOutside(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mods   []func(*specs.Spec)
		signal string
		toHull syscall.Signal // 0: use `hull kill`
		want   int
	}{
		{name: "hull-kill-KILL", signal: "KILL", want: 137},
		{name: "hull-kill-TERM-no-pidns", mods: []func(*specs.Spec){withoutNamespace(specs.PIDNamespace)}, signal: "TERM", want: 143},
		{name: "forward-TERM-no-pidns", mods: []func(*specs.Spec){withoutNamespace(specs.PIDNamespace)}, toHull: unix.SIGTERM, want: 143},
		{name: "forward-INT-no-pidns", mods: []func(*specs.Spec){withoutNamespace(specs.PIDNamespace)}, toHull: unix.SIGINT, want: 130},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			bundle := h.bundle(longRunning, c.mods...)
			var killErr string
			r := h.hullOpts(cmdOpts{Started: func(cmd *exec.Cmd) {
				if err := waitRunning(h, id); err != "" {
					killErr = err
					cmd.Process.Kill()
					return
				}
				if c.toHull != 0 {
					cmd.Process.Signal(c.toHull)
					return
				}
				if k := h.hull("kill", id, c.signal); k.Code != 0 {
					killErr = k.String()
					cmd.Process.Kill()
				}
			}}, "run", "--bundle", bundle, id)
			if killErr != "" {
				t.Fatalf("could not signal the container: %s\nrun: %s", killErr, r)
			}
			if r.Code != c.want {
				t.Errorf("exit code %d, want %d\n%s", r.Code, c.want, r)
			}
			h.assertClean(id)
		})
	}
}

// waitRunning polls state without failing the test (it runs while another
// command is in flight); it returns a description of the problem, or "".
func waitRunning(h *H, id string) string {
	deadline := time.Now().Add(waitLimit)
	var last result
	for time.Now().Before(deadline) {
		last = h.hull("state", id)
		var st containerState
		if last.Code == 0 && json.Unmarshal([]byte(last.Stdout), &st) == nil && st.Status == "running" {
			return ""
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "container never reached running:\n" + last.String()
}

func TestRunDeletesContainer(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	r := h.ok("run", "--bundle", h.bundle([]string{"echo", "hello"}), id)
	if r.Stdout != "hello\n" {
		t.Errorf("run stdout %q, want %q", r.Stdout, "hello\n")
	}
	r = h.fail("state", id)
	mustContain(t, "state after run", r.Stderr, "does not exist")
	if r := h.ok("list", "-q"); strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("after run (no --keep), list -q shows containers: %q", r.Stdout)
	}
	h.assertClean(id)
}

func TestRunKeep(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	r := h.hull("run", "--keep", "--bundle", h.bundle([]string{"sh", "-c", "echo kept; exit 7"}), id)
	if r.Code != 7 || r.Stdout != "kept\n" {
		t.Errorf("run --keep: want exit 7 and stdout \"kept\\n\"\n%s", r)
	}
	st := h.state(id)
	if st.Status != "stopped" {
		t.Errorf("after run --keep: status %q, want stopped", st.Status)
	}
	h.ok("delete", id)
	h.assertClean(id)
}

func TestRunDetach(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	start := time.Now()
	h.ok("run", "--detach", "--bundle", h.bundle(longRunning), id)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("run --detach took %v; it should return once the container runs", d)
	}
	st := h.state(id)
	if st.Status != "running" || !sysproc.Alive(st.Pid) {
		t.Fatalf("after run --detach: status %q pid %d alive=%v, want running", st.Status, st.Pid, sysproc.Alive(st.Pid))
	}
	h.ok("kill", id, "KILL")
	h.waitStatus(id, "stopped")
	h.ok("delete", id)
	h.assertClean(id)

	// -d is the short form.
	id2 := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id2)
	h.waitStatus(id2, "running")
	h.ok("delete", "--force", id2)
	h.assertClean(id2)
}

// trapper reports the signals it receives in /mnt/sig and then exits.
var trapper = []string{"sh", "-c", `
for s in TERM USR1 HUP INT; do trap "echo $s > /mnt/sig; exit 0" $s; done
echo ready > /mnt/ready
while :; do sleep 0.05; done`}

func TestKillSignals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string // after kill ID
		want string   // trap output; "" for an untrappable KILL
	}{
		{nil, "TERM"}, // default is SIGTERM
		{[]string{"TERM"}, "TERM"},
		{[]string{"SIGTERM"}, "TERM"},
		{[]string{"term"}, "TERM"},
		{[]string{"15"}, "TERM"},
		{[]string{"USR1"}, "USR1"},
		{[]string{"SIGUSR1"}, "USR1"},
		{[]string{"10"}, "USR1"},
		{[]string{"sighup"}, "HUP"},
		{[]string{"1"}, "HUP"},
		{[]string{"INT"}, "INT"},
		{[]string{"KILL"}, ""},
		{[]string{"SIGKILL"}, ""},
		{[]string{"9"}, ""},
	}
	for _, c := range cases {
		name := "default"
		if len(c.args) > 0 {
			name = c.args[0]
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			host := h.hostDir("mnt")
			id := h.id()
			h.ok("run", "-d", "--bundle", h.bundle(trapper, withHostMnt(host)), id)
			waitFile(t, filepath.Join(host, "ready"))
			h.ok(append([]string{"kill", id}, c.args...)...)
			h.waitStatus(id, "stopped")
			got, _ := os.ReadFile(filepath.Join(host, "sig"))
			if strings.TrimSpace(string(got)) != c.want {
				t.Errorf("kill %v: container saw %q, want %q", c.args, strings.TrimSpace(string(got)), c.want)
			}
			h.ok("delete", id)
			h.assertClean(id)
		})
	}
}

func waitFile(t *testing.T, p string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !fileExists(p) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %v", p, waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestKillInvalidSignal(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	for _, sig := range []string{"NOSUCHSIG", "SIGFOO", "-1", "99999", "1.5"} {
		t.Run(sig, func(t *testing.T) {
			r := h.fail("kill", id, sig)
			checkOneLineError(t, r, sig)
		})
	}
	if st := h.state(id); st.Status != "running" {
		t.Errorf("after invalid kills: status %q, want running", st.Status)
	}
}

// cgroupPids lists live pids of processes in a cgroup named id.
func cgroupPids(id string) []int {
	var pids []int
	for _, p := range containerProcs(id, "") {
		if inCgroupNamed(p.PID, id) {
			pids = append(pids, p.PID)
		}
	}
	return pids
}

func TestKillAll(t *testing.T) {
	t.Parallel()
	// Without a PID namespace killing init does not take its children
	// with it, so only --all can stop the two sleeps.
	for _, pidns := range []bool{false, true} {
		name := map[bool]string{false: "no-pidns", true: "pidns"}[pidns]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			var mods []func(*specs.Spec)
			if !pidns {
				mods = append(mods, withoutNamespace(specs.PIDNamespace))
			}
			h.ok("run", "-d", "--bundle", h.bundle([]string{"sh", "-c", "sleep 1000 & sleep 1001 & wait"}, mods...), id)
			var pids []int
			deadline := time.Now().Add(waitLimit)
			for len(pids) < 3 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				pids = cgroupPids(id)
			}
			if len(pids) < 3 {
				t.Fatalf("container has %d processes %v in its cgroups, want sh and two sleeps", len(pids), pids)
			}
			h.ok("kill", "--all", id, "KILL")
			deadline = time.Now().Add(waitLimit)
			for {
				var live []int
				for _, p := range pids {
					if sysproc.Alive(p) {
						live = append(live, p)
					}
				}
				if len(live) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("kill --all KILL: processes %v still alive after %v", live, waitLimit)
				}
				time.Sleep(50 * time.Millisecond)
			}
			h.waitStatus(id, "stopped")
			h.ok("delete", id)
			h.assertClean(id)
		})
	}
	t.Run("short-flag", func(t *testing.T) {
		t.Parallel()
		h := newH(t)
		id := h.id()
		h.ok("run", "-d", "--bundle", h.bundle([]string{"sh", "-c", "sleep 1000 & wait"}), id)
		h.ok("kill", "-a", id, "9")
		h.waitStatus(id, "stopped")
		h.ok("delete", id)
		h.assertClean(id)
	})
}

func TestDeleteRunning(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	pid := h.state(id).Pid
	r := h.fail("delete", id)
	checkOneLineError(t, r, "running")
	if st := h.state(id); st.Status != "running" || !sysproc.Alive(pid) {
		t.Errorf("after a refused delete: status %q, pid alive %v; want it untouched", st.Status, sysproc.Alive(pid))
	}
	h.ok("delete", "--force", id)
	if sysproc.Alive(pid) {
		// Give the kernel a moment to finish the kill.
		time.Sleep(200 * time.Millisecond)
		if sysproc.Alive(pid) {
			t.Errorf("after delete --force: pid %d still alive", pid)
		}
	}
	h.assertClean(id)

	// delete of a created (never started) container works without --force.
	id2 := h.id()
	h.ok("create", "--bundle", h.bundle(longRunning), id2)
	pid2 := h.state(id2).Pid
	h.ok("delete", id2)
	time.Sleep(100 * time.Millisecond)
	if sysproc.Alive(pid2) {
		t.Errorf("after delete of a created container: its init %d still alive", pid2)
	}
	h.assertClean(id2)

	// -f is the short form.
	id3 := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id3)
	h.ok("delete", "-f", id3)
	h.assertClean(id3)
}

func TestPidFile(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"create", "run-detach"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			id := h.id()
			pidFile := filepath.Join(h.dir, "pid", "container.pid")
			if err := os.MkdirAll(filepath.Dir(pidFile), 0o755); err != nil {
				t.Fatal(err)
			}
			args := []string{"create"}
			if cmd == "run-detach" {
				args = []string{"run", "--detach"}
			}
			h.ok(append(args, "--pid-file", pidFile, "--bundle", h.bundle(longRunning), id)...)
			data, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatalf("pid file: %v", err)
			}
			if strings.HasSuffix(string(data), "\n") {
				t.Errorf("pid file %q ends with a newline; runc writes none", data)
			}
			pid, err := strconv.Atoi(string(data))
			if err != nil {
				t.Fatalf("pid file %q is not a number", data)
			}
			if st := h.state(id); st.Pid != pid {
				t.Errorf("pid file says %d, state says %d", pid, st.Pid)
			}
			if fi, err := os.Stat(pidFile); err == nil && fi.Mode().Perm()&0o022 != 0 {
				t.Errorf("pid file mode %v is group/world writable", fi.Mode())
			}
			entries, _ := os.ReadDir(filepath.Dir(pidFile))
			if len(entries) != 1 {
				t.Errorf("pid file dir holds %d entries (temp files left?), want 1", len(entries))
			}
			h.ok("delete", "--force", id)
			h.assertClean(id)
		})
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	h := newH(t)
	created, running := h.id(), h.id()
	b1, b2 := h.bundle(longRunning), h.bundle(longRunning)
	h.ok("create", "--bundle", b1, created)
	h.ok("run", "-d", "--bundle", b2, running)
	want := map[string]containerState{
		created: {ID: created, Status: "created", Bundle: b1, Pid: h.state(created).Pid},
		running: {ID: running, Status: "running", Bundle: b2, Pid: h.state(running).Pid},
	}

	t.Run("quiet", func(t *testing.T) {
		for _, flag := range []string{"-q", "--quiet"} {
			r := h.ok("list", flag)
			got := lines(r.Stdout)
			if len(got) != 2 || !contains(got, created) || !contains(got, running) {
				t.Errorf("list %s: got %q, want the two ids %s %s", flag, got, created, running)
			}
		}
	})

	t.Run("table", func(t *testing.T) {
		for _, args := range [][]string{{"list"}, {"list", "--format", "table"}} {
			r := h.ok(args...)
			ls := lines(r.Stdout)
			if len(ls) != 3 {
				t.Fatalf("%v: %d lines, want header + 2:\n%s", args, len(ls), r)
			}
			if hdr := strings.Fields(ls[0]); strings.Join(hdr, " ") != "ID PID STATUS BUNDLE CREATED OWNER" {
				t.Errorf("%v: header %q, want ID PID STATUS BUNDLE CREATED OWNER", args, ls[0])
			}
			for _, l := range ls[1:] {
				f := strings.Fields(l)
				if len(f) != 6 {
					t.Errorf("%v: row %q has %d columns, want 6", args, l, len(f))
					continue
				}
				w, ok := want[f[0]]
				if !ok {
					t.Errorf("%v: unexpected row %q", args, l)
					continue
				}
				if f[1] != strconv.Itoa(w.Pid) || f[2] != w.Status || f[3] != w.Bundle || f[5] != "root" {
					t.Errorf("%v: row %q, want pid %d status %s bundle %s owner root", args, l, w.Pid, w.Status, w.Bundle)
				}
				if _, err := time.Parse(time.RFC3339Nano, f[4]); err != nil {
					t.Errorf("%v: created %q is not RFC 3339: %v", args, f[4], err)
				}
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		r := h.ok("list", "--format", "json")
		var got []containerState
		if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
			t.Fatalf("list --format json: %v\n%s", err, r)
		}
		var raw []map[string]any
		_ = json.Unmarshal([]byte(r.Stdout), &raw)
		for _, m := range raw {
			for _, k := range []string{"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"} {
				if _, ok := m[k]; !ok {
					t.Errorf("list json entry lacks %q: %v", k, m)
				}
			}
		}
		if len(got) != 2 {
			t.Fatalf("list json: %d entries, want 2\n%s", len(got), r)
		}
		for _, g := range got {
			w, ok := want[g.ID]
			if !ok {
				t.Errorf("unexpected entry %+v", g)
				continue
			}
			if g.Pid != w.Pid || g.Status != w.Status || g.Bundle != w.Bundle || g.Rootfs != rootfsDir || g.Owner != "root" || g.Created.IsZero() {
				t.Errorf("entry %+v, want pid %d status %s bundle %s rootfs %s owner root", g, w.Pid, w.Status, w.Bundle, rootfsDir)
			}
		}
	})

	t.Run("bad-format", func(t *testing.T) {
		r := h.fail("list", "--format", "yaml")
		checkOneLineError(t, r, "yaml")
	})

	h.ok("delete", "--force", created)
	h.ok("delete", "--force", running)
	h.assertClean(created)
	h.assertClean(running)
	if r := h.ok("list", "-q"); strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("list -q after deleting all: %q, want nothing", r.Stdout)
	}
}

// TestRunStdin checks that a foreground run passes its stdin through.
func TestRunStdin(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	r := h.hullOpts(cmdOpts{Stdin: strings.NewReader("line one\nline two\n")},
		"run", "--bundle", h.bundle([]string{"sh", "-c", "wc -l; echo done"}), id)
	if r.Code != 0 || lines(r.Stdout)[0] != "2" {
		t.Errorf("want the container to read 2 lines from stdin:\n%s", r)
	}
	h.assertClean(id)
}

// TestKillCreated signals a container that was created but not started.
func TestKillCreated(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("create", "--bundle", h.bundle(longRunning), id)
	pid := h.state(id).Pid
	h.ok("kill", id, "KILL")
	h.waitStatus(id, "stopped")
	if sysproc.Alive(pid) {
		t.Errorf("init %d of the killed created container is alive", pid)
	}
	h.fail("start", id)
	h.ok("delete", id)
	h.assertClean(id)
}

// TestConcurrentCreateSameID races several creates of one ID: exactly one
// may win, the others must say the ID exists, and nothing may be left
// behind by the losers.
func TestConcurrentCreateSameID(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	bundle := h.bundle(longRunning)
	const n = 4
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = h.hull("create", "--bundle", bundle, id)
		}(i)
	}
	wg.Wait()
	wins := 0
	for _, r := range results {
		if r.Code == 0 {
			wins++
			continue
		}
		checkOneLineError(t, r, "already exists")
	}
	if wins != 1 {
		t.Errorf("%d of %d concurrent creates of one ID succeeded, want exactly 1", wins, n)
	}
	if wins > 0 {
		st := h.state(id)
		if st.Status != "created" || !sysproc.Alive(st.Pid) {
			t.Errorf("the winner's container: %+v", st)
		}
		// Only one init may exist for the ID.
		if procs := cgroupPids(id); len(procs) != 1 {
			t.Errorf("%d processes in the container's cgroups, want the single init", len(procs))
		}
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestRelativeBundle runs hull from inside a directory: a relative
// --bundle, a missing --bundle (the bundle is the working directory) and a
// relative --pid-file all resolve against it, and state reports the
// bundle as an absolute path.
func TestRelativeBundle(t *testing.T) {
	t.Parallel()
	h := newH(t)
	bundle := h.bundle(longRunning)
	cases := map[string][]string{
		"relative-flag": {"--bundle", filepath.Base(bundle), "--pid-file", "rel.pid"},
		"cwd-default":   {"--pid-file", "rel.pid"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			id := h.id()
			dir := h.dir
			if name == "cwd-default" {
				dir = bundle
			}
			r := h.hullOpts(cmdOpts{Dir: dir}, append(append([]string{"create"}, args...), id)...)
			if r.Code != 0 {
				t.Fatalf("create from %s:\n%s", dir, r)
			}
			st := h.state(id)
			if st.Bundle != bundle {
				t.Errorf("state bundle %q, want the absolute %q", st.Bundle, bundle)
			}
			pidFile := filepath.Join(dir, "rel.pid")
			data, err := os.ReadFile(pidFile)
			if err != nil || string(data) != fmt.Sprint(st.Pid) {
				t.Errorf("relative pid file %s: %q %v, want %d", pidFile, data, err, st.Pid)
			}
			os.Remove(pidFile)
			h.ok("delete", "--force", id)
			h.assertClean(id)
		})
	}
}

// TestStoppedState checks what state reports once the process is gone:
// status stopped, and (like runc) pid 0, since the old pid may be reused.
func TestStoppedState(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle([]string{"true"}), id)
	st := h.waitStatus(id, "stopped")
	if st.Pid != 0 {
		t.Errorf("stopped container reports pid %d; runc reports 0", st.Pid)
	}
	r := h.ok("list", "--format", "json")
	if !strings.Contains(r.Stdout, `"status":"stopped"`) {
		t.Errorf("list does not show the stopped container:\n%s", r)
	}
	h.ok("delete", id)
	h.assertClean(id)
}
