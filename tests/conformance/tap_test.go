package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type want struct {
	status Status
	desc   string
}

func statuses(as []Assertion) []want {
	var out []want
	for _, a := range as {
		out = append(out, want{a.Status, a.Desc})
	}
	return out
}

func same(a, b []want) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []want
		docs    int
		planned int
	}{
		{
			name: "plain",
			in:   "TAP version 13\nok 1 - has expected hostname\nnot ok 2 - root filesystem is readonly\n1..2\n",
			want: []want{{Passed, "has expected hostname"}, {Failed, "root filesystem is readonly"}},
			docs: 1, planned: 2,
		},
		{
			name: "yaml blocks with not ok inside are not test lines",
			in: "TAP version 13\nok 1 - process\n  ---\n  {\n    \"stdout\": \"TAP version 13\\nnot ok 1 - x\\n\",\n" +
				"    \"error\": \"boom\"\n  }\n  ...\nnot ok 2 - other\n1..2\n",
			want: []want{{Passed, "process"}, {Failed, "other"}},
			docs: 1, planned: 2,
		},
		{
			name: "hook program: 1..0 and an orphan error block",
			in:   "TAP version 13\n  ---\n  {\n    \"error\": \"exit status 1\",\n    \"stderr\": \"hull: boom\\n\"\n  }\n  ...\n1..0\n",
			want: []want{{Failed, "(error) exit status 1"}},
			docs: 1, planned: 0,
		},
		{
			name: "hook program: 1..0 and nothing else passes",
			in:   "TAP version 13\n1..0\n",
			want: nil,
			docs: 1, planned: 0,
		},
		{
			name: "orphan block without error key is not a failure",
			in:   "TAP version 13\n  ---\n  {\n    \"stdout\": \"fine\"\n  }\n  ...\n1..0\n",
			want: nil,
			docs: 1, planned: 0,
		},
		{
			name: "two documents: numbering restarts, both count",
			in: "TAP version 13\nok 1 - inner a\nnot ok 2 - inner b\n1..2\n" +
				"TAP version 13\nok 1 - outer a\n1..1\n",
			want: []want{{Passed, "inner a"}, {Failed, "inner b"}, {Passed, "outer a"}},
			docs: 2, planned: 3,
		},
		{
			name: "skip and todo directives",
			in: "TAP version 13\n1..4\nok 1 # SKIP no AppArmor\nnot ok 2 # TODO later\n" +
				"ok 3 # TODO done early\nnot ok 4 - desc # SKIP not here\n",
			want: []want{{Skipped, "no AppArmor"}, {Skipped, "later"}, {Passed, "done early"}, {Skipped, "desc"}},
			docs: 1, planned: 4,
		},
		{
			name: "whole-suite skip plan",
			in:   "1..0 # SKIP not on this host\n",
			want: []want{{Skipped, "(skipped) not on this host"}},
			docs: 0, planned: 0,
		},
		{
			name: "bail out",
			in:   "TAP version 13\nok 1 - a\nBail out! cannot go on\n",
			want: []want{{Passed, "a"}, {Failed, "(bail out) cannot go on"}},
			docs: 1, planned: -1,
		},
		{
			name: "test line without number or dash, and diagnostics",
			in:   "ok\n# a diagnostic\nnot ok desc only\n",
			want: []want{{Passed, ""}, {Failed, "desc only"}},
			docs: 1, planned: -1,
		},
		{
			name: "garbage and stderr-like text is ignored",
			in:   "failed to create the container\nexit status 1\n",
			want: nil,
			docs: 0, planned: -1,
		},
		{
			name: "unterminated yaml at the end",
			in:   "TAP version 13\n  ---\n  {\n    \"error\": \"killed\"\n",
			want: []want{{Failed, "(error) killed"}},
			docs: 1, planned: -1,
		},
		{
			name: "CRLF line ends",
			in:   "TAP version 13\r\nok 1 - a\r\n1..1\r\n",
			want: []want{{Passed, "a"}},
			docs: 1, planned: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Parse([]byte(tt.in))
			if got := statuses(r.Assertions); !same(got, tt.want) {
				t.Errorf("assertions = %v, want %v", got, tt.want)
			}
			if r.Docs != tt.docs || r.Planned != tt.planned {
				t.Errorf("docs, planned = %d, %d, want %d, %d", r.Docs, r.Planned, tt.docs, tt.planned)
			}
		})
	}
}

func TestParseKeepsDetail(t *testing.T) {
	r := Parse([]byte("TAP version 13\nnot ok 1 - a\n# expect: x\n  ---\n  {\n    \"error\": \"e\"\n  }\n  ...\n1..1\n"))
	if len(r.Assertions) != 1 {
		t.Fatalf("got %d assertions", len(r.Assertions))
	}
	d := r.Assertions[0].Detail
	if !strings.Contains(d, "# expect: x") || !strings.Contains(d, `"error": "e"`) {
		t.Errorf("detail = %q", d)
	}
}

func TestJudge(t *testing.T) {
	const to = 90 * time.Second
	tests := []struct {
		name     string
		in       string
		exit     int
		timedOut bool
		startErr error
		want     []want
	}{
		{"complete", "TAP version 13\nok 1 - a\n1..1\n", 0, false, nil, []want{{Passed, "a"}}},
		{"aborted with no TAP", "", 1, false, nil, []want{{Failed, "(aborted: exit status 1)"}}},
		{"aborted with partial TAP", "TAP version 13\nok 1 - a\n", 2, false, nil,
			[]want{{Passed, "a"}, {Failed, "(aborted: exit status 2)"}}},
		{"timed out", "TAP version 13\n", -1, true, nil, []want{{Failed, "(timed out after 1m30s)"}}},
		{"exit 0 and no output: a *_fail program that passed", "", 0, false, nil, []want{{Passed, "(exit status 0, no TAP output)"}}},
		{"exit 0 but plan unmet", "TAP version 13\n1..3\nok 1 - a\n", 0, false, nil,
			[]want{{Passed, "a"}, {Failed, "(incomplete TAP: planned 3, ran 1)"}}},
		{"exit 0 but no plan", "TAP version 13\nok 1 - a\n", 0, false, nil,
			[]want{{Passed, "a"}, {Failed, "(incomplete TAP: no plan)"}}},
		{"hook success: 1..0 alone", "TAP version 13\n1..0\n", 0, false, nil, nil},
		{"could not start", "", -1, false, errors.New("no such file"), []want{{Failed, "(could not run) no such file"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statuses(Judge(Parse([]byte(tt.in)), tt.exit, tt.timedOut, to, tt.startErr))
			if !same(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("TAP version 13\nok 1 - a\n  ---\n  {\"error\": \"x\"}\n  ...\n1..1\n")
	f.Add("1..0 # SKIP x\nnot ok 2 # TODO\nBail out!\n")
	f.Fuzz(func(t *testing.T, s string) {
		r := Parse([]byte(s))
		if r.Counted > len(r.Assertions) {
			t.Fatalf("counted %d > %d assertions", r.Counted, len(r.Assertions))
		}
	})
}
