package app

import (
	"reflect"
	"strings"
	"testing"
)

func TestReorderArgs(t *testing.T) {
	app := New()
	for _, tc := range []struct {
		in, want string
	}{
		// runc's examples: flags after the container ID.
		{"delete ID --force", "delete --force ID"},
		{"delete ID -f", "delete -f ID"},
		{"update ID --memory 64M", "update --memory 64M ID"},
		{"update ID --memory=64M --pids-limit 5", "update --memory=64M --pids-limit 5 ID"},
		{"update ID -r -", "update -r - ID"},
		{"kill ID KILL --all", "kill --all ID KILL"},
		{"kill ID --all KILL", "kill --all ID KILL"},
		{"kill ID -a 0", "kill -a ID 0"},
		// --help wins, and nothing else is read.
		{"state ID --help", "state --help"},
		{"delete -h ID", "delete --help"},
		{"exec --help ID sh", "exec --help"},
		{"exec ID sh --help", "exec ID sh --help"},
		{"delete ID -- --help", "delete -- ID --help"},
		{"run ID -d --bundle /b", "run -d --bundle /b ID"},
		{"create ID -b /b --pid-file p", "create -b /b --pid-file p ID"},
		{"list -q", "list -q"},
		{"events ID --interval 1s --stats", "events --interval 1s --stats ID"},
		// A value that looks like a flag stays with its flag.
		{"update ID --memory -1", "update --memory -1 ID"},
		// Already in order: unchanged.
		{"delete --force ID", "delete --force ID"},
		// Global flags before the command are skipped, not moved.
		{"--root /r --debug delete ID -f", "--root /r --debug delete -f ID"},
		{"--root=/r delete ID -f", "--root=/r delete -f ID"},
		// Not the command's flags: they stay among the arguments.
		{"delete ID --bogus", "delete ID --bogus"},
		{"kill ID -9", "kill ID -9"},
		{"delete ID -", "delete ID -"},
		// After "--" nothing moves; "--" goes first so the parser stops.
		{"delete ID -- --force", "delete -- ID --force"},
		{"delete -f -- ID", "delete -f -- ID"},
		// A flag whose value is missing stays last; the parser says so.
		{"update ID --memory", "update --memory ID"},
		// exec, ps and hook: what follows the ID is someone else's argv.
		{"exec ID sh -c --env", "exec ID sh -c --env"},
		{"exec -t ID ls -l --cwd", "exec -t ID ls -l --cwd"},
		{"exec --env A=1 -e B ID env", "exec --env A=1 -e B ID env"},
		{"exec --bogus ID env", "exec --bogus ID env"},
		{"ps ID -f json", "ps ID -f json"},
		{"hook --timeout 5 /bin/h --timeout", "hook --timeout 5 /bin/h --timeout"},
		// No command, or one hull does not have: unchanged.
		{"", ""},
		{"--debug", "--debug"},
		{"frob ID --force", "frob ID --force"},
		{"--bogus delete ID -f", "--bogus delete ID -f"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			in := append([]string{"hull"}, strings.Fields(tc.in)...)
			want := append([]string{"hull"}, strings.Fields(tc.want)...)
			if got := reorderArgs(app, in); !reflect.DeepEqual(got, want) {
				t.Errorf("reorderArgs(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

// Run reorders: `delete ID --force` of a missing container succeeds, as
// with runc, only if --force reached delete.
func TestFlagsAfterArgsReachTheCommand(t *testing.T) {
	root := t.TempDir()
	for _, args := range [][]string{
		{"delete", "x", "--force"},
		{"delete", "x", "-f"},
		{"delete", "x", "--force=true"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stderr strings.Builder
			code := Run(append([]string{"hull", "--root", root}, args...), &stderr)
			if code != 0 {
				t.Errorf("exit %d, stderr %q; want 0 (the flag was read)", code, stderr.String())
			}
		})
	}
}
