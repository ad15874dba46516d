//go:build linux

package main

import (
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
	"syscall"
	"time"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

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
	if err := d.reaper.Start(cmd); err != nil {
		return result{Err: err}
	}
	err := d.reaper.Wait(cmd)
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
	if err := d.reaper.Start(cmd); err != nil {
		return nil, err
	}
	err := d.reaper.Wait(cmd)
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
	own := ownCgroups()
	for _, mnt := range sysproc.CgroupMountPoints() {
		// Relative cgroupsPaths are relative to the runtime's own cgroup,
		// which is not the hierarchy's root for every controller here.
		for _, base := range uniq(mnt, filepath.Join(mnt, own[filepath.Base(mnt)])) {
			for _, rel := range []string{"cgrouptest", "testdir/cgrouptest/container", "testdir/cgrouptest", "testdir"} {
				if fi, err := os.Stat(filepath.Join(base, rel)); err == nil && fi.IsDir() {
					out = append(out, filepath.Join(base, rel))
				}
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

// ownCgroups maps a hierarchy's mount directory name (memory, cpu,
// systemd, unified, ...) to this process's cgroup in it.
func ownCgroups() map[string]string {
	out := map[string]string{}
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return out
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out["unified"] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[strings.TrimPrefix(c, "name=")] = parts[2]
		}
	}
	return out
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
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
		if err != nil || !sysproc.Under(root, d.work) {
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
				mine = sysproc.Under(st.Bundle, d.work)
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
	d.reaper.Reap()

	// 3. Mounts under the work dir, deepest first.
	pts := sysproc.MountsUnder(d.work)
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
