package linux

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/cgroups"
	cgsystemd "github.com/opencontainers/cgroups/systemd"
	"github.com/opencontainers/runc/libcontainer/apparmor"
	"github.com/opencontainers/runc/libcontainer/capabilities"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/intelrdt"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

// The host checks: what config.json asks of this host that it cannot do
// (security modules that are not there, cgroup settings whose controller
// or file this host lacks, kernel features that are missing), which
// libcontainer would fail on half-way or quietly skip, and what it will
// skip as runc does (warnings). Each finding is a *spec.FieldError.

// checkCapabilities: capabilities this host cannot give. capset(2) would
// fail with a bare EPERM in the container's init for some (errors);
// libcontainer skips the others, as runc does (warnings).
func checkCapabilities(r *prepared) {
	p := r.b.Spec.Process
	if p == nil {
		return
	}
	for _, c := range capabilityFindings(p.Capabilities, supportedCapabilities(), boundedCapabilities()) {
		if c.refuse {
			r.field(SeverityError, c.path, c.name, "not in this host's capability bounding set, so no container here can have it (see \"hull check --host\"); remove it")
		} else {
			r.field(SeverityWarning, c.path, c.name, c.msg)
		}
	}
}

// checkSecurityModules: an AppArmor profile or SELinux label on a host
// without that module.
func checkSecurityModules(r *prepared) {
	s := r.b.Spec
	if p := s.Process; p != nil {
		if p.ApparmorProfile != "" && !apparmor.IsEnabled() {
			r.field(SeverityError, "process.apparmorProfile", p.ApparmorProfile, "AppArmor is not enabled on this host; remove the profile")
		}
		if p.SelinuxLabel != "" && !selinux.GetEnabled() {
			r.field(SeverityError, "process.selinuxLabel", p.SelinuxLabel, "SELinux is not enabled on this host; remove the label")
		}
	}
	if l := s.Linux; l != nil && l.MountLabel != "" && !selinux.GetEnabled() {
		r.field(SeverityError, "linux.mountLabel", l.MountLabel, "SELinux is not enabled on this host; remove the label")
	}
}

// checkSeccompArchitectures: architectures this libseccomp cannot add to
// a filter here.
func checkSeccompArchitectures(r *prepared) {
	l := r.b.Spec.Linux
	if l == nil || l.Seccomp == nil {
		return
	}
	for i, a := range l.Seccomp.Architectures {
		if !seccompArchUsable(string(a)) {
			r.field(SeverityError, spec.Path("linux.seccomp.architectures", i), string(a),
				"this libseccomp cannot add it to a filter for this machine's architecture; remove it")
		}
	}
}

// checkKernelNamespaces: new namespaces of a type this kernel lacks.
func checkKernelNamespaces(r *prepared) {
	l := r.b.Spec.Linux
	if l == nil {
		return
	}
	for i, ns := range l.Namespaces {
		if ns.Path != "" {
			continue
		}
		if file := spec.NamespaceFile(ns.Type); file != "" {
			if _, err := os.Stat("/proc/self/ns/" + file); err != nil {
				r.field(SeverityError, spec.Path("linux.namespaces", i, "type"), string(ns.Type), fmt.Sprintf("this kernel has no %s namespace", ns.Type))
			}
		}
	}
}

func checkIntelRdt(r *prepared) {
	if l := r.b.Spec.Linux; l != nil && l.IntelRdt != nil && !intelrdt.IsEnabled() {
		r.field(SeverityError, "linux.intelRdt", nil, "this host has no Intel RDT (resctrl is not mounted); remove linux.intelRdt")
	}
}

func checkIdmappedMounts(r *prepared) {
	if r.b.Spec.Linux == nil {
		return // as before: the mappings need a user namespace anyway
	}
	for i, m := range r.b.Spec.Mounts {
		if (len(m.UIDMappings) > 0 || len(m.GIDMappings) > 0) && !idmappedMounts() {
			r.field(SeverityError, spec.Path("mounts", i), m.Destination, "this kernel has no idmapped mounts (Linux 5.12 or later); remove the mappings")
		}
	}
}

// checkCpusetOnline: see onlineCheck.
func checkCpusetOnline(r *prepared) {
	l := r.b.Spec.Linux
	if l == nil || l.Resources == nil || l.Resources.CPU == nil {
		return
	}
	cpu := l.Resources.CPU
	onlineCheck(r, "linux.resources.cpu.cpus", cpu.Cpus, "/sys/devices/system/cpu/online", "CPUs")
	onlineCheck(r, "linux.resources.cpu.mems", cpu.Mems, "/sys/devices/system/node/online", "memory nodes")
}

// cgroupDriverCheck (the check cgroup-driver) reports what the cgroup
// driver chosen on the command line needs and this host lacks: the
// systemd driver needs systemd as the host's service manager
// (sd_booted(3)), as libcontainer checks when it makes the cgroup manager.
func cgroupDriverCheck(systemd bool) error {
	if systemd && !cgsystemd.IsRunningSystemd() {
		// runc's words lead: create met them from libcontainer before
		// this check ran there too.
		return spec.Lead("systemd not running on this host, cannot use systemd cgroups manager",
			errors.New("--systemd-cgroup needs systemd as this host's service manager (there is no /run/systemd/system); leave the flag out to use the cgroupfs driver"))
	}
	return nil
}

// capFinding is a capability of config.json this host cannot give.
type capFinding struct {
	path, name string
	// refuse: capset(2) would fail (the kernel has it but hull's
	// bounding set does not, and it is asked for in the effective,
	// permitted or inheritable set). Otherwise the container runs
	// without it, as under runc, and msg says why.
	refuse bool
	msg    string
}

// capabilityFindings sorts the capabilities libcontainer knows (unknown
// names are spec.Warnings' business) that this host cannot give:
// supported are the kernel's, bounded hull's own bounding set.
func capabilityFindings(c *specs.LinuxCapabilities, supported, bounded []string) []capFinding {
	inKernel, inBounding := map[string]bool{}, map[string]bool{}
	for _, n := range supported {
		inKernel[n] = true
	}
	for _, n := range bounded {
		inBounding[n] = true
	}
	var out []capFinding
	for _, set := range spec.CapabilitySets(c) {
		for i, name := range set.Caps {
			f := capFinding{path: spec.Path("process.capabilities", set.Name, i), name: name}
			switch {
			case !spec.KnownCapability(name), inKernel[name] && inBounding[name]:
				continue
			case !inKernel[name]:
				f.msg = "this kernel does not have this capability, so it is ignored (as runc does); the container runs without it"
			case set.Name == "bounding":
				// Dropping from the bounding set what is not there is
				// no error: the container's set simply lacks it.
				f.msg = "not in this host's capability bounding set, so the container's cannot have it either; it runs without it, as under runc (see \"hull check --host\")"
			case set.Name == "ambient":
				// libcontainer warns that it cannot raise it and goes on.
				f.msg = "not in this host's capability bounding set, so it cannot be raised; the container runs without it, as under runc (see \"hull check --host\")"
			default:
				f.refuse = true
			}
			out = append(out, f)
		}
	}
	return out
}

// supportedCapabilities lists the capabilities this kernel has (all known
// ones when it cannot tell).
func supportedCapabilities() []string {
	list, err := capability.ListSupported()
	if err != nil {
		return capabilities.KnownCapabilities()
	}
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = "CAP_" + strings.ToUpper(c.String())
	}
	return out
}

// checkCgroupControllers finds resource settings this host's cgroups
// cannot apply.
func checkCgroupControllers(pr *prepared) {
	l := pr.b.Spec.Linux
	if l == nil || l.Resources == nil {
		return
	}
	r := l.Resources
	add := func(path string, v any, format string, a ...any) {
		pr.field(SeverityError, path, v, fmt.Sprintf(format, a...))
	}
	if cgroups.IsCgroup2UnifiedMode() {
		checkCgroupV2(pr, r)
		return
	}
	keys := make([]string, 0, len(r.Unified))
	for k := range r.Unified {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// runc's words lead; scripts match "invalid configuration".
		pr.error(spec.Lead(cgroups.ErrV1NoUnified.Error(), &spec.FieldError{File: pr.b.ConfigPath,
			Path: spec.Path("linux.resources.unified", k), Value: r.Unified[k],
			Msg: "this host uses cgroup v1; unified (cgroup v2) settings cannot apply: use the v1 fields or remove it"}))
	}
	// controller whose v1 hierarchy must be mounted for a setting.
	need := func(path, controller string, set bool) string {
		if !set {
			return ""
		}
		mnt, err := cgroups.FindCgroupMountpoint("", controller)
		if err != nil {
			hint := ""
			if controller == "hugetlb" && cgroups.IsCgroup2HybridMode() {
				hint = " (on this host hugetlb is on the cgroup v2 side of a hybrid setup, which libcontainer's v1 driver does not use)"
			}
			add(path, nil, "this host has no cgroup v1 %s controller%s; remove it", controller, hint)
			return ""
		}
		return mnt
	}
	need("linux.resources.hugepageLimits", "hugetlb", len(r.HugepageLimits) > 0)
	need("linux.resources.rdma", "rdma", len(r.Rdma) > 0)
	if n := r.Network; n != nil {
		need("linux.resources.network.classID", "net_cls", n.ClassID != nil)
		need("linux.resources.network.priorities", "net_prio", len(n.Priorities) > 0)
	}
	if bio := r.BlockIO; bio != nil {
		weighted := bio.Weight != nil || bio.LeafWeight != nil || len(bio.WeightDevice) > 0
		throttled := len(bio.ThrottleReadBpsDevice)+len(bio.ThrottleWriteBpsDevice)+len(bio.ThrottleReadIOPSDevice)+len(bio.ThrottleWriteIOPSDevice) > 0
		mnt := need("linux.resources.blockIO", "blkio", weighted || throttled)
		if mnt != "" && weighted && !fileExists(filepath.Join(mnt, "blkio.weight")) && !fileExists(filepath.Join(mnt, "blkio.bfq.weight")) {
			const msg = "this kernel's blkio controller has no weight files (no CFQ or BFQ I/O scheduler); remove it"
			if bio.Weight != nil {
				add("linux.resources.blockIO.weight", *bio.Weight, msg)
			}
			if bio.LeafWeight != nil {
				add("linux.resources.blockIO.leafWeight", *bio.LeafWeight, msg)
			}
			for i, wd := range bio.WeightDevice {
				add(spec.Path("linux.resources.blockIO.weightDevice", i), fmt.Sprintf("%d:%d", wd.Major, wd.Minor), msg)
			}
		}
	}
	if c := r.CPU; c != nil {
		mnt := need("linux.resources.cpu", "cpu", c.Shares != nil || c.Quota != nil || c.Period != nil || c.Burst != nil || c.RealtimePeriod != nil || c.RealtimeRuntime != nil || c.Idle != nil)
		if mnt != "" && (c.RealtimePeriod != nil || c.RealtimeRuntime != nil) && !fileExists(filepath.Join(mnt, "cpu.rt_runtime_us")) {
			add("linux.resources.cpu.realtimeRuntime", nil, "this kernel has no CPU realtime group scheduling (CONFIG_RT_GROUP_SCHED); remove the realtime settings")
		}
		if mnt != "" && c.Burst != nil && !fileExists(filepath.Join(mnt, "cpu.cfs_burst_us")) {
			add("linux.resources.cpu.burst", *c.Burst, "this kernel has no CPU burst (Linux 5.14 or later); remove it")
		}
		need("linux.resources.cpu.cpus", "cpuset", c.Cpus != "" || c.Mems != "")
	}
	if m := r.Memory; m != nil {
		mnt := need("linux.resources.memory", "memory", m.Limit != nil || m.Reservation != nil || m.Swap != nil || m.Swappiness != nil || m.DisableOOMKiller != nil)
		if mnt != "" && m.Swap != nil && *m.Swap > 0 && !fileExists(filepath.Join(mnt, "memory.memsw.limit_in_bytes")) {
			add("linux.resources.memory.swap", *m.Swap, "this kernel does not account swap (swapaccount=0); remove the swap limit")
		}
	}
	need("linux.resources.pids", "pids", r.Pids != nil && r.Pids.Limit != nil)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// checkRlimitCeiling refuses hard limits above hull's own when hull lacks
// CAP_SYS_RESOURCE: setrlimit(2) would fail in the container's init with
// a bare "operation not permitted" naming the resource by number.
func checkRlimitCeiling(r *prepared) {
	p := r.b.Spec.Process
	if p == nil || len(p.Rlimits) == 0 || hasCapability(capability.CAP_SYS_RESOURCE) {
		return
	}
	for i, rl := range p.Rlimits {
		res, ok := spec.RlimitResource(rl.Type)
		if !ok {
			continue // Validate names unknown types
		}
		var cur unix.Rlimit
		if err := unix.Getrlimit(res, &cur); err != nil || cur.Max == unix.RLIM_INFINITY || rl.Hard <= cur.Max {
			continue
		}
		r.field(SeverityError, spec.Path("process.rlimits", i, "hard"), rl.Hard,
			fmt.Sprintf("%s above hull's own hard limit (%d) needs CAP_SYS_RESOURCE, which hull does not have here; lower it to at most %d", rl.Type, cur.Max, cur.Max))
	}
}

// hasCapability reports whether hull has c in its effective set.
func hasCapability(c capability.Cap) bool {
	caps, err := capability.NewPid2(0)
	if err != nil || caps.Load() != nil {
		return true // cannot tell: let the kernel decide
	}
	return caps.Get(capability.EFFECTIVE, c)
}

// onlineCheck refuses a cpuset list naming CPUs or memory nodes this host
// does not have online: the kernel's answer is a bare "numerical result
// out of range" from a cgroup file. A config moved between machines hits
// it.
func onlineCheck(r *prepared, jsonPath, list, onlineFile, what string) {
	want, err := configs.ToCPUSet(list)
	if err != nil || want == nil {
		return // empty, or Validate's to report
	}
	data, err := os.ReadFile(onlineFile)
	if err != nil {
		return
	}
	onlineList := strings.TrimSpace(string(data))
	online, err := configs.ToCPUSet(onlineList)
	if err != nil || online == nil {
		return
	}
	var missing []string
	for i := range len(want) * 64 {
		if want.IsSet(i) && !online.IsSet(i) {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		r.field(SeverityError, jsonPath, list, fmt.Sprintf("%s %s are not online on this host (online: %s); use those", what, strings.Join(missing, ","), onlineList))
	}
}

// idmappedMounts reports whether the kernel has mount_setattr(2) with
// MOUNT_ATTR_IDMAP (Linux 5.12): on an invalid fd a kernel that has the
// call answers EBADF, one that lacks it ENOSYS.
func idmappedMounts() bool {
	err := unix.MountSetattr(-1, "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP})
	return err != unix.ENOSYS
}

// boundedCapabilities are the capabilities libcontainer knows that hull
// itself holds in its bounding set: a container cannot get the others
// (here, for one, CAP_SYS_RESOURCE may be missing). prctl(2)'s
// PR_CAPBSET_READ answers for the calling thread, whose bounding set hull
// never changes: the set /proc/self/status's CapBnd shows, without the
// file's reading and parsing (capability.Load), ~0.1 ms of each create.
func boundedCapabilities() []string {
	byName := map[string]capability.Cap{}
	for _, c := range capability.ListKnown() {
		byName["CAP_"+strings.ToUpper(c.String())] = c
	}
	var out []string
	for _, name := range capabilities.KnownCapabilities() {
		c, ok := byName[name]
		if !ok {
			continue
		}
		// EINVAL: a capability this kernel does not have, so not held.
		if in, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err == nil && in == 1 {
			out = append(out, name)
		}
	}
	return out
}
