package spec

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/seccomp"
)

// SupportedVersions describes the runtime-spec versions hull was written
// for; others are read as the newest of them, with a warning.
const SupportedVersions = "1.0.0 to 1.3.x"

// checker collects every problem of one config.json.
type checker struct {
	file string
	errs []error
}

func (c *checker) add(path string, value any, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{File: c.file, Path: path, Value: value, Msg: fmt.Sprintf(format, args...)})
}

// addLead is add for a problem runc reports in words that callers and
// scripts match: the line starts with lead, then hull's detail.
func (c *checker) addLead(lead, path string, value any, format string, args ...any) {
	c.errs = append(c.errs, Lead(lead, &FieldError{File: c.file, Path: path, Value: value, Msg: fmt.Sprintf(format, args...)}))
}

// Validate checks b.Spec without looking at the host and returns every
// problem it finds, each a *FieldError, joined with errors.Join (nil if
// there is none). It covers what runc's specconv and libcontainer's
// configs/validate would refuse later with a less helpful message, and
// what hull refuses on top of runc (see the package documentation). Checks
// that need the host (paths exist, SELinux enabled, the netns of a path is
// not the host's, seccomp flags supported, ...) are left to package linux.
func Validate(b *Bundle) error {
	if b == nil || b.Spec == nil {
		return errors.New("no configuration to validate")
	}
	c := &checker{file: b.ConfigPath}
	v := &validation{s: b.Spec, ns: namespaceInfo(b.Spec)}
	for _, check := range validators {
		check.run(c, v)
	}
	return errors.Join(c.errs...)
}

// validation is what Validate's checks read: the config, and its
// namespaces as the checks that depend on them need them.
type validation struct {
	s  *specs.Spec
	ns nsInfo
}

// validator is one of Validate's checks, named after what it checks.
type validator struct {
	name string
	run  func(c *checker, v *validation)
}

// validators are Validate's checks, in the order their problems are
// listed. The shape is runc's configs/validate (one small named check
// each, in one list); unlike it, every check runs and every problem is
// reported. The checks of linux.* run only when there is a "linux".
var validators = []validator{
	{"root", func(c *checker, v *validation) { c.root(v.s.Root) }},
	{"namespaces", func(c *checker, v *validation) { c.namespaces(v.s) }},
	{"process", func(c *checker, v *validation) { c.process(v.s.Process) }},
	{"hostname", func(c *checker, v *validation) { c.hostnames(v.s, v.ns) }},
	{"mounts", func(c *checker, v *validation) { c.mounts(v.s.Mounts) }},
	{"hooks", func(c *checker, v *validation) { c.hooks(v.s.Hooks) }},
	{"sysctl", linuxCheck(func(c *checker, l *specs.Linux, ns nsInfo) { c.sysctl(l.Sysctl, ns) })},
	{"user-namespace", linuxCheck((*checker).userns)},
	{"time-offsets", linuxCheck((*checker).timeOffsets)},
	{"masked-paths", linuxCheck((*checker).maskedPaths)},
	{"rootfs-propagation", linuxCheck((*checker).rootfsPropagation)},
	{"devices", linuxCheck((*checker).devices)},
	{"resources", linuxCheck(func(c *checker, l *specs.Linux, _ nsInfo) {
		if l.Resources != nil {
			c.resources(l.Resources)
		}
	})},
	{"net-devices", linuxCheck((*checker).netDevices)},
	{"seccomp", linuxCheck(func(c *checker, l *specs.Linux, _ nsInfo) {
		if l.Seccomp != nil {
			c.seccomp(l.Seccomp)
		}
	})},
	{"intel-rdt", linuxCheck((*checker).intelRdt)},
	{"memory-policy", linuxCheck(func(c *checker, l *specs.Linux, _ nsInfo) {
		if l.MemoryPolicy != nil {
			c.memoryPolicy(l.MemoryPolicy)
		}
	})},
	{"personality", linuxCheck((*checker).personality)},
}

// linuxCheck runs a check of config.json's "linux" when there is one.
func linuxCheck(f func(c *checker, l *specs.Linux, ns nsInfo)) func(c *checker, v *validation) {
	return func(c *checker, v *validation) {
		if v.s.Linux != nil {
			f(c, v.s.Linux, v.ns)
		}
	}
}

func (c *checker) root(r *specs.Root) {
	switch {
	case r == nil:
		c.add("root", nil, `missing; add "root": {"path": "rootfs"}`)
	case r.Path == "":
		c.add("root.path", nil, `missing; set it to the container's root filesystem directory, e.g. "rootfs"`)
	case hasNUL(r.Path):
		c.add("root.path", r.Path, "contains a NUL byte; remove it")
	}
}

// nsInfo is what later checks need to know about linux.namespaces.
type nsInfo map[specs.LinuxNamespaceType]string // type → path ("" = new)

func (n nsInfo) has(t specs.LinuxNamespaceType) bool { _, ok := n[t]; return ok }

var knownNamespaces = map[specs.LinuxNamespaceType]configs.NamespaceType{
	specs.CgroupNamespace:  configs.NEWCGROUP,
	specs.IPCNamespace:     configs.NEWIPC,
	specs.MountNamespace:   configs.NEWNS,
	specs.NetworkNamespace: configs.NEWNET,
	specs.PIDNamespace:     configs.NEWPID,
	specs.TimeNamespace:    configs.NEWTIME,
	specs.UserNamespace:    configs.NEWUSER,
	specs.UTSNamespace:     configs.NEWUTS,
}

// namespaceInfo is linux.namespaces as the other checks need it: the
// first entry of each known type (namespaces reports the others).
func namespaceInfo(s *specs.Spec) nsInfo {
	ns := nsInfo{}
	if s.Linux == nil {
		return ns
	}
	for _, n := range s.Linux.Namespaces {
		if _, known := knownNamespaces[n.Type]; !known {
			continue
		}
		if _, dup := ns[n.Type]; !dup {
			ns[n.Type] = n.Path
		}
	}
	return ns
}

func (c *checker) namespaces(s *specs.Spec) {
	if s.Linux == nil {
		return
	}
	seen := map[specs.LinuxNamespaceType]bool{}
	for i, n := range s.Linux.Namespaces {
		p := Path("linux.namespaces", i)
		if _, ok := knownNamespaces[n.Type]; !ok {
			c.add(Path(p, "type"), string(n.Type), "unknown namespace type; use one of cgroup, ipc, mount, network, pid, time, user, uts")
			continue
		}
		if seen[n.Type] {
			c.add(Path(p, "type"), string(n.Type), "namespace listed twice; keep one entry per type")
			continue
		}
		seen[n.Type] = true
		if n.Path != "" && !filepath.IsAbs(n.Path) {
			c.add(Path(p, "path"), n.Path, "must be an absolute path to a namespace file such as /proc/<pid>/ns/%s, or omitted for a new namespace", NamespaceFile(n.Type))
		}
	}
}

// addNS is the fix suggested when a setting needs a namespace.
func addNS(t specs.LinuxNamespaceType) string {
	return fmt.Sprintf(`add {"type": %q} to linux.namespaces`, t)
}

func (c *checker) process(p *specs.Process) {
	if p == nil {
		c.add("process", nil, `missing; create and run need the container's first process, e.g. "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}}`)
		return
	}
	if len(p.Args) == 0 {
		c.add("process.args", nil, `missing or empty; give the command to run, e.g. ["sh"]`)
	} else if p.Args[0] == "" {
		c.add("process.args[0]", p.Args[0], "empty; give the program to run")
	}
	for i, a := range p.Args {
		if hasNUL(a) {
			c.add(Path("process.args", i), a, "contains a NUL byte; remove it")
		}
	}
	switch {
	case p.Cwd == "":
		c.add("process.cwd", nil, `missing; set the working directory, e.g. "/"`)
	case !filepath.IsAbs(p.Cwd):
		c.add("process.cwd", p.Cwd, "must be an absolute path")
	}
	for i, e := range p.Env {
		k, _, ok := strings.Cut(e, "=")
		switch {
		case !ok:
			c.add(Path("process.env", i), e, `missing "="; write NAME=value`)
		case k == "":
			c.add(Path("process.env", i), e, "empty variable name; write NAME=value")
		case hasNUL(e):
			c.add(Path("process.env", i), e, "contains a NUL byte; remove it")
		}
	}
	for i, rl := range p.Rlimits {
		rp := Path("process.rlimits", i)
		if _, ok := rlimitTypes[rl.Type]; !ok {
			c.add(Path(rp, "type"), rl.Type, "unknown resource limit; use one of %s", strings.Join(rlimitNames(), ", "))
		}
		if rl.Soft > rl.Hard {
			c.add(rp, map[string]uint64{"soft": rl.Soft, "hard": rl.Hard}, "soft limit is above the hard limit; lower soft or raise hard")
		}
	}
	if p.OOMScoreAdj != nil && (*p.OOMScoreAdj < -1000 || *p.OOMScoreAdj > 1000) {
		c.add("process.oomScoreAdj", *p.OOMScoreAdj, "must be from -1000 to 1000")
	}
	c.scheduler(p.Scheduler)
	if io := p.IOPriority; io != nil {
		switch io.Class {
		case specs.IOPRIO_CLASS_RT, specs.IOPRIO_CLASS_BE, specs.IOPRIO_CLASS_IDLE:
		default:
			c.add("process.ioPriority.class", string(io.Class), "unknown class; use IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE")
		}
		if io.Priority < 0 || io.Priority > 7 {
			c.add("process.ioPriority.priority", io.Priority, "must be from 0 (highest) to 7 (lowest)")
		}
	}
	if a := p.ExecCPUAffinity; a != nil {
		if _, err := configs.ToCPUSet(a.Initial); err != nil {
			c.add("process.execCPUAffinity.initial", a.Initial, "%v; write a CPU list such as \"0-3,7\"", err)
		}
		if _, err := configs.ToCPUSet(a.Final); err != nil {
			c.add("process.execCPUAffinity.final", a.Final, "%v; write a CPU list such as \"0-3,7\"", err)
		}
	}
}

func (c *checker) scheduler(s *specs.Scheduler) {
	if s == nil {
		return
	}
	const p = "process.scheduler"
	switch s.Policy {
	case "":
		c.add(Path(p, "policy"), nil, "missing; set a policy such as SCHED_OTHER")
	case specs.SchedOther, specs.SchedFIFO, specs.SchedRR, specs.SchedBatch, specs.SchedISO, specs.SchedIdle, specs.SchedDeadline:
	default:
		c.add(Path(p, "policy"), string(s.Policy), "unknown policy; use SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE")
	}
	if (s.Policy == specs.SchedOther || s.Policy == specs.SchedBatch) && (s.Nice < -20 || s.Nice > 19) {
		c.add(Path(p, "nice"), s.Nice, "must be from -20 to 19")
	}
	if s.Priority != 0 && s.Policy != specs.SchedFIFO && s.Policy != specs.SchedRR {
		c.add(Path(p, "priority"), s.Priority, "only SCHED_FIFO and SCHED_RR take a priority; remove it or change the policy")
	}
	if s.Policy != specs.SchedDeadline && (s.Runtime != 0 || s.Deadline != 0 || s.Period != 0) {
		c.add(p, nil, "runtime, deadline and period are only for SCHED_DEADLINE; remove them or change the policy")
	}
	for i, f := range s.Flags {
		switch f {
		case specs.SchedFlagResetOnFork, specs.SchedFlagReclaim, specs.SchedFlagDLOverrun, specs.SchedFlagKeepPolicy,
			specs.SchedFlagKeepParams, specs.SchedFlagUtilClampMin, specs.SchedFlagUtilClampMax:
		default:
			c.add(Path(p, "flags", i), string(f), "unknown flag; see sched_setattr(2) for SCHED_FLAG_* names")
		}
	}
}

// hostnames mirrors runc: a hostname or domainname needs a uts namespace
// entry. Like runc, a joined one (with a path) is accepted: the name is
// then set in that namespace.
func (c *checker) hostnames(s *specs.Spec, ns nsInfo) {
	if ns.has(specs.UTSNamespace) {
		return
	}
	if s.Hostname != "" {
		c.add("hostname", s.Hostname, "needs a uts namespace; %s, or remove hostname", addNS(specs.UTSNamespace))
	}
	if s.Domainname != "" {
		c.add("domainname", s.Domainname, "needs a uts namespace; %s, or remove domainname", addNS(specs.UTSNamespace))
	}
}

func (c *checker) mounts(mounts []specs.Mount) {
	for i, m := range mounts {
		p := Path("mounts", i)
		if m.Destination == "" {
			c.add(Path(p, "destination"), nil, "missing; give the absolute path inside the container")
		}
		// Relative destinations are deprecated but accepted, relative to
		// the container's /, as runc does; Warnings reports them.
		for _, f := range []struct{ name, v string }{{"destination", m.Destination}, {"source", m.Source}, {"type", m.Type}} {
			if hasNUL(f.v) {
				c.add(Path(p, f.name), f.v, "contains a NUL byte; remove it")
			}
		}
		mnt := parseMountOptions(m.Options)
		if m.Type == "bind" && !mnt.IsBind() {
			// libcontainer would treat it as a bind mount without MS_BIND,
			// and runc resolves its relative source against its working
			// directory, which hull does not change.
			c.add(Path(p, "options"), m.Options, `a mount of type "bind" needs "bind" or "rbind" in options`)
		}
		if mnt.IDMapping != nil || m.UIDMappings != nil || m.GIDMappings != nil {
			if !mnt.IsBind() {
				c.add(p, nil, `id-mapped mounts must be bind mounts; add "bind" or "rbind" to options, or remove idmap and the mappings`)
			}
			if (m.UIDMappings == nil) != (m.GIDMappings == nil) {
				c.add(p, nil, "an id-mapped mount needs both uidMappings and gidMappings, or neither (to use the container's user namespace)")
			}
		}
		c.idMappings(Path(p, "uidMappings"), m.UIDMappings)
		c.idMappings(Path(p, "gidMappings"), m.GIDMappings)
	}
}

func (c *checker) idMappings(p string, maps []specs.LinuxIDMapping) {
	for i, m := range maps {
		if m.Size == 0 {
			c.add(Path(p, i, "size"), m.Size, "must be at least 1")
		}
	}
}

func (c *checker) hooks(h *specs.Hooks) {
	if h == nil {
		return
	}
	lists := []struct {
		name  string
		hooks []specs.Hook
	}{
		{"prestart", h.Prestart}, //nolint:staticcheck // still part of the spec
		{"createRuntime", h.CreateRuntime},
		{"createContainer", h.CreateContainer},
		{"startContainer", h.StartContainer},
		{"poststart", h.Poststart},
		{"poststop", h.Poststop},
	}
	for _, l := range lists {
		for i, hk := range l.hooks {
			p := Path("hooks", l.name, i)
			if !filepath.IsAbs(hk.Path) {
				c.add(Path(p, "path"), hk.Path, "must be an absolute path to the hook's executable")
			}
			if hk.Timeout != nil && *hk.Timeout <= 0 {
				c.add(Path(p, "timeout"), *hk.Timeout, "must be a number of seconds greater than zero, or omitted")
			}
		}
	}
}

func (c *checker) timeOffsets(l *specs.Linux, ns nsInfo) {
	if l.TimeOffsets == nil {
		return
	}
	if !ns.has(specs.TimeNamespace) {
		c.add("linux.timeOffsets", nil, "needs a time namespace; %s, or remove timeOffsets", addNS(specs.TimeNamespace))
	} else if ns[specs.TimeNamespace] != "" {
		c.add("linux.timeOffsets", nil, "cannot be applied to a joined time namespace (it has a path); remove timeOffsets or the path")
	}
	for _, k := range sortedKeys(l.TimeOffsets) {
		if k != "boottime" && k != "monotonic" {
			c.add(Path("linux.timeOffsets", k), nil, "unknown clock; use boottime or monotonic")
		}
	}
}

func (c *checker) maskedPaths(l *specs.Linux, ns nsInfo) {
	if (len(l.MaskedPaths) > 0 || len(l.ReadonlyPaths) > 0) && !ns.has(specs.MountNamespace) {
		c.add("linux", nil, "maskedPaths and readonlyPaths need a mount namespace; %s, or remove them", addNS(specs.MountNamespace))
	}
}

func (c *checker) rootfsPropagation(l *specs.Linux, _ nsInfo) {
	if l.RootfsPropagation != "" {
		if _, ok := propagationFlags[l.RootfsPropagation]; !ok {
			c.add("linux.rootfsPropagation", l.RootfsPropagation, "unknown propagation; use one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable")
		}
	}
}

func (c *checker) devices(l *specs.Linux, _ nsInfo) {
	for i, d := range l.Devices {
		// A relative path is taken from the container's / (Warnings).
		switch d.Type {
		case "c", "u", "b", "p":
		default:
			c.add(Path("linux.devices", i, "type"), d.Type, `unknown device type; use "c" (character), "b" (block) or "p" (FIFO)`)
		}
	}
}

func (c *checker) netDevices(l *specs.Linux, ns nsInfo) {
	if len(l.NetDevices) > 0 && !ns.has(specs.NetworkNamespace) {
		c.add("linux.netDevices", nil, "moving network devices needs a network namespace; %s", addNS(specs.NetworkNamespace))
	}
	for _, name := range sortedKeys(l.NetDevices) {
		if !validDevName(name) {
			c.add(Path("linux.netDevices", name), name, "not a valid interface name (1-16 bytes, no '/', ':' or space, not . or ..)")
		}
		if d := l.NetDevices[name]; d.Name != "" && !validDevName(d.Name) {
			c.add(Path("linux.netDevices", name, "name"), d.Name, "not a valid interface name (1-16 bytes, no '/', ':' or space, not . or ..)")
		}
	}
}

func (c *checker) intelRdt(l *specs.Linux, _ nsInfo) {
	if r := l.IntelRdt; r != nil {
		switch id := r.ClosID; {
		case id == ".", id == "..", len(id) > 1 && strings.Contains(id, "/"):
			c.add("linux.intelRdt.closID", id, "must be a plain name (a resctrl group directory), not a path")
		}
	}
}

func (c *checker) personality(l *specs.Linux, _ nsInfo) {
	if pr := l.Personality; pr != nil {
		if pr.Domain != specs.PerLinux && pr.Domain != specs.PerLinux32 {
			c.add("linux.personality.domain", string(pr.Domain), "unknown domain; use LINUX or LINUX32")
		}
	}
}

func (c *checker) userns(l *specs.Linux, ns nsInfo) {
	hasMaps := l.UIDMappings != nil || l.GIDMappings != nil
	if !ns.has(specs.UserNamespace) {
		return // the mappings are ignored, as runc does; Warnings says so
	}
	if ns[specs.UserNamespace] == "" && !hasMaps {
		c.add("linux", nil, "a new user namespace needs uidMappings and gidMappings; add them, or give the namespace a path to join")
	}
	if ns[specs.UserNamespace] == "" && hasMaps {
		if len(l.UIDMappings) == 0 {
			c.add("linux.uidMappings", nil, `empty; map at least one id, e.g. [{"containerID": 0, "hostID": 100000, "size": 65536}]`)
		}
		if len(l.GIDMappings) == 0 {
			c.add("linux.gidMappings", nil, `empty; map at least one id, e.g. [{"containerID": 0, "hostID": 100000, "size": 65536}]`)
		}
	}
	c.idMappings("linux.uidMappings", l.UIDMappings)
	c.idMappings("linux.gidMappings", l.GIDMappings)
}

// sysctl follows libcontainer's rules: only namespaced sysctls are allowed,
// and only when the namespace that scopes them is the container's.
func (c *checker) sysctl(sysctl map[string]string, ns nsInfo) {
	for _, k := range sortedKeys(sysctl) {
		p := Path("linux.sysctl", k)
		name := sysctlDots(k)
		switch {
		case ipcSysctls[name] || strings.HasPrefix(name, "fs.mqueue."):
			if !ns.has(specs.IPCNamespace) {
				c.add(p, sysctl[k], "needs an ipc namespace; %s, or remove it", addNS(specs.IPCNamespace))
			}
		case strings.HasPrefix(name, "net."):
			// A netns path may still be the host's; package linux checks
			// that, it needs the host.
			if !ns.has(specs.NetworkNamespace) {
				c.add(p, sysctl[k], "needs a network namespace; %s, or remove it", addNS(specs.NetworkNamespace))
			}
		case name == "kernel.hostname":
			c.add(p, sysctl[k], `conflicts with the "hostname" field; set hostname instead`)
		case name == "kernel.domainname":
			if !ns.has(specs.UTSNamespace) {
				c.add(p, sysctl[k], "needs a uts namespace; %s, or remove it", addNS(specs.UTSNamespace))
			}
		case strings.HasPrefix(name, "user."):
			if !ns.has(specs.UserNamespace) {
				c.add(p, sysctl[k], "needs a user namespace (it would change the host's limits); %s, or remove it", addNS(specs.UserNamespace))
			}
		default:
			c.add(p, sysctl[k], "not namespaced, so a container cannot set it; set it on the host instead, or remove it")
		}
	}
}

var ipcSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// sysctlDots turns the "/" form of a sysctl name (sysctl.d(5)) into the
// "." form: when the first separator is "/", dots and slashes swap, so
// "net/ipv4/conf/eth0.100/rp_filter" is "net.ipv4.conf.eth0/100.rp_filter".
func sysctlDots(s string) string {
	i := strings.IndexAny(s, "./")
	if i < 0 || s[i] == '.' {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, s)
}

func (c *checker) resources(r *specs.LinuxResources) {
	for i, d := range r.Devices {
		p := Path("linux.resources.devices", i)
		switch d.Type {
		case "", "a", "b", "c":
		default:
			c.add(Path(p, "type"), d.Type, `unknown type; use "a" (all), "b" (block) or "c" (character)`)
		}
		// Other letters than r, w and m are ignored (Warnings), as runc
		// does; an empty access runc refuses.
		if d.Access == "" {
			c.add(Path(p, "access"), nil, `missing; use a combination of r, w and m, e.g. "rwm"`)
		}
	}
	if m := r.Memory; m != nil && m.Limit != nil && m.Swap != nil {
		if *m.Limit > 0 && *m.Swap > 0 && *m.Swap < *m.Limit {
			c.add("linux.resources.memory.swap", *m.Swap, "is memory+swap, so it must be at least memory.limit (%d), or -1 for unlimited swap", *m.Limit)
		}
	}
	if cpu := r.CPU; cpu != nil {
		if _, err := configs.ToCPUSet(cpu.Cpus); err != nil {
			c.add("linux.resources.cpu.cpus", cpu.Cpus, "%v; write a CPU list such as \"0-3,7\"", err)
		}
		if _, err := configs.ToCPUSet(cpu.Mems); err != nil {
			c.add("linux.resources.cpu.mems", cpu.Mems, "%v; write a node list such as \"0-1\"", err)
		}
	}
}

func (c *checker) seccomp(s *specs.LinuxSeccomp) {
	const p = "linux.seccomp"
	if s.DefaultAction == "" && len(s.Syscalls) == 0 {
		return // seccomp disabled, as in runc
	}
	if _, err := seccomp.ConvertStringToAction(string(s.DefaultAction)); err != nil {
		c.add(Path(p, "defaultAction"), string(s.DefaultAction), "unknown action; use one of %s", strings.Join(seccomp.KnownActions(), ", "))
	}
	for i, a := range s.Architectures {
		if _, err := seccomp.ConvertStringToArch(string(a)); err != nil {
			c.add(Path(p, "architectures", i), string(a), "unknown architecture; use one of %s", strings.Join(seccomp.KnownArchs(), ", "))
		}
	}
	for i, f := range s.Flags {
		if !slices.Contains(seccomp.KnownFlags(), string(f)) {
			c.add(Path(p, "flags", i), string(f), "unknown flag; use one of %s", strings.Join(seccomp.KnownFlags(), ", "))
		}
	}
	for i, sc := range s.Syscalls {
		sp := Path(p, "syscalls", i)
		if _, err := seccomp.ConvertStringToAction(string(sc.Action)); err != nil {
			c.add(Path(sp, "action"), string(sc.Action), "unknown action; use one of %s", strings.Join(seccomp.KnownActions(), ", "))
		}
		for j, a := range sc.Args {
			if _, err := seccomp.ConvertStringToOperator(string(a.Op)); err != nil {
				c.add(Path(sp, "args", j, "op"), string(a.Op), "unknown operator; use one of %s", strings.Join(seccomp.KnownOperators(), ", "))
			}
		}
	}
}

// memoryPolicy checks linux.memoryPolicy. Each error starts with runc's
// words ("invalid memory policy mode ...", "memory policy mode requires
// ..."), which scripts match, and goes on with hull's detail.
func (c *checker) memoryPolicy(mp *specs.LinuxMemoryPolicy) {
	const p = "linux.memoryPolicy"
	_, ok := mpolModes[mp.Mode]
	if !ok {
		c.addLead(fmt.Sprintf("invalid memory policy mode %q", mp.Mode), Path(p, "mode"), string(mp.Mode), "unknown mode; see set_mempolicy(2) for the MPOL_* names")
	}
	nodes, err := configs.ToCPUSet(mp.Nodes)
	if err != nil {
		c.addLead(fmt.Sprintf("invalid memory policy nodes %q", mp.Nodes), Path(p, "nodes"), mp.Nodes, "%v; write a node list such as \"0-1\"", err)
	}
	for i, f := range mp.Flags {
		if _, ok := mpolFlags[f]; !ok {
			c.addLead(fmt.Sprintf("invalid memory policy flag %q", f), Path(p, "flags", i), string(f), "unknown flag; use MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES or MPOL_F_NUMA_BALANCING")
		}
	}
	if !ok || err != nil {
		return
	}
	n := 0
	if nodes != nil {
		n = nodes.Count()
	}
	switch mp.Mode {
	case specs.MpolDefault, specs.MpolLocal:
		if n != 0 {
			c.addLead(fmt.Sprintf("memory policy mode requires 0 nodes but got %d", n), Path(p, "nodes"), mp.Nodes, "%s takes no nodes; remove them", mp.Mode)
		}
	case specs.MpolPreferred:
	default:
		if n == 0 {
			c.addLead("memory policy mode requires at least one node but got 0", Path(p, "nodes"), nil, "%s needs at least one node", mp.Mode)
		}
	}
}

// validDevName follows the kernel's dev_valid_name.
func validDevName(name string) bool {
	if name == "" || len(name) > 16 || name == "." || name == ".." {
		return false
	}
	return !strings.ContainsAny(name, "/: ")
}

func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }
