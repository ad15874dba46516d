package tests

import (
	"path/filepath"
	"testing"
)

// TestExecExitStatus: exec exits with the process's status, 255 when
// hull itself fails once the arguments are read ("exec failed: ..."), and
// 1 for a usage error, as runc does; a caller tells "could not exec" from
// the process's own status 1.
func TestExecExitStatus(t *testing.T) {
	t.Parallel()
	h := newH(t)
	id, stopped := h.id(), h.id()
	h.ok("run", "-d", "--bundle", h.bundle(longRunning), id)
	h.ok("run", "--keep", "--bundle", h.bundle([]string{"true"}), stopped)

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"process-exits-1", []string{id, "false"}, 1, ""},
		{"process-exits-255", []string{id, "sh", "-c", "exit 255"}, 255, ""},
		{"usage-no-arguments", []string{}, 1, "exec needs a container ID"},
		{"usage-unknown-flag", []string{"--bogus", id, "true"}, 1, "flag provided but not defined: -bogus"},
		{"missing-container", []string{"hulltest-missing", "true"}, 255, "exec failed: container does not exist"},
		{"invalid-id", []string{"a/b", "true"}, 255, "exec failed: invalid container ID"},
		{"stopped-container", []string{stopped, "true"}, 255, "exec failed: cannot exec in a stopped container"},
		{"no-command", []string{id}, 255, "exec failed: "},
		{"pid-file-dir-missing", []string{"--pid-file", filepath.Join(h.dir, "nope", "pid"), id, "true"}, 255, "exec failed: pid file"},
		{"unknown-cgroup-controller", []string{"--cgroup", "bogus:sub", id, "true"}, 255, "exec failed: "},
		{"missing-sub-cgroup", []string{"--cgroup", "pids:no-such-sub", id, "true"}, 255, "no-such-sub"},
		{"env-without-equals", []string{"-e", "FOO", id, "true"}, 255, "exec failed: "},
		{"bad-user", []string{"--user", "abc", id, "true"}, 255, "exec failed: --user"},
		{"negative-gid", []string{"-g", "-5", id, "true"}, 255, "exec failed: --additional-gids"},
		{"missing-process-file", []string{"--process", filepath.Join(h.dir, "nope.json"), id}, 255, "exec failed: --process"},
		{"missing-executable", []string{id, "/no-such-program"}, 255, "exec failed: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.hull(append([]string{"exec"}, tc.args...)...)
			if r.Code != tc.code {
				t.Errorf("exit %d, want %d:\n%s", r.Code, tc.code, r)
			}
			if tc.want != "" {
				checkOneLineError(t, r, tc.want)
			}
		})
	}

	t.Run("paused", func(t *testing.T) {
		h.ok("pause", id)
		defer h.ok("resume", id)
		r := h.hull("exec", id, "true")
		if r.Code != 255 {
			t.Errorf("exec in a paused container: exit %d, want 255:\n%s", r.Code, r)
		}
		checkOneLineError(t, r, "exec failed: cannot exec in a paused container")
	})

	h.ok("delete", "--force", id)
	h.ok("delete", stopped)
	h.assertClean(id)
	h.assertClean(stopped)
}
