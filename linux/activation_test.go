package linux

import (
	"os"
	"strconv"
	"testing"
)

// Without socket activation meant for this process, listenFiles takes
// no fd. (The fds it does take are covered by tests.TestListenFDs: in a
// test binary fds 3 and up belong to the Go runtime.)
func TestListenFilesNone(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	for _, tc := range []struct{ name, pid, fds string }{
		{"unset", "", ""},
		{"other pid", "1", "2"},
		{"bad pid", "x", "2"},
		{"zero fds", self, "0"},
		{"bad fds", self, "two"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LISTEN_PID", tc.pid)
			t.Setenv("LISTEN_FDS", tc.fds)
			if got := listenFiles(); got != nil {
				t.Errorf("listenFiles() = %v, want none", got)
			}
		})
	}
}
