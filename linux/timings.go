package linux

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Timings records how long each phase of one hull command took, for
// --timings. A phase lasts from the previous Mark (or the recorder's
// start) to its own Mark; a name marked again adds to its first entry,
// so that each phase is reported once, in the order it first ended.
//
// A nil *Timings records nothing: code paths mark phases unconditionally
// and pay one nil check when --timings is not given. It is not safe for
// concurrent use; one command's goroutine marks it.
type Timings struct {
	command string
	last    time.Time
	now     func() time.Time
	phases  []Phase
}

// Phase is one measured phase.
type Phase struct {
	Name     string
	Duration time.Duration
}

// NewTimings starts a recorder for command whose clock starts at begin;
// startup, if positive, is reported first as the "start-up" phase (the
// time from the process's start to begin, see ProcessStartup).
func NewTimings(command string, startup time.Duration, begin time.Time) *Timings {
	t := &Timings{command: command, last: begin, now: time.Now}
	if startup > 0 {
		t.phases = append(t.phases, Phase{"start-up", startup})
	}
	return t
}

// SetCommand names the command the phases belong to, once it is known.
func (t *Timings) SetCommand(command string) {
	if t != nil {
		t.command = command
	}
}

// Mark ends the phase name now.
func (t *Timings) Mark(name string) {
	if t == nil {
		return
	}
	now := t.now()
	d := now.Sub(t.last)
	t.last = now
	for i := range t.phases {
		if t.phases[i].Name == name {
			t.phases[i].Duration += d
			return
		}
	}
	t.phases = append(t.phases, Phase{name, d})
}

// Phases are the phases measured so far, in order.
func (t *Timings) Phases() []Phase {
	if t == nil {
		return nil
	}
	return append([]Phase(nil), t.phases...)
}

// Total is the sum of the phases.
func (t *Timings) Total() time.Duration {
	var sum time.Duration
	for _, p := range t.Phases() {
		sum += p.Duration
	}
	return sum
}

// Text is the one line --timings prints on stderr:
//
//	hull: timings: run: start-up 8.1ms, args 0.1ms, load 0.4ms, ..., total 40.2ms
//
// Durations are in milliseconds with three decimals, so that a script
// can split on ", " and " " without parsing Go's duration units.
func (t *Timings) Text() string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("hull: timings: ")
	b.WriteString(t.command)
	b.WriteString(":")
	for i, p := range t.phases {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %sms", p.Name, ms(p.Duration))
	}
	fmt.Fprintf(&b, ", total %sms", ms(t.Total()))
	return b.String()
}

// PhaseMS is a phase as --log-format json writes it.
type PhaseMS struct {
	Phase string  `json:"phase"`
	MS    float64 `json:"ms"`
}

// Fields are the fields of the one JSON log entry (msg "timings") that
// --timings writes with --log-format json: the command, its phases in
// order as {"phase","ms"} objects, and the total in milliseconds.
func (t *Timings) Fields() map[string]any {
	if t == nil {
		return nil
	}
	phases := make([]PhaseMS, 0, len(t.phases))
	for _, p := range t.phases {
		phases = append(phases, PhaseMS{p.Name, msFloat(p.Duration)})
	}
	return map[string]any{"command": t.command, "phases": phases, "total_ms": msFloat(t.Total())}
}

func ms(d time.Duration) string { return strconv.FormatFloat(msFloat(d), 'f', 3, 64) }

// msFloat is d in milliseconds, to the microsecond.
func msFloat(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// ProcessStartup is how long this process ran before now, from the
// fork that made it: exec(2), the Go runtime's start and every package's
// initialisation (what hull pays twice per container, in hull and in
// hull init). Nothing gives a process's start time finely enough:
// /proc/self/stat counts it in clock ticks (10 ms). So it is the main
// thread's time on a CPU plus its time waiting for one
// (/proc/self/schedstat, in ns; the Go runtime keeps package
// initialisation on the main thread), which is the wall time from fork to
// now less any time it slept, such as reading a binary not yet in the
// page cache. Without schedstat (a kernel without CONFIG_SCHED_INFO) it
// falls back to the monotonic clock's offset from the time package's
// initialisation, which misses exec and the runtime's first steps.
func ProcessStartup(now time.Time) time.Duration {
	if data, err := os.ReadFile("/proc/self/schedstat"); err == nil {
		if d, ok := parseSchedstat(string(data)); ok {
			return d
		}
	}
	return sinceTimeInit(now)
}

// parseSchedstat reads "<ns on cpu> <ns waiting on a runqueue> <slices>".
func parseSchedstat(s string) (time.Duration, bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0, false
	}
	run, err1 := strconv.ParseInt(f[0], 10, 64)
	wait, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || run < 0 || wait < 0 {
		return 0, false
	}
	return time.Duration(run + wait), true
}

// sinceTimeInit is now's monotonic reading: the time since the time
// package's initialisation, 0 when now has none.
func sinceTimeInit(now time.Time) time.Duration {
	// Time.String prints the monotonic reading as "m=+0.001234567",
	// seconds since the time package started; no API exposes the number.
	_, m, ok := strings.Cut(now.String(), " m=")
	if !ok {
		return 0
	}
	secs, err := strconv.ParseFloat(m, 64)
	if err != nil || secs < 0 {
		return 0
	}
	return time.Duration(secs * float64(time.Second))
}
