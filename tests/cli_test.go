package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	h := newH(t)
	long := h.ok("--version")
	short := h.ok("-v")
	if long.Stdout != short.Stdout {
		t.Errorf("--version and -v differ:\n%s\n%s", long, short)
	}
	// runc's layout: "runc version X", then "key: value" lines.
	want := []*regexp.Regexp{
		regexp.MustCompile(`(?m)^hull version \S+$`),
		regexp.MustCompile(`(?m)^spec: 1\.\d+\.\d+\S*$`),
		regexp.MustCompile(`(?m)^libcontainer: \S+$`),
		regexp.MustCompile(`(?m)^go: go1\.\d+`),
		regexp.MustCompile(`(?m)^libseccomp: \d+\.\d+\.\d+$`),
	}
	for _, re := range want {
		if !re.MatchString(long.Stdout) {
			t.Errorf("--version output does not match %s:\n%s", re, long)
		}
	}
	if long.Stderr != "" {
		t.Errorf("--version wrote to stderr:\n%s", long)
	}
}

// logLine is one --log-format json record.
type logLine struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Time  string `json:"time"`
}

func readJSONLog(t *testing.T, path string) []logLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("log file: %v", err)
	}
	var out []logLine
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if l == "" {
			continue
		}
		var ll logLine
		var raw map[string]any
		if err := json.Unmarshal([]byte(l), &raw); err != nil {
			t.Errorf("log line is not one JSON object: %v\n%s", err, l)
			continue
		}
		_ = json.Unmarshal([]byte(l), &ll)
		for _, k := range []string{"level", "msg", "time"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("log line lacks %q: %s", k, l)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, ll.Time); err != nil {
			t.Errorf("log time %q is not RFC 3339: %v", ll.Time, err)
		}
		out = append(out, ll)
	}
	return out
}

func TestLogJSON(t *testing.T) {
	t.Parallel()
	h := newH(t)
	logFile := filepath.Join(h.dir, "hull.log")

	t.Run("unknown-container", func(t *testing.T) {
		r := h.fail("--log", logFile, "--log-format", "json", "state", "hulltest-missing")
		checkOneLineError(t, r, "does not exist")
		var found bool
		for _, l := range readJSONLog(t, logFile) {
			if l.Level == "error" && strings.Contains(l.Msg, "does not exist") && strings.Contains(l.Msg, "hulltest-missing") {
				found = true
			}
		}
		if !found {
			data, _ := os.ReadFile(logFile)
			t.Errorf("no level=error line naming the container in the log:\n%s", data)
		}
	})

	t.Run("bad-bundle", func(t *testing.T) {
		lf := filepath.Join(h.dir, "bundle.log")
		bundle := h.rawBundle([]byte("{not json"))
		id := h.id()
		r := h.fail("--log", lf, "--log-format", "json", "create", "--bundle", bundle, id)
		checkOneLineError(t, r, "config.json")
		var found bool
		for _, l := range readJSONLog(t, lf) {
			if l.Level == "error" && strings.Contains(l.Msg, "config.json") {
				found = true
			}
		}
		if !found {
			data, _ := os.ReadFile(lf)
			t.Errorf("no level=error line naming config.json:\n%s", data)
		}
		h.assertClean(id)
	})

	t.Run("text", func(t *testing.T) {
		lf := filepath.Join(h.dir, "text.log")
		h.fail("--log", lf, "state", "hulltest-missing")
		data, err := os.ReadFile(lf)
		if err != nil || !strings.Contains(string(data), "does not exist") {
			t.Errorf("text log %q (%v) does not have the error", data, err)
		}
		if json.Valid([]byte(strings.SplitN(string(data), "\n", 2)[0])) {
			t.Errorf("default --log-format wrote JSON: %q", data)
		}
	})

	t.Run("success-run-with-debug", func(t *testing.T) {
		lf := filepath.Join(h.dir, "debug.log")
		id := h.id()
		r := h.ok("--debug", "--log", lf, "--log-format", "json", "run", "--bundle", h.bundle([]string{"echo", "ok"}), id)
		if r.Stdout != "ok\n" {
			t.Errorf("--debug changed the container output: %q", r.Stdout)
		}
		for _, l := range readJSONLog(t, lf) {
			if l.Level == "error" {
				t.Errorf("successful run logged an error: %+v", l)
			}
		}
		h.assertClean(id)
	})

	t.Run("bad-log-format", func(t *testing.T) {
		r := h.fail("--log-format", "xml", "list")
		checkOneLineError(t, r, "xml")
	})
}

// TestCompatFlags: flags that engines pass and hull must accept: go-runc's
// single-dash -no-subreaper, --rootless, --systemd-cgroup's crun spelling.
func TestCompatFlags(t *testing.T) {
	t.Parallel()
	h := newH(t)
	b := h.bundle([]string{"sh", "-c", "exit 5"})
	for _, args := range [][]string{
		{"run", "-no-subreaper", "--bundle", b},
		{"--rootless", "false", "run", "--bundle", b},
		{"--rootless", "auto", "--cgroup-manager", "cgroupfs", "run", "--bundle", b},
	} {
		id := h.id()
		if r := h.hull(append(args, id)...); r.Code != 5 {
			t.Errorf("hull %v: want the container's exit status 5:\n%s", args, r)
		}
		h.assertClean(id)
	}
	r := h.fail("--rootless", "maybe", "list")
	if !strings.Contains(r.Stderr, `--rootless "maybe"`) {
		t.Errorf("a bad --rootless value should be named:\n%s", r)
	}
}
