package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSliceFlagsKeepCommas: each value of a repeated flag is taken whole,
// as runc takes it; urfave/cli would otherwise split it at commas.
func TestSliceFlagsKeepCommas(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	initPid := h.state(id).Pid

	t.Run("env", func(t *testing.T) {
		r := h.hull("exec", "-e", "A=1,2", "--env", "B=x,y=z", "-e", "C=3", id, "sh", "-c", `echo "$A|$B|$C"`)
		if r.Code != 0 || r.Stdout != "1,2|x,y=z|3\n" {
			t.Errorf("want exit 0 and %q:\n%s", "1,2|x,y=z|3\n", r)
		}
	})

	t.Run("env-order", func(t *testing.T) {
		// -e and --env are one list: the last value of a name wins.
		r := h.hull("exec", "--env", "A=1", "-e", "A=2", "--env", "B=1", "-e", "B=2", "--env", "B=3", id, "sh", "-c", `echo "$A|$B"`)
		if r.Code != 0 || r.Stdout != "2|3\n" {
			t.Errorf("want exit 0 and %q:\n%s", "2|3\n", r)
		}
	})

	t.Run("cgroup", func(t *testing.T) {
		// "cpu,cpuacct:sub" names two controllers: the comma inside a
		// value is exec's to read, not the flag parser's.
		if cgroupV2() {
			t.Skip("controller lists in --cgroup are cgroup v1's; on v2 exec takes one path (tests/cgroupv2_*_test.go)")
		}
		for c, name := range map[string]string{"memory": "hullsub-mem", "cpu": "hullsub-cpu", "cpuacct": "hullsub-cpu"} {
			sub := filepath.Join(cgroupDir(t, initPid, c), name)
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(sub)
		}
		r := h.hull("exec", "--cgroup", "memory:hullsub-mem", "--cgroup", "cpu,cpuacct:hullsub-cpu", id, "cat", "/proc/self/cgroup")
		if r.Code != 0 {
			t.Fatalf("exec with two --cgroup flags failed:\n%s", r)
		}
		want := map[string]string{"memory": "/hullsub-mem", "cpu": "/hullsub-cpu", "cpuacct": "/hullsub-cpu"}
		for _, l := range lines(r.Stdout) {
			parts := strings.SplitN(l, ":", 3)
			if len(parts) != 3 {
				continue
			}
			if suffix, ok := want[parts[1]]; ok {
				if !strings.HasSuffix(parts[2], suffix) {
					t.Errorf("%s cgroup %s, want one ending in %s", parts[1], parts[2], suffix)
				}
				delete(want, parts[1])
			}
		}
		if len(want) != 0 {
			t.Errorf("/proc/self/cgroup lacks %v:\n%s", want, r.Stdout)
		}
	})

	t.Run("cgroup-empty-controller", func(t *testing.T) {
		r := h.hull("exec", "--cgroup", ",cpu:sub", id, "true")
		if r.Code != 255 || !strings.Contains(r.Stderr, "empty controller name") {
			t.Errorf("exec --cgroup ,cpu:sub: want exit 255 naming the empty controller:\n%s", r)
		}
	})

	h.ok("delete", "--force", id)
	h.assertClean(id)
}
