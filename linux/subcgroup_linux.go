package linux

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/opencontainers/cgroups"
)

// unifiedSubCgroup turns exec's --cgroup values into the one sub-cgroup a
// process can have on a cgroup v2 host, whose container cgroup is dir.
//
// libcontainer (and so runc 1.5.3) looks only at the value without a
// controller there and quietly runs the process in the container's own
// cgroup when every value has one ("bogus:sub" and "pids:missing" exit 0),
// which hides a typo or a v1 habit. hull takes CONTROLLER:PATH when each
// controller is enabled in the container's cgroup and all values name
// the same PATH, as that is what the caller meant, and refuses the rest;
// a sub-cgroup that does not exist is named before libcontainer's bare
// openat2 error.
func unifiedSubCgroup(paths map[string]string, dir string) (map[string]string, error) {
	if len(paths) == 0 {
		return paths, nil
	}
	enabled, err := cgroupControllers(dir)
	if err != nil {
		return nil, fmt.Errorf("--cgroup: reading the container's cgroup: %w", err)
	}
	sub, err := oneSubCgroup(paths, enabled)
	if err != nil {
		return nil, err
	}
	full := filepath.Join(dir, sub)
	if full != dir && !strings.HasPrefix(full, dir+"/") {
		return nil, fmt.Errorf("--cgroup %s: not below the container's cgroup %s", sub, dir)
	}
	if _, err := os.Stat(full); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--cgroup %s: the container's cgroup has no sub-cgroup %s (%w); the container must make it first", sub, sub, err)
	}
	return map[string]string{"": sub}, nil
}

// oneSubCgroup is unifiedSubCgroup's choice without the file system:
// enabled is the container cgroup's cgroup.controllers.
func oneSubCgroup(paths map[string]string, enabled []string) (string, error) {
	if sub, ok := paths[""]; ok {
		if len(paths) > 1 {
			return "", fmt.Errorf("--cgroup %s: with cgroup v2 a process has one cgroup; give the sub-cgroup once, without CONTROLLER: values", sub)
		}
		return sub, nil
	}
	ctrls := make([]string, 0, len(paths))
	for c := range paths {
		ctrls = append(ctrls, c)
	}
	sort.Strings(ctrls)
	have := map[string]bool{}
	for _, c := range enabled {
		have[c] = true
	}
	sub := paths[ctrls[0]]
	for _, c := range ctrls {
		if !have[c] {
			return "", fmt.Errorf("--cgroup %s:%s: the container's cgroup has no controller %q (cgroup v2, enabled: %s); give the sub-cgroup as PATH alone",
				c, paths[c], c, strings.Join(enabled, " "))
		}
		if paths[c] != sub {
			return "", fmt.Errorf("--cgroup %s:%s and %s:%s: with cgroup v2 a process has one cgroup, so every controller's sub-cgroup must be the same; give the sub-cgroup as PATH alone",
				ctrls[0], sub, c, paths[c])
		}
	}
	return sub, nil
}

// cgroupControllers lists the controllers enabled in a cgroup v2 directory.
func cgroupControllers(dir string) ([]string, error) {
	data, err := cgroups.ReadFile(dir, "cgroup.controllers")
	if err != nil {
		return nil, err
	}
	return strings.Fields(data), nil
}
