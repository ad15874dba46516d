//go:build e2e

package e2e

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// countScript counts in the shell's memory and shows "<token> <count>"
// in /tmp/count, the token drawn once at the start: a process started
// afresh instead of restored has another token and counts from 1.
const countScript = `t=$RANDOM$RANDOM$RANDOM; i=0; while :; do i=$((i+1)); echo "$t $i" > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done`

// engineCriuTimeout bounds the engines' checkpoint and restore: CRIU in
// the emulated VM of tests/vm is slow.
const engineCriuTimeout = 4 * time.Minute

var criuErrRE = regexp.MustCompile(`Error \([^)]*\): (.*)`)

// needCriu skips unless `criu check` passes (the VM of tests/vm; the
// project's CI host has a vDSO CRIU refuses).
func needCriu(t *testing.T) {
	t.Helper()
	bin, err := exec.LookPath("criu")
	if err != nil {
		t.Skip("criu is not installed (scripts/install-deps.sh installs it)")
	}
	if out, err := exec.Command(bin, "check").CombinedOutput(); err != nil {
		why := strings.TrimSpace(string(out))
		if m := criuErrRE.FindStringSubmatch(why); m != nil {
			why = m[1]
		}
		t.Skip("CRIU cannot checkpoint on this machine (make vm-test runs these): criu check: " + why)
	}
}

// waitCount polls read (the container's /tmp/count) until the count
// passes min, and returns the token and the count.
func waitCount(t *testing.T, read func() string, min int) (string, int) {
	t.Helper()
	var n int
	var token, last string
	if !eventually(30*time.Second, func() bool {
		last = read()
		f := strings.Fields(last)
		if len(f) != 2 {
			return false
		}
		token = f[0]
		n, _ = strconv.Atoi(f[1])
		return n > min
	}) {
		t.Fatalf("count %q after 30s, want more than %d", last, min)
	}
	return token, n
}

// sameProcess checks that the restored process counts on from the
// checkpointed one: the same token, a count past what it was.
func sameProcess(t *testing.T, read func() string, token string, min int) {
	t.Helper()
	got, n := waitCount(t, read, min)
	if got != token {
		t.Errorf("the restored process has token %s, the checkpointed one %s (count %d): it started afresh", got, token, n)
	}
}

// TestPodmanCheckpoint: `podman container checkpoint` and `restore` with
// hull as the runtime (conmon runs `hull restore`): the container's count
// goes on from where it was, with --leave-running and without.
func TestPodmanCheckpoint(t *testing.T) {
	needCriu(t)
	p := startPodman(t)
	name := "ckpt-counter"
	p.container(t, name)
	p.ok(t, "run", "-d", "--name", name, podImage, "sh", "-c", countScript)
	p.waitState(t, name, "running")
	read := func() string { return p.podman("exec", name, "cat", "/tmp/count").Stdout }
	token, _ := waitCount(t, read, 3)
	slow := cmdOpts{Timeout: engineCriuTimeout}

	if r := p.podmanOpts(slow, "container", "checkpoint", "--leave-running", name); r.Code != 0 {
		t.Fatalf("podman container checkpoint --leave-running:\n%s", r)
	}
	p.waitState(t, name, "running")
	_, n := waitCount(t, read, 0)
	sameProcess(t, read, token, n+2)

	if r := p.podmanOpts(slow, "container", "checkpoint", name); r.Code != 0 {
		t.Fatalf("podman container checkpoint:\n%s", r)
	}
	p.waitState(t, name, "exited")
	if r := p.podmanOpts(slow, "container", "restore", name); r.Code != 0 {
		t.Fatalf("podman container restore:\n%s", r)
	}
	p.waitState(t, name, "running")
	sameProcess(t, read, token, n)
	if rt := p.inspect(t, name, "{{.OCIRuntime}}"); rt != "hull" {
		t.Errorf("the restored container's runtime is %q, want hull", rt)
	}
	p.ok(t, "rm", "-f", "-t", "0", name)
}

// TestContainerdCheckpoint: containerd's checkpoint through the runc v2
// shim with hull as its BinaryName (`ctr containers checkpoint --task`,
// then `ctr containers restore --live` of the checkpoint image), the count
// going on from where it was.
func TestContainerdCheckpoint(t *testing.T) {
	needCriu(t)
	c := startContainerd(t)
	id := "ckpt-counter"
	c.container(t, id)
	c.ok(t, c.runArgs(id, []string{"-d"}, "sh", "-c", countScript)...)
	c.waitTask(t, id, "RUNNING")
	c.assertHull(t, id, "BinaryName")
	n := 0
	read := func() string {
		n++
		return c.ctr("task", "exec", "--exec-id", "count"+strconv.Itoa(n), id, "cat", "/tmp/count").Stdout
	}
	token, _ := waitCount(t, read, 3)

	ref := "localhost/hull-e2e/checkpoint:" + id
	if r := runCmd(cmdOpts{Timeout: engineCriuTimeout}, "ctr", "-a", c.sock, "-n", c.ns, "containers", "checkpoint", "--task", id, ref); r.Code != 0 {
		t.Fatalf("ctr containers checkpoint:\n%s", r)
	}
	c.remove(id)
	if r := runCmd(cmdOpts{Timeout: engineCriuTimeout}, "ctr", "-a", c.sock, "-n", c.ns, "containers", "restore", "--live", id, ref); r.Code != 0 {
		t.Fatalf("ctr containers restore --live:\n%s", r)
	}
	c.waitTask(t, id, "RUNNING")
	sameProcess(t, read, token, 0)
	var restored bool
	for _, l := range c.invocations(id) {
		restored = restored || (strings.Contains(l, " via=BinaryName ") && strings.Contains(l, " restore "))
	}
	if !restored {
		t.Errorf("no `restore %s` through the shim's BinaryName (hull); calls:\n%s", id, strings.Join(c.invocations(id), "\n"))
	}
	c.ctr("image", "rm", ref)
}
