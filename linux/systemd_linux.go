package linux

import (
	"fmt"
	"slices"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
)

// rejoinSystemdCgroups puts the container's init back into each cgroup v1
// hierarchy's cgroup that libcontainer recorded for it, where systemd moved
// it out. It must run after libcontainer has applied the resources (Start)
// and before the user process is executed (Exec), so that no code of the
// container runs outside its device rules.
//
// Why: systemd 252 on cgroup v1, when libcontainer sets DeviceAllow= and
// DevicePolicy= on a new scope whose slice and the slice's parent were
// both created for it (cgroupsPath "a-b.slice:prefix:name", no a.slice
// yet), re-realizes the slices and migrates the scope's processes in the
// devices hierarchy into /a.slice/a-b.slice, whose devices.list is
// "a *:* rwm". runc 1.1.5 and the libcontainer hull uses do the same. Once
// moved back, later SetUnitProperties calls (hull update) leave the process
// alone. TestSystemdCgroup/nested_slice checks this against a real systemd.
func rejoinSystemdCgroups(c *libcontainer.Container) error {
	cg := c.Config().Cgroups
	if cg == nil || !cg.Systemd || cgroups.IsCgroup2UnifiedMode() {
		return nil
	}
	st, err := c.State()
	if err != nil {
		return fmt.Errorf("container %q: read state to check its cgroups: %w", c.ID(), err)
	}
	pid := st.InitProcessPid
	for subsys, path := range st.CgroupPaths {
		// systemd's own hierarchies ("name=systemd", and "" for the
		// hybrid unified one) are systemd's to manage.
		if subsys == "" || subsys == "name=systemd" {
			continue
		}
		pids, err := cgroups.GetPids(path)
		if err != nil {
			return fmt.Errorf("container %q: list the processes of cgroup %s: %w", c.ID(), path, err)
		}
		if slices.Contains(pids, pid) {
			continue
		}
		if err := cgroups.WriteCgroupProc(path, pid); err != nil {
			return fmt.Errorf("container %q: systemd moved init (pid %d) out of cgroup %s; moving it back: %w", c.ID(), pid, path, err)
		}
	}
	return nil
}
