package linux

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// fakeClock returns begin, then begin plus each step in turn.
func fakeClock(begin time.Time, steps ...time.Duration) func() time.Time {
	now := begin
	return func() time.Time {
		now = now.Add(steps[0])
		steps = steps[1:]
		return now
	}
}

func TestTimingsMark(t *testing.T) {
	begin := time.Unix(1000, 0)
	ms := time.Millisecond
	for _, tc := range []struct {
		name    string
		startup time.Duration
		marks   []string
		steps   []time.Duration
		want    []Phase
	}{
		{"none", 0, nil, nil, nil},
		{"start-up only", 9 * ms, nil, nil, []Phase{{"start-up", 9 * ms}}},
		{"phases in order", 2 * ms, []string{"load", "checks"}, []time.Duration{ms, 3 * ms},
			[]Phase{{"start-up", 2 * ms}, {"load", ms}, {"checks", 3 * ms}}},
		// checks, translate, checks: the second checks adds to the first
		// and keeps its place.
		{"repeated name adds up", 0, []string{"checks", "translate", "checks"}, []time.Duration{ms, 2 * ms, 4 * ms},
			[]Phase{{"checks", 5 * ms}, {"translate", 2 * ms}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := NewTimings("run", tc.startup, begin)
			tm.now = fakeClock(begin, tc.steps...)
			for _, m := range tc.marks {
				tm.Mark(m)
			}
			if got := tm.Phases(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("phases = %v, want %v", got, tc.want)
			}
			var sum time.Duration
			for _, p := range tc.want {
				sum += p.Duration
			}
			if tm.Total() != sum {
				t.Errorf("total = %v, want %v", tm.Total(), sum)
			}
		})
	}
}

func TestTimingsNil(t *testing.T) {
	var tm *Timings
	tm.Mark("load")
	tm.SetCommand("run")
	if tm.Phases() != nil || tm.Total() != 0 || tm.Text() != "" || tm.Fields() != nil {
		t.Errorf("a nil *Timings reported something: %v %v %q %v", tm.Phases(), tm.Total(), tm.Text(), tm.Fields())
	}
}

func newTestTimings() *Timings {
	begin := time.Unix(1000, 0)
	tm := NewTimings("create", 8123456*time.Nanosecond, begin)
	tm.now = fakeClock(begin, 400*time.Microsecond, 1234567*time.Nanosecond)
	tm.Mark("load")
	tm.Mark("libcontainer create")
	return tm
}

func TestTimingsText(t *testing.T) {
	want := "hull: timings: create: start-up 8.123ms, load 0.400ms, libcontainer create 1.235ms, total 9.758ms"
	if got := newTestTimings().Text(); got != want {
		t.Errorf("Text() =\n%s\nwant\n%s", got, want)
	}
}

// TestTimingsJSON checks the log entry as logrus's JSON formatter (what
// --log-format json uses) writes it.
func TestTimingsJSON(t *testing.T) {
	var buf bytes.Buffer
	log := logrus.New()
	log.SetOutput(&buf)
	log.SetFormatter(&logrus.JSONFormatter{})
	log.WithFields(newTestTimings().Fields()).Info("timings")
	var got struct {
		Msg     string    `json:"msg"`
		Command string    `json:"command"`
		Phases  []PhaseMS `json:"phases"`
		TotalMS float64   `json:"total_ms"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON object: %v: %s", err, buf.Bytes())
	}
	if n := bytes.Count(bytes.TrimSpace(buf.Bytes()), []byte("\n")); n != 0 {
		t.Errorf("entry spans %d lines, want one: %s", n+1, buf.Bytes())
	}
	want := []PhaseMS{{"start-up", 8.123}, {"load", 0.4}, {"libcontainer create", 1.235}}
	if got.Msg != "timings" || got.Command != "create" || !reflect.DeepEqual(got.Phases, want) || got.TotalMS != 9.758 {
		t.Errorf("entry = %+v, want msg timings, command create, phases %v, total_ms 9.758", got, want)
	}
}

func TestProcessStartup(t *testing.T) {
	if d := ProcessStartup(time.Now()); d <= 0 || d > time.Hour {
		t.Errorf("ProcessStartup(now) = %v, want the (positive) time since this test binary started", d)
	}
}

func TestParseSchedstat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3093750 2193774 7\n", 5287524, true},
		{"0 0 0", 0, true},
		{"3093750", 0, false},
		{"", 0, false},
		{"x 1 2", 0, false},
		{"-1 1 2", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := parseSchedstat(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("parseSchedstat(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestSinceTimeInit(t *testing.T) {
	if d := sinceTimeInit(time.Now()); d <= 0 || d > time.Hour {
		t.Errorf("sinceTimeInit(now) = %v, want the (positive) time since the time package started", d)
	}
	// A time without a monotonic reading has nothing to go by.
	if d := sinceTimeInit(time.Now().Round(0)); d != 0 {
		t.Errorf("sinceTimeInit of a wall-clock-only time = %v, want 0", d)
	}
}
