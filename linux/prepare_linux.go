package linux

import (
	"errors"

	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/spec"
)

// PrepareOptions are what create, run, restore and check know besides the
// bundle: the choices of the command line that change the configuration
// or what is checked.
type PrepareOptions struct {
	// ID is the container's ID; it names the default cgroup.
	ID string
	// SystemdCgroup, NoPivotRoot, NoNewKeyring and RootlessEUID are
	// spec.Options' (--systemd-cgroup, --no-pivot, --no-new-keyring, and
	// whether hull runs as non-root).
	SystemdCgroup bool
	NoPivotRoot   bool
	NoNewKeyring  bool
	RootlessEUID  bool
	// RootlessCgroups is --rootless as runc reads it (RootlessCgroups):
	// the container's cgroup is made by the rootless rules, and where
	// none is delegated its resources are dropped with a warning.
	RootlessCgroups bool
	// Timings, when --timings is given, gets the phases "load", "checks"
	// and "translate".
	Timings *Timings
	// Host runs the checks of what this host can do (kindHost). create
	// always does: the container is about to be made here. `check` does
	// with --host only, so that a bundle can be checked on one machine
	// for another.
	Host bool
}

// Plan is what the checks found nothing wrong with, ready to create: the
// libcontainer configuration, the first process and the hooks, with the
// warnings about what runs other than written (for the log).
type Plan struct {
	Bundle   *spec.Bundle
	Config   *configs.Config
	Process  *spec.Process
	Hooks    *specs.Hooks
	Warnings Findings
}

// Prepare loads the bundle at dir (config.json) and runs every check of
// the one list below that o selects, in the list's order, collecting
// every problem instead of stopping at the first. When none is an error
// it returns the Plan, with the warnings in its Warnings; otherwise the
// Plan is nil. The findings are returned either way: errors and warnings,
// each a *spec.FieldError with file, JSON path, value and fix where one
// value is at fault. Nothing is created; the only effects are reads.
func Prepare(dir string, o PrepareOptions) (*Plan, Findings) {
	r := prepare(dir, o)
	if r.b == nil || r.findings.Err() != nil {
		return nil, r.findings
	}
	b := r.b
	return &Plan{Bundle: b, Config: r.cfg, Process: r.proc, Hooks: b.Spec.Hooks, Warnings: r.findings.Warnings()}, r.findings
}

// prepare is Prepare's work; what it returns also says which checks ran.
func prepare(dir string, o PrepareOptions) *prepared {
	r := &prepared{o: o}
	b, typeErrs, unknown, err := spec.LoadAll(dir)
	o.Timings.Mark("load")
	switch {
	case err != nil:
		r.check = "load"
		r.error(err)
		r.runOptionsOnly()
		return r
	case b == nil:
		// Values of the wrong type: nothing else can be checked until
		// they are fixed, but all of them are listed.
		r.check = "unknown-fields"
		for _, fe := range unknown {
			r.warn(fe)
		}
		r.check = "load"
		for _, fe := range typeErrs {
			r.error(fe)
		}
		r.runOptionsOnly()
		return r
	}
	r.b = b
	for _, c := range selectChecks(o) {
		r.run(c)
	}
	return r
}

// checkKind says which commands run a check.
type checkKind int

const (
	// kindSpec checks read config.json alone (with this build's
	// libraries: libseccomp's syscall names, libcontainer's capabilities).
	kindSpec checkKind = iota
	// kindRootfs checks look at the files config.json names: the rootfs,
	// bind sources, namespace files, the executable. They always run.
	kindRootfs
	// kindHost checks ask what this host's kernel, security modules and
	// cgroups can do; they run when PrepareOptions.Host is set.
	kindHost
)

// check is one named check. Its name is in each of its findings.
type check struct {
	name string
	kind checkKind
	run  func(r *prepared)
}

// optionsOnly are the checks that read the options, not config.json: they
// run even when config.json cannot be read.
var optionsOnly = map[string]bool{"cgroup-driver": true}

// checks is every check create, run, restore and check make, in the
// order their findings are listed. A new check goes here and nowhere
// else, so that no command can miss it.
var checks = []check{
	{"unknown-fields", kindSpec, func(r *prepared) {
		for _, fe := range spec.UnknownFields(r.b) {
			r.warn(fe)
		}
	}},
	{"spec-warnings", kindSpec, func(r *prepared) {
		for _, fe := range spec.Warnings(r.b) {
			r.warn(fe)
		}
	}},
	{"seccomp-syscall-names", kindSpec, checkSeccompNames},
	{"validate", kindSpec, func(r *prepared) {
		v, err := spec.Validated(r.b)
		r.error(err)
		r.valid = v
	}},
	{"capabilities", kindHost, checkCapabilities},
	{"rlimit-ceiling", kindHost, checkRlimitCeiling},
	{"security-modules", kindHost, checkSecurityModules},
	{"seccomp-architectures", kindHost, checkSeccompArchitectures},
	{"kernel-namespaces", kindHost, checkKernelNamespaces},
	{"intel-rdt", kindHost, checkIntelRdt},
	{"idmapped-mounts", kindHost, checkIdmappedMounts},
	{"cgroup-controllers", kindHost, checkCgroupControllers},
	{"cgroup-v1-only", kindHost, checkCgroupV1Only},
	{"cpuset-online", kindHost, checkCpusetOnline},
	{"cgroup-driver", kindHost, func(r *prepared) { r.error(cgroupDriverCheck(r.o.SystemdCgroup)) }},
	{"rootless", kindHost, checkRootless},
	{"rootfs", kindRootfs, checkRootfs},
	{"namespace-paths", kindRootfs, checkNamespacePaths},
	{"bind-sources", kindRootfs, checkBindSources},
	{"executable", kindRootfs, checkExecutable},
	// Last: it needs a config Validate accepted, and its own refusals
	// depend on the options (systemd cgroupsPath, rootless, user
	// namespace mappings read from the host).
	{"translate", kindSpec, func(r *prepared) {
		if r.valid == nil {
			return
		}
		opts := translateOptions(r.o.ID)
		opts.SystemdCgroup = r.o.SystemdCgroup
		opts.NoPivotRoot = r.o.NoPivotRoot
		opts.NoNewKeyring = r.o.NoNewKeyring
		opts.RootlessEUID = r.o.RootlessEUID
		opts.RootlessCgroups = r.o.RootlessCgroups
		cfg, proc, err := r.valid.Translate(opts)
		r.error(err)
		r.cfg, r.proc = cfg, proc
	}},
	// After translate: it looks for the cgroup translate names.
	{"rootless-cgroups", kindHost, checkRootlessCgroups},
}

// selectChecks is the part of checks that o asks for.
func selectChecks(o PrepareOptions) []check {
	var out []check
	for _, c := range checks {
		if c.kind != kindHost || o.Host {
			out = append(out, c)
		}
	}
	return out
}

// runOptionsOnly runs the selected checks that need no config.json, when
// it could not be read.
func (r *prepared) runOptionsOnly() {
	for _, c := range selectChecks(r.o) {
		if optionsOnly[c.name] {
			r.run(c)
		}
	}
}

// run runs one check, its findings under its name.
func (r *prepared) run(c check) {
	r.check = c.name
	r.ran = append(r.ran, c.name)
	c.run(r)
	if c.name == "translate" || c.name == "rootless-cgroups" {
		r.o.Timings.Mark("translate")
	} else {
		r.o.Timings.Mark("checks")
	}
}

// prepared is one run of the checks: the bundle, what earlier checks
// left for later ones, and the findings so far.
type prepared struct {
	b *spec.Bundle
	o PrepareOptions
	// valid is set when Validate found nothing; translate needs it.
	valid *spec.Valid
	cfg   *configs.Config
	proc  *spec.Process
	// check is the name of the check running, for its findings.
	check    string
	findings Findings
	// ran lists the checks run, in order (for tests).
	ran []string
}

// error records err (each of a joined error on its own) as errors of the
// running check; nil is nothing.
func (r *prepared) error(err error) { r.add(SeverityError, err) }

// warn is error for warnings.
func (r *prepared) warn(err error) { r.add(SeverityWarning, err) }

func (r *prepared) add(sev string, err error) {
	for _, e := range splitErrors(err) {
		r.findings = append(r.findings, Finding{Severity: sev, Check: r.check, Err: e})
	}
}

// field records a problem with one value of config.json.
func (r *prepared) field(sev, path string, value any, msg string) {
	r.add(sev, &spec.FieldError{File: r.b.ConfigPath, Path: path, Value: value, Msg: msg})
}

// Findings are what the checks found, in the order of the list.
type Findings []Finding

// Err joins the errors (not the warnings) into one error, or nil: what
// create refuses with. Its text keeps each on one line, in order.
func (fs Findings) Err() error {
	var errs []error
	for _, f := range fs {
		if f.Severity == SeverityError {
			errs = append(errs, f.Err)
		}
	}
	return errors.Join(errs...)
}

// Warnings are the findings that do not stop a container.
func (fs Findings) Warnings() Findings {
	var out Findings
	for _, f := range fs {
		if f.Severity == SeverityWarning {
			out = append(out, f)
		}
	}
	return out
}

// runKind runs the checks of one kind on b alone (no options), for the
// callers that want only those (Preflight), and joins their errors.
func runKind(b *spec.Bundle, kind checkKind) error {
	r := &prepared{b: b}
	for _, c := range checks {
		if c.kind == kind {
			r.run(c)
		}
	}
	return r.findings.Err()
}
