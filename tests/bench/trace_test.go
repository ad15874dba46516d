package main

import (
	"os"
	"strings"
	"testing"
)

// testdata/run-runc.trace is tracefs's output for one `runc run` of true
// (pid 30717) with the events newTracer enables, and a shell's unrelated
// processes around it.
const tracedPid = 30717

func readTrace(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("testdata/run-runc.trace")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestParseTrace(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       traceEvent
	}{
		{"comm with a dash and brackets",
			` runc:[0:PARENT]-30726   (  30726) [001] ..... 22531.831331: sched_process_exec: filename=/proc/self/fd/6 pid=30726 old_pid=30726`,
			traceEvent{tid: 30726, tgid: 30726, ts: 22531.831331, name: "sched_process_exec", args: "filename=/proc/self/fd/6 pid=30726 old_pid=30726"}},
		{"a thread of another process",
			`              rt-30719   (  30717) [000] d..1. 22531.832374: cgroup_mkdir: root=3 id=467410 level=1 path=/fx`,
			traceEvent{tid: 30719, tgid: 30717, ts: 22531.832374, name: "cgroup_mkdir", args: "root=3 id=467410 level=1 path=/fx"}},
		{"a syscall's entry",
			`            true-30730   (  30730) [000] ..... 22531.840000: sys_pivot_root(new_root: 0x1, put_old: 0x2)`,
			traceEvent{tid: 30730, tgid: 30730, ts: 22531.84, name: "sys_pivot_root", args: "new_root: 0x1, put_old: 0x2)"}},
		{"a syscall's return",
			`            true-30730   (  30730) [000] ..... 22531.840100: sys_pivot_root -> 0x0`,
			traceEvent{tid: 30730, tgid: 30730, ts: 22531.8401, name: "sys_pivot_root", exit: true, args: "-> 0x0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseTrace(tc.line)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("parseTrace(%q) = %+v, want %+v", tc.line, got, tc.want)
			}
		})
	}
	if got := parseTrace("# tracer: nop\n#\nnot a trace line\n"); len(got) != 0 {
		t.Errorf("comments and junk parsed as %+v", got)
	}
}

func TestCriticalPath(t *testing.T) {
	rt, err := critical(parseTrace(readTrace(t)), tracedPid)
	if err != nil {
		t.Fatal(err)
	}
	if len(rt.ends) != len(segments) {
		t.Fatalf("%d segment ends, want %d", len(rt.ends), len(segments))
	}
	for i, d := range rt.durations() {
		if d <= 0 {
			t.Errorf("segment %q lasted %v", segments[i].name, d)
		}
	}
	// What the fixture holds: runc made the container's cgroups in the
	// ten v1 hierarchies of the host it was traced on, and its init
	// mounted the default config's file systems.
	if rt.cgroups != 10 {
		t.Errorf("cgroups made: %d, want 10", rt.cgroups)
	}
	if rt.mounts < 20 {
		t.Errorf("mounts: %d, want the default config's (more than 20)", rt.mounts)
	}
	if _, err := critical(parseTrace(readTrace(t)), tracedPid+1); err == nil {
		t.Error("a pid that is not in the trace gave no error")
	}
}

// A trace that lacks one step (here pivot_root's return) is refused
// with the step named, not measured wrong.
func TestCriticalPathMissingStep(t *testing.T) {
	var kept []string
	for _, l := range strings.Split(readTrace(t), "\n") {
		if !strings.Contains(l, "sys_pivot_root ->") {
			kept = append(kept, l)
		}
	}
	_, err := critical(parseTrace(strings.Join(kept, "\n")), tracedPid)
	if err == nil || !strings.Contains(err.Error(), "pivot_root") {
		t.Errorf("critical without pivot_root: %v, want an error naming pivot_root", err)
	}
}
