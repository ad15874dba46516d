package linux

import (
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
)

// bundleSpec describes the parts of a bundle Preflight looks at.
type bundleSpec struct {
	rootfs string
	args   []string
	env    []string
	cwd    string
	mounts []string // tmpfs destinations
	binds  []string // bind sources, mounted at /mnt
	netns  string
	hooked bool
}

func (b *bundleSpec) bundle(dir string) *spec.Bundle {
	if b.rootfs == "" {
		b.rootfs = "rootfs"
	}
	s := &specs.Spec{
		Version: specs.Version,
		Root:    &specs.Root{Path: b.rootfs},
		Process: &specs.Process{Args: b.args, Env: b.env, Cwd: b.cwd},
		Linux:   &specs.Linux{},
	}
	for _, m := range b.mounts {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: m, Type: "tmpfs", Source: "tmpfs"})
	}
	for _, src := range b.binds {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/mnt", Type: "bind", Source: src, Options: []string{"rbind"}})
	}
	if b.netns != "" {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: b.netns})
	}
	if b.hooked {
		s.Hooks = &specs.Hooks{CreateContainer: []specs.Hook{{Path: "/bin/true"}}}
	}
	return &spec.Bundle{Dir: dir, ConfigPath: filepath.Join(dir, "config.json"), Spec: s}
}
