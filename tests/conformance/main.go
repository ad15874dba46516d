// Command conformance runs the OCI runtime-tools validation programs
// against a runtime and judges the result against a checked-in list of
// expected failures.
//
// It is a program rather than a Go test because its job is to drive
// other programs for minutes as root and print a report that people read
// (and that `make conformance` turns into an exit status); its parsing
// and matching logic are unit-tested as ordinary Go tests beside it,
// which need neither root nor the suite.
//
// scripts/conformance.sh builds the suite and calls this; see there.
// This package must not import hull: it tests the binary from outside.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

type options struct {
	Suite    string // directory with runtimetest and the programs
	Runtime  string
	Root     string // the runtime's state root, checked for leftovers
	Rootfs   string // busybox rootfs tarball
	Expected string // expected-failures file; "" = report only
	Results  string // write every assertion here, one per line
	Logs     string // keep each program's stdout/stderr here
	Run      *regexp.Regexp
	Timeout  time.Duration
	Verbose  bool
}

type driver struct {
	opts      options
	out       io.Writer
	work, tmp string
	reaper    *sysproc.Reaper
	snap      snapshot
	leftovers []string
}

func (d *driver) leftover(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	d.leftovers = append(d.leftovers, msg)
	fmt.Fprintf(d.out, "  leftover: %s\n", msg)
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "conformance: %v\n", err)
		os.Exit(1)
	}
}

// errFailed is returned when there are unexpected failures; the report
// has already said which.
type errFailed struct{ n int }

func (e errFailed) Error() string { return fmt.Sprintf("%d unexpected failure(s)", e.n) }

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	var o options
	var runPat string
	fs.StringVar(&o.Suite, "suite", "", "directory holding runtimetest and the validation programs (required)")
	fs.StringVar(&o.Runtime, "runtime", "", "runtime binary to test (required)")
	fs.StringVar(&o.Root, "root", "/run/hull", "the runtime's default state root, checked for leftover containers")
	fs.StringVar(&o.Rootfs, "rootfs", "", "rootfs tarball (required)")
	fs.StringVar(&o.Expected, "expected", "", "expected-failures file; empty: report only, never fail")
	fs.StringVar(&o.Results, "results", "", "write every assertion as 'status<TAB>program<TAB>description' to this file")
	fs.StringVar(&o.Logs, "logs", "", "directory to keep each program's stdout and stderr in")
	fs.StringVar(&runPat, "run", "", "only run programs whose name matches this regexp")
	fs.DurationVar(&o.Timeout, "timeout", 90*time.Second, "time limit for one program")
	fs.BoolVar(&o.Verbose, "v", false, "print every program's counts and the stderr of failing ones")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Suite == "" || o.Runtime == "" || o.Rootfs == "" {
		return fmt.Errorf("-suite, -runtime and -rootfs are required")
	}
	if runPat != "" {
		re, err := regexp.Compile(runPat)
		if err != nil {
			return fmt.Errorf("-run: %w", err)
		}
		o.Run = re
	}
	var exps []*Expectation
	if o.Expected != "" {
		f, err := os.Open(o.Expected)
		if err != nil {
			return err
		}
		exps, err = ParseExpectations(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", o.Expected, err)
		}
	}
	programs, err := listPrograms(o.Suite, o.Run)
	if err != nil {
		return err
	}

	d := &driver{opts: o, out: out}
	if err := d.setup(); err != nil {
		return err
	}
	defer d.removeWork()
	// `create` orphans the container's init; the driver reaps it as a
	// shim would, or every container would stay a zombie.
	d.reaper, err = sysproc.NewReaper(100 * time.Millisecond)
	if err != nil {
		return err
	}
	defer d.reaper.Close()
	d.snap = d.takeSnapshot()

	fmt.Fprintf(out, "conformance: %d programs against %s (timeout %s each)\n", len(programs), o.Runtime, o.Timeout)
	var all []programResult
	start := time.Now()
	for _, p := range programs {
		pr := d.runOne(p)
		all = append(all, pr)
		d.cleanup(pr.Name)
	}
	elapsed := time.Since(start).Round(time.Second)
	if o.Results != "" {
		if err := writeResults(o.Results, all); err != nil {
			return err
		}
	}
	return report(out, all, exps, o.Expected != "", d.leftovers, elapsed)
}

type programResult struct {
	Name       string
	Assertions []Assertion
	Res        result
}

// setup makes the working directory the programs expect as their cwd:
// runtimetest and rootfs-<arch>.tar.gz in it (validation/util reads both
// by relative path), and a tmp/ for the bundles (via TMPDIR) so that
// every file, mount and process root of the run is under one directory.
func (d *driver) setup() error {
	work, err := os.MkdirTemp("", "hull-conformance.")
	if err != nil {
		return err
	}
	d.work, d.tmp = work, filepath.Join(work, "tmp")
	// MkdirTemp makes 0700; open it up as /tmp would be, so that a
	// container with a user namespace can still reach its bundle.
	if err := os.Chmod(work, 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(d.tmp, 0o755); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(d.opts.Suite, "runtimetest"), filepath.Join(work, "runtimetest"), 0o755); err != nil {
		return err
	}
	return copyFile(d.opts.Rootfs, filepath.Join(work, "rootfs-"+runtime.GOARCH+".tar.gz"), 0o644)
}

// removeWork deletes the working directory, unless something is still
// mounted under it: a recursive delete would then walk into a bind of
// /proc, /sys or the host's /dev.
func (d *driver) removeWork() {
	if mps := sysproc.MountsUnder(d.work); len(mps) > 0 {
		fmt.Fprintf(d.out, "warning: %s still has mounts (%s); not removing it\n", d.work, mps[0])
		return
	}
	os.RemoveAll(d.work)
}

func copyFile(src, dst string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, mode)
}

// listPrograms returns the validation programs: every executable in
// suite/validation.
func listPrograms(suite string, filter *regexp.Regexp) ([]string, error) {
	dir := filepath.Join(suite, "validation")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() || (filter != nil && !filter.MatchString(e.Name())) {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no validation programs in %s", dir)
	}
	return out, nil
}

func (d *driver) runOne(path string) programResult {
	name := filepath.Base(path)
	res := d.runProgram(path)
	if d.opts.Logs != "" {
		os.MkdirAll(d.opts.Logs, 0o755)
		os.WriteFile(filepath.Join(d.opts.Logs, name+".stdout"), res.Stdout, 0o644)
		os.WriteFile(filepath.Join(d.opts.Logs, name+".stderr"), res.Stderr, 0o644)
	}
	as := Judge(Parse(res.Stdout), res.ExitCode, res.TimedOut, d.opts.Timeout, res.Err)
	pr := programResult{Name: name, Assertions: as, Res: res}
	p, f, s := count(as)
	if d.opts.Verbose || f > 0 {
		fmt.Fprintf(d.out, "%-34s %3d passed %3d failed %3d skipped  %5.1fs\n", name, p, f, s, res.Duration.Seconds())
	}
	if d.opts.Verbose && f > 0 && len(res.Stderr) > 0 {
		for _, l := range strings.Split(strings.TrimSpace(string(res.Stderr)), "\n") {
			fmt.Fprintf(d.out, "    stderr: %s\n", l)
		}
	}
	return pr
}

// Judge turns a program's TAP report and exit into assertions, adding a
// synthetic failure when the program did not finish properly: a timeout,
// a non-zero exit (util.Fatal, a panic), a missing or unmet plan. A
// program that prints nothing and exits 0 counts as one pass.
func Judge(r Report, exitCode int, timedOut bool, timeout time.Duration, startErr error) []Assertion {
	as := r.Assertions
	fail := func(desc string) {
		as = append(as, Assertion{Doc: max(r.Docs, 1), Desc: desc, Status: Failed})
	}
	switch {
	case startErr != nil:
		fail("(could not run) " + startErr.Error())
	case timedOut:
		fail(fmt.Sprintf("(timed out after %s)", timeout))
	case exitCode != 0:
		fail(fmt.Sprintf("(aborted: exit status %d)", exitCode))
	case r.Docs == 0 && len(as) == 0:
		// The *_fail programs (process_rlimits_fail, …) check that create
		// fails and, when it does, print nothing and exit 0: their exit
		// status is their only assertion.
		as = append(as, Assertion{Doc: 1, Desc: "(exit status 0, no TAP output)", Status: Passed})
	case r.Planned < 0 && r.Counted > 0:
		fail("(incomplete TAP: no plan)")
	case r.Planned >= 0 && r.Counted < r.Planned:
		fail(fmt.Sprintf("(incomplete TAP: planned %d, ran %d)", r.Planned, r.Counted))
	}
	return as
}

func count(as []Assertion) (p, f, s int) {
	for _, a := range as {
		switch a.Status {
		case Passed:
			p++
		case Failed:
			f++
		default:
			s++
		}
	}
	return
}

func writeResults(path string, all []programResult) error {
	var b strings.Builder
	for _, pr := range all {
		for _, a := range pr.Assertions {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", a.Status, pr.Name, oneLine(a.Desc))
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }

// report prints the summary and returns errFailed if any failure is not
// expected (only when judging against a list).
func report(out io.Writer, all []programResult, exps []*Expectation, judging bool, leftovers []string, elapsed time.Duration) error {
	var passed, failed, skipped int
	var unexpected, expected []string
	ran := map[string]bool{}
	for _, pr := range all {
		ran[pr.Name] = true
		for _, a := range pr.Assertions {
			switch a.Status {
			case Passed:
				passed++
				continue
			case Skipped:
				skipped++
				continue
			}
			failed++
			line := pr.Name + ": " + oneLine(a.Desc)
			var hit *Expectation
			for _, e := range exps {
				if e.Match(pr.Name, a.Desc) {
					hit = e
					break
				}
			}
			if hit != nil {
				hit.Matched++
				expected = append(expected, line+"   [expected: "+hit.Reason+"]")
			} else {
				unexpected = append(unexpected, line)
			}
		}
	}
	var stale []string
	for _, e := range exps {
		if e.Matched == 0 && ran[e.Program] {
			stale = append(stale, fmt.Sprintf("%s: %s   (expected-failures line %d)", e.Program, e.Pattern, e.Line))
		}
	}
	sort.Strings(stale)

	if judging {
		section(out, "expected failures", expected)
		section(out, "UNEXPECTED FAILURES (not in the expected-failures list)", unexpected)
		section(out, "warning: unexpectedly passing (remove from the expected-failures list)", stale)
	} else {
		section(out, "failures", unexpected)
	}
	if len(leftovers) > 0 {
		fmt.Fprintf(out, "warning: %d leftover(s) cleaned up after the programs (see 'leftover:' lines above)\n", len(leftovers))
	}
	fmt.Fprintf(out, "%d failures expected, %d unexpected, %d unexpectedly passing; %d programs in %s\n",
		len(expected), len(unexpected), len(stale), len(all), elapsed)
	// The last line is the plain "N passed, N failed" that CI reads.
	fmt.Fprintf(out, "conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if judging && len(unexpected) > 0 {
		return errFailed{len(unexpected)}
	}
	return nil
}

func section(out io.Writer, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(out, "%s:\n", title)
	for _, l := range lines {
		fmt.Fprintf(out, "  %s\n", l)
	}
}
