package linux

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/opencontainers/runc/libcontainer"
)

// Processes returns the host PIDs of every process in the container's
// cgroup; never nil, so that JSON shows [] for none.
func Processes(c *libcontainer.Container) ([]int, error) {
	pids, err := c.Processes()
	if err != nil {
		return nil, fmt.Errorf("processes of container %q: %w", c.ID(), err)
	}
	if pids == nil {
		pids = []int{}
	}
	return pids, nil
}

// PsTable runs the host's ps(1) with args and keeps its header and the
// lines of the given PIDs.
func PsTable(pids []int, args []string) ([]byte, error) {
	out, err := exec.Command("ps", args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return nil, fmt.Errorf("ps %s: %s", strings.Join(args, " "), bytes.TrimSpace(ee.Stderr))
		}
		return nil, fmt.Errorf("ps %s: %w", strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	col := -1
	for i, name := range strings.Fields(lines[0]) {
		if name == "PID" {
			col = i
			break
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("ps %s: its output has no PID column; add -o pid or use -ef", strings.Join(args, " "))
	}
	want := make(map[int]bool, len(pids))
	for _, p := range pids {
		want[p] = true
	}
	var b bytes.Buffer
	b.WriteString(lines[0] + "\n")
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if col >= len(fields) {
			continue
		}
		if pid, err := strconv.Atoi(fields[col]); err == nil && want[pid] {
			b.WriteString(line + "\n")
		}
	}
	return b.Bytes(), nil
}
