package linux

// A rootless container's cgroup: whether one is delegated to the user,
// and the check rootless-cgroups (checkRootlessCgroups).

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

// cgroupAccess says whether an unprivileged hull can make and fill the
// cgroup c (a cgroup v2 subtree delegated to the user: a systemd user
// session's, or a directory chowned to it), and when not, why. With the
// systemd driver on cgroup v2 the user's systemd makes the cgroup.
//
// delegated is, for a cgroupfs-driven cgroup v2 container, the existing
// cgroup the container's would be made under: its cgroup.controllers
// are the controllers the container can have.
func cgroupAccess(c *cgroups.Cgroup) (ok bool, why, delegated string) {
	if cgroups.IsCgroup2UnifiedMode() {
		if c.Systemd {
			return true, "", ""
		}
		m, err := fs2.NewManager(c, "")
		if err != nil {
			return false, err.Error(), ""
		}
		target := m.Path("")
		dir := existingAncestor(target)
		if ok, why := cgroupWritable(target); !ok {
			return false, why, dir
		}
		// Moving hull's process into the new cgroup needs write access
		// to the cgroup.procs of the common ancestor of hull's cgroup and
		// the new one (cgroups(7), "Delegation containment"): hull must
		// run inside the delegated subtree.
		if own, err := ownCgroup2(); err == nil {
			common := commonAncestor(filepath.Join(fs2.UnifiedMountpoint, own), target)
			if err := unix.Access(filepath.Join(common, "cgroup.procs"), unix.W_OK); err != nil {
				return false, fmt.Sprintf("hull runs in cgroup %s, outside the subtree delegated to uid %d: it cannot move the container into %s (%s/cgroup.procs: %v)",
					own, os.Geteuid(), target, common, err), dir
			}
		}
		return true, "", dir
	}
	if c.Systemd {
		return false, "this host has cgroup v1, which has no rootless systemd driver", ""
	}
	// fs.NewManager wants resources; the paths do not depend on them.
	probe := *c
	probe.Resources = &cgroups.Resources{}
	m, err := fs.NewManager(&probe, nil)
	if err != nil {
		return false, err.Error(), ""
	}
	paths := m.GetPaths()
	names := make([]string, 0, len(paths))
	for n := range paths {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "" {
			continue // cgroup v2's hierarchy of a hybrid host: no limits there
		}
		if ok, why := cgroupWritable(paths[n]); !ok {
			return false, why + " (cgroup v1)", ""
		}
	}
	return true, "", ""
}

// existingAncestor is dir, or its nearest parent that exists.
func existingAncestor(dir string) string {
	d := dir
	for {
		if _, err := os.Stat(d); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return d
		}
		d = parent
	}
}

// cgroupWritable says whether the user may make cgroup dir and move the
// container's process there: whether the nearest directory of it that
// exists is writable, and for a new cgroup v2 directory the parent's
// cgroup.subtree_control (the controllers are enabled there) and
// cgroup.procs (a move between two cgroups needs write access to the
// cgroup.procs of their common ancestor: cgroups(7), "Delegation
// containment"; hull's own cgroup is the new one's sibling) too.
func cgroupWritable(dir string) (bool, string) {
	d := existingAncestor(dir)
	if err := unix.Access(d, unix.W_OK); err != nil {
		return false, fmt.Sprintf("cgroup %s is not delegated to uid %d (%v)", d, os.Geteuid(), err)
	}
	if d == dir {
		return true, ""
	}
	if !cgroups.IsCgroup2UnifiedMode() {
		return true, "" // v1 moves need the new cgroup's cgroup.procs only
	}
	for _, f := range []string{"cgroup.subtree_control", "cgroup.procs"} {
		p := filepath.Join(d, f)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := unix.Access(p, unix.W_OK); err != nil {
			return false, fmt.Sprintf("cgroup %s is not delegated to uid %d (%s: %v)", d, os.Geteuid(), f, err)
		}
	}
	return true, ""
}

// droppedResource is one field of linux.resources a rootless container
// without a cgroup runs without, with the controller runc names.
type droppedResource struct{ path, controller string }

// settableResources lists the fields of r that would need the
// container's cgroup. linux.resources.devices is not among them: in a
// user namespace the container cannot mknod, so what it can open is
// decided by the host's nodes it gets bind-mounted, and libcontainer (as
// runc) ignores the device controller of a rootless container anyway.
func settableResources(r *specs.LinuxResources) []droppedResource {
	if r == nil {
		return nil
	}
	var out []droppedResource
	add := func(set bool, field, controller string) {
		if set {
			out = append(out, droppedResource{"linux.resources." + field, controller})
		}
	}
	add(r.Memory != nil, "memory", "memory")
	add(r.CPU != nil, "cpu", "cpu")
	add(r.Pids != nil, "pids", "pids")
	add(r.BlockIO != nil, "blockIO", "blkio")
	add(len(r.HugepageLimits) > 0, "hugepageLimits", "hugetlb")
	add(r.Network != nil, "network", "net_cls")
	add(len(r.Rdma) > 0, "rdma", "rdma")
	add(len(r.Unified) > 0, "unified", "unified")
	return out
}

// checkRootlessCgroups (the check rootless-cgroups) decides, for a
// container under the rootless cgroup rules, what happens where hull may
// not make its cgroup: a linux.cgroupsPath is refused (libcontainer would
// fail on it after making the container's state), and linux.resources
// are dropped with a warning each, so that the container runs without
// limits rather than failing at start as runc's does ("cannot set memory
// limit: container could not join or create cgroup"). With a delegated
// cgroup everything applies.
func checkRootlessCgroups(r *prepared) {
	if !r.o.RootlessCgroups || r.cfg == nil || r.b.Spec.Linux == nil {
		return
	}
	if r.cfg.Cgroups.Systemd && !cgroups.IsCgroup2UnifiedMode() {
		// runc's words (libcontainer's, when it makes the manager, after
		// the container's state).
		r.error(spec.Lead("cannot use rootless systemd cgroups manager on cgroup v1",
			errors.New("a rootless container's systemd cgroup driver needs cgroup v2 and the user's systemd; leave out --systemd-cgroup")))
		return
	}
	ok, why, delegated := cgroupAccess(r.cfg.Cgroups)
	if ok {
		if delegated != "" {
			checkDelegatedControllers(r, delegated)
		}
		return
	}
	if p := r.b.Spec.Linux.CgroupsPath; p != "" {
		r.field(SeverityError, "linux.cgroupsPath", p,
			fmt.Sprintf("a rootless container cannot create or join this cgroup: %s; remove linux.cgroupsPath, or delegate a cgroup v2 subtree to the user (systemd: a user session, or systemd-run --user -p Delegate=yes)", why))
		return
	}
	dropped := settableResources(r.b.Spec.Linux.Resources)
	for _, d := range dropped {
		// runc's words, which runc fails with, then why and what hull
		// does instead.
		r.field(SeverityWarning, d.path, nil,
			fmt.Sprintf("cannot set %s limit: container could not join or create cgroup: rootless, and %s; the container runs without this limit (a cgroup v2 subtree delegated to the user, such as a systemd user session's, would have it)", d.controller, why))
	}
	if len(dropped) > 0 {
		// Keep the device rules: libcontainer ignores them for a
		// rootless container, as runc's does.
		r.cfg.Cgroups.Resources = &cgroups.Resources{Devices: r.cfg.Cgroups.Resources.Devices}
	}
}

// checkDelegatedControllers refuses, for a container whose cgroup v2 is
// made under the delegated cgroup dir, each linux.resources field whose
// controller dir does not offer (systemd delegates memory and pids to a
// user by default, not cpu or io): libcontainer would fail on it at
// start.
func checkDelegatedControllers(r *prepared, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return // libcontainer will say
	}
	have := strings.Fields(string(data))
	for _, m := range missingControllers(r.b.Spec.Linux.Resources, have) {
		r.field(SeverityError, m.path, nil, fmt.Sprintf("needs the %s controller, which the cgroup delegated to the user (%s) does not have (it has: %s); delegate it (systemd: Delegate=%s in a drop-in for user@.service) or remove the field",
			m.controller, dir, strings.Join(have, " "), m.controller))
	}
}

// missingControllers lists the fields of res whose cgroup v2 controller
// is not among have.
func missingControllers(res *specs.LinuxResources, have []string) []droppedResource {
	if res == nil {
		return nil
	}
	var out []droppedResource
	need := func(set bool, path, controller string) {
		if set && !slices.Contains(have, controller) {
			out = append(out, droppedResource{path, controller})
		}
	}
	need(res.Memory != nil, "linux.resources.memory", "memory")
	if c := res.CPU; c != nil {
		need(c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil || c.Idle != nil ||
			c.RealtimeRuntime != nil || c.RealtimePeriod != nil, "linux.resources.cpu", "cpu")
		need(c.Cpus != "" || c.Mems != "", "linux.resources.cpu", "cpuset")
	}
	need(res.Pids != nil, "linux.resources.pids", "pids")
	need(res.BlockIO != nil, "linux.resources.blockIO", "io")
	need(len(res.HugepageLimits) > 0, "linux.resources.hugepageLimits", "hugetlb")
	need(len(res.Rdma) > 0, "linux.resources.rdma", "rdma")
	keys := make([]string, 0, len(res.Unified))
	for k := range res.Unified {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// "memory.max": the controller's name is the file's prefix;
		// cgroup.* files are the core's.
		if c, _, ok := strings.Cut(k, "."); ok && c != "cgroup" {
			need(true, spec.Path("linux.resources.unified", k), c)
		}
	}
	return out
}

// ownCgroup2 is hull's cgroup v2 path, from /proc/self/cgroup.
func ownCgroup2() (string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p, nil
		}
	}
	return "", errors.New("no cgroup v2 line in /proc/self/cgroup")
}

// commonAncestor is the longest directory path both a and b (clean,
// absolute) are in.
func commonAncestor(a, b string) string {
	as, bs := strings.Split(filepath.Clean(a), "/"), strings.Split(filepath.Clean(b), "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	if n <= 1 {
		return "/"
	}
	return strings.Join(as[:n], "/")
}
