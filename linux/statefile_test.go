package linux

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
