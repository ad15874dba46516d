package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hullrt/hull/cmd/hull/app"
)

// fakeHull writes a stand-in for hull that records its arguments and, for
// `list -q`, prints two container IDs, so that ID completion is tested
// without containers.
func fakeHull(t *testing.T) (bin, argsFile string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "hull")
	argsFile = filepath.Join(dir, "args")
	script := "#!/bin/sh\necho \"$*\" > " + argsFile + "\ncase \"$*\" in *'list -q') printf 'alpha\\nbeta\\n' ;; esac\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, argsFile
}

func lookShell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (make unit installs it): its completion script cannot be checked", name)
	}
	return p
}

func TestBashSyntax(t *testing.T) {
	bash := lookShell(t, "bash")
	if out, err := exec.Command(bash, "-n", docsFile("completion", "hull.bash")).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
}

// bashComplete sources the script in bash and calls its function with
// COMP_WORDS as bash would set them for words (the last one is being
// completed), then returns COMPREPLY sorted.
func bashComplete(t *testing.T, words ...string) []string {
	t.Helper()
	bash := lookShell(t, "bash")
	script := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); ` +
		`COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _hull || exit; printf '%s\n' "${COMPREPLY[@]}"`
	cmd := exec.Command(bash, append([]string{"-c", script, "bash", docsFile("completion", "hull.bash")}, words...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("completing %q: %v\n%s", words, err, stderr.String())
	}
	got := strings.Fields(string(out))
	sort.Strings(got)
	return got
}

func TestBashCompletion(t *testing.T) {
	bin, argsFile := fakeHull(t)
	dir := t.TempDir()
	for _, name := range []string{"bundle-a", "bundle-b"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		words []string
		want  []string
		args  string // what the fake hull was called with, "" for not called
	}{
		{"command", []string{"hull", "cre"}, []string{"create"}, ""},
		{"command after global flags", []string{"hull", "--root", "/x", "--debug", "sta"}, []string{"start", "state"}, ""},
		{"global flag", []string{"hull", "--ro"}, []string{"--root", "--rootless"}, ""},
		{"command flag", []string{"hull", "create", "--no-"}, []string{"--no-new-keyring", "--no-pivot"}, ""},
		{"short forms", []string{"hull", "exec", "-e"}, []string{"-e"}, ""},
		{"flag value is a file", []string{"hull", "create", "--bundle", dir + "/bun"}, []string{dir + "/bundle-a", dir + "/bundle-b"}, ""},
		{"flag=value is a file", []string{"hull", "create", "--bundle", "=", dir + "/bundle-a"}, []string{dir + "/bundle-a"}, ""},
		{"container IDs", []string{bin, "start", ""}, []string{"alpha", "beta"}, "list -q"},
		{"IDs under --root", []string{bin, "--root", "/r", "kill", "a"}, []string{"alpha"}, "--root /r list -q"},
		{"IDs under --root=", []string{bin, "--root", "=", "/r2", "--debug", "delete", "--force", "b"}, []string{"beta"}, "--root /r2 list -q"},
		{"IDs under --root=/r (one word)", []string{bin, "--root=/r3", "state", ""}, []string{"alpha", "beta"}, "--root /r3 list -q"},
		{"IDs after a flag's value", []string{bin, "exec", "--cwd", "/tmp", "-e", "A=1", ""}, []string{"alpha", "beta"}, "list -q"},
		{"no IDs for a new container", []string{bin, "create", ""}, nil, ""},
		{"nothing after the ID", []string{bin, "kill", "alpha", ""}, nil, ""},
		{"flags after the ID", []string{bin, "kill", "alpha", "--a"}, []string{"--all"}, ""},
		{"exec's command line is not ours", []string{bin, "exec", "alpha", "sh", "-"}, nil, ""},
		{"help names commands", []string{"hull", "help", "upd"}, []string{"update"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(argsFile)
			got := bashComplete(t, tt.words...)
			checkOffered(t, strings.Join(tt.words, " "), got, tt.want, argsFile, tt.args)
		})
	}
}

// TestBashCompletesDefinitions: every visible command and each of its
// visible flags (every name) completes, from hull's own definitions.
func TestBashCompletesDefinitions(t *testing.T) {
	lookShell(t, "bash")
	checkCompletesDefinitions(t, func(words ...string) []string { return bashComplete(t, words...) })
}

// checkCompletesDefinitions checks that complete (the words of a command
// line, the last one being completed) offers every visible global flag,
// command, and flag of each command by every name.
func checkCompletesDefinitions(t *testing.T, complete func(words ...string) []string) {
	a := app.New()
	got := complete("hull", "-")
	for _, name := range flagNames(a.Flags) {
		if !contains(got, name) {
			t.Errorf("hull -<TAB>: %q has no global flag %s", got, name)
		}
	}
	for _, c := range visibleCommands() {
		t.Run(c.Name, func(t *testing.T) {
			if got := complete("hull", c.Name); !contains(got, c.Name) {
				t.Errorf("hull %s<TAB>: %q has no %s", c.Name, got, c.Name)
			}
			got := complete("hull", c.Name, "-")
			for _, name := range flagNames(c.Flags) {
				if !contains(got, name) {
					t.Errorf("hull %s -<TAB>: %q has no %s", c.Name, got, name)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestZshSyntax(t *testing.T) {
	zsh := lookShell(t, "zsh")
	if out, err := exec.Command(zsh, "-n", docsFile("completion", "_hull")).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
}

// zshDriver runs an interactive zsh in a pty (zsh/zpty) with the
// completion function on $fpath, types a line and TAB, and prints what
// the terminal shows once want appears (or after 20 s).
const zshDriver = `
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PS1='> ' fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D; PATH=${(q)4}:\$PATH"
zpty -w z "print -r READY"
local out= chunk= i
for i in {1..200}; do
	while zpty -rt z chunk; do out+=$chunk; done
	[[ $out == *$'\n'READY* ]] && break
	sleep 0.1
done
out=
zpty -w -n z "$2"$'\t'
for i in {1..200}; do
	while zpty -rt z chunk; do out+=$chunk; done
	[[ $out == *$3* ]] && break
	sleep 0.1
done
print -r -- "$out"
zpty -d z
`

func TestZshCompletion(t *testing.T) {
	zsh := lookShell(t, "zsh")
	bin, argsFile := fakeHull(t)
	tests := []struct {
		name, line, want string
		args             string
	}{
		{"command", "hull cre", "create", ""},
		{"command flags", "hull exec --c", "--cgroup", ""},
		{"short form", "hull delete -", "-f", ""},
		{"container IDs under --root", "hull --root /z start ", "alpha", "--root /z list -q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(argsFile)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, zsh, "-f", "-c", zshDriver, "zsh",
				filepath.Join(docsDir, "completion"), tt.line, tt.want, filepath.Dir(bin))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("zsh driver: %v\n%s", err, out)
			}
			// The line as typed is echoed too: look after it.
			shown := string(out)
			if i := strings.Index(shown, tt.line); i >= 0 {
				shown = shown[i+len(tt.line):]
			}
			if !strings.Contains(shown, strings.TrimPrefix(tt.want, tt.line[strings.LastIndexAny(tt.line, " ")+1:])) {
				t.Errorf("%q<TAB> does not show %q:\n%q", tt.line, tt.want, out)
			}
			// zsh may also ask for IDs where it offers flags; only the
			// arguments of an ID completion are checked.
			called, _ := os.ReadFile(argsFile)
			if tt.args != "" && strings.TrimSpace(string(called)) != tt.args {
				t.Errorf("%q<TAB> ran hull with %q, want %q", tt.line, strings.TrimSpace(string(called)), tt.args)
			}
		})
	}
}

func TestFishSyntax(t *testing.T) {
	fish := lookShell(t, "fish")
	if out, err := exec.Command(fish, "-n", docsFile("completion", "hull.fish")).CombinedOutput(); err != nil {
		t.Fatalf("fish -n: %v\n%s", err, out)
	}
}

// TestFishCompletion asks fish itself (complete -C) what it offers.
func TestFishCompletion(t *testing.T) {
	lookShell(t, "fish")
	bin, argsFile := fakeHull(t)
	tests := []struct {
		name, line string
		want       []string
		args       string
	}{
		{"command", "hull cre", []string{"create"}, ""},
		{"global flag", "hull --ro", []string{"--root", "--rootless"}, ""},
		{"command flag", "hull create --no-", []string{"--no-new-keyring", "--no-pivot"}, ""},
		{"container IDs", bin + " --root /f start ", []string{"alpha", "beta"}, "--root /f list -q"},
		{"IDs under --root=", bin + " --root=/g kill a", []string{"alpha"}, "--root /g list -q"},
		{"no IDs for a new container", bin + " run ", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(argsFile)
			checkOffered(t, tt.line, fishComplete(t, tt.line), tt.want, argsFile, tt.args)
		})
	}
}

// TestFishCompletesDefinitions: every visible command, and each of its
// visible flags by every name, is offered.
func TestFishCompletesDefinitions(t *testing.T) {
	lookShell(t, "fish")
	checkCompletesDefinitions(t, func(words ...string) []string { return fishComplete(t, strings.Join(words, " ")) })
}

// fishComplete asks fish what it offers for line (complete -C), sorted.
func fishComplete(t *testing.T, line string) []string {
	t.Helper()
	fish := lookShell(t, "fish")
	cmd := exec.Command(fish, "-c", "source $argv[1]; complete -C $argv[2]", docsFile("completion", "hull.fish"), line)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("fish complete -C %q: %v\n%s", line, err, stderr.String())
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			got = append(got, strings.SplitN(l, "\t", 2)[0])
		}
	}
	sort.Strings(got)
	return got
}

// checkOffered compares what a shell offered for line with want, and what
// the fake hull was run with (argsFile) with wantArgs ("": not run).
func checkOffered(t *testing.T, line string, got, want []string, argsFile, wantArgs string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s<TAB>: got %q, want %q", line, got, want)
	}
	called, _ := os.ReadFile(argsFile)
	if strings.TrimSpace(string(called)) != wantArgs {
		t.Errorf("%s<TAB> ran hull with %q, want %q", line, strings.TrimSpace(string(called)), wantArgs)
	}
}
