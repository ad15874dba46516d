package tests

import (
	"os"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestRuncWords: where callers and scripts match runc's error words, hull's
// line starts with them (after "hull: "), then gives its own detail. Each
// lead is what runc 1.5.3 printed for the same bundle or command.
func TestRuncWords(t *testing.T) {
	t.Parallel()
	h := newH(t)
	scripts := h.hostDir("scripts")
	writeFile(t, scripts+"/noint", "#!/no/interp\n")
	if err := os.Chmod(scripts+"/noint", 0o755); err != nil {
		t.Fatal(err)
	}
	withScripts := func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Type: "bind", Source: scripts, Destination: "/mnt", Options: []string{"rbind", "ro"}})
	}
	for _, tc := range []struct {
		name   string
		args   []string
		mod    func(*specs.Spec)
		lead   string
		detail string
		skip   string
	}{
		{"memory policy mode", []string{"true"}, func(s *specs.Spec) {
			s.Linux.MemoryPolicy = &specs.LinuxMemoryPolicy{Mode: "MPOL_FOO"}
		}, `invalid memory policy mode "MPOL_FOO": `, `linux.memoryPolicy.mode: "MPOL_FOO"`, ""},
		{"poststart hook", []string{"true"}, func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Poststart: []specs.Hook{{Path: "/bin/true"}, {Path: "/bin/sh", Args: []string{"sh", "-c", "echo boom >&2; exit 3"}}}}
		}, `error running poststart hook #1: exit status 3 `, `(hooks.poststart[1], /bin/sh); stderr: "boom"`, ""},
		{"executable missing", []string{"/bin/nope"}, nil,
			`exec: "/bin/nope": stat /bin/nope: no such file or directory: `, `process.args[0]: "/bin/nope": no such file in rootfs`, ""},
		{"executable not in PATH", []string{"nope"}, nil,
			`exec: "nope": executable file not found in $PATH: `, `process.args[0]: "nope": not found in $PATH (searched PATH=`, ""},
		{"executable from a mount missing", []string{"/mnt/nope"}, withScripts,
			`unable to start container process: error during container init: exec: "/mnt/nope": stat /mnt/nope: no such file or directory`, "", ""},
		{"interpreter from a mount missing", []string{"/mnt/noint"}, withScripts,
			`exec /mnt/noint: no such file or directory`, "", ""},
		{"cgroup v2 settings on v1", []string{"true"}, func(s *specs.Spec) {
			s.Linux.Resources.Unified = map[string]string{"memory.high": "100000000"}
		}, `invalid configuration: cannot use unified on cgroup v1: `, `linux.resources.unified["memory.high"]`,
			map[bool]string{true: "this host uses cgroup v2"}[cgroups.IsCgroup2UnifiedMode()]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			var mods []func(*specs.Spec)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			id := h.id()
			r := h.fail("run", "--bundle", h.bundle(tc.args, mods...), id)
			line := lastLine(r.Stderr)
			// A runtime exec failure comes from the container's init, as
			// with runc, without hull's prefix.
			line = strings.TrimPrefix(line, "hull: ")
			if !strings.HasPrefix(line, tc.lead) || !strings.Contains(line, tc.detail) {
				t.Errorf("want %q first, then %q:\n%s", tc.lead, tc.detail, r)
			}
			h.assertClean(id)
		})
	}
}

// TestRuncWordsLifecycle: the words of commands on a container in the
// wrong state, as runc prints them, lead hull's line.
func TestRuncWordsLifecycle(t *testing.T) {
	t.Parallel()
	h := newH(t)
	stopped := h.id()
	h.ok("run", "--detach", "--bundle", h.bundle([]string{"true"}), stopped)
	h.waitStatus(stopped, "stopped")
	running := h.id()
	h.ok("run", "--detach", "--bundle", h.bundle([]string{"sleep", "100"}), running)
	paused := h.id()
	h.ok("run", "--detach", "--bundle", h.bundle([]string{"sleep", "100"}), paused)
	h.ok("pause", paused)
	defer h.hull("delete", "--force", paused)
	for _, tc := range []struct {
		args []string
		lead string
	}{
		{[]string{"kill", "no-such-container", "KILL"}, "container does not exist"},
		{[]string{"state", "no-such-container"}, "container does not exist"},
		{[]string{"kill", stopped, "KILL"}, "container not running"},
		{[]string{"pause", stopped}, "container not running"},
		{[]string{"resume", running}, "container not paused"},
		{[]string{"start", stopped}, "cannot start a container that has stopped"},
		{[]string{"start", running}, "cannot start an already running container"},
		{[]string{"start", paused}, "cannot start a container in the paused state"},
		{[]string{"delete", running}, "cannot delete container " + running + " that is not stopped: running"},
		{[]string{"exec", stopped, "true"}, "exec failed: cannot exec in a stopped container"},
		{[]string{"exec", paused, "true"}, "exec failed: cannot exec in a paused container (use --ignore-paused to override)"},
	} {
		t.Run(strings.Join(tc.args[:1], " ")+" "+tc.lead, func(t *testing.T) {
			r := h.fail(tc.args...)
			if !strings.HasPrefix(r.Stderr, "hull: "+tc.lead) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("want one line starting with %q:\n%s", "hull: "+tc.lead, r)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
