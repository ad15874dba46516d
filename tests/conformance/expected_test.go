package main

import (
	"os"
	"strings"
	"testing"
)

func TestParseExpectations(t *testing.T) {
	in := `# comment
reason: no AppArmor on this host
linux_process_apparmor_profile: *

reason: suite bug
hooks: (aborted: exit status 2)
`
	got, err := ParseExpectations(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Program != "linux_process_apparmor_profile" || got[0].Pattern != "*" ||
		got[0].Reason != "no AppArmor on this host" || got[1].Reason != "suite bug" || got[1].Line != 6 {
		t.Errorf("got %+v %+v", got[0], got[1])
	}
}

func TestParseExpectationsErrors(t *testing.T) {
	tests := map[string]string{
		"entry before any reason": "hooks: x\n",
		"empty reason":            "reason:\nhooks: x\n",
		"no colon":                "reason: r\nhooks x\n",
		"empty assertion":         "reason: r\nhooks: \n",
		"space in program":        "reason: r\nmy prog: x\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseExpectations(strings.NewReader(in)); err == nil {
				t.Errorf("no error for %q", in)
			}
		})
	}
	// All problems are reported, not just the first.
	_, err := ParseExpectations(strings.NewReader("a: x\nb: y\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1:") || !strings.Contains(err.Error(), "line 2:") {
		t.Errorf("want two problems, got %v", err)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"*", "", true},
		{"*", "any/thing", true},
		{`shared root propagation exposes "/target*"`, `shared root propagation exposes "/target348/mount89/x"`, true},
		{"a*b*c", "a-b-c", true},
		{"a*b*c", "a-c-b", false},
		{"ab*ba", "aba", false},
		{"(error) *not running*", "(error) container x is not running now", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"|"+tt.s, func(t *testing.T) {
			if got := globMatch(tt.pattern, tt.s); got != tt.want {
				t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
			}
		})
	}
}

// The checked-in list must always parse.
func TestExpectedFailuresFile(t *testing.T) {
	f, err := os.Open("expected-failures.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := ParseExpectations(f); err != nil {
		t.Fatal(err)
	}
}
