package linux

import (
	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/spec"
)

// checkCgroupV1Only warns, on a cgroup v2 host, of the resource settings
// only cgroup v1 has: libcontainer's v2 managers skip them silently.
func checkCgroupV1Only(r *prepared) {
	if l := r.b.Spec.Linux; l != nil && cgroups.IsCgroup2UnifiedMode() {
		for _, fe := range spec.CgroupV1Only(r.b.ConfigPath, l.Resources) {
			r.warn(fe)
		}
	}
}

// warnCgroupV1Only is checkCgroupV1Only for an update request read from
// source.
func warnCgroupV1Only(source string, res *specs.LinuxResources) {
	if cgroups.IsCgroup2UnifiedMode() {
		for _, fe := range spec.CgroupV1Only(source, res) {
			logrus.Warn(fe)
		}
	}
}
