package linux

import (
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// waitPidfd wakes when the process exits, well before its timeout, and
// reports a process that outlives the timeout as not gone.
func TestWaitPidfd(t *testing.T) {
	for _, tc := range []struct {
		name string
		kill bool
		want bool
	}{
		{"killed", true, true},
		{"alive", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sleep", "100")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			fd, err := unix.PidfdOpen(cmd.Process.Pid, 0)
			if err != nil {
				t.Skipf("no pidfd on this kernel: %v", err)
			}
			defer unix.Close(fd)
			if tc.kill {
				// Not reaped: a zombie has exited, as a container's
				// init does under a parent that does not reap.
				_ = unix.Kill(cmd.Process.Pid, unix.SIGKILL)
			}
			start := time.Now()
			gone, err := waitPidfd(fd, 300*time.Millisecond)
			if err != nil || gone != tc.want {
				t.Fatalf("waitPidfd = %v, %v; want %v, nil", gone, err, tc.want)
			}
			if tc.kill && time.Since(start) > 200*time.Millisecond {
				t.Errorf("waitPidfd took %s for a killed process", time.Since(start))
			}
		})
	}
}
