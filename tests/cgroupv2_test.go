package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// inCgroup2NS runs a shell script in a private mount namespace whose
// /sys/fs/cgroup is the cgroup2 hierarchy, so that hull runs with
// libcontainer's cgroup v2 manager on this v1 (hybrid) host. $HULL is
// hull with the test's state root.
func (h *H) inCgroup2NS(script string) result {
	h.t.Helper()
	full := `set -e
mount --make-rprivate /
umount -R /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
` + script
	return runCmd(h.t, h.dir, cmdOpts{Env: []string{"HULL=" + hullBin + " --root " + h.root}}, "unshare", "-m", "sh", "-c", full)
}

// TestCgroupV2 drives a container through libcontainer's cgroup v2
// manager: the host is cgroup v1 with a cgroup2 hierarchy beside it
// (holding only hugetlb), which a private mount namespace can make the
// only one hull sees. Freezing, stats, a unified update and delete work
// there; features says v2 (as it does on every host: it describes hull).
func TestCgroupV2(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare (util-linux) to give hull a cgroup2-only /sys/fs/cgroup")
	}
	if fs, err := os.ReadFile("/proc/filesystems"); err != nil || !strings.Contains(string(fs), "cgroup2") {
		t.Skip("this kernel has no cgroup2 filesystem")
	}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		t.Skip("this host is cgroup v2 already: every other test runs on v2")
	}
	h := newH(t)
	id := h.id()
	t.Cleanup(func() { h.inCgroup2NS(fmt.Sprintf(`$HULL delete --force %s || true`, id)) })
	b := h.bundle(longRunning)
	r := h.inCgroup2NS(fmt.Sprintf(`
$HULL run -d --bundle %[1]s %[2]s
cat /proc/$($HULL state %[2]s | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')/cgroup | grep '^0::'
$HULL pause %[2]s
echo "freeze=$(cat /sys/fs/cgroup/%[2]s/cgroup.freeze)"
$HULL state %[2]s | grep '"status"'
$HULL resume %[2]s
echo "freeze=$(cat /sys/fs/cgroup/%[2]s/cgroup.freeze)"
$HULL events --stats %[2]s
echo '{"unified":{"hugetlb.2MB.max":"2097152"}}' | $HULL update -r - %[2]s
echo "hugetlb=$(cat /sys/fs/cgroup/%[2]s/hugetlb.2MB.max)"
$HULL features | tr -d ' \n' | grep -o '"cgroup":{[^}]*}'
$HULL delete --force %[2]s
test -e /sys/fs/cgroup/%[2]s && echo "cgroup left" || echo "cgroup gone"
`, b, id))
	if r.Code != 0 {
		t.Fatalf("hull under cgroup v2:\n%s", r)
	}
	out := lines(r.Stdout)
	want := []string{"0::/" + id, "freeze=1", `"status": "paused",`, "freeze=0"}
	for i, w := range want {
		if i >= len(out) || strings.TrimSpace(out[i]) != w {
			t.Fatalf("line %d: want %q:\n%s", i, w, r.Stdout)
		}
	}
	var ev struct {
		Type string
		Data struct {
			CPU struct {
				Usage struct{ Total uint64 }
			}
		}
	}
	if len(out) < 5 || json.Unmarshal([]byte(out[4]), &ev) != nil || ev.Type != "stats" || ev.Data.CPU.Usage.Total == 0 {
		t.Errorf("events --stats under v2: want a stats event with CPU time:\n%s", r.Stdout)
	}
	for _, w := range []string{"hugetlb=2097152", `"cgroup":{"v1":true,"v2":true`, "cgroup gone"} {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("want %q:\n%s", w, r.Stdout)
		}
	}
	if _, err := os.Stat("/sys/fs/cgroup/unified/" + id); err == nil {
		t.Errorf("cgroup /sys/fs/cgroup/unified/%s left behind", id)
	}
}
