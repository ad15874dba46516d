package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"
)

// The kernel's view of one `run` of true, the same for hull and runc:
// which part of libcontainer's start (and of the kernel under it) costs
// what. The kernel's tracepoints (tracefs) timestamp each step of the
// process tree the runtime starts, at a few microseconds each, so the
// breakdown covers what --timings cannot see: the init's own process,
// which is libcontainer's, from its exec to the user process's exec.
//
// The segments follow one another on the critical path; each ends at an
// event of the trace:
var segments = []struct{ name, why string }{
	{"runtime, before libcontainer's start", "the runtime's exec to the sealed copy of its binary (Go start-up, config, checks; hull's phases up to libcontainer create)"},
	{"seal and exec the init", "libcontainer's sealed copy of the binary (overlayfs or memfd), fork and exec of `init`"},
	{"cgroups: create and join", "the parent makes the container's cgroups and moves the init in; the init waits for its bootstrap data"},
	{"bootstrap to nsexec's first clone", "the parent sends the bootstrap data; nsexec (C, before Go) reads it and clones stage 1"},
	{"namespaces (stage 1)", "stage 1 unshares the namespaces and clones stage 2"},
	{"stage 2 to the Go runtime", "stage 2 finishes nsexec and starts the Go runtime (its first thread)"},
	{"Go init, config from the parent", "package initialisation, libcontainer's init reads the config, to its first mount"},
	{"rootfs, before pivot_root", "the mounts of config.json and the default ones, in the container's mount namespace"},
	{"after pivot_root", "masked and read-only paths, /dev links, to the last mount"},
	{"to the process's exec", "hostname, rlimits, capabilities, seccomp, the start handshake, exec"},
	{"the process (true)", "the user process runs"},
	{"runtime: wait, delete, exit", "the process's exit to the runtime's exit"},
}

// traceEvent is one line of the trace.
type traceEvent struct {
	tid, tgid int
	ts        float64 // seconds, CLOCK_MONOTONIC
	name      string
	exit      bool // a syscall's return, not its entry
	args      string
}

// parseTrace reads tracefs's text output with record-tgid on:
//
//	comm-TID (TGID) [CPU] FLAGS TS: EVENT: ARGS
//
// where comm may itself contain '-' and spaces.
func parseTrace(text string) []traceEvent {
	var evs []traceEvent
	for _, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		open := strings.Index(line, " (")
		if open < 0 {
			continue
		}
		dash := strings.LastIndex(line[:open], "-")
		closing := strings.Index(line[open:], ")")
		if dash < 0 || closing < 0 {
			continue
		}
		tid, err1 := strconv.Atoi(strings.TrimSpace(line[dash+1 : open]))
		tgid, err2 := strconv.Atoi(strings.TrimSpace(line[open+2 : open+closing]))
		// "[CPU] FLAGS TS: EVENT: ARGS"; a syscall's is "sys_NAME(ARGS)"
		// at entry and "sys_NAME -> RET" at exit.
		rest := line[open+closing+1:]
		colon := strings.Index(rest, ": ")
		if err1 != nil || err2 != nil || colon < 0 {
			continue
		}
		pre := strings.Fields(rest[:colon])
		if len(pre) == 0 {
			continue
		}
		ts, err := strconv.ParseFloat(pre[len(pre)-1], 64)
		if err != nil {
			continue
		}
		body := rest[colon+2:]
		end := strings.IndexAny(body, ":( ")
		if end < 0 {
			end = len(body)
		}
		ev := traceEvent{tid: tid, tgid: tgid, ts: ts, name: body[:end]}
		ev.exit = strings.HasPrefix(body[end:], " ->")
		ev.args = strings.TrimPrefix(strings.TrimLeft(body[end:], "( "), ": ")
		evs = append(evs, ev)
	}
	return evs
}

// argInt is the integer after "key=" in an event's arguments.
func argInt(args, key string) int {
	i := strings.Index(" "+args, " "+key+"=")
	if i < 0 {
		return -1
	}
	v := args[i+len(key)+1:]
	if j := strings.IndexByte(v, ' '); j >= 0 {
		v = v[:j]
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func argStr(args, key string) string {
	i := strings.Index(" "+args, " "+key+"=")
	if i < 0 {
		return ""
	}
	v := args[i+len(key)+1:]
	if j := strings.IndexByte(v, ' '); j >= 0 {
		v = v[:j]
	}
	return v
}

// runTrace is one traced run: the end of each segment in order, relative
// to the runtime's exec, and counts of what the init did.
type runTrace struct {
	ends    []float64 // seconds since the runtime's exec
	mounts  int       // mount(2) and fsmount(2) calls by the init
	cgroups int       // cgroups made by the runtime
}

// critical finds, in the events of one run of the runtime whose process
// is pid, the end of each of segments. The init is the process that
// execs /proc/self/fd/N (libcontainer's sealed binary); nsexec's stage 1
// is its child, stage 2 (the container's init, which execs the user
// process) stage 1's child.
func critical(evs []traceEvent, pid int) (runTrace, error) {
	var rt runTrace
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].ts < evs[j].ts })
	// The process tree below pid, from fork events: tid -> parent tid.
	inTree := map[int]bool{pid: true}
	children := map[int][]int{}
	for _, e := range evs {
		if e.name == "sched_process_fork" && inTree[e.tid] {
			child := argInt(e.args, "child_pid")
			inTree[child] = true
			children[e.tid] = append(children[e.tid], child)
		}
	}
	var (
		start, sealAt, initExec, lastAttach, s1Fork, s2Fork, goThread float64
		firstMount, pivot, lastMount, procExec, procExit, rtExit      float64
		initPid, s1, s2                                               int
	)
	for _, e := range evs {
		if !inTree[e.tid] && !inTree[e.tgid] {
			continue
		}
		switch e.name {
		case "sched_process_exec":
			file := argStr(e.args, "filename")
			switch {
			case e.tgid == pid && start == 0:
				start = e.ts
			case strings.HasPrefix(file, "/proc/self/fd/") && initPid == 0:
				initPid, initExec = e.tgid, e.ts
			case e.tgid == s2 && s2 != 0 && procExec == 0:
				procExec = e.ts
			}
		case "sys_fsopen", "sys_memfd_create":
			// The last of these in the runtime before the init's fork
			// begins the sealed copy (runc also opens procfs first).
			if e.tgid == pid && initPid == 0 {
				sealAt = e.ts
			}
		case "cgroup_mkdir":
			// On cgroup v2 libcontainer makes the cgroup before the
			// init starts, on v1 after.
			if e.tgid == pid && procExec == 0 {
				rt.cgroups++
			}
		case "cgroup_attach_task":
			if e.tgid == pid && argInt(e.args, "pid") == initPid && procExec == 0 {
				lastAttach = e.ts
			}
		case "sched_process_fork":
			child := argInt(e.args, "child_pid")
			switch {
			case e.tid == initPid && s1 == 0:
				s1, s1Fork = child, e.ts
			case e.tid == s1 && s1 != 0 && s2 == 0:
				s2, s2Fork = child, e.ts
			case e.tgid == s2 && s2 != 0 && goThread == 0:
				goThread = e.ts
			}
		case "sys_mount", "sys_fsmount", "sys_move_mount":
			if !e.exit && e.tgid == s2 && s2 != 0 && procExec == 0 {
				if firstMount == 0 {
					firstMount = e.ts
				}
				lastMount = e.ts
				if e.name != "sys_move_mount" {
					rt.mounts++
				}
			}
		case "sys_pivot_root":
			if e.exit && e.tgid == s2 && s2 != 0 {
				pivot = e.ts
			}
		case "sched_process_exit":
			switch {
			case e.tid == s2 && s2 != 0 && procExec != 0:
				procExit = e.ts
			case e.tid == pid:
				rtExit = e.ts
			}
		}
	}
	points := []struct {
		name string
		ts   float64
	}{
		{"the sealed copy (fsopen or memfd_create)", sealAt},
		{"the init's exec of /proc/self/fd/N", initExec},
		{"the init's last cgroup join", lastAttach},
		{"stage 1's fork", s1Fork},
		{"stage 2's fork", s2Fork},
		{"stage 2's first thread", goThread},
		{"stage 2's first mount", firstMount},
		{"pivot_root", pivot},
		{"the last mount", lastMount},
		{"the process's exec", procExec},
		{"the process's exit", procExit},
		{"the runtime's exit", rtExit},
	}
	if start == 0 {
		return rt, fmt.Errorf("no exec of the runtime (pid %d) in the trace", pid)
	}
	prev := start
	for _, p := range points {
		if p.ts == 0 {
			return rt, fmt.Errorf("no event for %s in the trace of pid %d", p.name, pid)
		}
		if p.ts < prev {
			return rt, fmt.Errorf("%s at %.6f comes before the step before it (%.6f)", p.name, p.ts, prev)
		}
		rt.ends = append(rt.ends, p.ts-start)
		prev = p.ts
	}
	return rt, nil
}

// durations turns the ends of segments into their lengths.
func (rt runTrace) durations() []time.Duration {
	ds := make([]time.Duration, len(rt.ends))
	prev := 0.0
	for i, e := range rt.ends {
		ds[i] = time.Duration((e - prev) * float64(time.Second))
		prev = e
	}
	return ds
}

// tracer is a tracefs instance of our own, so that nothing else using
// the kernel's tracing is disturbed; close removes it.
type tracer struct {
	dir     string
	mounted string // tracefs mounted by us, unmounted by close
}

var traceEvents = []string{
	"sched/sched_process_fork", "sched/sched_process_exec", "sched/sched_process_exit",
	"cgroup/cgroup_mkdir", "cgroup/cgroup_attach_task",
	"syscalls/sys_enter_fsopen", "syscalls/sys_enter_memfd_create",
	"syscalls/sys_enter_mount", "syscalls/sys_enter_fsmount", "syscalls/sys_enter_move_mount",
	"syscalls/sys_exit_pivot_root",
}

func newTracer() (*tracer, error) {
	t := &tracer{}
	root := "/sys/kernel/tracing"
	if _, err := os.Stat(filepath.Join(root, "instances")); err != nil {
		if err := unix.Mount("nodev", root, "tracefs", 0, ""); err != nil {
			return nil, fmt.Errorf("tracing needs tracefs at %s: %w", root, err)
		}
		t.mounted = root
	}
	removeStaleInstances(filepath.Join(root, "instances"))
	t.dir = filepath.Join(root, "instances", fmt.Sprintf("hull-bench-%d", os.Getpid()))
	if err := os.Mkdir(t.dir, 0o700); err != nil {
		t.close()
		return nil, fmt.Errorf("a tracefs instance: %w", err)
	}
	settings := [][2]string{{"trace_clock", "mono"}, {"options/record-tgid", "1"}, {"buffer_size_kb", "4096"}}
	for _, e := range traceEvents {
		settings = append(settings, [2]string{filepath.Join("events", e, "enable"), "1"})
	}
	for _, s := range settings {
		if err := t.write(s[0], s[1]); err != nil {
			t.close()
			return nil, err
		}
	}
	return t, nil
}

// removeStaleInstances removes the instances of bench runs that were
// killed before they could remove their own (rmdir of an instance frees
// its buffers).
func removeStaleInstances(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, "hull-bench-*"))
	for _, d := range stale {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "hull-bench-"))
		if err == nil && unix.Kill(pid, 0) == unix.ESRCH {
			_ = os.Remove(d)
		}
	}
}

func (t *tracer) write(file, value string) error {
	if err := os.WriteFile(filepath.Join(t.dir, file), []byte(value), 0); err != nil {
		return fmt.Errorf("tracefs %s: %w", file, err)
	}
	return nil
}

// trace runs f with tracing on and returns what was traced meanwhile.
func (t *tracer) trace(f func() error) (string, error) {
	if err := t.write("trace", ""); err != nil {
		return "", err
	}
	if err := t.write("tracing_on", "1"); err != nil {
		return "", err
	}
	ferr := f()
	if err := t.write("tracing_on", "0"); err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(t.dir, "trace"))
	return string(data), errors.Join(ferr, err)
}

func (t *tracer) close() {
	if t.dir != "" {
		_ = t.write("tracing_on", "0")
		for _, e := range traceEvents {
			_ = t.write(filepath.Join("events", e, "enable"), "0")
		}
		_ = os.Remove(t.dir)
	}
	if t.mounted != "" {
		_ = unix.Unmount(t.mounted, unix.MNT_DETACH)
	}
}

// traced runs `run` of true with each runtime, rounds times interleaved,
// under the tracer, and prints the medians of each segment.
func traced(rts []runtime, b bundles, rounds int) error {
	t, err := newTracer()
	if err != nil {
		return err
	}
	defer t.close()
	got := map[string][][]time.Duration{}
	mounts, made := map[string]int{}, map[string]int{}
	for r := range rounds {
		for _, rt := range interleaved(rts, r) {
			rt.timings = false
			id := fmt.Sprintf("benchtrace-%s-%d", rt.name, r)
			var s sample
			text, err := t.trace(func() error {
				var err error
				s, err = timed(rt, "run", "--bundle", b.short, id)
				return err
			})
			if err != nil {
				return err
			}
			tr, err := critical(parseTrace(text), s.pid)
			if err != nil {
				return fmt.Errorf("%s: %w", rt.name, err)
			}
			got[rt.name] = append(got[rt.name], tr.durations())
			mounts[rt.name], made[rt.name] = tr.mounts, tr.cgroups
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 4, 1, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "run of true, traced (kernel events), p50 ms, %d rounds\thull\trunc\thull-runc\t\n", rounds)
	var th, tr time.Duration
	for i, s := range segments {
		h, rc := column(got["hull"], i), column(got["runc"], i)
		ph, pr := pct(h, 50), pct(rc, 50)
		th, tr = th+ph, tr+pr
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%+.2f\t\n", s.name, ms(ph), ms(pr), ms(ph-pr))
	}
	fmt.Fprintf(w, "sum of medians\t%.2f\t%.2f\t%+.2f\t\n", ms(th), ms(tr), ms(th-tr))
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("\n(init's mounts: hull %d, runc %d; cgroups made: hull %d, runc %d)\n", mounts["hull"], mounts["runc"], made["hull"], made["runc"])
	for _, s := range segments {
		fmt.Printf("  %s: %s\n", s.name, s.why)
	}
	return nil
}

func column(runs [][]time.Duration, i int) []time.Duration {
	c := make([]time.Duration, len(runs))
	for j, r := range runs {
		c[j] = r[i]
	}
	return c
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
