package linux

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/manager"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/intelrdt"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/spec"
)

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
func (ct *Container) Update(source string, r *specs.LinuxResources, l3CacheSchema, memBwSchema string) error {
	if err := ct.lockState(); err != nil {
		return err
	}
	defer ct.unlock()
	failpoint("update:locked")
	if ct.lc == nil {
		return fmt.Errorf("cannot update container %q: %w", ct.l.id, ct.notCreated())
	}
	c := ct.lc
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
	old, err := loadResources(ct.l, cfg.Cgroups.Resources)
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
	warnCgroupV1Only(source, r)
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
	failpoint("update:written")
	return saveResources(ct.l, u.Merged)
}

// loadResources returns the container's resources as of its last update,
// or created, the resources it was created with.
func loadResources(l layout, created *cgroups.Resources) (*cgroups.Resources, error) {
	data, err := l.readFile(resourcesFile, legacyResourcesFile)
	if err != nil {
		return nil, fmt.Errorf("resources of container %q: %w", l.id, err)
	}
	if data == nil {
		if created == nil {
			return &cgroups.Resources{}, nil
		}
		return created, nil
	}
	var res cgroups.Resources
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("resources of container %q: %s: %w", l.id, resourcesFile, err)
	}
	return &res, nil
}

// saveResources replaces resourcesFile whole (rename), so a reader never
// sees half of it.
func saveResources(l layout, res *cgroups.Resources) error {
	data, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("save resources of container %q: %w", l.id, err)
	}
	if err := writeFileSync(l.file(resourcesFile), data, 0o600); err != nil {
		return fmt.Errorf("save resources of container %q: %w", l.id, err)
	}
	return nil
}
