package linux

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/system"
)

// Query, which reads state.json itself, reports what State reports
// through libcontainer's container, in every status a state file and
// the processes can give.
func TestQueryMatchesLibcontainer(t *testing.T) {
	fakeCgroupfs(t)
	self, err := system.Stat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		pid    int
		start  uint64
		frozen string // freezer.state; "" = THAWED
		fifo   bool   // exec.fifo present
		oom    bool
		want   string
	}{
		{"stopped", 1 << 30, 1, "", false, false, "stopped"},
		{"stopped oom-killed", 1 << 30, 1, "", false, true, "stopped"},
		{"pid reused", os.Getpid(), self.StartTime + 1, "", false, false, "stopped"},
		{"running", os.Getpid(), self.StartTime, "", false, true, "running"},
		{"created", os.Getpid(), self.StartTime, "", true, false, "created"},
		{"paused", os.Getpid(), self.StartTime, "FROZEN", false, false, "paused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, cg := t.TempDir(), t.TempDir()
			state := "THAWED"
			if tc.frozen != "" {
				state = tc.frozen
			}
			if err := os.WriteFile(filepath.Join(cg, "freezer.state"), []byte(state+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.oom {
				if err := os.WriteFile(filepath.Join(cg, "memory.oom_control"), []byte("under_oom 0\noom_kill 1\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			writeState(t, root, "c1", tc.pid, tc.start, map[string]string{"freezer": cg, "memory": cg}, []string{"bundle=/bundle", "org.example.a=b"})
			if tc.fifo {
				if err := os.WriteFile(filepath.Join(root, "c1", "exec.fifo"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c, err := Open(root, "c1")
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.State()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Query(root, "c1")
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("Query:\n got %+v\nwant %+v (libcontainer)", got, want)
			}
			if got.Status != tc.want {
				t.Errorf("status %s, want %s", got.Status, tc.want)
			}
		})
	}
}

// Query of an unknown container says what Open says.
func TestQueryNotExist(t *testing.T) {
	root := t.TempDir()
	_, err := Query(root, "nope")
	_, oerr := Open(root, "nope")
	if !errors.Is(err, libcontainer.ErrNotExist) || err.Error() != oerr.Error() {
		t.Errorf("Query: %v; Open: %v", err, oerr)
	}
}

// Kill signals the init named by the state file, and for an init that
// has gone says what Signal through libcontainer says.
func TestKillFromStateFile(t *testing.T) {
	fakeCgroupfs(t)
	t.Run("running", func(t *testing.T) {
		cmd := exec.Command("sleep", "100")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		st, err := system.Stat(cmd.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		root, cg := t.TempDir(), t.TempDir()
		writeState(t, root, "c1", cmd.Process.Pid, st.StartTime, map[string]string{"freezer": cg}, nil)
		if err := Kill(root, "c1", unix.SIGTERM, false); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "terminated") {
			t.Errorf("sleep ended with %v, want terminated", err)
		}
	})
	for _, sig := range []unix.Signal{0, unix.SIGTERM, unix.SIGKILL} {
		t.Run(fmt.Sprintf("stopped/%d", sig), func(t *testing.T) {
			root, mem := t.TempDir(), t.TempDir()
			writeStoppedState(t, root, "c1", mem, nil)
			err := Kill(root, "c1", sig, false)
			c, oerr := Open(root, "c1")
			if oerr != nil {
				t.Fatal(oerr)
			}
			want := c.Signal(sig, false)
			if !errors.Is(err, libcontainer.ErrNotRunning) || err.Error() != want.Error() {
				t.Errorf("Kill: %v; Signal: %v", err, want)
			}
		})
	}
}

// Pids lists what Processes lists through libcontainer: the cgroup's
// processes, and none once the cgroup and the init are gone.
func TestPidsMatchesLibcontainer(t *testing.T) {
	fakeCgroupfs(t)
	for _, tc := range []struct {
		name  string
		procs string // cgroup.procs; "" = the cgroup is gone
	}{
		{"processes", "1\n22\n"},
		{"empty cgroup", "\n"},
		{"cgroup gone", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, cg := t.TempDir(), filepath.Join(t.TempDir(), "cg")
			if tc.procs != "" {
				if err := os.Mkdir(cg, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(tc.procs), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			writeState(t, root, "c1", 1<<30, 1, map[string]string{"devices": cg, "pids": cg, "": cg}, nil)
			got, err := Pids(root, "c1")
			if err != nil {
				t.Fatal(err)
			}
			c, err := Open(root, "c1")
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.Processes()
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Pids = %v, Processes = %v", got, want)
			}
			if n := len(strings.Fields(tc.procs)); len(got) != n {
				t.Errorf("Pids = %v, want %d pids", got, n)
			}
		})
	}
}
