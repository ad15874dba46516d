package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// checkOneLineError asserts how hull reports a failure: a non-zero exit,
// exactly one line on stderr starting "hull: " that contains every want,
// and no Go panic in any output.
func checkOneLineError(t *testing.T, r result, wants ...string) {
	t.Helper()
	if len(r.Args) > 3 {
		t.Logf("%s -> %q", sysproc.ShellQuote(r.Args[3:]), r.Stderr)
	}
	if r.Code == 0 || r.Code == -1 {
		t.Errorf("want a non-zero exit:\n%s", r)
	}
	all := r.Stdout + r.Stderr
	for _, bad := range []string{"panic", "goroutine "} {
		if strings.Contains(all, bad) {
			t.Errorf("output mentions %q:\n%s", bad, r)
		}
	}
	msg := strings.TrimSuffix(r.Stderr, "\n")
	if msg == "" || strings.Contains(msg, "\n") {
		t.Errorf("want exactly one line on stderr, got %d:\n%s", strings.Count(r.Stderr, "\n"), r)
	}
	if !strings.HasPrefix(msg, "hull: ") {
		t.Errorf("stderr does not start with \"hull: \":\n%s", r)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not name %q:\n%s", w, r)
		}
	}
}

// TestBadInput feeds hull broken bundles and arguments. Each must fail
// cleanly, say what is wrong and where, and leave nothing behind.
func TestBadInput(t *testing.T) {
	t.Parallel()

	type tc struct {
		name string
		// config returns the raw config.json (nil: none), given a valid
		// spec from `hull spec` on the shared rootfs.
		config func(h *H, s *specs.Spec) []byte
		// cmd is the hull command; "create" unless set. The bundle and id
		// are appended.
		cmd string
		// wants are substrings of the error; "$BUNDLE" is replaced.
		wants []string
	}
	marshal := func(s *specs.Spec) []byte {
		data, _ := json.Marshal(s)
		return data
	}
	mod := func(f func(h *H, s *specs.Spec)) func(h *H, s *specs.Spec) []byte {
		return func(h *H, s *specs.Spec) []byte { f(h, s); return marshal(s) }
	}
	cases := []tc{
		{name: "malformed-json", config: func(h *H, s *specs.Spec) []byte {
			return []byte("{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": {\n")
		}, wants: []string{"config.json"}},
		{name: "json-wrong-type", config: func(h *H, s *specs.Spec) []byte {
			return []byte(`{"ociVersion": "1.0.2", "process": {"args": "sh", "cwd": "/"}, "root": {"path": "rootfs"}}`)
		}, wants: []string{"config.json", "args"}},
		{name: "missing-config", config: func(h *H, s *specs.Spec) []byte { return nil },
			wants: []string{"$BUNDLE/config.json"}},
		{name: "missing-rootfs", config: mod(func(h *H, s *specs.Spec) {
			s.Root.Path = filepath.Join(h.dir, "no-such-rootfs")
		}), wants: []string{"config.json", "root.path", "no-such-rootfs"}},
		{name: "unknown-namespace", config: mod(func(h *H, s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "foo"})
		}), wants: []string{"config.json", "linux.namespaces", "foo"}},
		{name: "namespace-twice", config: mod(func(h *H, s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace})
		}), wants: []string{"config.json", "linux.namespaces", "network"}},
		{name: "missing-executable", cmd: "run", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Args = []string{"/bin/no-such-binary"}
		}), wants: []string{"process.args", "/bin/no-such-binary"}},
		{name: "missing-executable-in-path", cmd: "run", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Args = []string{"no-such-command"}
		}), wants: []string{"process.args", "no-such-command"}},
		{name: "empty-args", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Args = []string{}
		}), wants: []string{"config.json", "process.args"}},
		{name: "relative-cwd", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Cwd = "tmp"
		}), wants: []string{"config.json", "process.cwd", "tmp"}},
		{name: "hostname-without-uts", config: mod(func(h *H, s *specs.Spec) {
			withoutNamespace(specs.UTSNamespace)(s)
			s.Hostname = "nouts"
		}), wants: []string{"config.json", "hostname", "nouts"}},
		{name: "net-sysctl-without-netns", config: mod(func(h *H, s *specs.Spec) {
			withoutNamespace(specs.NetworkNamespace)(s)
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		}), wants: []string{"config.json", "linux.sysctl", "net.ipv4.ip_forward"}},
		{name: "bind-source-missing", config: mod(func(h *H, s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/mnt", Type: "bind",
				Source: filepath.Join(h.dir, "no-such-source"), Options: []string{"rbind", "ro"}})
		}), wants: []string{"config.json", "mounts", "no-such-source"}},
		{name: "namespace-path-missing", config: mod(func(h *H, s *specs.Spec) {
			withoutNamespace(specs.NetworkNamespace)(s)
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{
				Type: specs.NetworkNamespace, Path: filepath.Join(h.dir, "no-such-netns")})
		}), wants: []string{"config.json", "linux.namespaces", "no-such-netns"}},
		{name: "unknown-rlimit", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Rlimits = append(s.Process.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_FOO", Hard: 1, Soft: 1})
		}), wants: []string{"config.json", "process.rlimits", "RLIMIT_FOO"}},
		{name: "executable-is-directory", cmd: "run", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Args = []string{"/etc"}
		}), wants: []string{"process.args", "/etc"}},
		{name: "executable-not-executable", cmd: "run", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Args = []string{"/etc/passwd"}
		}), wants: []string{"process.args", "/etc/passwd"}},
		{name: "rootfs-is-a-file", config: mod(func(h *H, s *specs.Spec) {
			f := filepath.Join(h.dir, "rootfs-file")
			if err := os.WriteFile(f, nil, 0o644); err != nil {
				h.t.Fatal(err)
			}
			s.Root.Path = f
		}), wants: []string{"root.path", "rootfs-file"}},
		{name: "terminal-without-console-socket", config: mod(func(h *H, s *specs.Spec) {
			s.Process.Terminal = true
		}), wants: []string{"console"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			s := h.template()
			s.Root.Path = rootfsDir
			s.Process.Terminal = false
			s.Process.Args = []string{"true"}
			bundle := h.rawBundle(c.config(h, s))
			id := h.id()
			cmd := c.cmd
			if cmd == "" {
				cmd = "create"
			}
			r := h.hull(cmd, "--bundle", bundle, id)
			var wants []string
			for _, w := range c.wants {
				wants = append(wants, strings.ReplaceAll(w, "$BUNDLE", bundle))
			}
			checkOneLineError(t, r, wants...)
			h.assertClean(id)
			if r := h.hull("state", id); r.Code == 0 {
				t.Errorf("container exists after a failed %s:\n%s", cmd, r)
			}
		})
	}
}

// TestBadBundleDir passes bundle directories that cannot be one.
func TestBadBundleDir(t *testing.T) {
	t.Parallel()
	h := newH(t)
	file := filepath.Join(h.dir, "plain-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{
		"missing": filepath.Join(h.dir, "no-such-bundle"),
		"file":    file,
	} {
		t.Run(name, func(t *testing.T) {
			id := h.id()
			for _, cmd := range []string{"create", "run"} {
				r := h.hull(cmd, "--bundle", dir, id)
				checkOneLineError(t, r, dir)
				h.assertClean(id)
			}
			r := h.hull("spec", "--bundle", dir)
			checkOneLineError(t, r, dir)
		})
	}
}

func TestBadContainerIDs(t *testing.T) {
	t.Parallel()
	ids := map[string]string{
		"empty":     "",
		"dotdot":    "..",
		"dot":       ".",
		"slash":     "a/b",
		"abs":       "/etc",
		"1025bytes": strings.Repeat("a", 1025),
		"newline":   "a\nb",
	}
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			bundle := h.bundle([]string{"true"})
			for _, cmd := range []string{"create", "run"} {
				r := h.hull(cmd, "--bundle", bundle, id)
				if id == "" {
					// An empty argument may read as a missing one.
					checkOneLineError(t, r)
					if !strings.Contains(r.Stderr, "invalid container ID") && !strings.Contains(r.Stderr, "empty") {
						t.Errorf("error for an empty ID says neither \"invalid container ID\" nor \"empty\":\n%s", r)
					}
				} else {
					checkOneLineError(t, r, "invalid container ID")
				}
			}
			for _, cmd := range [][]string{{"state"}, {"start"}, {"kill"}, {"delete"}} {
				r := h.hull(append(cmd, id)...)
				checkOneLineError(t, r)
			}
			if name == "1025bytes" {
				// The only one of these that is a usable path component.
				h.assertClean(id)
			}
			// Nothing escaped the state root: ".." or "/etc" must not
			// have been used as a state dir.
			if entries, err := readDirNames(h.root); err == nil && len(entries) > 0 {
				t.Errorf("state root holds %v after invalid IDs", entries)
			}
		})
	}
}

func TestExistingID(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	b1 := h.bundle(longRunning)
	h.ok("create", "--bundle", b1, id)
	before := h.state(id)
	for _, cmd := range []string{"create", "run"} {
		r := h.hull(cmd, "--bundle", h.bundle([]string{"true"}), id)
		checkOneLineError(t, r, "container with given ID already exists")
	}
	after := h.state(id)
	if after.Pid != before.Pid || after.Status != "created" || after.Bundle != b1 || !sysproc.Alive(after.Pid) {
		t.Errorf("the first container changed: before %+v, after %+v", before, after)
	}
	h.ok("delete", "--force", id)
	h.assertClean(id)
}

func TestUnknownID(t *testing.T) {
	t.Parallel()
	h := newH(t)
	// Make the root exist, with one unrelated container in it.
	other := h.id()
	h.ok("create", "--bundle", h.bundle(longRunning), other)
	missing := "hulltest-no-such-container"
	for _, args := range [][]string{
		{"start", missing},
		{"state", missing},
		{"kill", missing},
		{"kill", missing, "KILL"},
		{"delete", missing},
	} {
		t.Run(strings.Join(args, "-"), func(t *testing.T) {
			r := h.hull(args...)
			checkOneLineError(t, r, "container does not exist")
		})
	}
	// runc: delete --force of a missing container is not an error (it
	// is what a caller does to make sure a container is gone).
	t.Run("delete-force", func(t *testing.T) {
		if r := h.hull("delete", "--force", missing); r.Code != 0 {
			t.Errorf("delete --force of a missing container: want exit 0 like runc\n%s", r)
		}
	})
	if st := h.state(other); st.Status != "created" {
		t.Errorf("unrelated container status %q, want created", st.Status)
	}
}

// TestNotRunning checks the words callers parse for a stopped container:
// each error leads with runc's, hull's detail after them.
func TestNotRunning(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "--keep", "--bundle", h.bundle([]string{"true"}), id)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"kill", id, "KILL"}, "hull: container not running"},
		{[]string{"kill", id, "0"}, "hull: container not running"},
		{[]string{"pause", id}, "hull: container not running"},
		{[]string{"update", "--pids-limit", "10", id}, "hull: container not running"},
		{[]string{"resume", id}, "hull: container not paused"},
		{[]string{"start", id}, "hull: cannot start a container that has stopped"},
		{[]string{"exec", id, "true"}, "hull: exec failed: cannot exec in a stopped container"},
		{[]string{"events", id}, "hull: container with id " + id + " is not running"},
		{[]string{"events", "--stats", id}, "hull: container with id " + id + " is not running"},
	} {
		t.Run(strings.ReplaceAll(strings.Join(tc.args, " "), id, "ID"), func(t *testing.T) {
			r := h.hull(tc.args...)
			checkOneLineError(t, r, tc.want)
			if !strings.HasPrefix(r.Stderr, tc.want) {
				t.Errorf("stderr %q does not lead with %q", r.Stderr, tc.want)
			}
		})
	}
	h.ok("delete", id)
	h.assertClean(id)
}

func readDirNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, nil
}

// TestRunningWords: refusals for a running container lead with runc's
// words too.
func TestRunningWords(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id := h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	r := h.fail("start", id)
	checkOneLineError(t, r, "hull: cannot start an already running container")
	r = h.fail("delete", id)
	checkOneLineError(t, r, "hull: cannot delete container "+id+" that is not stopped: running")
	r = h.fail("resume", id)
	checkOneLineError(t, r, "hull: container not paused")
	h.ok("delete", "--force", id)
	h.assertClean(id)
}
