// Command bench measures hull against runc on the same machine in the same
// run: each round runs every scenario once with each runtime, in
// alternating order, so that both see the same load, caches and thermal
// state. It reports the median and the 90th percentile per scenario and
// runtime, and the ratio of the medians. It asserts nothing: it is for
// people to read (`make bench`).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

type runtime struct {
	name, bin, root string
	// reaper starts and waits for every command, so that it never takes
	// their exit status for an orphan's.
	reaper *sysproc.Reaper
}

// scenario runs one measured operation with rt; setup and teardown around
// it are not timed.
type scenario struct {
	name string
	run  func(rt runtime, bundle, id string) (time.Duration, error)
}

func main() {
	hull := flag.String("hull", "bin/hull", "hull binary")
	runc := flag.String("runc", "runc", "runc binary to compare with")
	rounds := flag.Int("n", 20, "rounds")
	flag.Parse()
	if err := bench(*hull, *runc, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func bench(hullBin, runcBin string, rounds int) error {
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
	rts := []runtime{
		{"hull", hullBin, filepath.Join(work, "hull-state"), reaper},
		{"runc", runcBin, filepath.Join(work, "runc-state"), reaper},
	}
	bundle, err := makeBundle(work, rts[0])
	if err != nil {
		return err
	}
	scenarios := []scenario{
		{"run (foreground, true)", func(rt runtime, b, id string) (time.Duration, error) {
			return timed(rt, "run", "--bundle", b, id)
		}},
		{"create", func(rt runtime, b, id string) (time.Duration, error) {
			d, err := timed(rt, "create", "--bundle", b, id)
			cleanup(rt, id)
			return d, err
		}},
		{"start", func(rt runtime, b, id string) (time.Duration, error) {
			if _, err := timed(rt, "create", "--bundle", b, id); err != nil {
				return 0, err
			}
			defer cleanup(rt, id)
			return timed(rt, "start", id)
		}},
		{"state", func(rt runtime, b, id string) (time.Duration, error) {
			if _, err := timed(rt, "create", "--bundle", b, id); err != nil {
				return 0, err
			}
			defer cleanup(rt, id)
			return timed(rt, "state", id)
		}},
		{"exec (true)", func(rt runtime, b, id string) (time.Duration, error) {
			if _, err := timed(rt, "run", "-d", "--bundle", filepath.Join(b, "..", "long"), id); err != nil {
				return 0, err
			}
			defer cleanup(rt, id)
			return timed(rt, "exec", id, "true")
		}},
		{"delete (created)", func(rt runtime, b, id string) (time.Duration, error) {
			if _, err := timed(rt, "create", "--bundle", b, id); err != nil {
				return 0, err
			}
			d, err := timed(rt, "delete", "--force", id)
			cleanup(rt, id)
			return d, err
		}},
	}
	results := map[string]map[string][]time.Duration{}
	for _, s := range scenarios {
		results[s.name] = map[string][]time.Duration{}
	}
	for r := range rounds {
		for _, s := range scenarios {
			order := rts
			if r%2 == 1 {
				order = []runtime{rts[1], rts[0]}
			}
			for _, rt := range order {
				id := fmt.Sprintf("bench-%s-%d", rt.name, r)
				d, err := s.run(rt, bundle, id)
				if err != nil {
					return fmt.Errorf("%s with %s: %w", s.name, rt.name, err)
				}
				results[s.name][rt.name] = append(results[s.name][rt.name], d)
			}
		}
	}
	fmt.Printf("hull vs runc, %d interleaved rounds (%s; %s)\n", rounds, version(rts[0]), version(rts[1]))
	w := tabwriter.NewWriter(os.Stdout, 4, 1, 2, ' ', 0)
	fmt.Fprintln(w, "scenario\thull p50\thull p90\trunc p50\trunc p90\thull/runc (p50)")
	for _, s := range scenarios {
		h, rc := results[s.name]["hull"], results[s.name]["runc"]
		fmt.Fprintf(w, "%s\t%v\t%v\t%v\t%v\t%.2f\n", s.name, pct(h, 50), pct(h, 90), pct(rc, 50), pct(rc, 90),
			float64(pct(h, 50))/float64(pct(rc, 50)))
	}
	return w.Flush()
}

func timed(rt runtime, args ...string) (time.Duration, error) {
	// Output goes to a file, not a pipe: a detached container inherits it
	// and would keep a pipe open long after the runtime has returned.
	out, err := os.CreateTemp("", "hull-bench-out-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := exec.Command(rt.bin, append([]string{"--root", rt.root}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err = rt.reaper.Start(cmd); err == nil {
		err = rt.reaper.Wait(cmd)
	}
	d := time.Since(start)
	if err != nil {
		msg, _ := os.ReadFile(out.Name())
		return 0, fmt.Errorf("%s %s: %v: %s", rt.name, strings.Join(args, " "), err, msg)
	}
	return d, nil
}

func cleanup(rt runtime, id string) {
	_, _ = rt.reaper.Run(sysproc.RunOpts{}, rt.bin, "--root", rt.root, "delete", "--force", id)
}

func version(rt runtime) string {
	r, _ := rt.reaper.Run(sysproc.RunOpts{}, rt.bin, "--version")
	first, _, _ := strings.Cut(r.Stdout, "\n")
	return first
}

func pct(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100].Round(10 * time.Microsecond)
}

// makeBundle writes a busybox bundle running `true`, and next to it one
// ("long") running sleep, both from `hull spec`.
func makeBundle(work string, hull runtime) (string, error) {
	rootfs := filepath.Join(work, "rootfs")
	for _, d := range []string{"bin", "proc", "sys", "dev", "etc", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			return "", err
		}
	}
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return "", fmt.Errorf("a busybox rootfs needs /bin/busybox (busybox-static): %w", err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), data, 0o755); err != nil {
		return "", err
	}
	for _, a := range []string{"sh", "true", "sleep"} {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", a)); err != nil {
			return "", err
		}
	}
	tmpl := filepath.Join(work, "template")
	if err := os.MkdirAll(tmpl, 0o755); err != nil {
		return "", err
	}
	if r, _ := hull.reaper.Run(sysproc.RunOpts{}, hull.bin, "spec", "--bundle", tmpl); r.Err != nil {
		return "", fmt.Errorf("hull spec: %v: %s%s", r.Err, r.Stdout, r.Stderr)
	}
	raw, err := os.ReadFile(filepath.Join(tmpl, "config.json"))
	if err != nil {
		return "", err
	}
	for name, args := range map[string][]string{"short": {"true"}, "long": {"sleep", "1000"}} {
		var s specs.Spec
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		s.Root.Path = rootfs
		s.Process.Terminal = false
		s.Process.Args = args
		dir := filepath.Join(work, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		out, err := json.Marshal(&s)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "config.json"), out, 0o644); err != nil {
			return "", err
		}
	}
	return filepath.Join(work, "short"), nil
}
