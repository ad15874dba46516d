package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

func readSpec(t *testing.T, dir string) *specs.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s/config.json: %v", dir, err)
	}
	return &s
}

// TestSpecMatchesRunc compares `hull spec` with `runc spec` field by field.
func TestSpecMatchesRunc(t *testing.T) {
	t.Parallel()
	runc := requireRunc(t)
	for _, flags := range [][]string{nil, {"--rootless"}} {
		name := "default"
		if flags != nil {
			name = "rootless"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newH(t)
			rdir, hdir := filepath.Join(h.dir, "runc"), filepath.Join(h.dir, "hull")
			for _, d := range []string{rdir, hdir} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if r := runCmd(t, h.dir, cmdOpts{}, runc, append(append([]string{"spec"}, flags...), "--bundle", rdir)...); r.Code != 0 {
				t.Fatalf("runc spec failed:\n%s", r)
			}
			h.ok(append(append([]string{"spec"}, flags...), "--bundle", hdir)...)
			want, got := readSpec(t, rdir), readSpec(t, hdir)

			if got.Version == "" {
				t.Errorf("hull spec has no ociVersion")
			}
			check := func(field string, w, g any) {
				if !reflect.DeepEqual(w, g) {
					wj, _ := json.MarshalIndent(w, "\t", "  ")
					gj, _ := json.MarshalIndent(g, "\t", "  ")
					t.Errorf("%s differs from runc spec:\n\trunc: %s\n\thull: %s", field, wj, gj)
				}
			}
			check("process", want.Process, got.Process)
			check("root", want.Root, got.Root)
			check("hostname", want.Hostname, got.Hostname)
			check("mounts", want.Mounts, got.Mounts)
			check("linux.namespaces", want.Linux.Namespaces, got.Linux.Namespaces)
			check("linux.maskedPaths", want.Linux.MaskedPaths, got.Linux.MaskedPaths)
			check("linux.readonlyPaths", want.Linux.ReadonlyPaths, got.Linux.ReadonlyPaths)
			check("linux.resources", want.Linux.Resources, got.Linux.Resources)
			check("linux.uidMappings", want.Linux.UIDMappings, got.Linux.UIDMappings)
			check("linux.gidMappings", want.Linux.GIDMappings, got.Linux.GIDMappings)
			check("whole spec", want, got)

			// runc refuses to overwrite an existing config.json; so must hull.
			r := h.fail(append(append([]string{"spec"}, flags...), "--bundle", hdir)...)
			checkOneLineError(t, r, "config.json")
		})
	}
}

// TestRunMatchesRunc runs the same `runc spec` bundle under runc and hull
// and compares what the container sees.
func TestRunMatchesRunc(t *testing.T) {
	t.Parallel()
	runc := requireRunc(t)
	h := newH(t)
	bundle := h.rawBundle(nil)
	if r := runCmd(t, h.dir, cmdOpts{}, runc, "spec", "--bundle", bundle); r.Code != 0 {
		t.Fatalf("runc spec failed:\n%s", r)
	}
	s := readSpec(t, bundle)
	s.Root.Path = rootfsDir
	// runc spec asks for a terminal; these runs are not interactive.
	s.Process.Terminal = false
	s.Process.Args = sh(`id; hostname; echo $$; grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status; ls /dev /dev/pts /dev/shm;
ulimit -n; cat /proc/self/oom_score_adj; pwd; env | sort; ls /proc/self/ns; tail -n +3 /proc/net/dev | cut -d: -f1;
touch / 2>/dev/null || echo ro-root; stat -c '%a %U:%G' /dev/null /dev/shm /tmp; exit 5`)
	data, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}

	runcRoot := filepath.Join(h.dir, "runc-state")
	runcID := h.runcID(runc, runcRoot)
	want := runCmd(t, h.dir, cmdOpts{}, runc, "--root", runcRoot, "run", "--bundle", bundle, runcID)
	if want.Code != 5 {
		t.Fatalf("runc run: want exit 5 from the script\n%s", want)
	}
	h.assertClean(runcID)

	id := h.id()
	got := h.hull("run", "--bundle", bundle, id)
	if got.Stdout != want.Stdout {
		t.Errorf("container output differs:\nrunc:\n%s\nhull:\n%s", sysproc.Indent(want.Stdout), sysproc.Indent(got.Stdout))
	}
	if got.Code != want.Code {
		t.Errorf("exit code: runc %d, hull %d", want.Code, got.Code)
	}
	if got.Stderr != want.Stderr {
		t.Errorf("stderr differs:\nrunc:\n%s\nhull:\n%s", sysproc.Indent(want.Stderr), sysproc.Indent(got.Stderr))
	}
	h.assertClean(id)
}
