// Command bench measures hull against runc on the same machine in the same
// run: each round runs every scenario once with each runtime, in
// alternating order, so that both see the same load, caches and thermal
// state. It reports the median and the 90th percentile per scenario and
// runtime, and the ratio of the medians. It asserts nothing: it is for
// people to read (`make bench`).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

type runtime struct {
	name, bin, root string
	// reaper starts and waits for every command, so that it never takes
	// their exit status for an orphan's.
	reaper *sysproc.Reaper
	// timings passes --timings (hull only): its phases are read from
	// each command's stderr.
	timings bool
}

// sample is one command's wall time, hull's --timings phases when asked
// for, and its peak RSS as wait4(2) reports it.
type sample struct {
	d      time.Duration
	phases []phase
	maxRSS int64 // bytes
	pid    int
}

type phase struct {
	name string
	d    time.Duration
}

// scenario runs one measured operation with rt; setup and teardown around
// it are not timed.
type scenario struct {
	name string
	run  func(rt runtime, bundle, id string) (sample, error)
}

func main() {
	hull := flag.String("hull", "bin/hull", "hull binary")
	runc := flag.String("runc", "runc", "runc binary to compare with")
	rounds := flag.Int("n", 20, "rounds")
	mem := flag.Bool("mem", false, "also measure memory: peak RSS of run and of the container's init, and the smallest memory limit a container starts under")
	trace := flag.Bool("trace", false, "also trace run with the kernel's tracepoints: which part of libcontainer's start costs what, for both runtimes")
	flag.Parse()
	if err := bench(*hull, *runc, *rounds, *mem, *trace); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func bench(hullBin, runcBin string, rounds int, mem, trace bool) error {
	work, err := os.MkdirTemp("", "hull-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// The runtimes' detached containers become our children when their
	// runtime exits; as subreaper we reap them (this host's PID 1 does not).
	reaper, err := sysproc.NewReaper(50 * time.Millisecond)
	if err != nil {
		return err
	}
	defer reaper.Close()
	hullBin, err = filepath.Abs(hullBin)
	if err != nil {
		return err
	}
	if runcBin, err = exec.LookPath(runcBin); err != nil {
		return fmt.Errorf("runc is needed to compare with: %w", err)
	}
	// Both run from copies under the same name in sibling directories:
	// the same file system, the same page-cache history (just written),
	// paths of the same length. With byte-identical binaries, where a
	// binary was and what it was called alone moved its times by a few
	// per cent and its peak RSS by up to 1.5 MiB (fault-around maps
	// whatever of the file the page cache holds).
	if hullBin, err = copyBinary(hullBin, filepath.Join(work, "hull")); err != nil {
		return err
	}
	if runcBin, err = copyBinary(runcBin, filepath.Join(work, "runc")); err != nil {
		return err
	}
	states, err := stateTmpfs(work)
	if err != nil {
		return err
	}
	defer unix.Unmount(states, unix.MNT_DETACH)
	rts := []runtime{
		{"hull", hullBin, filepath.Join(states, "hull"), reaper, true},
		{"runc", runcBin, filepath.Join(states, "runc"), reaper, false},
	}
	b, err := makeBundles(work, rts[0])
	if err != nil {
		return err
	}
	scenarios := []scenario{
		{"run (foreground, true)", func(rt runtime, b, id string) (sample, error) {
			return timed(rt, "run", "--bundle", b, id)
		}},
		{"create", func(rt runtime, b, id string) (sample, error) {
			s, err := timed(rt, "create", "--bundle", b, id)
			cleanup(rt, id)
			return s, err
		}},
		{"start", func(rt runtime, b, id string) (sample, error) {
			if _, err := timed(rt, "create", "--bundle", b, id); err != nil {
				return sample{}, err
			}
			defer cleanup(rt, id)
			return timed(rt, "start", id)
		}},
		{"state", func(rt runtime, b, id string) (sample, error) {
			if _, err := timed(rt, "create", "--bundle", b, id); err != nil {
				return sample{}, err
			}
			defer cleanup(rt, id)
			return timed(rt, "state", id)
		}},
		{"exec (true)", func(rt runtime, b, id string) (sample, error) {
			if _, err := timed(rt, "run", "-d", "--bundle", filepath.Join(b, "..", "long"), id); err != nil {
				return sample{}, err
			}
			defer cleanup(rt, id)
			return timed(rt, "exec", id, "true")
		}},
		// The lifecycle a shim drives for a short-lived container: the
		// three commands' wall times added, delete --force killing a
		// running container.
		{"create+start+delete -f", func(rt runtime, b, id string) (sample, error) {
			long := filepath.Join(b, "..", "long")
			var sum sample
			defer cleanup(rt, id)
			for _, args := range [][]string{{"create", "--bundle", long, id}, {"start", id}, {"delete", "--force", id}} {
				s, err := timed(rt, args...)
				if err != nil {
					return sample{}, err
				}
				sum.d += s.d
			}
			return sum, nil
		}},
		{"delete (created)", func(rt runtime, b, id string) (sample, error) {
			if _, err := timed(rt, "create", "--bundle", b, id); err != nil {
				return sample{}, err
			}
			s, err := timed(rt, "delete", "--force", id)
			cleanup(rt, id)
			return s, err
		}},
	}
	results := map[string]map[string][]sample{}
	for _, s := range scenarios {
		results[s.name] = map[string][]sample{}
	}
	for r := range rounds {
		for _, s := range scenarios {
			for _, rt := range interleaved(rts, r) {
				id := fmt.Sprintf("bench-%s-%d", rt.name, r)
				smp, err := s.run(rt, b.short, id)
				if err != nil {
					return fmt.Errorf("%s with %s: %w", s.name, rt.name, err)
				}
				results[s.name][rt.name] = append(results[s.name][rt.name], smp)
			}
		}
	}
	fmt.Printf("hull vs runc, %d interleaved rounds (%s; %s)\n%s\n\n", rounds, version(rts[0]), version(rts[1]), machine())
	w := tabwriter.NewWriter(os.Stdout, 4, 1, 2, ' ', 0)
	fmt.Fprintln(w, "scenario\thull p50\thull p90\trunc p50\trunc p90\thull/runc (p50)")
	for _, s := range scenarios {
		h, rc := walls(results[s.name]["hull"]), walls(results[s.name]["runc"])
		fmt.Fprintf(w, "%s\t%v\t%v\t%v\t%v\t%.2f\n", s.name, pct(h, 50), pct(h, 90), pct(rc, 50), pct(rc, 90),
			float64(pct(h, 50))/float64(pct(rc, 50)))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Println()
	if err := printPhases(scenarios, results); err != nil {
		return err
	}
	if mem {
		fmt.Println()
		if err := memory(rts, b, rounds); err != nil {
			return err
		}
	}
	if trace {
		fmt.Println()
		return traced(rts, b, rounds)
	}
	return nil
}

// interleaved is the order of the runtimes in round r: alternating, so
// that neither always runs first.
func interleaved(rts []runtime, r int) []runtime {
	if r%2 == 1 {
		return []runtime{rts[1], rts[0]}
	}
	return rts
}

// printPhases prints hull's --timings phases, medians per scenario, next
// to its wall time and runc's: where hull's time goes. "outside" is the
// wall time no phase covers: exec(2) and the Go runtime's start before
// the time package's, and the exit.
func printPhases(scenarios []scenario, results map[string]map[string][]sample) error {
	// A scenario of several commands has no phases of its own.
	scenarios = slices.DeleteFunc(slices.Clone(scenarios), func(s scenario) bool {
		ss := results[s.name]["hull"]
		return len(ss) == 0 || len(ss[0].phases) == 0
	})
	var names []string
	for _, s := range scenarios {
		for _, smp := range results[s.name]["hull"] {
			names = mergeNames(names, smp.phases)
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 4, 1, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "hull phases, p50 (ms)\t")
	for _, s := range scenarios {
		fmt.Fprintf(w, "%s\t", s.name)
	}
	fmt.Fprintln(w)
	row := func(label string, f func(ss []sample) time.Duration) {
		fmt.Fprintf(w, "%s\t", label)
		for _, s := range scenarios {
			if d := f(results[s.name]["hull"]); d >= 0 {
				fmt.Fprintf(w, "%.2f\t", float64(d)/1e6)
			} else {
				fmt.Fprint(w, "\t")
			}
		}
		fmt.Fprintln(w)
	}
	for _, n := range names {
		row(n, func(ss []sample) time.Duration {
			var ds []time.Duration
			for _, smp := range ss {
				for _, p := range smp.phases {
					if p.name == n {
						ds = append(ds, p.d)
					}
				}
			}
			if len(ds) == 0 {
				return -1
			}
			return pct(ds, 50)
		})
	}
	sum := func(smp sample) time.Duration {
		var t time.Duration
		for _, p := range smp.phases {
			t += p.d
		}
		return t
	}
	row("sum of phases", func(ss []sample) time.Duration {
		var ds []time.Duration
		for _, smp := range ss {
			ds = append(ds, sum(smp))
		}
		return pct(ds, 50)
	})
	row("hull wall", func(ss []sample) time.Duration { return pct(walls(ss), 50) })
	row("outside phases", func(ss []sample) time.Duration {
		var ds []time.Duration
		for _, smp := range ss {
			ds = append(ds, smp.d-sum(smp))
		}
		return pct(ds, 50)
	})
	fmt.Fprintf(w, "runc wall\t")
	for _, s := range scenarios {
		fmt.Fprintf(w, "%.2f\t", float64(pct(walls(results[s.name]["runc"]), 50))/1e6)
	}
	fmt.Fprintln(w)
	return w.Flush()
}

// mergeNames adds the names of ps that names lacks, each before the
// next name of ps that names has (at the end when none), so that the
// phases of every command keep their order in one list.
func mergeNames(names []string, ps []phase) []string {
	for i, p := range ps {
		if slices.Contains(names, p.name) {
			continue
		}
		at := len(names)
		for _, q := range ps[i+1:] {
			if j := slices.Index(names, q.name); j >= 0 {
				at = j
				break
			}
		}
		names = slices.Insert(names, at, p.name)
	}
	return names
}

func walls(ss []sample) []time.Duration {
	ds := make([]time.Duration, 0, len(ss))
	for _, s := range ss {
		ds = append(ds, s.d)
	}
	return ds
}

// timed runs the runtime with args and returns its wall time, phases and
// peak RSS; a failure is an error with its output.
func timed(rt runtime, args ...string) (sample, error) {
	s, out, err := runRT(rt, args...)
	if err != nil {
		return sample{}, fmt.Errorf("%s %s: %v: %s", rt.name, strings.Join(args, " "), err, out)
	}
	return s, nil
}

// runRT runs the runtime with args, its output to a file, and returns
// the sample, the output and how it failed.
func runRT(rt runtime, args ...string) (sample, string, error) {
	// Output goes to a file, not a pipe: a detached container inherits it
	// and would keep a pipe open long after the runtime has returned.
	out, err := os.CreateTemp("", "hull-bench-out-")
	if err != nil {
		return sample{}, "", err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	global := []string{"--root", rt.root}
	if rt.timings {
		global = append(global, "--timings")
	}
	cmd := exec.Command(rt.bin, append(global, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err = rt.reaper.Start(cmd); err == nil {
		err = rt.reaper.Wait(cmd)
	}
	s := sample{d: time.Since(start)}
	if cmd.Process != nil {
		s.pid = cmd.Process.Pid
	}
	msg, _ := os.ReadFile(out.Name())
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.maxRSS = ru.Maxrss * 1024 // KiB on Linux
		}
	}
	if err != nil {
		return s, string(msg), err
	}
	if rt.timings {
		if s.phases, err = parseTimings(string(msg)); err != nil {
			return s, string(msg), err
		}
	}
	return s, string(msg), nil
}

// parseTimings reads the "hull: timings: CMD: name 1.234ms, ..., total
// 5.678ms" line of --timings.
func parseTimings(out string) ([]phase, error) {
	for _, l := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(l, "hull: timings: ")
		if !ok {
			continue
		}
		_, list, _ := strings.Cut(rest, ": ")
		var ps []phase
		for _, f := range strings.Split(list, ", ") {
			i := strings.LastIndexByte(f, ' ')
			num, unit := strings.CutSuffix(f[i+1:], "ms")
			ms, err := strconv.ParseFloat(num, 64)
			if i < 0 || !unit || err != nil {
				return nil, fmt.Errorf("--timings phase %q: want \"<name> <ms>ms\"", f)
			}
			if name := f[:i]; name != "total" {
				ps = append(ps, phase{name, time.Duration(ms * 1e6)})
			}
		}
		return ps, nil
	}
	return nil, errors.New("hull printed no --timings line")
}

func cleanup(rt runtime, id string) {
	_, _ = rt.reaper.Run(sysproc.RunOpts{}, rt.bin, "--root", rt.root, "delete", "--force", id)
}

func version(rt runtime) string {
	r, _ := rt.reaper.Run(sysproc.RunOpts{}, rt.bin, "--version")
	first, _, _ := strings.Cut(r.Stdout, "\n")
	return first
}

// machine names the CPU, its cores and the kernel, for the reader of a
// table.
func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	var u unix.Utsname
	kernel := "?"
	if unix.Uname(&u) == nil {
		kernel = unix.ByteSliceToString(u.Release[:])
	}
	return fmt.Sprintf("machine: %s, %d cores, Linux %s", cpu, goruntime.NumCPU(), kernel)
}

func pct(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100].Round(10 * time.Microsecond)
}

// bundles are the bench's bundles on one busybox rootfs: short runs
// `true`, long runs sleep; spec is their config, for variants.
type bundles struct {
	work, short, long string
	spec              []byte
}

// makeBundles writes a busybox bundle running `true`, and next to it one
// ("long") running sleep, both from `hull spec`.
func makeBundles(work string, hull runtime) (bundles, error) {
	b := bundles{work: work}
	rootfs := filepath.Join(work, "rootfs")
	for _, d := range []string{"bin", "proc", "sys", "dev", "etc", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			return b, err
		}
	}
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return b, fmt.Errorf("a busybox rootfs needs /bin/busybox (busybox-static): %w", err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), data, 0o755); err != nil {
		return b, err
	}
	for _, a := range []string{"sh", "true", "sleep"} {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", a)); err != nil {
			return b, err
		}
	}
	tmpl := filepath.Join(work, "template")
	if err := os.MkdirAll(tmpl, 0o755); err != nil {
		return b, err
	}
	if r, _ := hull.reaper.Run(sysproc.RunOpts{}, hull.bin, "spec", "--bundle", tmpl); r.Err != nil {
		return b, fmt.Errorf("hull spec: %v: %s%s", r.Err, r.Stdout, r.Stderr)
	}
	raw, err := os.ReadFile(filepath.Join(tmpl, "config.json"))
	if err != nil {
		return b, err
	}
	var s specs.Spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return b, err
	}
	s.Root.Path = rootfs
	s.Process.Terminal = false
	if b.spec, err = json.Marshal(&s); err != nil {
		return b, err
	}
	if b.short, err = b.variant("short", func(s *specs.Spec) { s.Process.Args = []string{"true"} }); err != nil {
		return b, err
	}
	b.long, err = b.variant("long", func(s *specs.Spec) { s.Process.Args = []string{"sleep", "1000"} })
	return b, err
}

// variant writes the bundle dir (under work) whose config is the short
// one's changed by mod.
func (b bundles) variant(dir string, mod func(*specs.Spec)) (string, error) {
	var s specs.Spec
	if err := json.Unmarshal(b.spec, &s); err != nil {
		return "", err
	}
	mod(&s)
	dir = filepath.Join(b.work, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out, err := json.Marshal(&s)
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "config.json"), out, 0o644)
}

// copyBinary copies the executable bin into dir as dir/runtime and
// returns the copy's path. It streams: wait4's maxrss of a command
// counts this process's peak too (Go starts commands with CLONE_VM, and
// exec keeps the larger of the two), so bench itself must stay small.
func copyBinary(bin, dir string) (string, error) {
	src, err := os.Open(bin)
	if err != nil {
		return "", err
	}
	defer src.Close()
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "runtime")
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, src)
	return dst, errors.Join(err, f.Close())
}

// stateTmpfs mounts a tmpfs for the runtimes' state roots under work. In
// production the roots (/run/hull, /run/runc) are on tmpfs, where fsync is
// nearly free; under the temporary directory, often on disk, each create's
// durable writes would cost milliseconds no user pays.
func stateTmpfs(work string) (string, error) {
	dir := filepath.Join(work, "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0700"); err != nil {
		return "", fmt.Errorf("mount a tmpfs for the state roots on %s: %w", dir, err)
	}
	return dir, nil
}
