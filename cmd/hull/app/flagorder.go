package app

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// argvCommands are the commands whose arguments after the container ID
// belong to someone else, so a flag there is not hull's: exec's are the
// process's command line, ps's are ps(1) options, hook's are the hook's
// own argv. runc skips reordering for exec and ps the same way.
var argvCommands = map[string]bool{"exec": true, "ps": true, "hook": true}

// reorderArgs moves a command's flags that come after its arguments in
// front of them: runc (urfave/cli v1) takes `runc delete ID --force` and
// `runc kill ID KILL --all`, while urfave/cli v2 stops reading flags at
// the first argument. args is the whole command line (args[0] is the
// program). Only the command's own flags move, each with its value when
// it takes one; anything else keeps its place among the arguments, and
// after a "--" nothing moves, as in runc. Unlike runc, a flag that takes
// no value never takes the next argument with it, so `kill ID --all KILL`
// signals ID with KILL.
//
// A command's --help anywhere (before "--") leaves just `CMD --help`:
// urfave/cli v2 would read an argument after it as a subcommand to
// explain, where runc shows the command's help.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	// Skip the global flags to find the command.
	i := 1
	for i < len(args) && isFlagLike(args[i]) {
		f := lookupFlag(withBuiltins(app.Flags, cli.VersionFlag), args[i])
		if f == nil {
			return args // the parser reports the unknown flag
		}
		i += flagWidth(f, args[i])
	}
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return args
	}
	flags := withBuiltins(cmd.Flags)
	rest := args[i+1:]
	var moved, kept []string
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			// The "--" goes first among the arguments so that the flag
			// parser stops there; what follows it is arguments only.
			kept = append(append([]string{"--"}, kept...), rest[j+1:]...)
			break
		}
		f := lookupFlag(flags, a)
		if f == nil {
			if argvCommands[cmd.Name] {
				kept = rest[j:]
				break
			}
			kept = append(kept, a)
			continue
		}
		if f == cli.HelpFlag {
			return append(append([]string(nil), args[:i+1]...), "--help")
		}
		n := flagWidth(f, a)
		if j+n > len(rest) {
			n = len(rest) - j // a missing value: the parser says so
		}
		moved = append(moved, rest[j:j+n]...)
		j += n - 1
	}
	out := make([]string, 0, len(args))
	out = append(out, args[:i+1]...)
	out = append(out, moved...)
	return append(out, kept...)
}

// withBuiltins returns flags plus --help and the extra flags that
// urfave/cli adds when it runs, in a new slice.
func withBuiltins(flags []cli.Flag, extra ...cli.Flag) []cli.Flag {
	out := append([]cli.Flag{cli.HelpFlag}, extra...)
	return append(out, flags...)
}

// isFlagLike reports whether a looks like a flag: "-x", "--x", "-x=v";
// "-" (stdin) and "--" (end of flags) do not.
func isFlagLike(a string) bool {
	return len(a) > 1 && a[0] == '-' && a != "--"
}

// lookupFlag returns the flag of flags that a names ("-f", "--force",
// "--memory=1g"), or nil.
func lookupFlag(flags []cli.Flag, a string) cli.Flag {
	if !isFlagLike(a) {
		return nil
	}
	name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	name, _, _ = strings.Cut(name, "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// flagWidth is how many arguments flag f spelled as a takes: 2 for a
// flag with a value given separately ("--memory 1g"), else 1.
func flagWidth(f cli.Flag, a string) int {
	if v, ok := f.(cli.DocGenerationFlag); ok && v.TakesValue() && !strings.Contains(a, "=") {
		return 2
	}
	return 1
}
