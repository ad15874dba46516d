package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// memory measures, for each runtime, interleaved like the timings:
//   - the peak RSS of a foreground `run` of true: wait4(2)'s maxrss, which
//     covers the runtime and the processes it waited for (the container's
//     init, which is its child, among them);
//   - the peak RSS of `create`, the same for a runtime that waits for
//     no container process: its own, the init's left out (it is the
//     runtime's child, but not waited for);
//   - the peak RSS of the container's init while it waits in "created":
//     VmHWM of /proc/PID/status, PID being state's pid, which is still the
//     runtime's own binary (hull init, runc init), its namespaces and
//     rootfs made, before it execs the user process;
//   - the smallest linux.resources.memory.limit (swap equal) under which a
//     container still starts and runs true, bisected.
func memory(rts []runtime, b bundles, rounds int) error {
	runRSS, createRSS, initRSS := map[string][]int64{}, map[string][]int64{}, map[string][]int64{}
	for r := range rounds {
		for _, rt := range interleaved(rts, r) {
			rt.timings = false
			id := fmt.Sprintf("benchmem-%s-%d", rt.name, r)
			s, err := timed(rt, "run", "--bundle", b.short, id)
			if err != nil {
				return err
			}
			runRSS[rt.name] = append(runRSS[rt.name], s.maxRSS)
			s, err = timed(rt, "create", "--bundle", b.short, id)
			if err != nil {
				return err
			}
			createRSS[rt.name] = append(createRSS[rt.name], s.maxRSS)
			hwm, err := initHWM(rt, id)
			cleanup(rt, id)
			if err != nil {
				return err
			}
			initRSS[rt.name] = append(initRSS[rt.name], hwm)
		}
	}
	limits := map[string]int64{}
	for _, rt := range rts {
		l, err := minLimit(rt, b)
		if err != nil {
			return err
		}
		limits[rt.name] = l
	}
	w := tabwriter.NewWriter(os.Stdout, 4, 1, 2, ' ', 0)
	fmt.Fprintf(w, "memory (MiB), %d rounds\thull\trunc\thull/runc\n", rounds)
	row := func(label string, h, rc int64) {
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%.2f\n", label, mib(h), mib(rc), float64(h)/float64(rc))
	}
	row("run, peak RSS p50 (wait4 maxrss)", pctInt(runRSS["hull"], 50), pctInt(runRSS["runc"], 50))
	row("run, peak RSS p90", pctInt(runRSS["hull"], 90), pctInt(runRSS["runc"], 90))
	row("create, peak RSS p50 (the runtime alone)", pctInt(createRSS["hull"], 50), pctInt(createRSS["runc"], 50))
	row("init while created, VmHWM p50", pctInt(initRSS["hull"], 50), pctInt(initRSS["runc"], 50))
	row("init while created, VmHWM p90", pctInt(initRSS["hull"], 90), pctInt(initRSS["runc"], 90))
	row(fmt.Sprintf("smallest memory.limit running true (%d KiB steps)", limitStep>>10), limits["hull"], limits["runc"])
	return w.Flush()
}

// initHWM is the peak RSS of container id's init, read from
// /proc/PID/status (VmHWM), in bytes.
func initHWM(rt runtime, id string) (int64, error) {
	r, _ := rt.reaper.Run(sysproc.RunOpts{}, rt.bin, "--root", rt.root, "state", id)
	if r.Code != 0 {
		return 0, fmt.Errorf("%s state %s: %v: %s", rt.name, id, r.Err, r.Stderr)
	}
	var st struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil || st.Pid <= 0 {
		return 0, fmt.Errorf("%s state %s: no pid in %q", rt.name, id, r.Stdout)
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", st.Pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmHWM %q: %w", st.Pid, v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", st.Pid)
}

// limitStep is the bisection's resolution.
const limitStep = 16 << 10

// minLimit bisects the smallest memory limit (and memory+swap limit, the
// same) under which rt runs true in a container, to limitStep.
func minLimit(rt runtime, b bundles) (int64, error) {
	rt.timings = false
	n := 0
	runs := func(limit int64) (bool, error) {
		n++
		dir, err := b.variant("mem-"+rt.name, func(s *specs.Spec) {
			s.Process.Args = []string{"true"}
			if s.Linux.Resources == nil {
				s.Linux.Resources = &specs.LinuxResources{}
			}
			s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit, Swap: &limit}
		})
		if err != nil {
			return false, err
		}
		id := fmt.Sprintf("benchlimit-%s-%d", rt.name, n)
		r, err := rt.reaper.Run(sysproc.RunOpts{Timeout: 30 * time.Second}, rt.bin, "--root", rt.root, "run", "--bundle", dir, id)
		cleanup(rt, id)
		if err != nil {
			return false, err
		}
		return r.Code == 0, nil
	}
	lo, hi := int64(0), int64(64<<20)
	if ok, err := runs(hi); err != nil || !ok {
		return 0, fmt.Errorf("%s does not run true under a %d MiB memory limit (%v)", rt.name, hi>>20, err)
	}
	for hi-lo > limitStep {
		mid := (lo + hi) / 2 &^ (4<<10 - 1) // the kernel counts in pages
		ok, err := runs(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func pctInt(v []int64, p int) int64 {
	s := append([]int64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}
