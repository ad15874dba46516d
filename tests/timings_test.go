package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The phases each command reports with --timings, in order. Durations are
// only checked to be there: no test asserts a time.
var timingsPhases = map[string][]string{
	"run":    {"start-up", "args", "load", "checks", "translate", "setup", "intent", "libcontainer create", "init", "exec", "hooks", "wait", "delete", "finish"},
	"create": {"start-up", "args", "load", "checks", "translate", "setup", "intent", "libcontainer create", "init", "finish"},
	"start":  {"start-up", "args", "load", "exec", "hooks", "finish"},
	"exec":   {"start-up", "args", "load", "spec", "init", "wait", "finish"},
	"delete": {"start-up", "args", "load", "kill", "delete", "finish"},
}

var timingsPhaseRE = regexp.MustCompile(`^(.+) ([0-9]+\.[0-9]{3})ms$`)

// timingsLine finds the one --timings line of command in stderr and
// returns its phase names in order, failing the test unless each has a
// duration and the line ends with the total.
func timingsLine(t *testing.T, command, stderr string) []string {
	t.Helper()
	prefix := "hull: timings: " + command + ": "
	var found []string
	for _, l := range lines(stderr) {
		if strings.HasPrefix(l, prefix) {
			found = append(found, strings.TrimPrefix(l, prefix))
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %q line on stderr, got %d:\n%s", prefix, len(found), stderr)
	}
	var names []string
	for _, f := range strings.Split(found[0], ", ") {
		m := timingsPhaseRE.FindStringSubmatch(f)
		if m == nil {
			t.Fatalf("phase %q is not \"<name> <ms>ms\", in: %s", f, found[0])
		}
		names = append(names, m[1])
	}
	if names[len(names)-1] != "total" {
		t.Fatalf("timings line does not end with the total: %s", found[0])
	}
	return names[:len(names)-1]
}

func TestTimingsText(t *testing.T) {
	h := newH(t)
	check := func(command string, r result) {
		t.Helper()
		if got, want := timingsLine(t, command, r.Stderr), timingsPhases[command]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s --timings phases:\n got %q\nwant %q\n%s", command, got, want, r)
		}
	}
	t.Run("run", func(t *testing.T) {
		r := h.ok("--timings", "run", "--bundle", h.bundle([]string{"echo", "hi"}), h.id())
		if r.Stdout != "hi\n" {
			t.Errorf("the container's output changed: %q, want \"hi\\n\"", r.Stdout)
		}
		check("run", r)
	})
	t.Run("create start exec delete", func(t *testing.T) {
		id := h.id()
		check("create", h.ok("--timings", "create", "--bundle", h.bundle([]string{"sleep", "100"}), id))
		check("start", h.ok("--timings", "start", id))
		check("exec", h.ok("--timings", "exec", id, "true"))
		check("delete", h.ok("--timings", "delete", "--force", id))
		h.assertClean(id)
	})
}

// TestTimingsJSON: with --log-format json the phases are one log entry,
// in the --log file when there is one, else on stderr.
func TestTimingsJSON(t *testing.T) {
	h := newH(t)
	type entry struct {
		Level   string `json:"level"`
		Msg     string `json:"msg"`
		Command string `json:"command"`
		Phases  []struct {
			Phase string   `json:"phase"`
			MS    *float64 `json:"ms"`
		} `json:"phases"`
		TotalMS *float64 `json:"total_ms"`
	}
	checkEntry := func(out string) {
		t.Helper()
		var got []entry
		for _, l := range lines(out) {
			var e entry
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("not a JSON log line: %q: %v", l, err)
			}
			if e.Msg == "timings" {
				got = append(got, e)
			}
		}
		if len(got) != 1 {
			t.Fatalf("want one timings entry, got %d in:\n%s", len(got), out)
		}
		e := got[0]
		var names []string
		for _, p := range e.Phases {
			if p.MS == nil {
				t.Errorf("phase %q has no ms: %s", p.Phase, out)
			}
			names = append(names, p.Phase)
		}
		if want := timingsPhases["run"]; e.Command != "run" || strings.Join(names, "|") != strings.Join(want, "|") || e.TotalMS == nil {
			t.Errorf("entry: command %q phases %q total %v; want command run, phases %q and a total:\n%s", e.Command, names, e.TotalMS, want, out)
		}
	}
	t.Run("to the log file", func(t *testing.T) {
		log := filepath.Join(h.dir, "log.json")
		r := h.ok("--timings", "--log", log, "--log-format", "json", "run", "--bundle", h.bundle([]string{"true"}), h.id())
		if r.Stderr != "" {
			t.Errorf("stderr should stay empty with --log:\n%s", r)
		}
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		checkEntry(string(data))
	})
	t.Run("to stderr", func(t *testing.T) {
		r := h.ok("--timings", "--log-format", "json", "run", "--bundle", h.bundle([]string{"true"}), h.id())
		checkEntry(r.Stderr)
	})
}

// TestTimingsOff: without --timings nothing is added to the output, so
// that callers parsing runc's see the same.
func TestTimingsOff(t *testing.T) {
	h := newH(t)
	r := h.ok("run", "--bundle", h.bundle([]string{"echo", "hi"}), h.id())
	if r.Stdout != "hi\n" || r.Stderr != "" {
		t.Errorf("run printed more than the container's output:\n%s", r)
	}
	id := h.id()
	for _, args := range [][]string{
		{"create", "--bundle", h.bundle([]string{"sleep", "100"}), id},
		{"start", id},
		{"exec", id, "true"},
		{"delete", "--force", id},
	} {
		if r := h.ok(args...); r.Stdout != "" || r.Stderr != "" {
			t.Errorf("%s printed something:\n%s", args[0], r)
		}
	}
}
