package spec

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want unix.Signal // -1 = error
	}{
		{"KILL", unix.SIGKILL},
		{"kill", unix.SIGKILL},
		{"SIGKILL", unix.SIGKILL},
		{"sigterm", unix.SIGTERM},
		{"Term", unix.SIGTERM},
		{"HUP", unix.SIGHUP},
		{"SIGWINCH", unix.SIGWINCH},
		{"IOT", unix.SIGABRT},
		{"CLD", unix.SIGCHLD},
		{"POLL", unix.SIGIO},
		{"9", unix.SIGKILL},
		{"15", unix.SIGTERM},
		{"1", unix.Signal(1)},
		{"64", unix.Signal(64)},
		{"RTMIN", unix.Signal(34)},
		{"RTMIN+1", unix.Signal(35)},
		{"SIGRTMIN+30", unix.Signal(64)},
		{"rtmax", unix.Signal(64)},
		{"RTMAX-2", unix.Signal(62)},
		{"SIGRTMAX-30", unix.Signal(34)},
		{" TERM ", unix.SIGTERM},
		// kill -0: the liveness probe, which signals nothing.
		{"0", 0},
		{"-0", 0},
		{"", -1},
		{"FOO", -1},
		{"SIG", -1},
		{"65", -1},
		{"-1", -1},
		{"RTMIN-1", -1},
		{"RTMAX+1", -1},
		{"RTMIN+31", -1},
		{"RTMIN+", -1},
		{"RTMIN+-1", -1},
		{"RTMIN++1", -1},
		{"SIGSIGKILL", -1},
		{"9x", -1},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSignal(tc.in)
			if tc.want == -1 {
				if err == nil {
					t.Fatalf("ParseSignal(%q) = %d, want error", tc.in, got)
				}
				want := `invalid signal "` + tc.in + `"; use a name like TERM or KILL, or a number 0-64`
				if err.Error() != want {
					t.Errorf("error = %q, want %q", err, want)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseSignal(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

// Every name x/sys/unix knows parses back to its number, with and without
// SIG and in lower case.
func TestParseSignalAllNames(t *testing.T) {
	for n := 1; n <= 31; n++ {
		name := unix.SignalName(unix.Signal(n))
		if name == "" {
			continue
		}
		for _, in := range []string{name, strings.TrimPrefix(name, "SIG"), strings.ToLower(name)} {
			if got, err := ParseSignal(in); err != nil || got != unix.Signal(n) {
				t.Errorf("ParseSignal(%q) = %d, %v; want %d", in, got, err, n)
			}
		}
	}
}
