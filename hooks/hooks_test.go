package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	state := &specs.State{Version: specs.Version, ID: "c1", Status: specs.StateRunning, Pid: 42, Bundle: "/b"}
	timeout := 1
	for _, tc := range []struct {
		name    string
		hooks   []specs.Hook
		wantErr string // fragments, "" for success
	}{
		{"success", []specs.Hook{{Path: "/bin/true"}}, ""},
		{"args and env", []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", `test "$X" = y`}, Env: []string{"X=y"}}}, ""},
		{"exit status and stderr", []specs.Hook{{Path: "/bin/true"}, {Path: "/bin/sh", Args: []string{"sh", "-c", "echo boom >&2; exit 3"}}},
			`error running poststart hook #1: exit status 3 (hooks.poststart[1], /bin/sh); stderr: "boom"`},
		{"missing program", []specs.Hook{{Path: "/no/such/hook"}}, `error running poststart hook #0: fork/exec /no/such/hook: no such file or directory (hooks.poststart[0], /no/such/hook)`},
		{"timeout", []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "sleep 30 & echo started >&2; wait"}, Timeout: &timeout}},
			`error running poststart hook #0: hook ran past specified timeout of 1.0s; killed it and everything it started (hooks.poststart[0], /bin/sh); stderr: "started"`},
		{"stops at first failure", []specs.Hook{{Path: "/bin/false"}, {Path: "/bin/sh", Args: []string{"sh", "-c", "touch " + filepath.Join(dir, "ran")}}}, "hook #0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := Run(context.Background(), Poststart, tc.hooks, state)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run error %v, want %q", err, tc.wantErr)
			}
			var he *Error
			if !errors.As(err, &he) || he.Kind != Poststart {
				t.Fatalf("error %T is not a *hooks.Error of kind poststart", err)
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("the timeout did not stop the hook")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("a hook after a failing one ran")
	}
}

func TestStateOnStdin(t *testing.T) {
	out := filepath.Join(t.TempDir(), "state.json")
	state := &specs.State{Version: specs.Version, ID: "c2", Status: specs.StateStopped, Pid: 0, Bundle: "/bundle", Annotations: map[string]string{"a": "b"}}
	h := specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > " + out}}
	if err := Run(context.Background(), Poststop, []specs.Hook{h}, state); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got specs.State
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("hook stdin %q: %v", data, err)
	}
	if got.ID != "c2" || got.Status != specs.StateStopped || got.Bundle != "/bundle" || got.Annotations["a"] != "b" {
		t.Fatalf("hook got state %+v", got)
	}
}

func TestRunAllKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	hooks := []specs.Hook{
		{Path: "/bin/false"},
		{Path: "/bin/sh", Args: []string{"sh", "-c", "touch " + filepath.Join(dir, "second")}},
		{Path: "/bin/sh", Args: []string{"sh", "-c", "exit 2"}},
	}
	errs := RunAll(context.Background(), Poststop, hooks, &specs.State{ID: "c3"})
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "#0") || !strings.Contains(errs[1].Error(), "#2") {
		t.Fatalf("RunAll errors %v, want hooks #0 and #2", errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "second")); err != nil {
		t.Fatal("the hook after a failing poststop hook did not run")
	}
}
