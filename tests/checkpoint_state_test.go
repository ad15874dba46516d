package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// requireCriu skips unless `criu check` passes here (the VM of tests/vm;
// on the project's CI host CRIU refuses the kernel's vDSO, and the
// *FailsCleanly tests run instead).
func requireCriu(t *testing.T) {
	t.Helper()
	if works, why := criuState(); !works {
		t.Skip("CRIU cannot checkpoint on this machine (make vm-test runs these): criu check: " + why)
	}
}

// criuTimeout bounds a checkpoint or restore: CRIU in the emulated VM of
// tests/vm, on a loaded host, takes longer than cmdTimeout allows.
const criuTimeout = 3 * time.Minute

// criu runs a hull command that runs CRIU, under criuTimeout.
func (h *H) criu(args ...string) result {
	h.t.Helper()
	return h.hullOpts(cmdOpts{Timeout: criuTimeout}, args...)
}

// criuOK is criu that fails the test unless hull exits 0.
func (h *H) criuOK(args ...string) {
	h.t.Helper()
	if r := h.criu(args...); r.Code != 0 {
		h.t.Fatalf("hull failed:\n%s", r)
	}
}

// finish checks that the restored container id runs and takes an exec,
// then deletes it and checks that nothing is left.
func (h *H) finish(id string) {
	h.t.Helper()
	h.assertRunningAndUsable(id)
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// cgroupOf is the cgroup v2 path of pid ("" on a v1 host).
func cgroupOf(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	for _, l := range lines(string(data)) {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return p
		}
	}
	return ""
}

// assertThawed fails the test if the cgroup v2 of pid is frozen: CRIU
// freezes the container's cgroup while it dumps, and a restore must not
// bring that back (an exec or a `state` would then hang).
func (h *H) assertThawed(pid int) {
	h.t.Helper()
	cg := cgroupOf(pid)
	if cg == "" {
		return
	}
	dir := filepath.Join("/sys/fs/cgroup", cg)
	freeze, _ := os.ReadFile(filepath.Join(dir, "cgroup.freeze"))
	events, _ := os.ReadFile(filepath.Join(dir, "cgroup.events"))
	if strings.TrimSpace(string(freeze)) != "0" || !strings.Contains(string(events), "frozen 0") {
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		h.t.Errorf("the restored container's cgroup %s is frozen: cgroup.freeze %q, cgroup.events %q; init %s",
			dir, strings.TrimSpace(string(freeze)), strings.TrimSpace(string(events)), strings.Join(strings.Fields(string(status))[:6], " "))
	}
}

// counter is a container whose state is in three places: a count in the
// shell's memory, the offset of an open file (fd 3 reads /mnt/lines one
// line a step) and, with a server, a listening socket. Each step writes
// "<token> <count> <line read>" to /mnt/out: the count and the line go
// together from 1, and the token, drawn at the start, tells a restored
// process from one started afresh.
type counter struct {
	h      *H
	host   string
	bundle string
	// token is the process's, seen first by waitPast.
	token string
}

// newCounter writes its bundle; before runs first, in the background
// (a server, say), mods change the config.
func newCounter(h *H, before string, mods ...func(*specs.Spec)) *counter {
	h.t.Helper()
	c := &counter{h: h, host: h.hostDir("counter-" + strconv.FormatInt(idCounter.Add(1), 10))}
	var lines strings.Builder
	for i := 1; i <= 20000; i++ {
		fmt.Fprintln(&lines, i)
	}
	writeFile(h.t, filepath.Join(c.host, "lines"), lines.String())
	// Its stdio goes to /dev/null: the harness removes the files that
	// take a detached container's output once hull returns, and CRIU
	// would have to save them as unlinked ("ghost") files.
	script := `exec </dev/null >/dev/null 2>&1
` + before + `
exec 3</mnt/lines
t=$RANDOM$RANDOM$RANDOM; i=0
while :; do i=$((i+1)); read -r l <&3; echo "$t $i $l" >/mnt/out.new; mv /mnt/out.new /mnt/out; sleep 0.1; done`
	c.bundle = h.bundle(sh(script), append([]func(*specs.Spec){withHostMnt(c.host)}, mods...)...)
	return c
}

// read returns the last step written: the token, the count and the
// line read.
func (c *counter) read() (token string, count, line int) {
	data, _ := os.ReadFile(filepath.Join(c.host, "out"))
	f := strings.Fields(string(data))
	if len(f) == 3 {
		token = f[0]
		count, _ = strconv.Atoi(f[1])
		line, _ = strconv.Atoi(f[2])
	}
	return token, count, line
}

// waitPast waits until the count passes min and returns it, failing the
// test unless the line read is the count (the file offset and the memory
// went together) and the token is the one first seen (the process is
// the same, restored, not started again).
func (c *counter) waitPast(min int) int {
	c.h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		token, n, l := c.read()
		if n > min {
			if c.token == "" {
				c.token = token
			}
			if token != c.token {
				c.h.t.Errorf("step %d comes from a process with token %s, not the checkpointed one's %s: it started afresh", n, token, c.token)
			}
			if l != n {
				c.h.t.Errorf("step %d read line %d: the open file's offset and the count in memory disagree", n, l)
			}
			return n
		}
		if time.Now().After(deadline) {
			c.h.t.Fatalf("count %d after 30s, want more than %d", n, min)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// still checks that the count stays where it is: the processes are gone
// (or frozen).
func (c *counter) still(why string) int {
	c.h.t.Helper()
	_, n, _ := c.read()
	time.Sleep(400 * time.Millisecond)
	if _, m, _ := c.read(); m != n {
		c.h.t.Errorf("the count went on from %d to %d %s", n, m, why)
	}
	return n
}

// dialIn connects to addr in the network namespace of pid (the
// container's loopback is out of the host's reach) and returns what the
// server sends before it closes.
func dialIn(pid int, addr string) (string, error) {
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		// The thread joins the container's namespace and goes back to
		// its own before it is unlocked. Left locked, the runtime would
		// end the thread with this goroutine, except the main thread,
		// which it keeps: /proc/self/ns/net (the main thread's) would
		// then name the container's namespace for every later test.
		runtime.LockOSThread()
		own, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer own.Close()
		defer func() {
			if unix.Setns(int(own.Fd()), unix.CLONE_NEWNET) == nil {
				runtime.UnlockOSThread()
			}
		}()
		ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer ns.Close()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- res{err: fmt.Errorf("setns: %w", err)}
			return
		}
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		data, err := io.ReadAll(conn)
		ch <- res{string(data), err}
	}()
	r := <-ch
	return r.s, r.err
}

// loUp brings up the loopback device in pid's network namespace, as
// whoever gives a restored container its network does: hull, like runc,
// has CRIU restore the network namespace empty (--empty-ns network is
// always on), with its devices down.
func (h *H) loUp(pid int) {
	h.t.Helper()
	ns := []string{"-t", strconv.Itoa(pid), "-n", "ip"}
	if r := runCmd(h.t, h.dir, cmdOpts{}, "nsenter", append(ns, "-o", "link", "show", "lo")...); r.Code == 0 {
		h.t.Logf("the restored container's lo: %s", strings.TrimSpace(r.Stdout))
	}
	if r := runCmd(h.t, h.dir, cmdOpts{}, "nsenter", append(ns, "link", "set", "lo", "up")...); r.Code != 0 {
		h.t.Fatalf("bring up lo in the restored container:\n%s", r)
	}
}

// TestCheckpointRestoreState checkpoints a container with a count in
// memory, an open file half read and a listening TCP socket, and restores
// it: the count and the offset go on from where they were, and the
// socket accepts again.
func TestCheckpointRestoreState(t *testing.T) {
	requireCriu(t)
	h := newH(t)
	c := newCounter(h, `(while :; do nc -l -p 8080 -e echo hello; done) &`)
	id := h.id()
	h.ok("run", "--detach", "--bundle", c.bundle, id)
	c.waitPast(3)
	if got, err := dialIn(h.state(id).Pid, "127.0.0.1:8080"); err != nil || got != "hello\n" {
		t.Fatalf("the server before the checkpoint: %q, %v", got, err)
	}

	img := filepath.Join(h.dir, "img")
	h.criuOK("checkpoint", "--image-path", img, id)
	saved := c.still("after a checkpoint without --leave-running")
	checkOneLineError(t, h.hull("state", id), "container does not exist")

	h.criuOK("restore", "--detach", "--bundle", c.bundle, "--image-path", img, id)
	pid := h.state(id).Pid
	c.waitPast(saved)
	h.loUp(pid)
	if got, err := dialIn(pid, "127.0.0.1:8080"); err != nil || got != "hello\n" {
		t.Errorf("the listening socket after the restore: %q, %v", got, err)
	}
	h.finish(id)
}

// TestCheckpointLeaveRunningNewID: --leave-running keeps the container
// going, and its images restore as a container of another ID, with the
// memory and the file offset of the moment of the checkpoint.
func TestCheckpointLeaveRunningNewID(t *testing.T) {
	requireCriu(t)
	h := newH(t)
	c := newCounter(h, "")
	id, newID := h.id(), h.id()
	h.ok("run", "--detach", "--bundle", c.bundle, id)
	c.waitPast(3)
	img := filepath.Join(h.dir, "img")
	// --empty-ns network is what hull (as runc) does anyway: accepted.
	h.criuOK("checkpoint", "--leave-running", "--empty-ns", "network", "--image-path", img, id)
	_, at, _ := c.read()
	c.waitPast(at + 3)
	h.assertRunningAndUsable(id)
	h.ok("delete", "--force", id)
	h.assertClean(id)

	pidFile := filepath.Join(h.dir, "new.pid")
	h.criuOK("restore", "--detach", "--bundle", c.bundle, "--image-path", img, "--pid-file", pidFile, newID)
	st := h.state(newID)
	if st.ID != newID || st.Status != "running" {
		t.Errorf("restored container: id %q status %q, want %q running", st.ID, st.Status, newID)
	}
	if data, err := os.ReadFile(pidFile); err != nil || string(data) != strconv.Itoa(st.Pid) {
		t.Errorf("pid file %q (%v), state pid %d", data, err, st.Pid)
	}
	// From the checkpoint's step (about `at`), not from 1: the token and
	// the line of that step.
	c.waitPast(at - 3)
	checkOneLineError(t, h.hull("state", id), "container does not exist")
	h.finish(newID)
}

// pagesSize is the size of CRIU's memory images (pages-*.img) in dir.
func pagesSize(t *testing.T, dir string) (bytes, blocks int64) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "pages-*.img"))
	if len(files) == 0 {
		t.Fatalf("no pages-*.img in %s", dir)
	}
	for _, f := range files {
		var st unix.Stat_t
		if err := unix.Stat(f, &st); err != nil {
			t.Fatal(err)
		}
		bytes += st.Size
		blocks += st.Blocks
	}
	return bytes, blocks
}

// TestCheckpointPreDump: --pre-dump saves the memory and leaves the
// container running; the dump with --parent-path then saves only what
// changed, linked to the pre-dump, and restores whole. --work-path takes
// CRIU's logs, --auto-dedup punches the pages the dump saved again out of
// the parent's images.
func TestCheckpointPreDump(t *testing.T) {
	requireCriu(t)
	h := newH(t)
	// 2 MB the shell holds and never changes: the pre-dump saves them,
	// the dump must not. Without them the counter's own pages are a few
	// dozen, about as many as a fresh sleep(1) child brings to the dump,
	// and the comparison below went either way.
	c := newCounter(h, `big=$(head -c 2000000 /dev/zero | tr '\000' x)`)
	id := h.id()
	h.ok("run", "--detach", "--bundle", c.bundle, id)
	c.waitPast(3)

	pre, final, work := filepath.Join(h.dir, "pre"), filepath.Join(h.dir, "final"), filepath.Join(h.dir, "work")
	h.criuOK("checkpoint", "--pre-dump", "--image-path", pre, "--work-path", work, id)
	if !fileExists(filepath.Join(work, "dump.log")) || fileExists(filepath.Join(pre, "dump.log")) {
		t.Errorf("--work-path %s: CRIU's dump.log is not there (or is in the image directory too)", work)
	}
	_, at, _ := c.read()
	c.waitPast(at + 2)
	h.assertRunningAndUsable(id)
	preBytes, preBlocks := pagesSize(t, pre)

	h.criuOK("checkpoint", "--image-path", final, "--parent-path", "../pre", "--auto-dedup", id)
	saved := c.still("after the dump")
	if l, err := os.Readlink(filepath.Join(final, "parent")); err != nil || l != "../pre" {
		t.Errorf("%s/parent: %q, %v; want a link to ../pre", final, l, err)
	}
	finalBytes, _ := pagesSize(t, final)
	if preBytes < 2000000 {
		t.Errorf("the pre-dump's pages take %d bytes, fewer than the 2 MB the shell holds", preBytes)
	}
	if finalBytes >= preBytes/2 {
		t.Errorf("the dump's pages (%d bytes) are not well below the pre-dump's (%d): --parent-path was not used", finalBytes, preBytes)
	}
	if _, blocks := pagesSize(t, pre); blocks >= preBlocks {
		t.Errorf("--auto-dedup: the pre-dump's pages still take %d blocks (%d before the dump)", blocks, preBlocks)
	}

	pidFile := filepath.Join(h.dir, "restored.pid")
	h.criuOK("restore", "--detach", "--bundle", c.bundle, "--image-path", final, "--pid-file", pidFile, id)
	c.waitPast(saved)
	h.assertThawed(pidOf(t, pidFile))
	h.finish(id)
}

// TestCheckpointRestoreNewCgroup restores into a bundle whose
// linux.cgroupsPath differs from the checkpointed container's, with the
// --manage-cgroups-mode values (runc: "cgroups mode: soft|full|strict|
// ignore (default: soft)") that allow it: the restored processes are in
// the new cgroup and the old one is gone. On cgroup v2 only "ignore" does
// it: in the other modes CRIU puts the processes back into the cgroup
// path saved in its images (runc#3546, cri-o#6894).
func TestCheckpointRestoreNewCgroup(t *testing.T) {
	requireCriu(t)
	for _, mode := range []string{"", "soft", "ignore"} {
		name := mode
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			if mode != "ignore" && fileExists("/sys/fs/cgroup/cgroup.controllers") {
				t.Skip("on cgroup v2, CRIU restores into the cgroup path of its images unless --manage-cgroups-mode ignore (runc#3546)")
			}
			h := newH(t)
			id, newID := h.id(), h.id()
			oldCg, newCg := "/"+id+"-ckpt", "/"+newID+"-restored"
			h.mu.Lock()
			h.cgroupPaths[id], h.cgroupPaths[newID] = oldCg, newCg
			h.mu.Unlock()
			c := newCounter(h, "", func(s *specs.Spec) { s.Linux.CgroupsPath = oldCg })
			moved := c.rebundle(func(s *specs.Spec) { s.Linux.CgroupsPath = newCg })
			h.ok("run", "--detach", "--bundle", c.bundle, id)
			c.waitPast(3)
			var modeArgs []string
			if mode != "" {
				modeArgs = []string{"--manage-cgroups-mode", mode}
			}
			img := filepath.Join(h.dir, "img")
			h.criuOK(append(append([]string{"checkpoint", "--image-path", img}, modeArgs...), id)...)
			saved := c.still("after the checkpoint")
			h.assertClean(id)

			pidFile := filepath.Join(h.dir, "restored.pid")
			h.criuOK(append(append([]string{"restore", "--detach", "--bundle", moved, "--image-path", img, "--pid-file", pidFile}, modeArgs...), newID)...)
			pid := pidOf(t, pidFile)
			h.assertThawed(pid)
			if !inCgroupPath(pid, newCg) {
				data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
				t.Errorf("the restored init is not in the bundle's cgroup %s:\n%s", newCg, data)
			}
			c.waitPast(saved)
			h.finish(newID)
			h.assertClean(id)
		})
	}
}

// pidOf reads a --pid-file.
func pidOf(t *testing.T, file string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	pid, _ := strconv.Atoi(string(data))
	if err != nil || pid <= 0 {
		t.Fatalf("pid file %s: %q, %v", file, data, err)
	}
	return pid
}

// rebundle writes another bundle of c's config, changed by mod.
func (c *counter) rebundle(mod func(*specs.Spec)) string {
	c.h.t.Helper()
	data, err := os.ReadFile(filepath.Join(c.bundle, "config.json"))
	if err != nil {
		c.h.t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		c.h.t.Fatal(err)
	}
	mod(&s)
	return c.h.writeBundle(&s)
}

// TestCheckpointTCPEstablished: an established TCP connection (both ends
// in the container, over its loopback) stops a checkpoint without
// --tcp-established, with CRIU's reason naming the flag, and the
// container keeps running; with it, the checkpoint is saved and restores.
// The container runs in a network namespace of its own that the test made
// (linux.namespaces path), as CNI gives one: a namespace hull creates is
// restored empty, with lo down, where CRIU cannot connect the socket back
// ("Network is unreachable"), as with runc. The restored connection
// carries the count on from where it was.
//
// The restore gets a fresh namespace of the same path, as CNI gives a
// restored container. CRIU's dump leaves its network lock in the
// namespace it saved (an iptables chain CRIU that drops every packet, for
// the restore to lift); a restore into that same namespace locks it again,
// then fails to lift the lock (iptables-restore exits 4 in restore.log:
// the chain is still referenced by the dump's rules), and the connection
// stays silent. runc 1.5 does the same.
func TestCheckpointTCPEstablished(t *testing.T) {
	requireCriu(t)
	h := newH(t)
	host := h.hostDir("tcp")
	netns := "hulltest-tcp-" + strconv.Itoa(os.Getpid())
	ip := func(args ...string) {
		t.Helper()
		if r := runCmd(t, h.dir, cmdOpts{}, "ip", args...); r.Code != 0 {
			t.Fatalf("ip:\n%s", r)
		}
	}
	ip("netns", "add", netns)
	t.Cleanup(func() { runCmd(t, h.dir, cmdOpts{}, "ip", "netns", "del", netns) })
	ip("-n", netns, "link", "set", "lo", "up")
	inNetns := func(s *specs.Spec) {
		for i, n := range s.Linux.Namespaces {
			if n.Type == specs.NetworkNamespace {
				s.Linux.Namespaces[i].Path = "/run/netns/" + netns
			}
		}
	}
	// The server sends a count a step (nc -e makes the connection the
	// shell's stdout); the client writes what it receives.
	bundle := h.bundle(sh(`exec </dev/null >/dev/null 2>&1
nc -l -p 9000 -e sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done' &
sleep 0.5
exec nc 127.0.0.1 9000 >/mnt/recv`), withHostMnt(host), inNetns)
	recv := func() []string { data, _ := os.ReadFile(filepath.Join(host, "recv")); return lines(string(data)) }
	waitRecv := func(n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for len(recv()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("received %d lines after 30s, want %d", len(recv()), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	id := h.id()
	h.ok("run", "--detach", "--bundle", bundle, id)
	waitRecv(3)

	r := h.criu("checkpoint", "--image-path", filepath.Join(h.dir, "no-flag"), id)
	checkOneLineError(t, r, "criu failed: type DUMP")
	mustContain(t, "hull checkpoint without --tcp-established", r.Stderr, "tcp-established")
	h.assertRunningAndUsable(id)

	img := filepath.Join(h.dir, "img")
	h.criuOK("checkpoint", "--tcp-established", "--image-path", img, id)
	saved := len(recv())
	ip("netns", "del", netns)
	ip("netns", "add", netns)
	ip("-n", netns, "link", "set", "lo", "up")
	h.criuOK("restore", "--detach", "--tcp-established", "--bundle", bundle, "--image-path", img, id)
	waitRecv(saved + 10)
	// Line i is i: the server's count went on over the restored
	// connection, nothing lost or repeated (the last line may be partial).
	got := recv()
	for i, l := range got[:len(got)-1] {
		if l != strconv.Itoa(i+1) {
			t.Fatalf("the client received line %d %q, want %d (%d lines at the checkpoint)", i+1, l, i+1, saved)
		}
	}
	h.finish(id)
}

// TestCheckpointTerminal: a container with a terminal, its pty master
// sent over --console-socket, is checkpointed and restored with a new
// --console-socket, which gets the restored pty's master: the shell reads
// from it and remembers what it counted before.
func TestCheckpointTerminal(t *testing.T) {
	requireCriu(t)
	h := newH(t)
	cl := listenConsole(t, h.dir)
	bundle := h.bundle(sh(`i=0; while read -r line; do i=$((i+1)); echo "got$i:$line"; done`), func(s *specs.Spec) { s.Process.Terminal = true })
	id := h.id()
	h.ok("run", "--detach", "--console-socket", cl.path, "--bundle", bundle, id)
	master := cl.wait(t)
	out := readPty(master)
	if _, err := master.Write([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "got1:one")

	img := filepath.Join(h.dir, "img")
	h.criuOK("checkpoint", "--image-path", img, id)
	restoreDir := filepath.Join(h.dir, "restore")
	if err := os.Mkdir(restoreDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cl2 := listenConsole(t, restoreDir)
	h.criuOK("restore", "--detach", "--console-socket", cl2.path, "--bundle", bundle, "--image-path", img, id)
	master2 := cl2.wait(t)
	out2 := readPty(master2)
	if _, err := master2.Write([]byte("two\n")); err != nil {
		t.Fatal(err)
	}
	out2.waitFor(t, "got2:two")
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

// TestCheckpointLazyPages: a checkpoint with --lazy-pages saves all but
// the memory, says so on --status-fd and serves the pages from its page
// server; `criu lazy-pages` fetches them for a restore with --lazy-pages,
// which resumes the processes before their memory is all back.
func TestCheckpointLazyPages(t *testing.T) {
	requireCriu(t)
	if out, err := exec.Command("criu", "check", "--feature", "uffd-noncoop").CombinedOutput(); err != nil {
		t.Skipf("this kernel or CRIU has no lazy pages (criu check --feature uffd-noncoop: %s)", strings.TrimSpace(string(out)))
	}
	h := newH(t)
	c := newCounter(h, "")
	// The restore takes another ID: the checkpointing hull holds the
	// old one until its page server is done.
	id, newID := h.id(), h.id()
	h.ok("run", "--detach", "--bundle", c.bundle, id)
	c.waitPast(3)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	statusR, statusW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer statusR.Close()
	img := filepath.Join(h.dir, "img")
	dumped := make(chan result, 1)
	go func() {
		dumped <- h.hullOpts(cmdOpts{Timeout: criuTimeout, ExtraFiles: []*os.File{statusW}},
			"checkpoint", "--lazy-pages", "--page-server", "127.0.0.1:"+port, "--status-fd", "3", "--image-path", img, id)
	}()
	ready := make(chan error, 1)
	go func() {
		b := make([]byte, 1)
		_, err := statusR.Read(b)
		ready <- err
	}()
	select {
	case err := <-ready:
		statusW.Close()
		if err != nil {
			t.Fatalf("--status-fd: %v\n%s", err, <-dumped)
		}
	case r := <-dumped:
		t.Fatalf("the checkpoint ended before its page server was ready:\n%s", r)
	case <-time.After(criuTimeout):
		t.Fatalf("no byte on --status-fd after %v", criuTimeout)
	}
	saved := c.still("while its pages wait on the page server")

	lazy := exec.Command("criu", "lazy-pages", "--page-server", "--address", "127.0.0.1", "--port", port, "-D", img)
	lazyOut, _ := os.Create(filepath.Join(h.dir, "lazy-pages.out"))
	defer lazyOut.Close()
	lazy.Stdout, lazy.Stderr = lazyOut, lazyOut
	if err := reaper.Start(lazy); err != nil {
		t.Fatal(err)
	}
	var lazyErr error
	lazyDone := make(chan struct{})
	go func() { lazyErr = reaper.Wait(lazy); close(lazyDone) }()
	defer func() {
		_ = lazy.Process.Kill()
		<-lazyDone
	}()

	h.criuOK("restore", "--detach", "--lazy-pages", "--bundle", c.bundle, "--image-path", img, newID)
	c.waitPast(saved)
	if r := <-dumped; r.Code != 0 {
		t.Errorf("the lazy checkpoint failed once its pages were served:\n%s", r)
	}
	select {
	case <-lazyDone:
		if lazyErr != nil {
			data, _ := os.ReadFile(lazyOut.Name())
			t.Errorf("criu lazy-pages: %v\n%s", lazyErr, data)
		}
	case <-time.After(criuTimeout):
		t.Errorf("criu lazy-pages still runs %v after the restore", criuTimeout)
	}
	h.assertClean(id)
	h.finish(newID)
}

// TestCheckpointFileLocks: a container holding a flock(2) lock stops a
// checkpoint without --file-locks, with CRIU's reason naming the flag, and
// keeps running with its lock; with --file-locks it is saved and restored
// with the lock taken again by the restored process: a `flock try`
// exec'd into the restored container finds it held by its init (PID 1
// there), and the host's /proc/locks names the restored init's PID.
// (busybox has no flock applet: tests/testdata/flock holds and tries.)
func TestCheckpointFileLocks(t *testing.T) {
	requireCriu(t)
	h := newH(t)
	host := h.hostDir("locks")
	helper, lock := filepath.Join(host, "flock"), filepath.Join(host, "lock")
	if err := buildTestdata("flock", helper); err != nil {
		t.Fatal(err)
	}
	bundle := h.bundle(sh(`exec </dev/null >/mnt/held 2>&1; exec /mnt/flock hold /mnt/lock`), withHostMnt(host))
	tryIn := func(id string) result { return h.hull("exec", id, "/mnt/flock", "try", "/mnt/lock") }
	tryHost := func() result { return runCmd(t, h.dir, cmdOpts{}, helper, "try", lock) }
	wantHeld := func(r result, by, where string) {
		t.Helper()
		if r.Code != 1 || strings.TrimSpace(r.Stdout) != "held by "+by {
			t.Errorf("flock try %s: want \"held by %s\", exit 1:\n%s", where, by, r)
		}
	}
	id := h.id()
	h.ok("run", "--detach", "--bundle", bundle, id)
	held := func() string { data, _ := os.ReadFile(filepath.Join(host, "held")); return string(data) }
	for deadline := time.Now().Add(waitLimit); !strings.Contains(held(), "locked"); {
		if time.Now().After(deadline) {
			t.Fatalf("the container has not taken its lock after %v: its output %q", waitLimit, held())
		}
		time.Sleep(50 * time.Millisecond)
	}
	wantHeld(tryIn(id), "1", "in the container")

	r := h.criu("checkpoint", "--image-path", filepath.Join(h.dir, "no-flag"), id)
	checkOneLineError(t, r, "criu failed: type DUMP", "file-locks")
	h.assertRunningAndUsable(id)
	wantHeld(tryIn(id), "1", "after the failed checkpoint")

	img := filepath.Join(h.dir, "img")
	h.criuOK("checkpoint", "--file-locks", "--image-path", img, id)
	if r := tryHost(); r.Code != 0 {
		t.Errorf("the lock is still held once the checkpoint ended its holder:\n%s", r)
	}
	h.criuOK("restore", "--detach", "--file-locks", "--bundle", bundle, "--image-path", img, id)
	wantHeld(tryIn(id), "1", "in the restored container")
	wantHeld(tryHost(), strconv.Itoa(h.state(id).Pid), "on the host after the restore")
	h.finish(id)
}

// TestCheckpointExtUnixSk: a container process connected to a unix socket
// outside the container stops a checkpoint without --ext-unix-sk, with
// CRIU's reason naming the flag, and keeps running. With the flag, CRIU
// saves a datagram socket's connection by the listener's path, and a
// restore with it connects the restored socket to that path again: the
// listener gets the count from where it stopped. A stream connection it
// cannot save, flag or not ("Can't dump half of stream unix connection":
// the other end is not CRIU's to restore).
//
// The listener runs in the container's mount and network namespaces,
// outside its processes: CRIU finds a socket's peer only in the
// container's network namespace (a host-side listener is "Unix socket
// ... without peer"), and connects the restored socket to the name the
// listener bound, which /mnt gives in the restored container too.
func TestCheckpointExtUnixSk(t *testing.T) {
	requireCriu(t)
	// start runs a container of bundle that sends a count over a kind
	// socket to /mnt/KIND.sock, and its listener; received returns the
	// numbers the listener got.
	start := func(h *H, kind string) (id, bundle string, received func() []int) {
		t := h.t
		t.Helper()
		host := h.hostDir("unixsk")
		if err := buildTestdata("unixsk", filepath.Join(host, "unixsk")); err != nil {
			t.Fatal(err)
		}
		sock := "/mnt/" + kind + ".sock"
		bundle = h.bundle(sh(`exec </dev/null >/dev/null 2>&1
while [ ! -S `+sock+` ]; do sleep 0.05; done
exec /mnt/unixsk send `+kind+` `+sock), withHostMnt(host))
		id = h.id()
		h.ok("run", "--detach", "--bundle", bundle, id)
		out, err := os.Create(filepath.Join(h.dir, kind+".received"))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		listener := exec.Command("nsenter", "-t", strconv.Itoa(h.state(id).Pid), "-m", "-n", "/mnt/unixsk", "listen", kind, sock)
		listener.Stdout, listener.Stderr = out, out
		if err := reaper.Start(listener); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = listener.Process.Kill()
			_ = reaper.Wait(listener)
		})
		received = func() []int {
			data, _ := os.ReadFile(out.Name())
			var got []int
			for _, l := range lines(string(data)) {
				if n, err := strconv.Atoi(l); err == nil {
					got = append(got, n)
				}
			}
			return got
		}
		return id, bundle, received
	}
	// waitPast waits until the listener has more than min numbers.
	waitPast := func(t *testing.T, received func() []int, min int) []int {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			got := received()
			if len(got) > min {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("the listener got %d numbers after 30s, want more than %d", len(got), min)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	t.Run("dgram", func(t *testing.T) {
		h := newH(t)
		id, bundle, received := start(h, "dgram")
		waitPast(t, received, 3)
		r := h.criu("checkpoint", "--image-path", filepath.Join(h.dir, "no-flag"), id)
		checkOneLineError(t, r, "criu failed: type DUMP", "External socket is used", "ext-unix-sk")
		h.assertRunningAndUsable(id)
		waitPast(t, received, len(received())+3)

		img := filepath.Join(h.dir, "img")
		h.criuOK("checkpoint", "--ext-unix-sk", "--image-path", img, id)
		saved := received()
		time.Sleep(400 * time.Millisecond)
		if n := len(received()); n != len(saved) {
			t.Errorf("the listener got %d more numbers after the checkpoint ended the sender", n-len(saved))
		}
		h.criuOK("restore", "--detach", "--ext-unix-sk", "--bundle", bundle, "--image-path", img, id)
		got := waitPast(t, received, len(saved)+3)
		last := saved[len(saved)-1]
		// The restored sender goes on from its count: no new process
		// starting from 1, and no number lost on the reconnected socket.
		for i, n := range got[len(saved):] {
			if n != last+1+i {
				t.Fatalf("after the restore the listener got %v, want %d, %d, ... (the count at the checkpoint was %d)", got[len(saved):], last+1, last+2, last)
			}
		}
		h.finish(id)
	})

	t.Run("stream", func(t *testing.T) {
		h := newH(t)
		id, _, received := start(h, "stream")
		waitPast(t, received, 3)
		r := h.criu("checkpoint", "--ext-unix-sk", "--image-path", filepath.Join(h.dir, "stream-img"), id)
		checkOneLineError(t, r, "criu failed: type DUMP", "Can't dump half of stream unix connection")
		h.assertRunningAndUsable(id)
		waitPast(t, received, len(received())+3)
		h.ok("delete", "--force", id)
		h.assertClean(id)
	})
}

// TestCheckpointShellJob: --shell-job lets CRIU save processes whose
// session or process group leader is outside what it saves (a job of an
// interactive shell). hull, like runc, makes every container process a
// session leader, so a container is never such a job, and the flag
// changes nothing CRIU can see: a detached container checkpoints and
// restores with it as without. A foreground `hull run` on the caller's
// terminal gives the container pipes, not the terminal, and checkpoints
// without the flag as with it; its restore works without the flag and
// fails with it: libcontainer (so runc too; not compared here) hands CRIU
// the stdin pipe as an inherited fd, which CRIU moves away from its fd 0,
// and --shell-job then wants fd 0 for the job's terminal. A detached
// container given the caller's terminal as its stdio holds a pty of the
// host's devpts, which its mount namespace does not have: CRIU cannot
// save it, with or without --shell-job ("Can't lookup mount=N for fd=0
// path=/dev/pts/N"), as with runc 1.5; the container keeps running.
func TestCheckpointShellJob(t *testing.T) {
	requireCriu(t)
	// A count in /mnt/n, and a line a step on stdout.
	const counting = `i=0; while :; do i=$((i+1)); echo $i >/mnt/n.new; mv /mnt/n.new /mnt/n; echo "step $i"; sleep 0.1; done`
	count := func(host string) int {
		data, _ := os.ReadFile(filepath.Join(host, "n"))
		n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		return n
	}
	waitCount := func(t *testing.T, host string, min int) int {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for count(host) <= min {
			if time.Now().After(deadline) {
				t.Fatalf("count %d after 30s, want more than %d", count(host), min)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return count(host)
	}

	t.Run("foreground on a terminal", func(t *testing.T) {
		h := newH(t)
		host := h.hostDir("n")
		bundle := h.bundle(sh(counting), withHostMnt(host))
		master, slave, _ := hostPty(t)
		out := readPty(master)
		id := h.id()
		// The terminal is hull's controlling terminal, as an
		// interactive shell's job has it.
		run := exec.Command(hullBin, "--root", h.root, "run", "--bundle", bundle, id)
		run.Stdin, run.Stdout, run.Stderr = slave, slave, slave
		run.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		if err := reaper.Start(run); err != nil {
			t.Fatal(err)
		}
		ran := make(chan error, 1)
		go func() { ran <- reaper.Wait(run) }()
		defer func() {
			select {
			case <-ran:
			case <-time.After(cmdTimeout):
				_ = run.Process.Kill()
				<-ran
			}
		}()
		waitCount(t, host, 3)
		out.waitFor(t, "step 3")
		pid := h.state(id).Pid
		if fd, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/1", pid)); !strings.HasPrefix(fd, "pipe:") {
			t.Errorf("the container's stdout is %q, want a pipe of hull's: the terminal stays hull's", fd)
		}

		h.criuOK("checkpoint", "--leave-running", "--image-path", filepath.Join(h.dir, "no-flag"), id)
		waitCount(t, host, count(host)+3)
		img := filepath.Join(h.dir, "img")
		h.criuOK("checkpoint", "--shell-job", "--image-path", img, id)
		saved := count(host)
		select {
		case <-ran:
		case <-time.After(cmdTimeout):
			t.Fatalf("the foreground hull run still runs %v after its container was checkpointed", cmdTimeout)
		}
		ran <- nil // for the deferred wait

		// The container's stdin was hull's pipe, which libcontainer
		// hands CRIU as an inherited fd (CRIU moves it away from fd 0),
		// and --shell-job then wants fd 0 for the job's terminal.
		r := h.criu("restore", "--detach", "--shell-job", "--bundle", bundle, "--image-path", img, id)
		checkOneLineError(t, r, "criu failed: type RESTORE", "Can't send fd 0 into store")
		h.assertClean(id)
		h.criuOK("restore", "--detach", "--bundle", bundle, "--image-path", img, id)
		if n := waitCount(t, host, saved+3); n < saved {
			t.Errorf("count %d after the restore, %d at the checkpoint", n, saved)
		}
		h.finish(id)
	})

	t.Run("detached", func(t *testing.T) {
		h := newH(t)
		c := newCounter(h, "")
		id := h.id()
		h.ok("run", "--detach", "--bundle", c.bundle, id)
		c.waitPast(3)
		img := filepath.Join(h.dir, "img")
		h.criuOK("checkpoint", "--shell-job", "--image-path", img, id)
		saved := c.still("after the checkpoint")
		h.criuOK("restore", "--detach", "--shell-job", "--bundle", c.bundle, "--image-path", img, id)
		c.waitPast(saved)
		h.finish(id)
	})

	t.Run("detached on a terminal", func(t *testing.T) {
		h := newH(t)
		host := h.hostDir("n")
		bundle := h.bundle(sh(counting), withHostMnt(host))
		master, slave, _ := hostPty(t)
		readPty(master)
		// runOn starts a detached container with runtime bin, the
		// terminal its stdio, and waits for the runtime to return.
		runOn := func(bin string, args ...string) {
			t.Helper()
			c := exec.Command(bin, args...)
			c.Stdin, c.Stdout, c.Stderr = slave, slave, slave
			if err := reaper.Start(c); err != nil {
				t.Fatal(err)
			}
			if err := reaper.Wait(c); err != nil {
				t.Fatalf("%s %v: %v", bin, args, err)
			}
		}
		id := h.id()
		runOn(hullBin, "--root", h.root, "run", "--detach", "--bundle", bundle, id)
		waitCount(t, host, 3)
		for _, flags := range [][]string{nil, {"--shell-job"}} {
			r := h.criu(append(append([]string{"checkpoint"}, flags...), "--image-path", filepath.Join(h.dir, "img"), id)...)
			checkOneLineError(t, r, "criu failed: type DUMP", "Can't lookup mount", "path=/dev/pts/")
			h.assertRunningAndUsable(id)
			waitCount(t, host, count(host)+3)
		}
		h.ok("delete", "--force", id)
		h.assertClean(id)

		rc := newCkptRunc(t, h)
		if rc == nil {
			t.Skip("no reference runc (HULL_RUNC_REF, or scripts/install-runc-ref.sh's cache)")
		}
		rid := rc.id()
		runOn(rc.bin, "--root", rc.root, "run", "--detach", "--bundle", bundle, rid)
		r := rc.run(cmdOpts{Timeout: criuTimeout}, "checkpoint", "--shell-job", "--image-path", filepath.Join(h.dir, "runc-img"), rid)
		if r.Code == 0 || !strings.Contains(r.Stderr, "Can't lookup mount") {
			t.Errorf("runc checkpoint --shell-job of a container on a terminal: want CRIU's \"Can't lookup mount\":\n%s", r)
		}
		if st := rc.run(cmdOpts{}, "state", rid); !strings.Contains(st.Stdout, `"running"`) {
			t.Errorf("runc's container is not running after its failed checkpoint:\n%s", st)
		}
	})
}
