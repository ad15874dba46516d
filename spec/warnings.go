package spec

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Warnings lists what config.json asks for that hull accepts but does not
// do as written, each a *FieldError: settings runc also accepts and
// ignores or reinterprets (kernel memory limits, personality flags,
// relative mount destinations), and mounts that maskedPaths hide. It is for "hull check" and for logging at
// create; none of them stops a container. Like Validate it is pure.
func Warnings(b *Bundle) []*FieldError {
	if b == nil || b.Spec == nil {
		return nil
	}
	var out []*FieldError
	add := func(path string, v any, msg string) {
		out = append(out, &FieldError{File: b.ConfigPath, Path: path, Value: v, Msg: msg})
	}
	s := b.Spec
	for i, m := range s.Mounts {
		// The kernel ignores data for a bind mount; runc passes such
		// configs (the OCI validation suite has one), so hull does too.
		if mnt := parseMountOptions(m.Options); mnt.IsBind() && mnt.Data != "" {
			add(jsonIndex("mounts", i)+".options", m.Options, fmt.Sprintf("filesystem options (%s) are ignored on a bind mount; remove them, or mount the filesystem itself", mnt.Data))
		}
		if m.Destination != "" && !filepath.IsAbs(m.Destination) {
			add(jsonIndex("mounts", i)+".destination", m.Destination, "relative destinations are deprecated and taken as relative to the container's /; make it absolute")
		}
	}
	if s.Linux == nil {
		return out
	}
	if r := s.Linux.Resources; r != nil && r.Memory != nil {
		if r.Memory.Kernel != nil { //nolint:staticcheck // reported because deprecated
			add("linux.resources.memory.kernel", *r.Memory.Kernel, "kernel memory limits are ignored (removed from Linux 6.x); remove it") //nolint:staticcheck
		}
		if r.Memory.KernelTCP != nil {
			add("linux.resources.memory.kernelTCP", *r.Memory.KernelTCP, "kernel TCP memory limits are ignored; remove it")
		}
		if r.Memory.UseHierarchy != nil {
			add("linux.resources.memory.useHierarchy", *r.Memory.UseHierarchy, "ignored: hierarchical accounting is always on; remove it")
		}
	}
	for i, m := range s.Mounts {
		for j, masked := range s.Linux.MaskedPaths {
			if m.Destination == masked || strings.HasPrefix(m.Destination, strings.TrimSuffix(masked, "/")+"/") {
				add(jsonIndex("mounts", i)+".destination", m.Destination, fmt.Sprintf("is hidden by linux.maskedPaths[%d] (%q), which is applied after mounts; remove one of them", j, masked))
			}
		}
	}
	return out
}
