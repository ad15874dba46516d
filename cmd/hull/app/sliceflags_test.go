package app

import (
	"reflect"
	"testing"

	"github.com/urfave/cli/v2"
)

// Every repeatable flag, short forms included, keeps each value whole:
// commas inside a value are not urfave/cli's to split.
func TestSliceFlagsKeepCommas(t *testing.T) {
	app := newApp(&globalOptions{})
	var got map[string][]string
	exec := app.Command("exec")
	exec.Action = func(c *cli.Context) error {
		got = map[string][]string{
			"cap":    c.StringSlice("cap"),
			"c":      c.StringSlice("c"),
			"cgroup": c.StringSlice("cgroup"),
			"env":    *c.Generic("env").(*orderedValues),
		}
		return nil
	}
	args := []string{"hull", "--root", t.TempDir(), "exec",
		"--cap", "CAP_A,CAP_B", "-c", "CAP_C,CAP_D",
		"--cgroup", "memory:sub", "--cgroup", "cpu,cpuacct:sub",
		"-e", "A=1,2", "--env", "B=3,4", "ID", "true"}
	if err := app.Run(args); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"cap":    {"CAP_A,CAP_B"},
		"c":      {"CAP_C,CAP_D"},
		"cgroup": {"memory:sub", "cpu,cpuacct:sub"},
		"env":    {"A=1,2", "B=3,4"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exec read %q, want %q", got, want)
	}
	paths, err := subCgroupPaths(got["cgroup"])
	if wantPaths := map[string]string{"memory": "sub", "cpu": "sub", "cpuacct": "sub"}; err != nil || !reflect.DeepEqual(paths, wantPaths) {
		t.Errorf("subCgroupPaths(%q) = %v, %v; want %v", got["cgroup"], paths, err, wantPaths)
	}
}
