//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from prctl(2) (Linux 3.4).
const prSetChildSubreaper = 36

// reaper makes the driver a child subreaper and reaps the orphans that
// runtimes leave: `create` forks the container's init and exits, so init
// is re-parented. On this host PID 1 does not reap, so without this every
// container would stay a zombie for ever. The driver plays the part that
// a shim (containerd-shim, conmon) plays in production.
//
// Children that the driver started itself through os/exec are registered
// and left to exec.Cmd.Wait; the lock keeps the reaper from running
// between Start and registration.
type reaper struct {
	mu    sync.Mutex
	own   map[int]bool
	stop  chan struct{}
	done  chan struct{}
	reaps int
}

func newReaper() (*reaper, error) {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return nil, fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", errno)
	}
	r := &reaper{own: map[int]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go r.loop()
	return r, nil
}

func (r *reaper) loop() {
	defer close(r.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			r.reapOnce()
			return
		case <-t.C:
			r.reapOnce()
		}
	}
}

// reapOnce waits for every exited child that is not one of ours.
func (r *reaper) reapOnce() {
	r.mu.Lock()
	defer r.mu.Unlock()
	self := os.Getpid()
	for _, pid := range childZombies(self) {
		if r.own[pid] {
			continue
		}
		var ws syscall.WaitStatus
		if p, _ := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); p == pid {
			r.reaps++
		}
	}
}

func (r *reaper) Close() {
	close(r.stop)
	<-r.done
}

// start runs cmd.Start with the reaper held off, and registers the child.
func (r *reaper) start(cmd *exec.Cmd) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	r.own[cmd.Process.Pid] = true
	return nil
}

func (r *reaper) forget(pid int) {
	r.mu.Lock()
	delete(r.own, pid)
	r.mu.Unlock()
}

// childZombies lists the zombie children of ppid, from /proc/*/stat.
func childZombies(ppid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The comm field is parenthesised and may hold spaces.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 || f[0] != "Z" {
			continue
		}
		if pp, _ := strconv.Atoi(f[1]); pp == ppid {
			out = append(out, pid)
		}
	}
	return out
}

// result is one program's run.
type result struct {
	Stdout, Stderr []byte
	ExitCode       int // -1 when killed by a signal
	TimedOut       bool
	Duration       time.Duration
	Err            error // could not start
}

// runProgram runs one validation program in its own process group with
// a timeout; on timeout the whole group is killed.
func (d *driver) runProgram(path string) result {
	ctx, cancel := context.WithTimeout(context.Background(), d.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Dir = d.work
	cmd.Env = append(os.Environ(), "RUNTIME="+d.opts.Runtime, "TMPDIR="+d.tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// Hooks and stray children may keep the pipes open after the program
	// is gone; do not wait for them for ever.
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := d.reaper.start(cmd); err != nil {
		return result{Err: err}
	}
	err := cmd.Wait()
	d.reaper.forget(cmd.Process.Pid)
	res := result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Duration: time.Since(start)}
	res.TimedOut = ctx.Err() == context.DeadlineExceeded
	res.ExitCode = cmd.ProcessState.ExitCode()
	// Whatever the program left in its process group (a hook, a sleep).
	if syscall.Kill(-cmd.Process.Pid, 0) == nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		d.leftover("process group %d of the program was still alive; killed", cmd.Process.Pid)
	}
	if err != nil && !errors.As(err, new(*exec.ExitError)) && !res.TimedOut {
		res.Err = err
	}
	return res
}

// runtimeCmd runs the runtime under test for cleanup.
func (d *driver) runtimeCmd(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	full := append([]string{"--root", d.opts.Root}, args...)
	cmd := exec.CommandContext(ctx, d.opts.Runtime, full...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := d.reaper.start(cmd); err != nil {
		return nil, err
	}
	err := cmd.Wait()
	d.reaper.forget(cmd.Process.Pid)
	if err != nil {
		return out.Bytes(), fmt.Errorf("%s %s: %w: %s", d.opts.Runtime, strings.Join(full, " "), err, strings.TrimSpace(out.String()))
	}
	return out.Bytes(), nil
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// snapshot is what existed before the run; cleanup only touches what is
// new and provably the suite's, because other tests may be running on
// the same host with the same state root and cgroup trees.
type snapshot struct {
	containers map[string]bool
	cgroups    map[string]bool
}

func (d *driver) takeSnapshot() snapshot {
	s := snapshot{containers: map[string]bool{}, cgroups: map[string]bool{}}
	for _, id := range d.stateIDs() {
		s.containers[id] = true
	}
	for _, p := range d.suiteCgroups() {
		s.cgroups[p] = true
	}
	return s
}

func (d *driver) stateIDs() []string {
	ents, _ := os.ReadDir(d.opts.Root)
	var ids []string
	for _, e := range ents {
		if e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	return ids
}

// suiteCgroups lists the cgroup directories the suite makes: the fixed
// paths of runtime-tools' cgroups package and directories named by a
// container ID (a UUID), up to three levels down in every hierarchy.
func (d *driver) suiteCgroups() []string {
	var out []string
	for _, mnt := range cgroupMounts() {
		for _, rel := range []string{"cgrouptest", "testdir/cgrouptest/container", "testdir/cgrouptest", "testdir"} {
			if fi, err := os.Stat(filepath.Join(mnt, rel)); err == nil && fi.IsDir() {
				out = append(out, filepath.Join(mnt, rel))
			}
		}
		walkDirs(mnt, 3, func(p string) {
			if uuidRe.MatchString(filepath.Base(p)) {
				out = append(out, p)
			}
		})
	}
	return out
}

func walkDirs(dir string, depth int, fn func(string)) {
	if depth == 0 {
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() {
			p := filepath.Join(dir, e.Name())
			fn(p)
			walkDirs(p, depth-1, fn)
		}
	}
}

type mountEntry struct{ point, fstype string }

func mounts() []mountEntry {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []mountEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		i := 6
		for i < len(f) && f[i] != "-" {
			i++
		}
		if i+1 >= len(f) {
			continue
		}
		out = append(out, mountEntry{point: unescapeMount(f[4]), fstype: f[i+1]})
	}
	return out
}

// unescapeMount undoes the octal escapes (\040 for space) of mountinfo.
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

func cgroupMounts() []string {
	var out []string
	for _, m := range mounts() {
		if m.fstype == "cgroup" || m.fstype == "cgroup2" {
			out = append(out, m.point)
		}
	}
	return out
}

func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// cleanup removes what a program left behind, reporting each thing.
// Order matters: processes first (they pin mounts and cgroups), then the
// runtime's own delete, then mounts, then cgroup directories.
func (d *driver) cleanup(program string) {
	// 1. Processes whose root is inside our work dir: containers.
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		root, err := os.Readlink("/proc/" + e.Name() + "/root")
		if err != nil || !under(root, d.work) {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			d.leftover("%s: process %d (%s) with root %s still running; killed", program, pid, strings.TrimSpace(string(comm)), root)
		}
	}

	// 2. Containers in the state root that are new and whose bundle is ours.
	for _, id := range d.stateIDs() {
		if d.snap.containers[id] {
			continue
		}
		mine := uuidRe.MatchString(id)
		if out, err := d.runtimeCmd("state", id); err == nil {
			var st struct{ Bundle string }
			if json.Unmarshal(out, &st) == nil && st.Bundle != "" {
				mine = under(st.Bundle, d.work)
			}
		}
		if !mine {
			continue
		}
		if _, err := d.runtimeCmd("delete", "--force", id); err != nil {
			d.leftover("%s: container %s left in %s; delete --force failed: %v", program, id, d.opts.Root, err)
			continue
		}
		d.leftover("%s: container %s left in %s; deleted", program, id, d.opts.Root)
	}
	d.reaper.reapOnce()

	// 3. Mounts under the work dir, deepest first.
	var pts []string
	for _, m := range mounts() {
		if under(m.point, d.work) {
			pts = append(pts, m.point)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(pts)))
	for _, p := range pts {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil {
			d.leftover("%s: mount %s left; unmount failed: %v", program, p, err)
			continue
		}
		d.leftover("%s: mount %s left; unmounted", program, p)
	}

	// 4. Cgroup directories the suite made, deepest first. rmdir fails on
	// a cgroup that still has processes or children, which is what we want.
	var cgs []string
	for _, p := range d.suiteCgroups() {
		if !d.snap.cgroups[p] {
			cgs = append(cgs, p)
		}
	}
	sort.Slice(cgs, func(i, j int) bool { return strings.Count(cgs[i], "/") > strings.Count(cgs[j], "/") })
	for _, p := range cgs {
		if err := waitRmdir(p); err != nil {
			d.leftover("%s: cgroup %s left; rmdir failed: %v", program, p, err)
			continue
		}
		d.leftover("%s: cgroup %s left; removed", program, p)
	}
}

// waitRmdir retries briefly: a killed process leaves its cgroup a moment
// after the signal.
func waitRmdir(p string) error {
	var err error
	for i := 0; i < 20; i++ {
		if err = syscall.Rmdir(p); err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}
