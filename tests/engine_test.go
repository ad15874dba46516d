package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// The commands containerd's shim and podman's conmon use on a running
// container: exec, ps, pause/resume, update, events.

func TestExec(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) { s.Hostname = "exechost" }), id)
	initPid := h.state(id).Pid

	t.Run("joins-namespaces", func(t *testing.T) {
		r := h.ok("exec", id, "sh", "-c", "hostname; readlink /proc/1/exe; echo $$")
		out := lines(r.Stdout)
		if len(out) != 3 || out[0] != "exechost" || out[2] == "1" {
			t.Fatalf("exec output %q: want the container's hostname, and a pid other than 1", out)
		}
		for _, ns := range []string{"pid", "net", "uts", "mnt", "ipc"} {
			want, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", initPid, ns))
			got := strings.TrimSpace(h.ok("exec", id, "readlink", "/proc/self/ns/"+ns).Stdout)
			if got != want {
				t.Errorf("exec's %s namespace %s, want the container's %s", ns, got, want)
			}
		}
	})
	t.Run("exit-code", func(t *testing.T) {
		if r := h.hull("exec", id, "sh", "-c", "exit 42"); r.Code != 42 {
			t.Fatalf("exec exit 42 gave %d:\n%s", r.Code, r)
		}
	})
	t.Run("user-env-cwd", func(t *testing.T) {
		r := h.ok("exec", "--user", "65534:65534", "--additional-gids", "7", "--env", "FOO=bar", "-e", "BAZ=qux", "--cwd", "/tmp", id,
			"sh", "-c", "id -u; id -g; id -G; echo $FOO $BAZ; pwd")
		out := lines(r.Stdout)
		want := []string{"65534", "65534", "65534 7", "bar qux", "/tmp"}
		if strings.Join(out, "|") != strings.Join(want, "|") {
			t.Fatalf("exec with user, env and cwd printed %q, want %q", out, want)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		r := h.hullOpts(cmdOpts{Stdin: strings.NewReader("piped\n")}, "exec", id, "cat")
		if r.Code != 0 || r.Stdout != "piped\n" {
			t.Fatalf("exec cat with stdin:\n%s", r)
		}
	})
	t.Run("process-file", func(t *testing.T) {
		p := specs.Process{Args: []string{"sh", "-c", "echo from-file $X"}, Env: []string{"PATH=/bin", "X=y"}, Cwd: "/"}
		data, _ := json.Marshal(p)
		file := filepath.Join(h.dir, "process.json")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if r := h.ok("exec", "--process", file, id); r.Stdout != "from-file y\n" {
			t.Fatalf("exec --process printed %q", r.Stdout)
		}
	})
	t.Run("detach-pid-file", func(t *testing.T) {
		pidFile := filepath.Join(h.dir, "exec.pid")
		h.ok("exec", "-d", "--pid-file", pidFile, id, "sleep", "1000")
		data, err := os.ReadFile(pidFile)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(string(data))
		if err != nil || !sysproc.Alive(pid) {
			t.Fatalf("pid file %q: want the pid of a live process", data)
		}
		ps := h.ok("ps", "--format", "json", id)
		var pids []int
		if err := json.Unmarshal([]byte(ps.Stdout), &pids); err != nil {
			t.Fatalf("ps --format json: %v\n%s", err, ps.Stdout)
		}
		if !containsInt(pids, pid) || !containsInt(pids, initPid) {
			t.Fatalf("ps json %v lacks the exec'd process %d or init %d", pids, pid, initPid)
		}
	})
	t.Run("missing-executable", func(t *testing.T) {
		r := h.fail("exec", id, "no-such-program")
		if !strings.Contains(r.Stderr, "executable file not found in $PATH") || strings.Count(r.Stderr, "\n") != 1 {
			t.Fatalf("exec of a missing program: want one line with podman's words:\n%s", r)
		}
	})
	t.Run("caps", func(t *testing.T) {
		r := h.ok("exec", "--cap", "CAP_SYS_ADMIN", id, "grep", "CapEff", "/proc/self/status")
		mask := strings.Fields(r.Stdout)[1]
		v, _ := strconv.ParseUint(mask, 16, 64)
		if v&(1<<21) == 0 {
			t.Fatalf("exec --cap CAP_SYS_ADMIN: CapEff %s lacks bit 21", mask)
		}
	})
	t.Run("sub-cgroup", func(t *testing.T) {
		// --cgroup puts the process in an existing sub-cgroup of the
		// container's, per controller.
		// On cgroup v2 there is one hierarchy and no controller to name.
		sub := filepath.Join(cgroupDir(t, initPid, "pids"), "hullsub")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(sub)
		flag, line := "pids:hullsub", "pids:"
		if cgroupV2() {
			flag, line = "hullsub", "0::"
		}
		r := h.ok("exec", "--cgroup", flag, id, "cat", "/proc/self/cgroup")
		if !strings.Contains(r.Stdout, line) || !strings.Contains(r.Stdout, "/hullsub\n") {
			t.Fatalf("exec --cgroup %s ran in:\n%s", flag, r.Stdout)
		}
		r = h.fail("exec", "--cgroup", "no-such-sub", id, "true")
		// On v2 hull looks for the sub-cgroup before libcontainer's
		// openat2 fails on it.
		want := "exec in container"
		if cgroupV2() {
			want = "the container's cgroup has no sub-cgroup"
		}
		if !strings.Contains(r.Stderr, want) || !strings.Contains(r.Stderr, "no-such-sub") {
			t.Fatalf("exec into a missing sub-cgroup:\n%s", r)
		}
	})
	t.Run("no-args", func(t *testing.T) {
		h.fail("exec", id)
	})

	h.ok("kill", id, "KILL")
	h.waitStatus(id, "stopped")
	r := h.fail("exec", id, "true")
	if !strings.Contains(r.Stderr, "container not running") {
		t.Fatalf("exec in a stopped container: want \"container not running\":\n%s", r)
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestPsTable(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle([]string{"sleep", "4242"}), id)
	waitExecuted(h.state(id).Pid, "sleep")
	r := h.ok("ps", id)
	out := lines(r.Stdout)
	if len(out) != 2 || !strings.Contains(out[0], "PID") || !strings.Contains(out[1], "sleep 4242") {
		t.Fatalf("ps table: want a header and the container's one process:\n%s", r.Stdout)
	}
	r = h.ok("ps", id, "--", "-o", "pid,comm")
	if out := lines(r.Stdout); len(out) != 2 || strings.Fields(out[1])[1] != "sleep" {
		t.Fatalf("ps -- -o pid,comm:\n%s", r.Stdout)
	}
	h.fail("ps", "--format", "yaml", id)
}

func TestPauseResume(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	pid := h.state(id).Pid
	h.ok("pause", id)
	if st := h.state(id); st.Status != "paused" {
		t.Fatalf("after pause: status %q", st.Status)
	}
	if state := procState(t, pid); state != "D" && state != "S" {
		t.Logf("frozen process state %q", state)
	}
	// The freezer: v1's freezer.state, v2's cgroup.freeze.
	freezeFile, frozen, thawed := "freezer.state", "FROZEN", "THAWED"
	if cgroupV2() {
		freezeFile, frozen, thawed = "cgroup.freeze", "1", "0"
	}
	if freezer := cgroupFile(t, pid, "freezer", freezeFile); freezer != frozen {
		t.Fatalf("%s %q, want %s", freezeFile, freezer, frozen)
	}
	r := h.fail("exec", id, "true")
	if !strings.Contains(r.Stderr, "paused") {
		t.Fatalf("exec in a paused container:\n%s", r)
	}
	h.ok("resume", id)
	if st := h.state(id); st.Status != "running" {
		t.Fatalf("after resume: status %q", st.Status)
	}
	if freezer := cgroupFile(t, pid, "freezer", freezeFile); freezer != thawed {
		t.Fatalf("%s %q after resume, want %s", freezeFile, freezer, thawed)
	}
	r = h.fail("resume", id)
	if !strings.Contains(r.Stderr, "not paused") {
		t.Fatalf("resume of a running container:\n%s", r)
	}
	// A paused container can still be killed and deleted.
	h.ok("pause", id)
	h.ok("delete", "--force", id)
	h.assertClean(id)

	// kill --all KILL of a paused container kills it (frozen processes
	// die only once thawed).
	id = h.id()
	h.ok("run", "-d", "--bundle", h.bundle([]string{"sh", "-c", "sleep 1000 & sleep 1000"}), id)
	h.ok("pause", id)
	h.ok("kill", "--all", id, "KILL")
	h.waitStatus(id, "stopped")
	h.ok("delete", id)
	h.assertClean(id)
}

func procState(t *testing.T, pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])[0]
}

// cgroupV2 says whether /sys/fs/cgroup is the unified hierarchy alone
// (a cgroup v2 host, such as the VM of tests/vm), where the tests expect
// v2 files.
func cgroupV2() bool { return fileExists("/sys/fs/cgroup/cgroup.controllers") }

// cgroupDir is the directory of pid's cgroup in a v1 controller, or on a
// cgroup v2 host its one cgroup (controller is ignored).
func cgroupDir(t *testing.T, pid int, controller string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	v2 := cgroupV2()
	for _, l := range lines(string(data)) {
		parts := strings.SplitN(l, ":", 3)
		switch {
		case len(parts) != 3:
		case v2 && parts[0] == "0" && parts[1] == "":
			return filepath.Join("/sys/fs/cgroup", parts[2])
		case !v2 && parts[1] == controller:
			return filepath.Join("/sys/fs/cgroup", controller, parts[2])
		}
	}
	t.Fatalf("pid %d has no %s cgroup:\n%s", pid, controller, data)
	return ""
}

// cgroupFile reads a file of the v1 controller's cgroup of pid (on a v2
// host: of its cgroup).
func cgroupFile(t *testing.T, pid int, controller, file string) string {
	t.Helper()
	v, err := os.ReadFile(filepath.Join(cgroupDir(t, pid, controller), file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(v))
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	pid := h.state(id).Pid

	h.ok("update", "--memory", "64m", "--pids-limit", "50", "--cpu-period", "100000", "--cpu-quota", "50000", "--cpu-share", "512", id)
	type cgFile struct{ ctrl, file, want string }
	want := []cgFile{
		{"memory", "memory.limit_in_bytes", strconv.Itoa(64 << 20)},
		{"pids", "pids.max", "50"},
		{"cpu", "cpu.cfs_period_us", "100000"},
		{"cpu", "cpu.cfs_quota_us", "50000"},
		{"cpu", "cpu.shares", "512"},
	}
	if cgroupV2() {
		want = []cgFile{
			{"", "memory.max", strconv.Itoa(64 << 20)},
			{"", "pids.max", "50"},
			{"", "cpu.max", "50000 100000"},
			// Shares 512 as a weight, by the opencontainers/cgroups
			// formula that fits 2, 1024 and 262144 to 1, 100 and 10000.
			{"", "cpu.weight", "59"},
		}
	}
	for _, c := range want {
		if got := cgroupFile(t, pid, c.ctrl, c.file); got != c.want {
			t.Errorf("after update flags: %s = %s, want %s", c.file, got, c.want)
		}
	}

	// The JSON form podman and containerd send; what it leaves out stays.
	res := `{"memory":{"limit":33554432},"pids":{"limit":7}}`
	h.hullOpts(cmdOpts{Stdin: strings.NewReader(res)}, "update", "--resources", "-", id)
	want = []cgFile{
		{"memory", "memory.limit_in_bytes", "33554432"},
		{"pids", "pids.max", "7"},
		{"cpu", "cpu.cfs_quota_us", "50000"},
	}
	if cgroupV2() {
		want = []cgFile{{"", "memory.max", "33554432"}, {"", "pids.max", "7"}, {"", "cpu.max", "50000 100000"}}
	}
	for _, c := range want {
		if got := cgroupFile(t, pid, c.ctrl, c.file); got != c.want {
			t.Errorf("after update --resources -: %s = %s, want %s", c.file, got, c.want)
		}
	}
	// The pids limit works: a fork past it fails.
	r := h.hull("exec", id, "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 100 & done; wait")
	if r.Code == 0 && !strings.Contains(r.Stderr, "fork") {
		t.Errorf("8 children under pids.max 7 should fail:\n%s", r)
	}

	for _, bad := range [][]string{
		{"--memory", "lots"},
		{"--cpu-quota", "x"},
		{"--blkio-weight", "5"},
		{"--cpuset-cpus", "0-"},
	} {
		r := h.fail(append(append([]string{"update"}, bad...), id)...)
		if strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, bad[0]) && !strings.Contains(r.Stderr, "cpu.cpus") {
			t.Errorf("update %v: want one line naming the flag:\n%s", bad, r)
		}
	}
	r = h.hullOpts(cmdOpts{Stdin: strings.NewReader(`{"memory":`)}, "update", "-r", "-", id)
	if r.Code == 0 || !strings.Contains(r.Stderr, "stdin") {
		t.Errorf("update with broken JSON:\n%s", r)
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	limit := int64(32 << 20)
	h.ok("run", "-d", "--bundle", h.bundle(longRunning, func(s *specs.Spec) {
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
	}), id)
	r := h.ok("events", "--stats", id)
	var ev struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Data struct {
			CPU struct {
				Usage struct {
					Total uint64 `json:"total"`
				} `json:"usage"`
			} `json:"cpu"`
			Memory struct {
				Usage struct {
					Limit uint64 `json:"limit"`
					Usage uint64 `json:"usage"`
				} `json:"usage"`
			} `json:"memory"`
			Pids struct {
				Current uint64 `json:"current"`
			} `json:"pids"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &ev); err != nil {
		t.Fatalf("events --stats: %v\n%s", err, r.Stdout)
	}
	if ev.Type != "stats" || ev.ID != id || ev.Data.Memory.Usage.Limit != uint64(limit) || ev.Data.Pids.Current == 0 || ev.Data.CPU.Usage.Total == 0 {
		t.Fatalf("events --stats: want type stats, the id, the memory limit, a pid count and some CPU time:\n%s", r.Stdout)
	}

	// The stream: stats at the interval, an oom event when the OOM killer
	// strikes, and the end of the stream when the container stops.
	done := make(chan result, 1)
	go func() { done <- h.hull("events", "--interval", "200ms", id) }()
	oom := h.hull("exec", id, "sh", "-c", "x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while true; do x=$x$x; done")
	if oom.Code != 137 {
		t.Errorf("a shell doubling a string under a 32 MiB limit should be OOM-killed (137):\n%s", oom)
	}
	// Let a few 200ms stats intervals pass before the container stops.
	time.Sleep(time.Second)
	h.ok("kill", id, "KILL")
	r = <-done
	if r.Code != 0 {
		t.Fatalf("events stream:\n%s", r)
	}
	var types []string
	for _, l := range lines(r.Stdout) {
		var e struct{ Type, ID string }
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.ID != id {
			t.Fatalf("events line %q: %v", l, err)
		}
		types = append(types, e.Type)
	}
	if !contains(types, "stats") || !contains(types, "oom") {
		t.Fatalf("events stream had %v, want stats and oom events", types)
	}
}
