package linux

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
)

// writeStoppedState writes, under root, the state.json libcontainer
// leaves for a container whose init has exited: its pid is above any
// pid_max, so libcontainer finds no such process. No root needed.
func writeStoppedState(t *testing.T, root, id, memoryCgroup string, labels []string) {
	t.Helper()
	writeState(t, root, id, 1<<30, 1, map[string]string{"memory": memoryCgroup, "": memoryCgroup}, labels)
}

// writeState writes libcontainer's state.json for a container whose
// init is pid, started at start (clock ticks), in the cgroups of paths.
func writeState(t *testing.T, root, id string, pid int, start uint64, paths map[string]string, labels []string) {
	t.Helper()
	st := libcontainer.State{
		BaseState: libcontainer.BaseState{
			ID: id, InitProcessPid: pid, InitProcessStartTime: start,
			Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Config: configs.Config{
				Version: "1.3.0", Rootfs: "/bundle/rootfs", Labels: labels,
				Cgroups: &cgroups.Cgroup{Resources: &cgroups.Resources{}},
			},
		},
		CgroupPaths: paths,
	}
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, id), 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, id, "state.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// The state of a stopped container: runc's fields from libcontainer's
// state.json, pid 0, and what the memory cgroup knows of OOM kills.
func TestStateOfStopped(t *testing.T) {
	fakeCgroupfs(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		oomKill   string // memory.oom_control's oom_kill line; "" = no file
		wantKills uint64
	}{
		{"exited", "", 0},
		{"oom-killed", "oom_kill 2\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, mem := t.TempDir(), t.TempDir()
			if tc.oomKill != "" {
				if err := os.WriteFile(filepath.Join(mem, "memory.oom_control"), []byte("under_oom 0\n"+tc.oomKill), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			writeStoppedState(t, root, "c1", mem, []string{"bundle=/bundle", "org.example.a=b"})
			c, err := Open(root, "c1")
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.State()
			if err != nil {
				t.Fatal(err)
			}
			want := &State{
				OCIVersion: "1.3.0", ID: "c1", Pid: 0, Status: "stopped", Bundle: "/bundle", Rootfs: "/bundle/rootfs",
				Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Annotations: map[string]string{"org.example.a": "b"},
				Owner: me.Username, OOMKills: tc.wantKills, OOMKilled: tc.wantKills > 0,
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("State:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestOwner(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "c"), 0o700); err != nil {
		t.Fatal(err)
	}
	want := "#" + strconv.Itoa(os.Getuid())
	if u, err := user.LookupId(strconv.Itoa(os.Getuid())); err == nil {
		want = u.Username
	}
	if got := owner(layout{root: root, id: "c"}); got != want {
		t.Errorf("owner = %q, want %q", got, want)
	}
	if got := owner(layout{root: root, id: "missing"}); got != "" {
		t.Errorf("Owner of a missing container = %q, want empty", got)
	}
}

// List reads every container, sorted, skips plain files and containers
// that vanished, and reports broken ones without hiding the rest.
func TestList(t *testing.T) {
	root, mem := t.TempDir(), t.TempDir()
	for _, id := range []string{"b", "a"} {
		writeStoppedState(t, root, id, mem, []string{"bundle=/bundle"})
	}
	if err := os.WriteFile(filepath.Join(root, "not-a-container"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "empty"), 0o700); err != nil { // vanished: no state.json
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "broken"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "broken", "state.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	states, skipped, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range states {
		ids = append(ids, s.ID+"/"+s.Status)
	}
	if fmt.Sprint(ids) != "[a/stopped b/stopped]" {
		t.Errorf("List states %v, want [a/stopped b/stopped]", ids)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), `container "broken"`) {
		t.Errorf("List skipped %v, want the broken container only", skipped)
	}
	if _, _, err := List(filepath.Join(root, "missing")); !os.IsNotExist(err) {
		t.Errorf("List of a missing root: %v, want a not-exist error", err)
	}
}
