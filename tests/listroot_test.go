package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListRoot: list of a --root that does not exist fails naming it, as
// runc does, so a typo does not read as "no containers"; an existing
// empty root is an empty list.
func TestListRoot(t *testing.T) {
	t.Parallel()
	h := newH(t)
	missing := filepath.Join(h.dir, "no-such-root")
	for _, args := range [][]string{{"list"}, {"list", "-q"}, {"list", "--format", "json"}} {
		t.Run("missing-"+strings.Join(args, ""), func(t *testing.T) {
			r := runCmd(t, h.dir, cmdOpts{}, hullBin, append([]string{"--root", missing}, args...)...)
			checkOneLineError(t, r, "open "+missing+": no such file or directory")
			if r.Stdout != "" {
				t.Errorf("stdout %q, want nothing", r.Stdout)
			}
		})
	}

	empty := filepath.Join(h.dir, "empty-root")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list"}, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n"},
		{[]string{"list", "-q"}, ""},
		{[]string{"list", "--format", "json"}, "[]\n"},
	} {
		t.Run("empty-"+strings.Join(tc.args, ""), func(t *testing.T) {
			r := runCmd(t, h.dir, cmdOpts{}, hullBin, append([]string{"--root", empty}, tc.args...)...)
			if r.Code != 0 || r.Stdout != tc.want || r.Stderr != "" {
				t.Errorf("want exit 0 and stdout %q:\n%s", tc.want, r)
			}
		})
	}

	t.Run("slash", func(t *testing.T) {
		r := runCmd(t, h.dir, cmdOpts{}, hullBin, "--root", "/", "list")
		checkOneLineError(t, r, "Option --root argument should not be set to /")
	})

	t.Run("relative", func(t *testing.T) {
		// A relative --root is the same root from any directory: hull
		// records it absolute, as runc does.
		id := h.id()
		rel, err := filepath.Rel(h.dir, h.root)
		if err != nil {
			t.Fatal(err)
		}
		r := runCmd(t, h.dir, cmdOpts{Dir: h.dir}, hullBin, "--root", rel, "create", "--bundle", h.bundle(longRunning), id)
		if r.Code != 0 {
			t.Fatalf("create with --root %s from %s failed:\n%s", rel, h.dir, r)
		}
		if st := h.state(id); st.Status != "created" {
			t.Errorf("created with a relative --root, state is %q", st.Status)
		}
		h.ok("delete", id)
		h.assertClean(id)
	})
}
