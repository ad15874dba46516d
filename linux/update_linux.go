package linux

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/manager"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/intelrdt"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/spec"
)

// resourcesFile, in the container's state directory, keeps the cgroup
// resources the container has after its last update (state.json keeps
// those it was created with).
const resourcesFile = "hull-resources.json"

// Update changes the resources of a container while it runs, writing
// only the cgroup files of the fields r names. source names where r came
// from (a file, stdin, or the flags), for errors; l3CacheSchema and
// memBwSchema change its Intel RDT settings.
//
// Why not libcontainer's Container.Set: it writes every resource of the
// configuration it is given, and keeps that configuration as the one to
// write back when a later update fails. Rewriting what was not asked for
// breaks (the kernel refuses cpu.shares while cpu.idle is 1, so idle could
// never go back to 0) and reverts values others set. So hull writes the
// fields it was asked for through a cgroup manager for the container's
// own cgroup paths, puts them back when the write fails half-way, and
// keeps the resulting resources in resourcesFile.
func Update(root string, c *libcontainer.Container, source string, r *specs.LinuxResources, l3CacheSchema, memBwSchema string) error {
	cfg := c.Config()
	if l3CacheSchema != "" || memBwSchema != "" {
		switch {
		case l3CacheSchema != "" && !intelrdt.IsCATEnabled():
			return errors.New("--l3-cache-schema: this host has no Intel RDT cache allocation (resctrl L3)")
		case memBwSchema != "" && !intelrdt.IsMBAEnabled():
			return errors.New("--mem-bw-schema: this host has no Intel RDT memory bandwidth allocation (resctrl MB)")
		case cfg.IntelRdt == nil:
			return fmt.Errorf("container %q was created without linux.intelRdt; its schemas cannot be updated", c.ID())
		}
	}
	old, err := loadResources(root, c.ID(), cfg.Cgroups.Resources)
	if err != nil {
		return err
	}
	u, err := spec.UpdateResources(source, r, old)
	if err != nil {
		return err
	}
	for _, fe := range u.Ignored {
		logrus.Warn(fe)
	}
	status, err := c.Status()
	if err != nil {
		return fmt.Errorf("update container %q: %w", c.ID(), err)
	}
	if status == libcontainer.Stopped {
		// runc's words first: callers match "container not running".
		return fmt.Errorf("%w: cannot update container %q", libcontainer.ErrNotRunning, c.ID())
	}
	st, err := c.State()
	if err != nil {
		return fmt.Errorf("update container %q: %w", c.ID(), err)
	}
	m, err := manager.NewWithPaths(cfg.Cgroups, st.CgroupPaths)
	if err != nil {
		return fmt.Errorf("update container %q: %w", c.ID(), err)
	}
	// Device rules cannot change here; rewriting them would briefly deny
	// the container its devices.
	u.Write.SkipDevices, u.Undo.SkipDevices = true, true
	undo := func() {
		if err := m.Set(u.Undo); err != nil {
			logrus.Warnf("update container %q: putting back the old values failed, so some of the new ones stay: %v", c.ID(), err)
		}
	}
	if err := m.Set(u.Write); err != nil {
		undo()
		return fmt.Errorf("update container %q: %w", c.ID(), withUpdateField(err))
	}
	if l3CacheSchema != "" || memBwSchema != "" {
		rdt := *cfg.IntelRdt
		if l3CacheSchema != "" {
			rdt.L3CacheSchema = l3CacheSchema
		}
		if memBwSchema != "" {
			rdt.MemBwSchema = memBwSchema
		}
		cfg.IntelRdt = &rdt
		if err := intelrdt.NewManager(&cfg, c.ID(), st.IntelRdtPath).Set(&cfg); err != nil {
			undo()
			return fmt.Errorf("update container %q: %w", c.ID(), err)
		}
	}
	return saveResources(root, c.ID(), u.Merged)
}

// loadResources returns the container's resources as of its last update,
// or created, the resources it was created with.
func loadResources(root, id string, created *cgroups.Resources) (*cgroups.Resources, error) {
	data, err := os.ReadFile(filepath.Join(root, id, resourcesFile))
	if errors.Is(err, os.ErrNotExist) {
		if created == nil {
			return &cgroups.Resources{}, nil
		}
		return created, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resources of container %q: %w", id, err)
	}
	var res cgroups.Resources
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("resources of container %q: %s: %w", id, resourcesFile, err)
	}
	return &res, nil
}

// saveResources replaces resourcesFile whole (rename), so a reader never
// sees half of it.
func saveResources(root, id string, res *cgroups.Resources) error {
	data, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("save resources of container %q: %w", id, err)
	}
	path := filepath.Join(root, id, resourcesFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("save resources of container %q: %w", id, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save resources of container %q: %w", id, err)
	}
	return nil
}
