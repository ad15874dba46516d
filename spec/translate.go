package spec

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	systemdDbus "github.com/coreos/go-systemd/v22/dbus"
	dbus "github.com/godbus/dbus/v5"
	"github.com/opencontainers/cgroups"
	devices "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/seccomp"
)

// Translate turns a bundle into the libcontainer configuration of the
// container and its first process. It first runs Validate, then the checks
// that depend on opts, and returns every problem found (as *FieldError,
// joined). It produces the same configuration as runc's specconv for the
// same input, with the differences listed in oracle_test.go: labels are
// sorted, Config.Rlimits and Config.AppArmorProfile are also set, and
// nothing is shared with b.Spec (the result may be modified freely).
//
// Translate does not touch the host; what needs it comes through
// opts.UserNSMappings and opts.SeccompFlagSupported.
func Translate(b *Bundle, opts Options) (*configs.Config, *Process, error) {
	v, err := Validated(b)
	if err != nil {
		return nil, nil, err
	}
	return v.Translate(opts)
}

// Valid is a Bundle that Validate accepted. It lets a caller that has
// validated a bundle already (to list the problems with others) translate
// it without validating it a second time.
type Valid struct{ b *Bundle }

// Validated runs Validate and returns b as Valid when it finds nothing.
func Validated(b *Bundle) (*Valid, error) {
	if err := Validate(b); err != nil {
		return nil, err
	}
	return &Valid{b: b}, nil
}

// Translate is Translate without its first step: the checks that depend
// on opts, then the configuration. The bundle's Spec must not have been
// changed since Validated.
func (v *Valid) Translate(opts Options) (*configs.Config, *Process, error) {
	b := v.b
	t := &translator{checker: checker{file: b.ConfigPath}, b: b, s: b.Spec, opts: opts}
	cfg := t.config()
	if err := errors.Join(t.errs...); err != nil {
		return nil, nil, err
	}
	return cfg, newProcess(b.Spec.Process), nil
}

type translator struct {
	checker
	b    *Bundle
	s    *specs.Spec
	opts Options
}

func (t *translator) config() *configs.Config {
	s, opts := t.s, t.opts
	rootfs := s.Root.Path
	if !filepath.IsAbs(rootfs) {
		rootfs = filepath.Join(t.b.Dir, rootfs)
	}
	// runc lists annotations in map order, then the bundle; we sort them
	// so that the stored state is reproducible.
	labels := make([]string, 0, len(s.Annotations)+1)
	for _, k := range sortedKeys(s.Annotations) {
		labels = append(labels, k+"="+s.Annotations[k])
	}
	labels = append(labels, "bundle="+t.b.Dir)
	cfg := &configs.Config{
		Rootfs:          rootfs,
		NoPivotRoot:     opts.NoPivotRoot,
		Readonlyfs:      s.Root.Readonly,
		Hostname:        s.Hostname,
		Domainname:      s.Domainname,
		Labels:          labels,
		NoNewKeyring:    opts.NoNewKeyring,
		RootlessEUID:    opts.RootlessEUID,
		RootlessCgroups: opts.RootlessCgroups,
		Version:         specs.Version,
		Hooks:           t.hooks(),
	}
	for _, m := range s.Mounts {
		cfg.Mounts = append(cfg.Mounts, t.mount(m))
	}
	defaults := t.devices(cfg)
	cfg.Cgroups = t.cgroup(defaults)
	if l := s.Linux; l != nil {
		t.linux(cfg, l)
	}
	t.cgroupOwner(cfg)
	if p := s.Process; p != nil {
		t.processConfig(cfg, p)
	}
	t.rootless(cfg)
	return cfg
}

func (t *translator) mount(m specs.Mount) *configs.Mount {
	mnt := parseMountOptions(m.Options)
	mnt.Source = m.Source
	mnt.Destination = m.Destination
	mnt.Device = m.Type
	if mnt.IsBind() {
		// The type of a bind mount means nothing to the kernel, and
		// libcontainer recognises bind mounts by Device == "bind". A
		// relative source is relative to the bundle, as runc has it.
		mnt.Device = "bind"
		// mount(2) ignores data for a bind mount, and libcontainer
		// refuses a bind mount that has any; runc 1.1 passed such
		// configs, so hull drops it (Warnings says so).
		mnt.Data = ""
		if !filepath.IsAbs(mnt.Source) {
			mnt.Source = filepath.Join(t.b.Dir, m.Source)
		}
	}
	if m.UIDMappings != nil || m.GIDMappings != nil {
		if mnt.IDMapping == nil {
			mnt.IDMapping = &configs.MountIDMapping{}
		}
		mnt.IDMapping.UIDMappings = idMaps(m.UIDMappings)
		mnt.IDMapping.GIDMappings = idMaps(m.GIDMappings)
	}
	return mnt
}

func idMaps(in []specs.LinuxIDMapping) []configs.IDMap {
	if in == nil {
		return nil
	}
	out := make([]configs.IDMap, len(in))
	for i, m := range in {
		out[i] = configs.IDMap{ContainerID: int64(m.ContainerID), HostID: int64(m.HostID), Size: int64(m.Size)}
	}
	return out
}

// defaultDevices are created in, and allowed for, every container, as
// runc does: the standard character devices, mknod of anything, the
// /dev/pts and /dev/ptmx devices (136:* and 5:2) and /dev/net/tun (10:200,
// kept by runc for compatibility). A linux.devices entry with the same
// path replaces the default one. Built fresh on each call: Translate may
// change the uid/gid of the devices it returns.
func defaultDevices() []*devices.Device {
	node := func(path string, major, minor int64) *devices.Device {
		return &devices.Device{
			Path:     path,
			FileMode: 0o666,
			Rule:     devices.Rule{Type: devices.CharDevice, Major: major, Minor: minor, Permissions: "rwm", Allow: true},
		}
	}
	rule := func(typ devices.Type, major, minor int64, perms devices.Permissions) *devices.Device {
		return &devices.Device{Rule: devices.Rule{Type: typ, Major: major, Minor: minor, Permissions: perms, Allow: true}}
	}
	return []*devices.Device{
		rule(devices.CharDevice, devices.Wildcard, devices.Wildcard, "m"),
		rule(devices.BlockDevice, devices.Wildcard, devices.Wildcard, "m"),
		node("/dev/null", 1, 3),
		node("/dev/random", 1, 8),
		node("/dev/full", 1, 7),
		node("/dev/tty", 5, 0),
		node("/dev/zero", 1, 5),
		node("/dev/urandom", 1, 9),
		rule(devices.CharDevice, 136, devices.Wildcard, "rwm"),
		rule(devices.CharDevice, 5, 2, "rwm"),
		rule(devices.CharDevice, 10, 200, "rwm"),
	}
}

// devices fills cfg.Devices and returns the default devices whose cgroup
// rules are appended after the user's.
func (t *translator) devices(cfg *configs.Config) []*devices.Device {
	var specDevs []specs.LinuxDevice
	if t.s.Linux != nil {
		specDevs = t.s.Linux.Devices
	}
	var kept []*devices.Device
	for _, d := range defaultDevices() {
		if d.Path != "" && slices.ContainsFunc(specDevs, func(sd specs.LinuxDevice) bool { return sd.Path == d.Path }) {
			continue
		}
		kept = append(kept, d)
		if d.Path != "" {
			// A copy: the uid/gid set for a user namespace must not
			// leak into the cgroup rule list's device.
			dc := *d
			cfg.Devices = append(cfg.Devices, &dc)
		}
	}
	for _, d := range specDevs {
		dev := &devices.Device{
			Path:     d.Path,
			FileMode: 0o666,
			Rule:     devices.Rule{Type: deviceType(d.Type), Major: d.Major, Minor: d.Minor},
		}
		if dev.Type == devices.FifoDevice {
			// mknod(2) ignores a FIFO's device number and libcontainer
			// then refuses the node it made for not having the one asked
			// for (runc 1.5 fails so); a FIFO has none.
			dev.Major, dev.Minor = 0, 0
		}
		if d.FileMode != nil {
			dev.FileMode = *d.FileMode &^ unix.S_IFMT
		}
		if d.UID != nil {
			dev.Uid = *d.UID
		}
		if d.GID != nil {
			dev.Gid = *d.GID
		}
		cfg.Devices = append(cfg.Devices, dev)
	}
	return kept
}

func deviceType(s string) devices.Type {
	switch s {
	case "b":
		return devices.BlockDevice
	case "p":
		return devices.FifoDevice
	}
	return devices.CharDevice // "c" and "u" (unbuffered character)
}

func cgroupDeviceType(s string) devices.Type {
	switch s {
	case "b":
		return devices.BlockDevice
	case "c":
		return devices.CharDevice
	}
	return devices.WildcardDevice // "" and "a"
}

func (t *translator) cgroup(defaults []*devices.Device) *cgroups.Cgroup {
	s, opts := t.s, t.opts
	c := &cgroups.Cgroup{
		Systemd:   opts.SystemdCgroup,
		Rootless:  opts.RootlessCgroups,
		Resources: &cgroups.Resources{},
	}
	var path string
	if s.Linux != nil {
		path = s.Linux.CgroupsPath
	}
	if opts.SystemdCgroup {
		c.SystemdProps = t.systemdProps()
		if path == "" {
			// systemd's driver picks the parent slice.
			c.ScopePrefix = "runc"
			c.Name = opts.ID
		} else {
			parts := strings.Split(path, ":")
			if len(parts) != 3 {
				t.add("linux.cgroupsPath", path, `with the systemd cgroup driver it must be "slice:prefix:name", e.g. "system.slice:hull:mycontainer"`)
			} else {
				c.Parent, c.ScopePrefix, c.Name = parts[0], parts[1], parts[2]
			}
		}
	} else {
		if path == "" {
			c.Name = opts.ID
		} else {
			c.Path = lexicallyClean(path)
		}
	}
	if s.Linux != nil && s.Linux.Resources != nil {
		t.resources(c.Resources, s.Linux.Resources)
	}
	for _, d := range defaults {
		rule := d.Rule
		c.Resources.Devices = append(c.Resources.Devices, &rule)
	}
	return c
}

// lexicallyClean cleans a cgroups path without letting ".." climb above
// its start: relative paths stay relative, absolute ones stay under /.
func lexicallyClean(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	rel, _ := filepath.Rel("/", filepath.Clean("/"+p)) // cannot fail: both are absolute
	return rel
}

// systemdProps turns "org.systemd.property.<Name>" annotations into unit
// properties, as runc does: the value is in GVariant text format, and
// a name ending in "Sec" (after a lower-case letter) is converted to the
// "USec" property systemd expects.
func (t *translator) systemdProps() []systemdDbus.Property {
	var props []systemdDbus.Property
	for _, k := range sortedKeys(t.s.Annotations) {
		name, ok := strings.CutPrefix(k, systemdPropertyPrefix)
		if !ok {
			continue
		}
		p := Path("annotations", k)
		v := t.s.Annotations[k]
		if len(name) < 3 || strings.TrimFunc(name, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) != "" {
			t.add(p, v, "the property name after %q must be at least 3 latin letters", systemdPropertyPrefix)
			continue
		}
		value, err := dbus.ParseVariant(v, dbus.Signature{})
		if err != nil {
			t.add(p, v, "not a GVariant value (%v); write e.g. 'uint64 100' or '\"string\"'", err)
			continue
		}
		if base, ok := strings.CutSuffix(name, "Sec"); ok && base != "" && base[len(base)-1] >= 'a' && base[len(base)-1] <= 'z' {
			usec, err := secToUSec(value)
			if err != nil {
				t.add(p, v, "a ...Sec property needs a number of seconds")
				continue
			}
			name, value = base+"USec", usec
		}
		props = append(props, systemdDbus.Property{Name: name, Value: value})
	}
	return props
}

func secToUSec(v dbus.Variant) (dbus.Variant, error) {
	const M = 1_000_000
	var usec uint64
	switch x := v.Value().(type) {
	case byte:
		usec = uint64(x) * M
	case int16:
		usec = uint64(x) * M
	case uint16:
		usec = uint64(x) * M
	case int32:
		usec = uint64(x) * M
	case uint32:
		usec = uint64(x) * M
	case int64:
		usec = uint64(x) * M
	case uint64:
		usec = x * M
	case float64:
		usec = uint64(x * M)
	default:
		return v, errors.New("not a number")
	}
	return dbus.MakeVariant(usec), nil
}

func (t *translator) resources(out *cgroups.Resources, r *specs.LinuxResources) {
	for _, d := range r.Devices {
		major, minor := int64(devices.Wildcard), int64(devices.Wildcard)
		if d.Major != nil {
			major = *d.Major
		}
		if d.Minor != nil {
			minor = *d.Minor
		}
		out.Devices = append(out.Devices, &devices.Rule{
			Type:        cgroupDeviceType(d.Type),
			Major:       major,
			Minor:       minor,
			Permissions: devices.Permissions(d.Access),
			Allow:       d.Allow,
		})
	}
	if m := r.Memory; m != nil {
		setIf(&out.Memory, m.Limit)
		setIf(&out.MemoryReservation, m.Reservation)
		setIf(&out.MemorySwap, m.Swap)
		out.MemorySwappiness = cloneP(m.Swappiness)
		setIf(&out.OomKillDisable, m.DisableOOMKiller)
		setIf(&out.MemoryCheckBeforeUpdate, m.CheckBeforeUpdate)
		// kernel, kernelTCP and useHierarchy are ignored, as by runc
		// (Linux 6.x no longer has kernel memory limits); Warnings
		// reports them.
	}
	if cpu := r.CPU; cpu != nil {
		if cpu.Shares != nil {
			out.CpuShares = *cpu.Shares
			out.CpuWeight = cgroups.ConvertCPUSharesToCgroupV2Value(*cpu.Shares)
		}
		setIf(&out.CpuQuota, cpu.Quota)
		out.CpuBurst = cloneP(cpu.Burst)
		setIf(&out.CpuPeriod, cpu.Period)
		setIf(&out.CpuRtRuntime, cpu.RealtimeRuntime)
		setIf(&out.CpuRtPeriod, cpu.RealtimePeriod)
		out.CpusetCpus = cpu.Cpus
		out.CpusetMems = cpu.Mems
		out.CPUIdle = cloneP(cpu.Idle)
	}
	if r.Pids != nil {
		out.PidsLimit = cloneP(r.Pids.Limit)
	}
	if b := r.BlockIO; b != nil {
		setIf(&out.BlkioWeight, b.Weight)
		setIf(&out.BlkioLeafWeight, b.LeafWeight)
		for _, wd := range b.WeightDevice {
			out.BlkioWeightDevice = append(out.BlkioWeightDevice, weightDeviceOf(wd))
		}
		throttle := func(in []specs.LinuxThrottleDevice) []*cgroups.ThrottleDevice {
			var td []*cgroups.ThrottleDevice
			for _, d := range in {
				td = append(td, throttleDeviceOf(d))
			}
			return td
		}
		out.BlkioThrottleReadBpsDevice = throttle(b.ThrottleReadBpsDevice)
		out.BlkioThrottleWriteBpsDevice = throttle(b.ThrottleWriteBpsDevice)
		out.BlkioThrottleReadIOPSDevice = throttle(b.ThrottleReadIOPSDevice)
		out.BlkioThrottleWriteIOPSDevice = throttle(b.ThrottleWriteIOPSDevice)
	}
	for _, h := range r.HugepageLimits {
		out.HugetlbLimit = append(out.HugetlbLimit, &cgroups.HugepageLimit{Pagesize: h.Pagesize, Limit: h.Limit})
	}
	if len(r.Rdma) > 0 {
		out.Rdma = make(map[string]cgroups.LinuxRdma, len(r.Rdma))
		for k, v := range r.Rdma {
			out.Rdma[k] = cgroups.LinuxRdma{HcaHandles: cloneP(v.HcaHandles), HcaObjects: cloneP(v.HcaObjects)}
		}
	}
	if n := r.Network; n != nil {
		setIf(&out.NetClsClassid, n.ClassID)
		for _, p := range n.Priorities {
			out.NetPrioIfpriomap = append(out.NetPrioIfpriomap, &cgroups.IfPrioMap{Interface: p.Name, Priority: int64(p.Priority)})
		}
	}
	if len(r.Unified) > 0 {
		out.Unified = maps.Clone(r.Unified)
	}
}

func weightDeviceOf(wd specs.LinuxWeightDevice) *cgroups.WeightDevice {
	var w, lw uint16
	setIf(&w, wd.Weight)
	setIf(&lw, wd.LeafWeight)
	return cgroups.NewWeightDevice(wd.Major, wd.Minor, w, lw)
}

func throttleDeviceOf(d specs.LinuxThrottleDevice) *cgroups.ThrottleDevice {
	return cgroups.NewThrottleDevice(d.Major, d.Minor, d.Rate)
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func cloneP[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (t *translator) linux(cfg *configs.Config, l *specs.Linux) {
	if l.RootfsPropagation != "" {
		cfg.RootPropagation = propagationFlags[l.RootfsPropagation]
		if cfg.NoPivotRoot && cfg.RootPropagation&unix.MS_PRIVATE != 0 {
			t.add("linux.rootfsPropagation", l.RootfsPropagation, "private propagation is not safe without pivot_root; drop --no-pivot or use slave/shared")
		}
	}
	for _, n := range l.Namespaces {
		cfg.Namespaces.Add(knownNamespaces[n.Type], n.Path)
	}
	if cfg.Namespaces.IsPrivate(configs.NEWNET) {
		cfg.Networks = []*configs.Network{{Type: "loopback"}}
	}
	if cfg.Namespaces.Contains(configs.NEWUSER) {
		t.userns(cfg, l)
	}
	cfg.MaskPaths = slices.Clone(l.MaskedPaths)
	cfg.ReadonlyPaths = slices.Clone(l.ReadonlyPaths)
	cfg.MountLabel = l.MountLabel
	cfg.Sysctl = maps.Clone(l.Sysctl)
	cfg.TimeOffsets = maps.Clone(l.TimeOffsets)
	if l.Seccomp != nil {
		cfg.Seccomp = t.seccomp(l.Seccomp)
	}
	if r := l.IntelRdt; r != nil {
		cfg.IntelRdt = &configs.IntelRdt{
			ClosID:           r.ClosID,
			Schemata:         slices.Clone(r.Schemata),
			L3CacheSchema:    r.L3CacheSchema,
			MemBwSchema:      r.MemBwSchema,
			EnableMonitoring: r.EnableMonitoring,
		}
	}
	if mp := l.MemoryPolicy; mp != nil {
		nodes, _ := configs.ToCPUSet(mp.Nodes) // checked by Validate
		out := &configs.LinuxMemoryPolicy{Mode: mpolModes[mp.Mode], Nodes: nodes}
		for _, f := range mp.Flags {
			out.Flags |= mpolFlags[f]
		}
		cfg.MemoryPolicy = out
	}
	if pr := l.Personality; pr != nil {
		d := configs.PerLinux
		if pr.Domain == specs.PerLinux32 {
			d = configs.PerLinux32
		}
		cfg.Personality = &configs.LinuxPersonality{Domain: d}
	}
	for name, nd := range l.NetDevices {
		if cfg.NetDevices == nil {
			cfg.NetDevices = map[string]*configs.LinuxNetDevice{}
		}
		cfg.NetDevices[name] = &configs.LinuxNetDevice{Name: nd.Name}
	}
}

func (t *translator) userns(cfg *configs.Config, l *specs.Linux) {
	cfg.UIDMappings = idMaps(l.UIDMappings)
	cfg.GIDMappings = idMaps(l.GIDMappings)
	if path := cfg.Namespaces.PathOf(configs.NEWUSER); path != "" {
		field := "linux.namespaces"
		for i, n := range l.Namespaces {
			if n.Type == specs.UserNamespace {
				field = Path(field, i, "path")
			}
		}
		if t.opts.UserNSMappings == nil {
			t.add(field, path, "joining a user namespace by path is not supported by this caller of package spec")
			return
		}
		uidMap, gidMap, err := t.opts.UserNSMappings(path)
		if err != nil {
			t.add(field, path, "cannot read the user namespace's id mappings: %v", err)
			return
		}
		// containerd and CRI-O send the joined namespace's own mappings
		// along with its path; runc accepts that when they match.
		if cfg.UIDMappings != nil || cfg.GIDMappings != nil {
			if !sameMapping(uidMap, cfg.UIDMappings) || !sameMapping(gidMap, cfg.GIDMappings) {
				t.add("linux", nil, "the user namespace is joined by path but uidMappings/gidMappings differ from its mappings; remove the mappings")
				return
			}
		}
		cfg.UIDMappings, cfg.GIDMappings = uidMap, gidMap
	}
	rootUID, err := cfg.HostRootUID()
	if err != nil {
		t.add("linux.uidMappings", nil, "container uid 0 is not mapped (%v); map it, devices are owned by it", err)
		return
	}
	rootGID, err := cfg.HostRootGID()
	if err != nil {
		t.add("linux.gidMappings", nil, "container gid 0 is not mapped (%v); map it, devices are owned by it", err)
		return
	}
	for _, d := range cfg.Devices {
		d.Uid, d.Gid = uint32(rootUID), uint32(rootGID)
	}
	// idmap/ridmap mounts without their own mappings use the container's.
	for _, m := range cfg.Mounts {
		if m.IDMapping != nil && m.IDMapping.UIDMappings == nil && m.IDMapping.GIDMappings == nil {
			if path := cfg.Namespaces.PathOf(configs.NEWUSER); path != "" {
				m.IDMapping.UserNSPath = path
			} else {
				m.IDMapping.UIDMappings = cfg.UIDMappings
				m.IDMapping.GIDMappings = cfg.GIDMappings
			}
		}
	}
}

// sameMapping compares id maps regardless of order, as the kernel lists
// them in its own order.
func sameMapping(a, b []configs.IDMap) bool {
	if len(a) != len(b) {
		return false
	}
	cmp := func(x, y configs.IDMap) int {
		if x.ContainerID != y.ContainerID {
			return int(x.ContainerID - y.ContainerID)
		}
		if x.HostID != y.HostID {
			return int(x.HostID - y.HostID)
		}
		return int(x.Size - y.Size)
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}

func (t *translator) seccomp(s *specs.LinuxSeccomp) *configs.Seccomp {
	if s.DefaultAction == "" && len(s.Syscalls) == 0 {
		return nil // no filter, as runc
	}
	out := &configs.Seccomp{
		Syscalls:         []*configs.Syscall{},
		DefaultErrnoRet:  cloneP(s.DefaultErrnoRet),
		ListenerPath:     s.ListenerPath,
		ListenerMetadata: s.ListenerMetadata,
	}
	out.DefaultAction, _ = seccomp.ConvertStringToAction(string(s.DefaultAction))
	if s.Flags == nil {
		// No flags at all (not even []): SPEC_ALLOW when available, so
		// that the filter does not turn on Spectre mitigations.
		if f := t.opts.SeccompFlagSupported; f != nil && f(specs.LinuxSeccompFlagSpecAllow) == nil {
			out.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagSpecAllow}
		}
	} else {
		for i, fl := range s.Flags {
			if f := t.opts.SeccompFlagSupported; f != nil {
				if err := f(fl); err != nil {
					t.add(Path("linux.seccomp.flags", i), string(fl), "not supported here (%v); remove it", err)
				}
			}
			out.Flags = append(out.Flags, fl)
		}
	}
	if len(s.Architectures) > 0 {
		out.Architectures = []string{}
		for _, a := range s.Architectures {
			arch, _ := seccomp.ConvertStringToArch(string(a))
			out.Architectures = append(out.Architectures, arch)
		}
	}
	for _, sc := range s.Syscalls {
		action, _ := seccomp.ConvertStringToAction(string(sc.Action))
		for _, name := range sc.Names {
			call := &configs.Syscall{Name: name, Action: action, ErrnoRet: cloneP(sc.ErrnoRet), Args: []*configs.Arg{}}
			for _, a := range sc.Args {
				op, _ := seccomp.ConvertStringToOperator(string(a.Op))
				call.Args = append(call.Args, &configs.Arg{Index: a.Index, Value: a.Value, ValueTwo: a.ValueTwo, Op: op})
			}
			out.Syscalls = append(out.Syscalls, call)
		}
	}
	return out
}

// cgroupOwner gives the container's cgroup to the process's host uid when
// the container has its own cgroup namespace and mounts cgroupfs
// read-write, so that it can manage its sub-cgroups (as runc does).
func (t *translator) cgroupOwner(cfg *configs.Config) {
	if !cfg.Namespaces.IsPrivate(configs.NEWCGROUP) {
		return
	}
	rw := slices.ContainsFunc(cfg.Mounts, func(m *configs.Mount) bool {
		return m.Source == "cgroup" && filepath.Clean(m.Destination) == "/sys/fs/cgroup" && m.Flags&unix.MS_RDONLY == 0
	})
	if !rw {
		return
	}
	uid := 0
	if t.s.Process != nil {
		uid = int(t.s.Process.User.UID)
	}
	// An unmapped uid is reported elsewhere; runc ignores it here too.
	if owner, err := cfg.HostUID(uid); err == nil {
		cfg.Cgroups.OwnerUID = &owner
	}
}

// processConfig copies the process settings libcontainer keeps in the
// container's Config, where they are the defaults for every process.
func (t *translator) processConfig(cfg *configs.Config, p *specs.Process) {
	cfg.OomScoreAdj = cloneP(p.OOMScoreAdj)
	cfg.NoNewPrivileges = p.NoNewPrivileges
	cfg.Umask = cloneP(p.User.Umask)
	cfg.ProcessLabel = p.SelinuxLabel
	cfg.AppArmorProfile = p.ApparmorProfile
	cfg.Capabilities = capabilities(p.Capabilities)
	cfg.Rlimits = rlimits(p.Rlimits)
	cfg.Scheduler = cloneScheduler(p.Scheduler)
	cfg.IOPriority = cloneP(p.IOPriority)
	cfg.ExecCPUAffinity, _ = configs.ConvertCPUAffinity(p.ExecCPUAffinity) // checked by Validate
}

func cloneScheduler(s *specs.Scheduler) *configs.Scheduler {
	if s == nil {
		return nil
	}
	c := *s
	c.Flags = slices.Clone(s.Flags)
	return &c
}

func capabilities(c *specs.LinuxCapabilities) *configs.Capabilities {
	if c == nil {
		return nil
	}
	return &configs.Capabilities{
		Bounding:    slices.Clone(c.Bounding),
		Effective:   slices.Clone(c.Effective),
		Inheritable: slices.Clone(c.Inheritable),
		Permitted:   slices.Clone(c.Permitted),
		Ambient:     slices.Clone(c.Ambient),
	}
}

func rlimits(in []specs.POSIXRlimit) []configs.Rlimit {
	var out []configs.Rlimit
	for _, r := range in {
		out = append(out, configs.Rlimit{Type: rlimitTypes[r.Type], Hard: r.Hard, Soft: r.Soft})
	}
	return out
}

func (t *translator) hooks() configs.Hooks {
	hooks := configs.Hooks{}
	h := t.s.Hooks
	if h == nil {
		return hooks
	}
	add := func(name configs.HookName, list []specs.Hook) {
		for _, hk := range list {
			cmd := &configs.Command{Path: hk.Path, Args: slices.Clone(hk.Args), Env: slices.Clone(hk.Env)}
			if hk.Timeout != nil {
				d := time.Duration(*hk.Timeout) * time.Second
				cmd.Timeout = &d
			}
			hooks[name] = append(hooks[name], configs.NewCommandHook(cmd))
		}
	}
	add(configs.Prestart, h.Prestart) //nolint:staticcheck // deprecated but still run
	add(configs.CreateRuntime, h.CreateRuntime)
	add(configs.CreateContainer, h.CreateContainer)
	add(configs.StartContainer, h.StartContainer)
	add(configs.Poststart, h.Poststart)
	add(configs.Poststop, h.Poststop)
	return hooks
}

// rootless pre-empts libcontainer's checks for a non-root runtime, and
// the ones that depend on Options.
func (t *translator) rootless(cfg *configs.Config) {
	for i, m := range cfg.Mounts {
		if m.IDMapping != nil && t.opts.RootlessEUID {
			t.add(Path("mounts", i), nil, "id-mapped mounts need a root runtime; remove idmap/ridmap and the mappings")
		}
	}
	if len(cfg.NetDevices) > 0 && (t.opts.RootlessEUID || t.opts.RootlessCgroups) {
		t.add("linux.netDevices", nil, "moving network devices needs a root runtime; remove netDevices")
	}
	if !t.opts.RootlessEUID {
		return
	}
	if !cfg.Namespaces.Contains(configs.NEWUSER) {
		t.add("linux.namespaces", nil, "a rootless container needs a user namespace; %s with uidMappings and gidMappings (see 'hull spec --rootless')", addNS(specs.UserNamespace))
		return
	}
	if p := t.s.Process; p != nil && len(p.User.AdditionalGids) > 0 {
		// runc's words lead: libcontainer refuses them at start, after
		// the container's state is made.
		t.add("process.user.additionalGids", p.User.AdditionalGids, "cannot set any additional groups in a rootless container; remove them (a rootless runtime may not call setgroups(2))")
	}
	t.rootlessMounts(cfg)
	if cfg.Namespaces.IsPrivate(configs.NEWUSER) {
		if len(cfg.UIDMappings) == 0 || len(cfg.GIDMappings) == 0 {
			// Reported by Validate.
			return
		}
	}
	for i, m := range cfg.Mounts {
		if !strings.Contains(m.Data, "id=") {
			continue
		}
		for _, opt := range strings.Split(m.Data, ",") {
			var id int
			if _, err := fmt.Sscanf(opt, "uid=%d", &id); err == nil && fmt.Sprintf("uid=%d", id) == opt {
				if _, err := cfg.HostUID(id); err != nil {
					t.add(Path("mounts", i, "options"), opt, "uid %d is not mapped in the user namespace; remove the option or map the id", id)
				}
			} else if _, err := fmt.Sscanf(opt, "gid=%d", &id); err == nil && fmt.Sprintf("gid=%d", id) == opt {
				if _, err := cfg.HostGID(id); err != nil {
					t.add(Path("mounts", i, "options"), opt, "gid %d is not mapped in the user namespace; remove the option or map the id", id)
				}
			}
		}
	}
}

// rootlessNS is the namespace a filesystem's mount needs to be the
// container's own when the runtime is not root: the kernel checks
// CAP_SYS_ADMIN in the user namespace that owns it (sysfs: the network
// namespace, proc: the pid namespace, mqueue: the ipc namespace), and a
// rootless container's user namespace owns only those made with it.
var rootlessNS = map[string]configs.NamespaceType{
	"sysfs":  configs.NEWNET,
	"proc":   configs.NEWPID,
	"mqueue": configs.NEWIPC,
}

// rootlessMounts refuses the mounts the kernel would refuse a rootless
// container with EPERM in the middle of its start. A user namespace
// joined by path may own the other namespaces joined with it: the
// kernel's to judge then.
func (t *translator) rootlessMounts(cfg *configs.Config) {
	if !cfg.Namespaces.IsPrivate(configs.NEWUSER) {
		return
	}
	specNS := map[configs.NamespaceType]specs.LinuxNamespaceType{
		configs.NEWNET: specs.NetworkNamespace, configs.NEWPID: specs.PIDNamespace, configs.NEWIPC: specs.IPCNamespace,
	}
	for i, m := range cfg.Mounts {
		ns, ok := rootlessNS[m.Device]
		if !ok || cfg.Namespaces.IsPrivate(ns) {
			continue
		}
		fix := addNS(specNS[ns])
		if m.Device == "sysfs" {
			// What runc spec --rootless does, having no network
			// namespace.
			fix += `, or bind the host's: {"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} (as 'hull spec --rootless' writes)`
		}
		t.add(Path("mounts", i, "type"), m.Device, "a rootless container can mount %s only in a %s namespace of its own (the kernel refuses it otherwise: EPERM); %s", m.Device, specNS[ns], fix)
	}
}

// newProcess builds the first process as runc's newProcess does.
func newProcess(p *specs.Process) *Process {
	out := &Process{
		Args:            slices.Clone(p.Args),
		Env:             slices.Clone(p.Env),
		Cwd:             p.Cwd,
		UID:             int(p.User.UID),
		GID:             int(p.User.GID),
		Terminal:        p.Terminal,
		Capabilities:    capabilities(p.Capabilities),
		Rlimits:         rlimits(p.Rlimits),
		NoNewPrivileges: p.NoNewPrivileges,
		AppArmorProfile: p.ApparmorProfile,
		Label:           p.SelinuxLabel,
		Scheduler:       cloneScheduler(p.Scheduler),
		IOPriority:      cloneP(p.IOPriority),
	}
	if p.ConsoleSize != nil {
		out.ConsoleWidth = uint16(p.ConsoleSize.Width)
		out.ConsoleHeight = uint16(p.ConsoleSize.Height)
	}
	if len(p.User.AdditionalGids) > 0 {
		out.AdditionalGroups = make([]int, len(p.User.AdditionalGids))
		for i, g := range p.User.AdditionalGids {
			out.AdditionalGroups[i] = int(g)
		}
	}
	out.CPUAffinity, _ = configs.ConvertCPUAffinity(p.ExecCPUAffinity)
	return out
}

// rlimitTypes maps config.json's names to setrlimit(2) resources.
var rlimitTypes = map[string]int{
	"RLIMIT_AS":         unix.RLIMIT_AS,
	"RLIMIT_CORE":       unix.RLIMIT_CORE,
	"RLIMIT_CPU":        unix.RLIMIT_CPU,
	"RLIMIT_DATA":       unix.RLIMIT_DATA,
	"RLIMIT_FSIZE":      unix.RLIMIT_FSIZE,
	"RLIMIT_LOCKS":      unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK":    unix.RLIMIT_MEMLOCK,
	"RLIMIT_MSGQUEUE":   unix.RLIMIT_MSGQUEUE,
	"RLIMIT_NICE":       unix.RLIMIT_NICE,
	"RLIMIT_NOFILE":     unix.RLIMIT_NOFILE,
	"RLIMIT_NPROC":      unix.RLIMIT_NPROC,
	"RLIMIT_RSS":        unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO":     unix.RLIMIT_RTPRIO,
	"RLIMIT_RTTIME":     unix.RLIMIT_RTTIME,
	"RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK":      unix.RLIMIT_STACK,
}

func rlimitNames() []string { return sortedKeys(rlimitTypes) }

var mpolModes = map[specs.MemoryPolicyModeType]int{
	specs.MpolDefault:            unix.MPOL_DEFAULT,
	specs.MpolPreferred:          unix.MPOL_PREFERRED,
	specs.MpolBind:               unix.MPOL_BIND,
	specs.MpolInterleave:         unix.MPOL_INTERLEAVE,
	specs.MpolLocal:              unix.MPOL_LOCAL,
	specs.MpolPreferredMany:      unix.MPOL_PREFERRED_MANY,
	specs.MpolWeightedInterleave: unix.MPOL_WEIGHTED_INTERLEAVE,
}

var mpolFlags = map[specs.MemoryPolicyFlagType]int{
	specs.MpolFStaticNodes:   unix.MPOL_F_STATIC_NODES,
	specs.MpolFRelativeNodes: unix.MPOL_F_RELATIVE_NODES,
	specs.MpolFNumaBalancing: unix.MPOL_F_NUMA_BALANCING,
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}
