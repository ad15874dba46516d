package tests

// Helpers the feature tests share: pointers for spec fields, a refusal
// check (what this host cannot do is not skipped: hull must refuse it in
// one line that names the JSON path), and readers of /proc and cgroup
// files of a container's processes.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// ptr is a pointer to a copy of v, for the optional fields of specs.
func ptr[T any](v T) *T { return &v }

// extRefused runs `hull run` on bundle, which must fail with a one-line
// error containing every want and leave nothing behind. It returns the
// error line.
func extRefused(t *testing.T, h *H, bundle string, wants ...string) string {
	t.Helper()
	id := h.id()
	r := h.hull("run", "--bundle", bundle, id)
	if r.Code == 0 {
		t.Errorf("hull run succeeded, want a refusal naming %q:\n%s", wants, r)
		return ""
	}
	msg := strings.TrimSpace(r.Stderr)
	if n := len(lines(msg)); n != 1 {
		t.Errorf("want a one-line error, got %d lines:\n%s", n, r)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not name %q:\n%s", w, r)
		}
	}
	h.assertClean(id)
	return msg
}

// extLastCPU is the highest online CPU, as a cpuset list.
func extLastCPU(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSpace(string(data))
	last := s[strings.LastIndexAny(s, ",-")+1:]
	if _, err := strconv.Atoi(last); err != nil {
		t.Fatalf("cannot parse /sys/devices/system/cpu/online %q", s)
	}
	return last
}

// extStat returns the fields of /proc/pid/stat after the command name:
// index 0 is field 3 (state) of proc(5), so field n is at n-3.
func extStat(t *testing.T, pid int) []string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// extStatus returns the value of a "Name:" line of /proc/pid/status.
func extStatus(t *testing.T, pid int, name string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("/proc/%d/status has no %s line", pid, name)
	return ""
}

// extBuildHelper builds tests/testdata/<name> as a static binary in a
// fresh directory under dir and returns that directory, to bind-mount.
func extBuildHelper(t *testing.T, dir, name string) string {
	t.Helper()
	out := filepath.Join(dir, "helper-"+name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := buildTestdata(name, filepath.Join(out, name)); err != nil {
		t.Fatal(err)
	}
	return out
}

func extReadPid(t *testing.T, file string) int {
	t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(string(readFile(t, file))))
	if err != nil {
		t.Fatalf("pid file %s: %v", file, err)
	}
	return pid
}

// extMountinfoRoot returns the optional fields (shared:N, master:N...) of
// the mount at / in a mountinfo text.
func extMountinfoRoot(t *testing.T, mountinfo string) []string {
	t.Helper()
	var opt []string
	found := false
	for _, l := range lines(mountinfo) {
		f := strings.Fields(l)
		if len(f) < 7 || f[4] != "/" {
			continue
		}
		found = true // the last mount at / is the visible one
		opt = nil
		for _, x := range f[6:] {
			if x == "-" {
				break
			}
			opt = append(opt, x)
		}
	}
	if !found {
		t.Fatalf("no / in mountinfo:\n%s", sysproc.Indent(mountinfo))
	}
	return opt
}
