package linux

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/intelrdt"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
)

// Update changes the resources of a container while it runs. source
// names where r came from (a file, stdin, or the flags), for errors;
// l3CacheSchema and memBwSchema change its Intel RDT settings.
func Update(c *libcontainer.Container, source string, r *specs.LinuxResources, l3CacheSchema, memBwSchema string) error {
	cfg := c.Config()
	// Config copies only the top level: cfg.Cgroups and cfg.IntelRdt still
	// point at the container's live configuration, which libcontainer's Set
	// re-applies to roll back a failed update. Change deep copies, or a
	// refused update "rolls back" to itself and keeps its first writes.
	cg, err := cloneCgroup(cfg.Cgroups)
	if err != nil {
		return fmt.Errorf("update container %q: %w", c.ID(), err)
	}
	cfg.Cgroups = cg
	if cfg.IntelRdt != nil {
		rdt := *cfg.IntelRdt
		cfg.IntelRdt = &rdt
	}
	if err := spec.ApplyUpdate(source, r, cfg.Cgroups.Resources); err != nil {
		return err
	}
	if l3CacheSchema != "" || memBwSchema != "" {
		switch {
		case l3CacheSchema != "" && !intelrdt.IsCATEnabled():
			return errors.New("--l3-cache-schema: this host has no Intel RDT cache allocation (resctrl L3)")
		case memBwSchema != "" && !intelrdt.IsMBAEnabled():
			return errors.New("--mem-bw-schema: this host has no Intel RDT memory bandwidth allocation (resctrl MB)")
		case cfg.IntelRdt == nil:
			return fmt.Errorf("container %q was created without linux.intelRdt; its schemas cannot be updated", c.ID())
		}
		if l3CacheSchema != "" {
			cfg.IntelRdt.L3CacheSchema = l3CacheSchema
		}
		if memBwSchema != "" {
			cfg.IntelRdt.MemBwSchema = memBwSchema
		}
	}
	// Device rules cannot change here; rewriting them would briefly
	// deny the container its devices.
	cfg.Cgroups.SkipDevices = true
	if err := c.Set(cfg); err != nil {
		if errors.Is(err, libcontainer.ErrNotRunning) {
			// runc's words first: callers match "container not running".
			return fmt.Errorf("%w: cannot update container %q", err, c.ID())
		}
		return fmt.Errorf("update container %q: %w", c.ID(), err)
	}
	return nil
}

// cloneCgroup deep-copies a cgroup configuration through its JSON form
// (the one state.json keeps); SystemdProps, which has no JSON form, is
// carried over as is.
func cloneCgroup(c *cgroups.Cgroup) (*cgroups.Cgroup, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("copy cgroup configuration: %w", err)
	}
	var out cgroups.Cgroup
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("copy cgroup configuration: %w", err)
	}
	out.SystemdProps = c.SystemdProps
	if out.Resources == nil {
		out.Resources = &cgroups.Resources{}
	}
	return &out, nil
}
