package linux

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// PsTable runs the host's ps: these tests see this test process, which
// needs no root.
func TestPsTable(t *testing.T) {
	if _, err := exec.LookPath("ps"); err != nil {
		t.Skip("ps(1) is not installed (procps)")
	}
	me := os.Getpid()
	for _, tc := range []struct {
		name    string
		pids    []int
		args    []string
		lines   int    // header included
		wantErr string // substring
	}{
		{"-ef, this process", []int{me}, []string{"-ef"}, 2, ""},
		{"-ef, no pids", nil, []string{"-ef"}, 1, ""},
		{"-o pid,comm", []int{me}, []string{"-e", "-o", "pid,comm"}, 2, ""},
		{"a pid that is not running", []int{1 << 30}, []string{"-ef"}, 1, ""},
		{"no PID column", []int{me}, []string{"-e", "-o", "comm"}, 0, "no PID column; add -o pid or use -ef"},
		{"ps refuses", []int{me}, []string{"--no-such-option"}, 0, "ps --no-such-option: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := PsTable(tc.pids, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("PsTable error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ls := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
			if len(ls) != tc.lines || !strings.Contains(ls[0], "PID") {
				t.Fatalf("PsTable printed %d lines, want %d with the header first:\n%s", len(ls), tc.lines, out)
			}
			if tc.lines == 2 && !strings.Contains(" "+ls[1]+" ", " "+strconv.Itoa(me)+" ") {
				t.Errorf("PsTable kept a line without pid %d: %q", me, ls[1])
			}
		})
	}
}
