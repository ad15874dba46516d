package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// TestParity runs the reference runc (runc of go.mod's libcontainer
// version, see runcref_test.go) and hull side by side: each scenario is a
// sequence of commands run against both, each with its own --root, on
// bundles made from the same config. Every step compares the exit code,
// stdout (exactly, or normalised as the step declares), stderr's error
// words (see compareStderr) and, in host steps, what the host or the
// container shows. A difference is a failure unless parityDeliberate
// lists it with its reason; the README's "Differences from runc" lists
// the same.
func TestParity(t *testing.T) {
	t.Parallel()
	runc := requireRunc(t)
	for _, sc := range parityScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runParity(t, runc, sc)
		})
	}
}

// parityDeliberate is the one list of deliberate differences between hull
// and runc that the comparison accepts. The README's "Differences from
// runc" section lists the same, with the same reasons.
var parityDeliberate = []deliberate{
	{
		command: "state", aspect: "stdout",
		what:   "`state` fills in `owner` (the state directory's owner, as `list` shows it); runc's `state` always prints \"owner\": \"\"",
		reason: "runc's `state` shares `list`'s struct and never sets the field; an empty owner says nothing, the real one is what `list` already reports",
		adjust: dropJSONKeys("owner"),
	},
	{
		command: "features", aspect: "stdout",
		what:   "annotations name the runtime: org.hullrt.hull.version instead of org.opencontainers.runc.version and .commit",
		reason: "they say which program and version answered; hull claiming to be a runc version would mislead the callers that read them",
		adjust: dropAnnotations,
	},
	{
		command: "features", aspect: "stdout",
		what:   "`features` lists the mount options idmap and ridmap",
		reason: "hull and runc both accept them (libcontainer makes idmapped mounts); runc's list leaves them out",
		adjust: dropMountOptions("idmap", "ridmap"),
	},
	{
		scenario: "kill-out-of-range", command: "kill", aspect: "stderr",
		what:   "`kill ID 65` (a number past the last signal) is refused before the container is looked up, saying which numbers and names are signals; runc passes it to kill(2) and reports \"unable to signal init: invalid argument\"",
		reason: "the value is wrong whatever the container; both exit 1",
	},
	{
		scenario: "list-empty-root", command: "list", aspect: "stdout",
		what:   "`list --format json` with no containers prints [] where runc prints null",
		reason: "an empty list is a list: `jq '.[]'` fails on null, and [] decodes the same as null in Go",
	},
	{
		scenario: "usage-errors", aspect: "stdout stderr",
		what:   "a usage error is one line on stderr naming the problem and `hull CMD --help`, where runc prints the command's whole help on stdout",
		reason: "the help text buried the one line that says what was wrong, and stdout is for a command's output",
	},
	{
		scenario: "bad-json", command: "", aspect: "stderr",
		what:   "a config.json that is not JSON is reported with file:line:column and what is probably missing; runc says only what encoding/json says (\"unexpected EOF\")",
		reason: "runc's words name nothing a caller could match or a person could act on",
	},
	{
		scenario: "exec", command: "exec", aspect: "stdout",
		what:   "`exec --additional-gids 1` gives the process the groups [1]; runc gives [1 1] (`id` shows groups=1,1)",
		reason: "runc's urfave/cli v1 slice flag with an alias (additional-gids, g) repeats a lone value; the duplicate changes no permission",
		adjust: dedupGroups,
	},
	{
		scenario: "exec-cgroup-controller", command: "exec", aspect: "code stderr", only: cgroupV2,
		what:   "on cgroup v2, `exec --cgroup CTRL:PATH` with a controller the container's cgroup lacks is refused (255, naming it); runc 1.5.3 ignores every CTRL:PATH value there and runs the process in the container's own cgroup (exit 0)",
		reason: "a v1 habit or a typo would put the process where the caller did not ask, silently; hull takes CTRL:PATH as PATH when CTRL is the container's, and says so when it is not",
	},
	{
		scenario: "poststart-hook-state", aspect: "host",
		what:   "poststart hooks run after the container's process has started (the state says \"running\"); runc runs them inside `create` (its libcontainer Start), with \"created\", before `start`",
		reason: "runtime-spec: poststart hooks are called after the user-specified process is executed, before start returns; a hook that expects a running container must see one",
		adjust: dropJSONKeys("status"),
	},
}

// dedupGroups rewrites `id`'s "groups=N,N" (one group, repeated) as
// "groups=N".
func dedupGroups(out string) string {
	return groupList.ReplaceAllStringFunc(out, func(m string) string {
		a, b, _ := strings.Cut(strings.TrimPrefix(m, "groups="), ",")
		if a == b {
			return "groups=" + a
		}
		return m
	})
}

var groupList = regexp.MustCompile(`groups=\d+,\d+\b`)

// deliberate is one accepted difference: in the steps it matches, aspect
// ("code", "stdout", "stderr" or "host"; several separated by spaces) may
// differ. With adjust, both sides'
// normalised output go through it and must then be equal; without, that
// aspect is not compared. An empty scenario or command matches any.
type deliberate struct {
	scenario string // the scenario's name
	command  string // the step's subcommand (its first argument)
	aspect   string
	what     string
	reason   string
	adjust   func(string) string
	// only, when set, limits the entry to the hosts where it is true.
	only func() bool
}

// findDeliberate returns the entries for this aspect of the step: with
// one that has no adjust, the aspect is not compared; the adjusts of the
// others all apply, in the list's order.
func findDeliberate(scenario string, st step, aspect string) (skip *deliberate, adjusts []*deliberate) {
	for i := range parityDeliberate {
		d := &parityDeliberate[i]
		if !contains(strings.Fields(d.aspect), aspect) || d.scenario != "" && d.scenario != scenario || d.only != nil && !d.only() ||
			d.command != "" && (len(st.args) == 0 || st.args[0] != d.command) {
			continue
		}
		if d.adjust == nil {
			skip = d
		} else {
			adjusts = append(adjusts, d)
		}
	}
	return skip, adjusts
}

// adjustAll passes out through each entry's adjust.
func adjustAll(ds []*deliberate, out string) string {
	for _, d := range ds {
		out = d.adjust(out)
	}
	return out
}

// dropJSONKeys removes top-level keys from a normalised JSON object.
func dropJSONKeys(keys ...string) func(string) string {
	return func(out string) string {
		var m map[string]any
		if json.Unmarshal([]byte(out), &m) != nil {
			return out
		}
		for _, k := range keys {
			delete(m, k)
		}
		return canonicalJSON(m)
	}
}

// dropAnnotations removes from a features document the annotations that
// name the runtime and its version.
func dropAnnotations(out string) string {
	var m map[string]any
	if json.Unmarshal([]byte(out), &m) != nil {
		return out
	}
	if a, ok := m["annotations"].(map[string]any); ok {
		for _, k := range []string{"org.opencontainers.runc.version", "org.opencontainers.runc.commit", "org.hullrt.hull.version"} {
			delete(a, k)
		}
	}
	return canonicalJSON(m)
}

// dropMountOptions removes mount options from a features document.
func dropMountOptions(opts ...string) func(string) string {
	return func(out string) string {
		var m map[string]any
		if json.Unmarshal([]byte(out), &m) != nil {
			return out
		}
		list, ok := m["mountOptions"].([]any)
		if !ok {
			return out
		}
		kept := []any{}
		for _, o := range list {
			if s, _ := o.(string); !contains(opts, s) {
				kept = append(kept, o)
			}
		}
		m["mountOptions"] = kept
		return canonicalJSON(m)
	}
}

// ---------------------------------------------------------------------------
// Scenarios

// scenario is a config and the commands run against it on both sides.
type scenario struct {
	name string
	// args and mods make config.json from `hull spec` output (as h.bundle
	// does); raw, when set, is config.json as-is. In both, {id}, {dir} and
	// {root} are replaced with each side's values.
	args  []string
	mods  []func(*specs.Spec)
	raw   string
	steps []step
	// skip, when it returns a reason, skips the scenario (host lacks it).
	skip func() string
}

// step is one command (args, with the side's {id}, {bundle}, {dir},
// {root}, {blkdev} substituted) or one host observation (host), with how
// its output is compared.
type step struct {
	args   []string
	root   string             // --root instead of the side's
	prefix []string           // run the runtime under this command (taskset)
	tty    bool               // stdin is a new pty that is the command's controlling terminal
	stdin  string             // the command's stdin (default: none)
	host   func(*side) string // instead of a command: what the host shows
	// status waits (on both sides) until `state` says so, before the step.
	status string
	// execd waits until the container's process has exec'd its program
	// (`run --detach` returns while it may still be the runtime's init).
	execd bool
	// signal is sent to the runtime's process once the container runs
	// (a foreground run forwards it); with caught, once the container's
	// process has a handler for it (sh's trap), since PID 1 ignores a
	// signal it does not handle.
	signal syscall.Signal
	caught bool
	out    outNorm // stdout; nil: exact after substituting the side's names
	err    errRule
}

// side is one runtime's half of a scenario.
type side struct {
	name   string // runc or hull
	bin    string
	root   string
	dir    string // files of this side (hooks write here)
	bundle string
	id     string
}

// expand substitutes the side's values into a step's argument.
func (sd *side) expand(s string) string {
	return strings.NewReplacer("{id}", sd.id, "{bundle}", sd.bundle, "{dir}", sd.dir,
		"{root}", sd.root, "{blkdev}", blockDevice()).Replace(s)
}

// anonymise replaces the side's own names in output with placeholders, so
// that both sides' output can be compared.
func (sd *side) anonymise(s string) string {
	pairs := [][2]string{{sd.bundle, "<bundle>"}, {sd.root, "<root>"}, {sd.dir, "<dir>"}, {sd.id, "<id>"}}
	sort.Slice(pairs, func(i, j int) bool { return len(pairs[i][0]) > len(pairs[j][0]) })
	for _, p := range pairs {
		if p[0] != "" {
			s = strings.ReplaceAll(s, p[0], p[1])
		}
	}
	return s
}

// outNorm turns one side's stdout into what is compared.
type outNorm func(sd *side, out string) string

// outExact compares stdout byte for byte, after the side's names.
func outExact(sd *side, out string) string { return sd.anonymise(out) }

// outIgnore does not compare stdout.
func outIgnore(*side, string) string { return "" }

var digits = regexp.MustCompile(`[0-9]+`)

// outFields compares whitespace-separated fields with every number
// replaced (pids, times, sizes) and column widths ignored.
func outFields(sd *side, out string) string {
	var ls []string
	for _, l := range strings.Split(sd.anonymise(out), "\n") {
		if f := strings.Fields(digits.ReplaceAllString(l, "N")); len(f) > 0 {
			ls = append(ls, strings.Join(f, " "))
		}
	}
	return strings.Join(ls, "\n")
}

// outJSON compares JSON values, with the listed keys' values (pids,
// times) replaced by a placeholder when set.
func outJSON(volatile ...string) outNorm {
	return func(sd *side, out string) string {
		var v any
		if err := json.Unmarshal([]byte(sd.anonymise(out)), &v); err != nil {
			return "invalid JSON: " + out
		}
		return canonicalJSON(maskKeys(v, volatile))
	}
}

func maskKeys(v any, keys []string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if contains(keys, k) && e != nil && e != float64(0) && e != "" {
				x[k] = "<" + k + ">"
			} else {
				x[k] = maskKeys(e, keys)
			}
		}
	case []any:
		for i := range x {
			x[i] = maskKeys(x[i], keys)
		}
	}
	return v
}

// outJSONShape compares JSON documents (one per line) by their keys and
// value types only: what a caller's decoder depends on.
func outJSONShape(sd *side, out string) string {
	var docs []string
	for _, l := range lines(out) {
		var v any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			return "invalid JSON: " + l
		}
		docs = append(docs, canonicalJSON(shape(v)))
	}
	return strings.Join(docs, "\n")
}

func shape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = shape(e)
		}
		return m
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		return []any{shape(x[0])}
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T", x)
	}
}

// canonicalJSON prints v indented, keys sorted, without HTML escapes.
func canonicalJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return b.String()
}

// errRule says how stderr is compared beyond the default (compareStderr).
type errRule struct {
	// lead: runc's error contains this phrase and hull's error starts
	// with it (issue 7 item 9: hull keeps its detail after the words
	// callers grep for).
	lead string
	// has: both sides' errors contain this phrase.
	has string
	// warn: runc warns with this phrase, and hull's stderr has it too.
	warn string
	// any: stderr is not compared (the exit code still is).
	any bool
	// logFile: the command logs to a --log file; runc then prints a
	// failure's error to stderr as a plain line.
	logFile bool
}

// ---------------------------------------------------------------------------
// Running

type stepResult struct {
	res  result
	host string
}

func runParity(t *testing.T, runc string, sc scenario) {
	if sc.skip != nil {
		if why := sc.skip(); why != "" {
			t.Skip(why)
		}
	}
	h := newH(t)
	sides := []*side{
		{name: "runc", bin: runc, root: filepath.Join(h.dir, "runc-root"), dir: filepath.Join(h.dir, "runc")},
		{name: "hull", bin: hullBin, root: h.root, dir: filepath.Join(h.dir, "hull")},
	}
	sides[0].id = h.runcID(runc, sides[0].root)
	sides[1].id = h.id()
	config := sc.raw
	if config == "" {
		s := h.template()
		s.Root.Path = rootfsDir
		s.Root.Readonly = true
		s.Process.Terminal = false
		s.Process.Args = sc.args
		for _, m := range sc.mods {
			m(s)
		}
		data, err := json.MarshalIndent(s, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		config = string(data)
	}
	for _, sd := range sides {
		if err := os.MkdirAll(sd.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		sd.bundle = h.rawBundle(nil)
		if err := os.WriteFile(filepath.Join(sd.bundle, "config.json"), []byte(sd.expand(config)), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Both sides run at once, each its steps in order.
	results := make([][]stepResult, len(sides))
	var wg sync.WaitGroup
	for i, sd := range sides {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, st := range sc.steps {
				results[i] = append(results[i], runStep(t, sd, st))
			}
		}()
	}
	wg.Wait()

	for i, st := range sc.steps {
		compareStep(t, sc.name, i, st, sides, results[0][i], results[1][i])
	}
}

func runStep(t *testing.T, sd *side, st step) stepResult {
	if st.status != "" {
		waitSideStatus(t, sd, st.status)
	}
	if st.execd {
		waitExecd(t, sd)
	}
	if st.host != nil {
		return stepResult{host: st.host(sd)}
	}
	root := sd.root
	if st.root != "" {
		root = sd.expand(st.root)
	}
	args := []string{"--root", root}
	for _, a := range st.args {
		args = append(args, sd.expand(a))
	}
	name := sd.bin
	if len(st.prefix) > 0 {
		args = append(append(append([]string(nil), st.prefix[1:]...), sd.bin), args...)
		name = st.prefix[0]
	}
	if st.tty {
		return stepResult{res: runWithTTY(t, sd.dir, name, args...)}
	}
	var o cmdOpts
	if st.stdin != "" {
		o.Stdin = strings.NewReader(sd.expand(st.stdin))
	}
	if st.signal != 0 {
		o.Started = func(cmd *exec.Cmd) {
			go func() {
				waitSideStatus(t, sd, "running")
				if st.caught {
					waitCaught(t, sd, st.signal)
				}
				_ = cmd.Process.Signal(st.signal)
			}()
		}
	}
	return stepResult{res: runCmd(t, sd.dir, o, name, args...)}
}

// waitSideStatus polls `state` until the container has status want (waitLimit).
func waitSideStatus(t *testing.T, sd *side, want string) {
	deadline := time.Now().Add(waitLimit)
	var last result
	for time.Now().Before(deadline) {
		last = runCmd(t, sd.dir, cmdOpts{}, sd.bin, "--root", sd.root, "state", sd.id)
		var st containerState
		if last.Code == 0 && json.Unmarshal([]byte(last.Stdout), &st) == nil && st.Status == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("%s: container never reached status %q:\n%s", sd.name, want, last)
}

// waitCaught polls until the container's process has a handler for sig
// (SigCgt in /proc/PID/status) (waitLimit).
func waitCaught(t *testing.T, sd *side, sig syscall.Signal) {
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		out, err := exec.Command(sd.bin, "--root", sd.root, "state", sd.id).Output()
		var st containerState
		if err == nil && json.Unmarshal(out, &st) == nil && st.Pid > 0 {
			status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", st.Pid))
			for _, l := range strings.Split(string(status), "\n") {
				if hex, ok := strings.CutPrefix(l, "SigCgt:\t"); ok {
					if mask, err := strconv.ParseUint(hex, 16, 64); err == nil && mask&(1<<(uint(sig)-1)) != 0 {
						return
					}
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s: the container's process has no handler for %v after %v", sd.name, sig, waitLimit)
}

// waitExecd polls until the container's process is no longer the
// runtime's init (its argv[0] is the runtime's binary; its /proc/PID/exe
// may be a sealed copy of it) (waitLimit).
func waitExecd(t *testing.T, sd *side) {
	deadline := time.Now().Add(waitLimit)
	var args []string
	for time.Now().Before(deadline) {
		out, err := exec.Command(sd.bin, "--root", sd.root, "state", sd.id).Output()
		var st containerState
		if err == nil && json.Unmarshal(out, &st) == nil && st.Pid > 0 {
			args = sysproc.Cmdline(st.Pid)
			if len(args) > 0 && filepath.Base(args[0]) != filepath.Base(sd.bin) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s: the container's process is still %q after %v", sd.name, args, waitLimit)
}

// runWithTTY runs the command with a new pty as stdin and controlling
// terminal (as from an interactive shell), stdout and stderr to files, so
// that what the runtime writes to stdout is seen byte for byte without a
// terminal's own output processing.
func runWithTTY(t *testing.T, dir, name string, args ...string) result {
	res := result{Args: append([]string{name}, args...), Code: -1}
	master, slave, err := sysproc.OpenPTY()
	if err != nil {
		t.Errorf("pty: %v", err)
		return res
	}
	defer master.Close()
	go func() {
		b := make([]byte, 4096)
		for {
			if _, err := master.Read(b); err != nil {
				return
			}
		}
	}()
	outF, err1 := os.CreateTemp(dir, "stdout-")
	errF, err2 := os.CreateTemp(dir, "stderr-")
	if err1 != nil || err2 != nil {
		t.Errorf("output files: %v %v", err1, err2)
		slave.Close()
		return res
	}
	defer os.Remove(outF.Name())
	defer os.Remove(errF.Name())
	defer outF.Close()
	defer errF.Close()
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, outF, errF
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	cmd.WaitDelay = 5 * time.Second
	if err := reaper.Start(cmd); err != nil {
		slave.Close()
		res.Err = err
		return res
	}
	slave.Close()
	timer := time.AfterFunc(cmdTimeout, func() { _ = cmd.Process.Kill() })
	res.Err = reaper.Wait(cmd)
	timer.Stop()
	res.Code = sysproc.ExitCode(cmd.ProcessState)
	o, _ := os.ReadFile(outF.Name())
	e, _ := os.ReadFile(errF.Name())
	res.Stdout, res.Stderr = string(o), string(e)
	return res
}

// ---------------------------------------------------------------------------
// Comparing

func compareStep(t *testing.T, scenario string, i int, st step, sides []*side, r, hl stepResult) {
	t.Helper()
	rs, hs := sides[0], sides[1]
	what := fmt.Sprintf("step %d", i)
	if st.host == nil {
		what = fmt.Sprintf("step %d (%s)", i, strings.Join(st.args, " "))
	}
	var diffs []string
	differ := func(aspect, detail string) {
		if d, _ := findDeliberate(scenario, st, aspect); d != nil {
			t.Logf("%s: %s differs, deliberately: %s (%s)", what, aspect, d.what, d.reason)
			return
		}
		diffs = append(diffs, aspect+": "+detail)
	}
	if st.host != nil {
		a, b := rs.anonymise(r.host), hs.anonymise(hl.host)
		_, ds := findDeliberate(scenario, st, "host")
		a, b = adjustAll(ds, a), adjustAll(ds, b)
		if a != b {
			differ("host", outputDiff(a, b))
		}
	} else {
		if r.res.Code != hl.res.Code {
			differ("code", fmt.Sprintf("runc %d, hull %d", r.res.Code, hl.res.Code))
		}
		norm := st.out
		if norm == nil {
			norm = outExact
		}
		a, b := norm(rs, r.res.Stdout), norm(hs, hl.res.Stdout)
		_, ds := findDeliberate(scenario, st, "stdout")
		a, b = adjustAll(ds, a), adjustAll(ds, b)
		if a != b {
			differ("stdout", outputDiff(a, b))
		}
		if msg := compareStderr(st.err, rs.anonymise(r.res.Stderr), hs.anonymise(hl.res.Stderr)); msg != "" {
			differ("stderr", msg)
		}
	}
	if len(diffs) == 0 {
		if testing.Verbose() && st.host == nil {
			t.Logf("%s: both exit %d, stdout %s", what, r.res.Code, quoteLong(rs.anonymise(r.res.Stdout)))
		}
		return
	}
	t.Errorf("%s differs from runc: %s\nrunc's run:\n%s\nhull's run:\n%s", what, strings.Join(diffs, "; "),
		sysproc.Indent(r.res.String()), sysproc.Indent(hl.res.String()))
}

// quoteLong shows output for a failure, with carriage returns visible.
func quoteLong(s string) string {
	s = strings.TrimRight(s, "\n")
	if len(s) > 300 || strings.Count(s, "\n") > 3 {
		return "\n" + sysproc.Indent(strings.ReplaceAll(s, "\r", `\r`)) + "\n"
	}
	return strconv.Quote(s)
}

// outputDiff shows two long outputs by the lines only one of them has.
func outputDiff(a, b string) string {
	if len(a)+len(b) < 600 {
		return fmt.Sprintf("runc %s, hull %s", quoteLong(a), quoteLong(b))
	}
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(b, "\n") {
		count[l]--
	}
	var onlyRunc, onlyHull []string
	for _, l := range strings.Split(a, "\n") {
		if count[l] > 0 {
			onlyRunc = append(onlyRunc, strings.TrimSpace(l))
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if count[l] < 0 {
			onlyHull = append(onlyHull, strings.TrimSpace(l))
		}
	}
	return fmt.Sprintf("lines only runc prints: %q; lines only hull prints: %q", onlyRunc, onlyHull)
}

var (
	logrusLine = regexp.MustCompile(`level=(\w+) msg=("(?:[^"\\]|\\.)*"|\S+)`)
	// runc prefixes errors of create, run... with its own name. exec's
	// "exec failed: " stays: hull says it too.
	runcFailed = regexp.MustCompile(`^runc \w+ failed: `)
)

// runcMessages returns runc's logrus messages of a level, unquoted, each
// without the "runc CMD failed: " that names runc.
func runcMessages(stderr, level string) []string {
	var out []string
	for _, m := range logrusLine.FindAllStringSubmatch(stderr, -1) {
		if m[1] != level {
			continue
		}
		msg := m[2]
		if u, err := strconv.Unquote(msg); err == nil {
			msg = u
		}
		out = append(out, runcFailed.ReplaceAllString(msg, ""))
	}
	return out
}

// hullErrors returns hull's error lines ("hull: ..."), without "hull: ".
func hullErrors(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if msg, ok := strings.CutPrefix(l, "hull: "); ok {
			out = append(out, msg)
		}
	}
	return out
}

// otherLines returns the lines of stderr that are neither a runtime's log
// line nor hull's error: what the container's process wrote.
func otherLines(stderr string) []string {
	var out []string
	// Not lines(): a carriage return at the end is a difference.
	for _, l := range strings.Split(stderr, "\n") {
		if l != "" && !logrusLine.MatchString(l) && !strings.HasPrefix(l, "hull: ") {
			out = append(out, l)
		}
	}
	return out
}

// compareStderr returns what differs between runc's and hull's stderr, or
// "". runc writes logrus lines (time="..." level=error msg="..."); hull
// writes "hull: <message>". By default runc's first error (without "runc
// CMD failed: ") must be the start of hull's first error, at a word
// boundary: hull may add detail after it but keeps runc's words first.
// When runc prints no error, hull must not either. A step's rule can name
// the phrase instead (lead, has), add a warning's phrase (warn), or not
// compare stderr (any).
func compareStderr(rule errRule, runcErr, hullErr string) string {
	if rule.any {
		return ""
	}
	re, he := runcMessages(runcErr, "error"), hullErrors(hullErr)
	var problems []string
	ro, ho := otherLines(runcErr), otherLines(hullErr)
	switch {
	case rule.logFile && len(re) == 0:
		// With --log, runc logs there and writes a failure's error to
		// stderr as a plain line.
		re = ro
	case strings.Join(ro, "\n") != strings.Join(ho, "\n"):
		problems = append(problems, fmt.Sprintf("the process's stderr: runc %q, hull %q", ro, ho))
	}
	if rule.warn != "" {
		found := false
		for _, w := range runcMessages(runcErr, "warning") {
			found = found || strings.Contains(w, rule.warn)
		}
		if !found {
			problems = append(problems, fmt.Sprintf("(scenario bug) runc printed no warning with %q", rule.warn))
		}
		if !strings.Contains(hullErr, rule.warn) {
			problems = append(problems, fmt.Sprintf("hull does not warn %q", rule.warn))
		}
	}
	switch {
	case len(re) == 0 && len(he) == 0:
	case len(re) == 0:
		problems = append(problems, fmt.Sprintf("runc printed no error, hull %q", he[0]))
	case len(he) == 0:
		problems = append(problems, fmt.Sprintf("runc printed error %q, hull none", re[0]))
	case rule.lead != "":
		if !strings.Contains(re[0], rule.lead) {
			problems = append(problems, fmt.Sprintf("(scenario bug) runc's error %q lacks %q", re[0], rule.lead))
		}
		if !strings.HasPrefix(he[0], rule.lead) {
			problems = append(problems, fmt.Sprintf("hull's error %q does not start with %q (runc: %q)", he[0], rule.lead, re[0]))
		}
	case rule.has != "":
		if !strings.Contains(re[0], rule.has) {
			problems = append(problems, fmt.Sprintf("(scenario bug) runc's error %q lacks %q", re[0], rule.has))
		}
		if !strings.Contains(he[0], rule.has) {
			problems = append(problems, fmt.Sprintf("hull's error %q lacks %q (runc: %q)", he[0], rule.has, re[0]))
		}
	default:
		if !leadsWith(he[0], re[0]) {
			problems = append(problems, fmt.Sprintf("hull's error %q does not start with runc's %q", he[0], re[0]))
		}
	}
	return strings.Join(problems, "; ")
}

// leadsWith reports whether msg starts with prefix and the prefix ends at
// a word boundary of msg.
func leadsWith(msg, prefix string) bool {
	if !strings.HasPrefix(msg, prefix) {
		return false
	}
	rest := msg[len(prefix):]
	return rest == "" || strings.ContainsAny(rest[:1], " :;,()\"'")
}

// ---------------------------------------------------------------------------
// Host observations

// sideFile returns a file of the side's directory (what a hook wrote).
func sideFile(name string) func(*side) string {
	return func(sd *side) string {
		data, err := os.ReadFile(filepath.Join(sd.dir, name))
		if err != nil {
			return "error: " + strings.ReplaceAll(err.Error(), sd.dir, "<dir>")
		}
		return string(data)
	}
}

// jsonFile reads a JSON file of the side's directory, volatile keys masked.
func jsonFile(name string, volatile ...string) func(*side) string {
	return func(sd *side) string {
		s := sideFile(name)(sd)
		return outJSON(volatile...)(sd, s)
	}
}

// subCgroups makes sub-cgroup "sub" of the container's cgroup (at
// cgroupsPath /{id}) in the given v1 hierarchies, for exec --cgroup.
func subCgroups(ctrls ...string) func(*side) string {
	return func(sd *side) string {
		for _, c := range ctrls {
			p := filepath.Join("/sys/fs/cgroup", c, sd.id, "sub")
			if err := os.MkdirAll(p, 0o755); err != nil {
				return "error: " + err.Error()
			}
		}
		return ""
	}
}

// symlinkTree makes {dir}/a/link -> {dir}/b, and {dir}/b/file.
func symlinkTree(sd *side) string {
	for _, err := range []error{
		os.MkdirAll(filepath.Join(sd.dir, "a"), 0o755),
		os.MkdirAll(filepath.Join(sd.dir, "b"), 0o755),
		os.Symlink(filepath.Join(sd.dir, "b"), filepath.Join(sd.dir, "a", "link")),
		os.WriteFile(filepath.Join(sd.dir, "b", "file"), []byte("through the link\n"), 0o644),
	} {
		if err != nil {
			return "error: " + err.Error()
		}
	}
	return ""
}

// sideWrite writes a file into the side's directory.
func sideWrite(name, content string) func(*side) string {
	return func(sd *side) string {
		if err := os.WriteFile(filepath.Join(sd.dir, name), []byte(content), 0o644); err != nil {
			return "error: " + err.Error()
		}
		return ""
	}
}

// jsonLog reads a --log-format json log: per line, its keys, its level
// and the first four words of its message (hull may add detail after
// runc's words).
func jsonLog(name string) func(*side) string {
	return func(sd *side) string {
		data, err := os.ReadFile(filepath.Join(sd.dir, name))
		if err != nil {
			return "error: " + strings.ReplaceAll(err.Error(), sd.dir, "<dir>")
		}
		var out []string
		for _, l := range lines(string(data)) {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				out = append(out, "not JSON: "+l)
				continue
			}
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			words := strings.Fields(fmt.Sprint(m["msg"]))
			lead := strings.TrimRight(strings.Join(words[:min(4, len(words))], " "), ":;,.")
			out = append(out, fmt.Sprintf("keys %v level %v msg %q", keys, m["level"], lead))
		}
		return strings.Join(out, "\n")
	}
}

// pidFileMatchesState says whether the pid file holds the pid `state`
// reports.
func pidFileMatchesState(name string) func(*side) string {
	return func(sd *side) string {
		data, err := os.ReadFile(filepath.Join(sd.dir, name))
		if err != nil {
			return "error: " + strings.ReplaceAll(err.Error(), sd.dir, "<dir>")
		}
		out, err := exec.Command(sd.bin, "--root", sd.root, "state", sd.id).Output()
		var st containerState
		if err != nil || json.Unmarshal(out, &st) != nil {
			return fmt.Sprintf("state failed: %v", err)
		}
		return fmt.Sprintf("pid file %q matches state: %v", strings.Trim(string(data), "0123456789"), string(data) == strconv.Itoa(st.Pid))
	}
}

// pidFileIsProcess says whether the pid file names a live process whose
// command is comm.
func pidFileIsProcess(name, comm string) func(*side) string {
	return func(sd *side) string {
		data, err := os.ReadFile(filepath.Join(sd.dir, name))
		if err != nil {
			return "error: " + strings.ReplaceAll(err.Error(), sd.dir, "<dir>")
		}
		// A detached exec returns before its process has exec'd comm.
		ok := false
		for deadline := time.Now().Add(waitLimit); !ok && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			got, err := os.ReadFile("/proc/" + strings.TrimSpace(string(data)) + "/comm")
			ok = err == nil && strings.TrimSpace(string(got)) == comm
		}
		return fmt.Sprintf("pid file %q names %s: %v", strings.Trim(string(data), "0123456789"), comm, ok)
	}
}

// removeFile removes a file of the side's directory.
func removeFile(name string) func(*side) string {
	return func(sd *side) string {
		if err := os.Remove(filepath.Join(sd.dir, name)); err != nil {
			return "error: " + err.Error()
		}
		return ""
	}
}

func mkdirRoot(sd *side) string {
	if err := os.MkdirAll(sd.root, 0o700); err != nil {
		return "error: " + err.Error()
	}
	return ""
}

var (
	blkOnce sync.Once
	blkDev  string
)

// blockDevice returns "major:minor" of a disk of this host (not a loop or
// ram disk), for blkio throttles, or "" when there is none.
func blockDevice() string {
	blkOnce.Do(func() {
		ents, _ := os.ReadDir("/sys/block")
		for _, e := range ents {
			n := e.Name()
			if strings.HasPrefix(n, "loop") || strings.HasPrefix(n, "ram") || strings.HasPrefix(n, "zram") {
				continue
			}
			if b, err := os.ReadFile(filepath.Join("/sys/block", n, "dev")); err == nil {
				blkDev = strings.TrimSpace(string(b))
				return
			}
		}
	})
	return blkDev
}

// cgroupV1 skips a scenario on a host whose memory controller is not a v1
// hierarchy at /sys/fs/cgroup/memory.
func cgroupV1() string {
	if !fileExists("/sys/fs/cgroup/memory/memory.limit_in_bytes") {
		return "needs cgroup v1 (the scenario reads v1 cgroup files)"
	}
	return ""
}

// onlyCgroupV2 skips a scenario that reads cgroup v2's files.
func onlyCgroupV2() string {
	if !cgroupV2() {
		return "needs a cgroup v2 host (make vm-test): the scenario reads v2 cgroup files"
	}
	return ""
}

// ---------------------------------------------------------------------------
// The scenarios

func withCgroupsPath(s *specs.Spec) { s.Linux.CgroupsPath = "/{id}" }

func withTerminal(s *specs.Spec) { s.Process.Terminal = true }

func withCaps(caps ...string) func(*specs.Spec) {
	return func(s *specs.Spec) {
		c := s.Process.Capabilities
		c.Bounding = append(c.Bounding, caps...)
		c.Effective = append(c.Effective, caps...)
		c.Permitted = append(c.Permitted, caps...)
	}
}

func withHook(kind string, args ...string) func(*specs.Spec) {
	return func(s *specs.Spec) {
		if s.Hooks == nil {
			s.Hooks = &specs.Hooks{}
		}
		hk := specs.Hook{Path: "/bin/sh", Args: append([]string{"sh", "-c"}, args...)}
		switch kind {
		case "prestart":
			s.Hooks.Prestart = append(s.Hooks.Prestart, hk) //nolint:staticcheck // runc runs it too
		case "createRuntime":
			s.Hooks.CreateRuntime = append(s.Hooks.CreateRuntime, hk)
		case "poststart":
			s.Hooks.Poststart = append(s.Hooks.Poststart, hk)
		}
	}
}

// Common steps.
var (
	createStep = step{args: []string{"create", "--bundle", "{bundle}", "{id}"}}
	startStep  = step{args: []string{"start", "{id}"}}
	stateStep  = step{args: []string{"state", "{id}"}, out: outJSON("pid", "created")}
	runDetach  = step{args: []string{"run", "--detach", "--bundle", "{bundle}", "{id}"}}
	killStep   = step{args: []string{"kill", "{id}", "KILL"}}
	deleteStep = step{args: []string{"delete", "{id}"}, status: "stopped"}
	forceStep  = step{args: []string{"delete", "--force", "{id}"}}
)

func execIn(args ...string) step {
	return step{args: append([]string{"exec", "{id}"}, args...)}
}

func parityScenarios() []scenario {
	status := `grep -E '^(Cap|NoNewPrivs|Seccomp|Cpus_allowed_list|Mems_allowed_list)' /proc/self/status`
	view := status + `; id; hostname; echo $HOME; pwd; env | sort; ulimit -n; cat /proc/self/oom_score_adj;
cat /proc/self/cgroup | cut -d: -f2-; awk '{print $2, $3, $4}' /proc/self/mounts; ls /dev /proc/self/ns`
	v1 := cgroupV1
	return []scenario{
		{name: "spec", steps: []step{
			{args: []string{"spec", "--bundle", "{dir}"}},
			{host: sideFile("config.json")},
			{args: []string{"spec", "--bundle", "{dir}"}},
		}},
		{name: "spec-rootless", steps: []step{
			{args: []string{"spec", "--rootless", "--bundle", "{dir}"}},
			{host: sideFile("config.json")},
		}},
		{name: "lifecycle", args: longRunning, steps: []step{
			createStep, stateStep,
			{args: []string{"list"}, out: outFields},
			startStep, stateStep,
			{args: []string{"start", "{id}"}},
			killStep, {args: []string{"state", "{id}"}, out: outJSON("pid", "created"), status: "stopped"},
			{args: []string{"ps", "{id}"}},
			{args: []string{"events", "--stats", "{id}"}},
			{args: []string{"pause", "{id}"}},
			{args: []string{"update", "--pids-limit", "10", "{id}"}},
			{args: []string{"start", "{id}"}},
			{args: []string{"kill", "{id}", "KILL"}, err: errRule{lead: "container not running"}},
			deleteStep,
			{args: []string{"state", "{id}"}, err: errRule{lead: "container does not exist"}},
		}},
		{name: "create-twice", args: longRunning, steps: []step{
			createStep, createStep, forceStep,
		}},
		{name: "the-view-inside", args: sh(view), steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
		}},
		{name: "the-view-inside-a-terminal", args: sh(view), mods: []func(*specs.Spec){withTerminal}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, tty: true},
		}},
		{name: "terminal-without-console-socket", args: longRunning, mods: []func(*specs.Spec){withTerminal}, steps: []step{
			// runc's words name runc; hull keeps the part that is not.
			{args: []string{"create", "--bundle", "{bundle}", "{id}"}, err: errRule{lead: "cannot allocate tty"}},
			{args: []string{"run", "--detach", "--bundle", "{bundle}", "{id}"}, err: errRule{lead: "cannot allocate tty"}},
			{args: []string{"state", "{id}"}, err: errRule{lead: "container does not exist"}},
		}},
		{name: "list", args: longRunning, steps: []step{
			runDetach,
			{args: []string{"list"}, out: outFields},
			{args: []string{"list", "-q"}},
			{args: []string{"list", "--format", "json"}, out: outJSON("pid", "created")},
			{args: []string{"list", "-f", "json", "-q"}},
			forceStep,
		}},
		{name: "list-missing-root", steps: []step{
			{args: []string{"list"}, root: "{dir}/missing", err: errRule{has: "missing"}},
			{args: []string{"list", "-q"}, root: "{dir}/missing", err: errRule{has: "missing"}},
		}},
		{name: "list-empty-root", steps: []step{
			{host: mkdirRoot},
			{args: []string{"list"}},
			{args: []string{"list", "--format", "json"}},
		}},
		{name: "kill-out-of-range", args: longRunning, steps: []step{
			runDetach,
			{args: []string{"kill", "{id}", "65"}},
			{args: []string{"delete", "--force", "{id}"}},
		}},
		{name: "kill", args: longRunning, steps: []step{
			runDetach,
			// Before it execs sleep, the init is a Go program that a
			// SIGTERM would end.
			{args: []string{"kill", "{id}", "0"}, execd: true},
			{args: []string{"kill", "{id}", "FOO"}, err: errRule{has: "FOO"}},
			{args: []string{"kill", "{id}", "USR1"}},
			{args: []string{"kill", "{id}", "SIGUSR1"}},
			{args: []string{"kill", "{id}", "10"}},
			{args: []string{"kill", "{id}", "usr1"}},
			{args: []string{"kill", "{id}", "SIGTERM"}},
			{args: []string{"kill", "{id}", "0"}},
			{args: []string{"kill", "{id}", "KILL", "--all"}},
			{args: []string{"kill", "{id}", "0"}, status: "stopped", err: errRule{lead: "container not running"}},
			// runc lets --all reach the leftovers of a stopped container.
			{args: []string{"kill", "--all", "{id}", "9"}},
			deleteStep,
		}},
		{name: "kill-created", args: longRunning, steps: []step{
			createStep,
			{args: []string{"kill", "{id}", "0"}},
			{args: []string{"kill", "{id}"}},
			{args: []string{"delete", "{id}"}, status: "stopped"},
		}},
		{name: "delete", args: longRunning, steps: []step{
			runDetach,
			{args: []string{"delete", "{id}"}, err: errRule{has: "is not stopped"}},
			{args: []string{"delete", "{id}", "--force"}},
			{args: []string{"delete", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"delete", "--force", "{id}"}},
		}},
		{name: "unknown-container", steps: []step{
			{args: []string{"state", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"start", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"kill", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"pause", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"resume", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"ps", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"events", "--stats", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"update", "--memory", "64M", "{id}"}, err: errRule{lead: "container does not exist"}},
			{args: []string{"exec", "{id}", "true"}, err: errRule{lead: "exec failed: container does not exist"}},
		}},
		{name: "usage-errors", steps: []step{
			{args: []string{"state"}},
			{args: []string{"kill"}},
			{args: []string{"delete"}},
			{args: []string{"exec", "{id}"}},
			{args: []string{"create"}},
			{args: []string{"nosuchcommand"}},
		}},
		{name: "exec", args: longRunning, steps: []step{
			runDetach,
			execIn("sh", "-c", "echo out; echo err >&2; exit 3"),
			{args: []string{"exec", "-e", "A=1,2", "-e", "B=x", "{id}", "sh", "-c", "echo $A $B"}},
			{args: []string{"exec", "--env", "C=a,b=c", "{id}", "sh", "-c", "echo $C"}},
			{args: []string{"exec", "--cwd", "/tmp", "--user", "65534:65534", "--additional-gids", "1", "{id}", "sh", "-c", "pwd; id"}},
			{args: []string{"exec", "--cap", "CAP_NET_ADMIN", "--cap", "CAP_SYS_ADMIN", "{id}", "grep", "Cap", "/proc/self/status"}},
			{args: []string{"exec", "{id}", "/bin/nope"}, err: errRule{has: "no such file or directory"}},
			{args: []string{"exec", "{id}", "nope"}, err: errRule{has: "executable file not found in $PATH"}},
			// runc's temporary pid file is .pid, hull's .pid.<random>.
			{args: []string{"exec", "--pid-file", "{dir}/no/such/dir/pid", "{id}", "true"}, err: errRule{has: "no such file or directory"}},
			{args: []string{"exec", "--detach", "--pid-file", "{dir}/exec.pid", "{id}", "sleep", "1"}},
			{args: []string{"exec", "--process", "{dir}/nosuch.json", "{id}"}, err: errRule{has: "no such file or directory"}},
			forceStep,
		}},
		// Both refuse an unknown controller on v1; on v2 runc ignores it
		// (see parityDeliberate).
		{name: "exec-cgroup-controller", args: longRunning, steps: []step{
			runDetach,
			{args: []string{"exec", "--cgroup", "nosuchctrl:sub", "{id}", "true"}},
			forceStep,
		}},
		{name: "exec-cgroup", args: longRunning, mods: []func(*specs.Spec){withCgroupsPath}, skip: v1, steps: []step{
			runDetach,
			{host: subCgroups("memory", "cpu", "cpuacct")},
			{args: []string{"exec", "--cgroup", "memory:sub", "--cgroup", "cpu,cpuacct:sub", "{id}", "cat", "/proc/self/cgroup"}},
			// Which hierarchy lacks "sub" first depends on map order.
			{args: []string{"exec", "--cgroup", "sub", "{id}", "cat", "/proc/self/cgroup"}, err: errRule{has: "no such file or directory"}},
			forceStep,
		}},
		{name: "exec-cgroup-v2", args: longRunning, mods: []func(*specs.Spec){withCgroupsPath}, skip: onlyCgroupV2, steps: []step{
			runDetach,
			{host: subCgroups("")},
			{args: []string{"exec", "--cgroup", "sub", "{id}", "cat", "/proc/self/cgroup"}},
			{args: []string{"exec", "--cgroup", "nosuch", "{id}", "true"}, err: errRule{has: "no such file or directory"}},
			forceStep,
		}},
		{name: "exec-stopped", args: []string{"true"}, steps: []step{
			runDetach,
			{args: []string{"exec", "{id}", "true"}, status: "stopped"},
			deleteStep,
		}},
		{name: "tty-run", args: sh(`echo $HOME; tty; printf 'a\tb\n'; exit 3`), mods: []func(*specs.Spec){withTerminal}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, tty: true},
		}},
		{name: "tty-exec", args: longRunning, steps: []step{
			runDetach,
			// The pauses wait out libcontainer's window between sending
			// the pty master and the exec, which both runtimes have (see
			// TestTerminalOutput).
			{args: []string{"exec", "--tty", "{id}", "sh", "-c", "sleep 0.3; echo $HOME; tty; exit 4"}, tty: true},
			{args: []string{"exec", "-t", "{id}", "sh", "-c", "sleep 0.3; printf 'x\\ny\\n'"}, tty: true},
			forceStep,
		}},
		{name: "pause-resume", args: longRunning, steps: []step{
			runDetach,
			{args: []string{"pause", "{id}"}, execd: true},
			stateStep,
			{args: []string{"ps", "{id}"}, out: outFields},
			{args: []string{"exec", "{id}", "true"}, err: errRule{has: "paused"}},
			{args: []string{"pause", "{id}"}},
			{args: []string{"resume", "{id}"}},
			{args: []string{"resume", "{id}"}},
			stateStep,
			{args: []string{"delete", "--force", "{id}"}},
		}},
		{name: "update", args: longRunning, skip: v1, steps: []step{
			runDetach,
			{args: []string{"update", "--memory", "64M", "{id}"}},
			execIn("cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
			{args: []string{"update", "{id}", "--memory", "128M", "--memory-swap", "-1"}},
			execIn("cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
			{args: []string{"update", "--cpu-share", "512", "{id}"}},
			{args: []string{"update", "--pids-limit", "50", "{id}"}},
			execIn("cat", "/sys/fs/cgroup/cpu/cpu.shares", "/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
			{args: []string{"update", "--memory", "banana", "{id}"}},
			{args: []string{"update", "-r", "-", "{id}"}, stdin: `{"pids": {"limit": 77}}`},
			execIn("cat", "/sys/fs/cgroup/pids/pids.max"),
			// What cannot change in a running container is skipped (hull
			// warns), and the rest applies.
			{args: []string{"update", "-r", "-", "{id}"}, stdin: `{"devices": [{"allow": true, "access": "rwm"}], "hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}], "pids": {"limit": 88}}`},
			execIn("cat", "/sys/fs/cgroup/pids/pids.max"),
			forceStep,
		}},
		{name: "cgroup-files", skip: v1, args: sh(`cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes memory/memory.swappiness
cat cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us pids/pids.max cpuset/cpuset.cpus; cat devices/devices.list`),
			mods: []func(*specs.Spec){func(s *specs.Spec) {
				r := s.Linux.Resources
				r.Memory = &specs.LinuxMemory{Limit: ptr(int64(100 << 20)), Reservation: ptr(int64(50 << 20)), Swappiness: ptr(uint64(10))}
				r.CPU = &specs.LinuxCPU{Shares: ptr(uint64(256)), Quota: ptr(int64(50000)), Period: ptr(uint64(100000)), Cpus: "0"}
				r.Pids = &specs.LinuxPids{Limit: ptr(int64(64))}
			}}, steps: []step{
				{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
			}},
		{name: "update-v2", args: longRunning, skip: onlyCgroupV2, steps: []step{
			runDetach,
			{args: []string{"update", "--memory", "64M", "{id}"}},
			execIn("cat", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.swap.max"),
			{args: []string{"update", "{id}", "--memory", "128M", "--memory-swap", "-1"}},
			execIn("cat", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.swap.max"),
			{args: []string{"update", "--cpu-share", "512", "--cpu-quota", "30000", "--cpu-period", "60000", "{id}"}},
			{args: []string{"update", "--pids-limit", "50", "--memory-reservation", "32M", "{id}"}},
			execIn("cat", "/sys/fs/cgroup/cpu.weight", "/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/memory.low"),
			{args: []string{"update", "-r", "-", "{id}"}, stdin: `{"unified": {"pids.max": "66"}}`},
			execIn("cat", "/sys/fs/cgroup/pids.max"),
			{args: []string{"update", "-r", "-", "{id}"}, stdin: `{"unified": {"memory.nosuchfile": "1"}}`, err: errRule{has: "memory.nosuchfile"}},
			forceStep,
		}},
		{name: "cgroup-files-v2", skip: onlyCgroupV2, args: sh(`cd /sys/fs/cgroup; cat memory.max memory.low memory.swap.max cpu.weight cpu.max pids.max cpuset.cpus`),
			mods: []func(*specs.Spec){func(s *specs.Spec) {
				r := s.Linux.Resources
				r.Memory = &specs.LinuxMemory{Limit: ptr(int64(100 << 20)), Reservation: ptr(int64(50 << 20)), Swap: ptr(int64(200 << 20))}
				r.CPU = &specs.LinuxCPU{Shares: ptr(uint64(256)), Quota: ptr(int64(50000)), Period: ptr(uint64(100000)), Cpus: "0"}
				r.Pids = &specs.LinuxPids{Limit: ptr(int64(64))}
			}}, steps: []step{
				{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
			}},
		{name: "update-io-v2", args: longRunning, skip: func() string {
			if why := onlyCgroupV2(); why != "" {
				return why
			}
			if blockDevice() == "" {
				return "needs a disk"
			}
			return ""
		}, steps: []step{
			runDetach,
			{host: writeResources(`{"blockIO":{"throttleReadBpsDevice":[{"major":MAJ,"minor":MIN,"rate":1048576}],"throttleWriteIOPSDevice":[{"major":MAJ,"minor":MIN,"rate":100}]}}`)},
			{args: []string{"update", "-r", "{dir}/resources.json", "{id}"}},
			execIn("cat", "/sys/fs/cgroup/io.max"),
			forceStep,
		}},
		{name: "update-blkio", args: longRunning, skip: func() string {
			if why := v1(); why != "" {
				return why
			}
			if blockDevice() == "" || !fileExists("/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device") {
				return "needs a disk and the v1 blkio throttle files"
			}
			return ""
		}, steps: []step{
			runDetach,
			{host: writeResources(`{"blockIO":{"throttleReadBpsDevice":[{"major":MAJ,"minor":MIN,"rate":1048576},{"major":MAJ,"minor":MIN,"rate":2097152}],"throttleWriteIOPSDevice":[{"major":MAJ,"minor":MIN,"rate":100}]}}`)},
			{args: []string{"update", "-r", "{dir}/resources.json", "{id}"}},
			execIn("cat", "/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device", "/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device"),
			forceStep,
		}},
		{name: "ps", args: longRunning, steps: []step{
			runDetach,
			{args: []string{"ps", "{id}"}, out: outFields, execd: true},
			{args: []string{"ps", "--format", "json", "{id}"}, out: outFields},
			{args: []string{"ps", "{id}", "-o", "pid,comm"}, out: outFields},
			forceStep,
		}},
		{name: "events-stats", args: longRunning, steps: []step{
			runDetach,
			{args: []string{"events", "--stats", "{id}"}, out: outJSONShape},
			forceStep,
		}},
		{name: "features", steps: []step{
			{args: []string{"features"}, out: outJSON()},
		}},
		{name: "run-exit-code", args: sh("echo bye; exit 7"), steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
			{args: []string{"state", "{id}"}, err: errRule{lead: "container does not exist"}},
		}},
		{name: "run-keep", args: sh("exit 0"), steps: []step{
			{args: []string{"run", "--keep", "--bundle", "{bundle}", "{id}"}},
			{args: []string{"state", "{id}"}, out: outJSON("pid", "created")},
			deleteStep,
		}},
		{name: "run-killed-by-signal", args: sh("kill -9 $$"), mods: []func(*specs.Spec){withoutNamespace(specs.PIDNamespace)}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
		}},
		{name: "run-forwards-signals", args: longRunning, mods: []func(*specs.Spec){withoutNamespace(specs.PIDNamespace)}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, signal: syscall.SIGTERM},
		}},
		{name: "run-forwards-signals-to-init", args: sh(`trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.1; done`), steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, signal: syscall.SIGTERM, caught: true},
		}},
		{name: "run-pinned", args: sh(`grep Cpus_allowed_list /proc/self/status`), skip: needCPUs(2), steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, prefix: []string{"taskset", "-c", "0"}},
		}},
		{name: "exec-pinned", args: longRunning, skip: needCPUs(2), steps: []step{
			runDetach,
			{args: []string{"exec", "{id}", "grep", "Cpus_allowed_list", "/proc/self/status"}, prefix: []string{"taskset", "-c", "0"}},
			forceStep,
		}},
		{name: "unknown-capability", args: sh(status), mods: []func(*specs.Spec){withCaps("CAP_FROM_THE_FUTURE")}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, err: errRule{warn: "CAP_FROM_THE_FUTURE"}},
		}},
		{name: "device-access-rwa", args: sh("echo ran"), mods: []func(*specs.Spec){func(s *specs.Spec) {
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices,
				specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr(int64(1)), Minor: ptr(int64(3)), Access: "rwa"})
		}}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
		}},
		{name: "missing-executable", args: []string{"/bin/nope"}, steps: []step{
			// podman maps "no such file or directory" to exit 127.
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, err: errRule{has: "no such file or directory"}},
			{args: []string{"state", "{id}"}, err: errRule{lead: "container does not exist"}},
		}},
		{name: "executable-not-in-path", args: []string{"nope"}, steps: []step{
			{args: []string{"create", "--bundle", "{bundle}", "{id}"}, err: errRule{has: "executable file not found in $PATH"}},
		}},
		{name: "bad-json", raw: `{"ociVersion": "1.0.2", "process": `, steps: []step{
			{args: []string{"create", "--bundle", "{bundle}", "{id}"}},
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
			{args: []string{"state", "{id}"}, err: errRule{lead: "container does not exist"}},
		}},
		{name: "log-json", steps: []step{
			{args: []string{"--log", "{dir}/log.json", "--log-format", "json", "state", "{id}"}, err: errRule{lead: "container does not exist", logFile: true}},
			{host: jsonLog("log.json")},
		}},
		{name: "pid-file", args: longRunning, steps: []step{
			{args: []string{"create", "--pid-file", "{dir}/pid", "--bundle", "{bundle}", "{id}"}},
			{host: pidFileMatchesState("pid")},
			{args: []string{"exec", "--detach", "--pid-file", "{dir}/exec.pid", "{id}", "sleep", "100"}, err: errRule{any: true}},
			startStep,
			{args: []string{"exec", "--detach", "--pid-file", "{dir}/exec.pid", "{id}", "sleep", "100"}},
			{host: pidFileIsProcess("exec.pid", "sleep")},
			forceStep,
		}},
		{name: "exec-process-file", args: longRunning, steps: []step{
			runDetach,
			{host: sideWrite("process.json", `{"args": ["sh", "-c", "echo $X; pwd; id -u"], "env": ["X=a,b", "PATH=/bin"], "cwd": "/tmp", "user": {"uid": 65534, "gid": 65534}}`)},
			{args: []string{"exec", "--process", "{dir}/process.json", "{id}"}},
			{host: sideWrite("bad.json", `{"args": [}`)},
			{args: []string{"exec", "--process", "{dir}/bad.json", "{id}"}, err: errRule{any: true}},
			forceStep,
		}},
		{name: "created-container", args: longRunning, steps: []step{
			createStep,
			{args: []string{"pause", "{id}"}},
			stateStep,
			{args: []string{"delete", "{id}"}},
			{args: []string{"resume", "{id}"}},
			{args: []string{"delete", "{id}"}},
			{args: []string{"state", "{id}"}, err: errRule{lead: "container does not exist"}},
		}},
		{name: "checkpoint", args: longRunning, skip: func() string {
			if _, err := exec.LookPath("criu"); err != nil {
				return "needs criu (apt-get install criu)"
			}
			return ""
		}, steps: []step{
			runDetach,
			// CRIU's own log lines (runc relays them as warnings) differ
			// run to run.
			{args: []string{"checkpoint", "--image-path", "{dir}/image", "{id}"}, err: errRule{has: "criu failed"}},
			stateStep,
			forceStep,
		}},
		{name: "no-config", steps: []step{
			{args: []string{"create", "--bundle", "{dir}", "{id}"}, err: errRule{has: "config.json"}},
		}},
		{name: "memory-policy", args: []string{"true"}, mods: []func(*specs.Spec){func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_BOGUS"}
		}}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, err: errRule{lead: "invalid memory policy"}},
		}},
		{name: "cgroup-v2-settings-on-v1", args: []string{"true"}, skip: v1, mods: []func(*specs.Spec){func(s *specs.Spec) {
			s.Linux.Resources.Unified = map[string]string{"memory.max": "100000000"}
		}}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}, err: errRule{lead: "invalid configuration"}},
		}},
		{name: "prestart-hook-fails", args: []string{"true"}, mods: []func(*specs.Spec){withHook("prestart", "exit 3")}, steps: []step{
			// runc's words, "unable to start container process: error
			// during container init: error running prestart hook #0: ...",
			// lead hull's too (the default rule).
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
		}},
		{name: "createRuntime-hook-fails", args: []string{"true"}, mods: []func(*specs.Spec){withHook("createRuntime", "true"), withHook("createRuntime", "exit 3")}, steps: []step{
			{args: []string{"create", "--bundle", "{bundle}", "{id}"}},
		}},
		{name: "poststart-hook-fails", args: longRunning, mods: []func(*specs.Spec){withHook("poststart", "true"), withHook("poststart", "exit 3")}, steps: []step{
			{args: []string{"run", "--detach", "--bundle", "{bundle}", "{id}"}, err: errRule{lead: "error running poststart hook #1"}},
			{args: []string{"state", "{id}"}, err: errRule{any: true}, out: outJSON("pid", "created")},
			forceStep,
		}},
		{name: "poststart-hook-state", args: []string{"true"}, mods: []func(*specs.Spec){withHook("poststart", "cat > {dir}/poststart.json")}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
			{host: jsonFile("poststart.json", "pid", "created")},
			{host: removeFile("poststart.json")},
			createStep, startStep,
			{host: jsonFile("poststart.json", "pid", "created")},
			deleteStep,
		}},
		{name: "mount-source-through-symlink-made-by-earlier-mount", args: sh("cat /mnt2/file"), mods: []func(*specs.Spec){
			withMount(specs.Mount{Destination: "/mnt", Type: "bind", Source: "{dir}/a", Options: []string{"rbind", "ro"}}),
			withMount(specs.Mount{Destination: "/mnt2", Type: "bind", Source: rootfsDir + "/mnt/link", Options: []string{"rbind", "ro"}}),
		}, steps: []step{
			{host: symlinkTree},
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
		}},
		{name: "mount-source-made-by-earlier-mount", args: sh("ls /mnt2; echo ok"), mods: []func(*specs.Spec){
			withMount(specs.Mount{Destination: "/mnt", Type: "tmpfs", Source: "tmpfs"}),
			withMount(specs.Mount{Destination: "/mnt/made", Type: "tmpfs", Source: "tmpfs"}),
			withMount(specs.Mount{Destination: "/mnt2", Type: "bind", Source: rootfsDir + "/mnt/made", Options: []string{"rbind"}}),
		}, steps: []step{
			{args: []string{"run", "--bundle", "{bundle}", "{id}"}},
		}},
	}
}

// writeResources writes resources.json into the side's directory, with
// MAJ and MIN the host disk's numbers.
func writeResources(tmpl string) func(*side) string {
	return func(sd *side) string {
		maj, min, _ := strings.Cut(blockDevice(), ":")
		data := strings.NewReplacer("MAJ", maj, "MIN", min).Replace(tmpl)
		if err := os.WriteFile(filepath.Join(sd.dir, "resources.json"), []byte(data), 0o644); err != nil {
			return "error: " + err.Error()
		}
		return ""
	}
}

// needCPUs skips a scenario on a host with fewer CPUs.
func needCPUs(n int) func() string {
	return func() string {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil || set.Count() < n {
			return fmt.Sprintf("needs %d CPUs to pin the runtime to one", n)
		}
		return ""
	}
}

// TestParityCompareStderr checks the stderr rule of the comparison on
// what runc and hull print, so that the side-by-side test can fail.
func TestParityCompareStderr(t *testing.T) {
	const dne = `time="2026-01-01T00:00:00Z" level=error msg="container does not exist"` + "\n"
	for _, tc := range []struct {
		name       string
		rule       errRule
		runc, hull string
		differ     bool
	}{
		{name: "both-silent"},
		{name: "hull-adds-detail", runc: dne, hull: "hull: container does not exist: \"x\" under state root /run/hull\n"},
		{name: "same-words", runc: dne, hull: "hull: container does not exist\n"},
		{name: "other-words", runc: dne, hull: "hull: no such container \"x\"\n", differ: true},
		{name: "prefix-inside-a-word", runc: `level=error msg="container not run"`, hull: "hull: container not running\n", differ: true},
		{name: "hull-detail-first", runc: dne, hull: "hull: \"x\": container does not exist\n", differ: true},
		{name: "runc-wrapper-dropped", runc: `level=error msg="runc run failed: container with id exists: x"`, hull: "hull: container with id exists: x\n"},
		{name: "exec-wrapper-kept", runc: `level=error msg="exec failed: container does not exist"`, hull: "hull: exec failed: container does not exist\n"},
		{name: "exec-wrapper-missing", runc: `level=error msg="exec failed: container does not exist"`, hull: "hull: container does not exist\n", differ: true},
		{name: "unquoted-msg", runc: `level=error msg=boom`, hull: "hull: boom: detail\n"},
		{name: "only-runc-fails", runc: dne, differ: true},
		{name: "only-hull-fails", hull: "hull: container does not exist\n", differ: true},
		{name: "warnings-are-not-errors", runc: `level=warning msg="ignoring x"`, hull: `level=warning msg="ignoring x"`},
		{name: "lead", rule: errRule{lead: "invalid memory policy"}, runc: `level=error msg="invalid memory policy mode \"X\""`, hull: "hull: invalid memory policy: linux.memoryPolicy.mode: \"X\"\n"},
		{name: "lead-not-first", rule: errRule{lead: "invalid memory policy"}, runc: `level=error msg="invalid memory policy mode \"X\""`, hull: "hull: config.json: invalid memory policy\n", differ: true},
		{name: "lead-not-in-runc", rule: errRule{lead: "no such thing"}, runc: dne, hull: "hull: no such thing\n", differ: true},
		{name: "has", rule: errRule{has: "no such file or directory"}, runc: `level=error msg="exec: \"/x\": stat /x: no such file or directory"`, hull: "hull: config.json: process.args[0]: \"/x\": no such file or directory\n"},
		{name: "has-missing", rule: errRule{has: "no such file or directory"}, runc: `level=error msg="stat /x: no such file or directory"`, hull: "hull: /x is missing\n", differ: true},
		{name: "warn", rule: errRule{warn: "CAP_X"}, runc: `level=warning msg="ignoring unknown or unavailable capabilities: [CAP_X]"`, hull: `level=warning msg="config.json: CAP_X: unknown, dropped"`},
		{name: "warn-missing", rule: errRule{warn: "CAP_X"}, runc: `level=warning msg="ignoring unknown or unavailable capabilities: [CAP_X]"`, differ: true},
		{name: "any", rule: errRule{any: true}, runc: dne, hull: "hull: something else\n"},
		{name: "process-stderr", runc: "err\n", hull: "err\n"},
		{name: "process-stderr-differs", runc: "err\n", hull: "err\r\n", differ: true},
		{name: "process-stderr-and-error", runc: "out\n" + dne, hull: "out\nhull: container does not exist: x\n"},
		{name: "log-file-plain-error", rule: errRule{logFile: true}, runc: "container does not exist\n", hull: "hull: container does not exist: x\n"},
		{name: "log-file-plain-error-differs", rule: errRule{logFile: true}, runc: "container does not exist\n", hull: "hull: no such container\n", differ: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := compareStderr(tc.rule, tc.runc, tc.hull)
			if (got != "") != tc.differ {
				t.Errorf("compareStderr(%+v, %q, %q) = %q, want a difference: %v", tc.rule, tc.runc, tc.hull, got, tc.differ)
			}
		})
	}
}

// TestParityNormalise checks the stdout normalisations and the
// deliberate-difference adjustments.
func TestParityNormalise(t *testing.T) {
	sd := &side{id: "c-1", root: "/run/x", dir: "/tmp/d", bundle: "/tmp/d/b"}
	for _, tc := range []struct {
		name       string
		norm       func(string) string
		runc, hull string
		equal      bool
	}{
		{name: "exact-names", norm: func(s string) string { return outExact(sd, s) }, runc: "c-1 in /tmp/d/b", hull: "<id> in <bundle>", equal: true},
		{name: "exact-cr", norm: func(s string) string { return outExact(sd, s) }, runc: "a\n", hull: "a\r\n"},
		{name: "fields", norm: func(s string) string { return outFields(sd, s) }, runc: "ID  PID\nc-1 12\n", hull: "ID    PID\nc-1   3456\n", equal: true},
		{name: "fields-words", norm: func(s string) string { return outFields(sd, s) }, runc: "running", hull: "stopped"},
		{name: "json-volatile", norm: func(s string) string { return outJSON("pid")(sd, s) }, runc: `{"pid":1,"status":"running"}`, hull: `{"status":"running","pid":2}`, equal: true},
		{name: "json-zero-pid", norm: func(s string) string { return outJSON("pid")(sd, s) }, runc: `{"pid":0}`, hull: `{"pid":2}`},
		{name: "json-shape", norm: func(s string) string { return outJSONShape(sd, s) }, runc: `{"a":{"b":1}}`, hull: `{"a":{"b":7}}`, equal: true},
		{name: "json-shape-key", norm: func(s string) string { return outJSONShape(sd, s) }, runc: `{"a":{"b":1}}`, hull: `{"a":{"c":1}}`},
		{name: "owner-dropped", norm: dropJSONKeys("owner"), runc: `{"owner":"","id":"x"}`, hull: `{"id":"x","owner":"root"}`, equal: true},
		{name: "dup-groups", norm: dedupGroups, runc: "groups=1,1", hull: "groups=1", equal: true},
		{name: "two-groups-kept", norm: dedupGroups, runc: "groups=1,2", hull: "groups=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.norm(tc.runc), tc.norm(tc.hull)
			if (a == b) != tc.equal {
				t.Errorf("normalised %q and %q to %q and %q; want equal: %v", tc.runc, tc.hull, a, b, tc.equal)
			}
		})
	}
}
