package main

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// appDoc is what the pages and completion scripts say about hull, read
// from the cli.App's definitions and nothing else, so a command or flag
// added there shows up everywhere at the next build.
type appDoc struct {
	Name        string
	Usage       string
	Description string
	Version     string // the first line of app.Version
	Flags       []flagDoc
	Commands    []commandDoc // visible commands, in definition order
}

// commandDoc is one visible command.
type commandDoc struct {
	Name        string
	Aliases     []string
	Usage       string
	Description string
	ArgsUsage   string
	Flags       []flagDoc
	// ContainerArg: the first argument is an existing container's ID, so
	// completion offers the IDs `hull list -q` prints.
	ContainerArg bool
	// MoreArgs: arguments may follow the first (exec's command, kill's
	// signal, ps's options).
	MoreArgs bool
	// Argv: what follows the first argument is a process's command line
	// (exec's "[command [args...]]"), whose flags are not hull's.
	Argv bool
	// Builtin is urfave/cli's own help command: listed and completed,
	// but it has no page of its own (runc has no runc-help(8) either).
	Builtin bool
}

// flagDoc is one flag with every name it answers to.
type flagDoc struct {
	// Names as typed, dashes included: the flag's name, its aliases, then
	// hidden one-letter flags that are its short forms (see shortForms).
	Names      []string
	Value      string // placeholder for the value; "" for a flag that takes none
	Usage      string
	Default    string // "" when there is none worth saying
	Repeatable bool
	EnvVars    []string
}

// Long is the flag's first long name (--bundle), or its only name.
func (f flagDoc) Long() string {
	for _, n := range f.Names {
		if strings.HasPrefix(n, "--") {
			return n
		}
	}
	return f.Names[0]
}

// readApp reads app's definitions. It runs app.Setup so that what
// urfave/cli adds at run time (the help command, --help, --version) is
// documented as the binary has it.
func readApp(app *cli.App) appDoc {
	app.Setup()
	d := appDoc{
		Name:        app.Name,
		Usage:       app.Usage,
		Description: app.Description,
		Version:     strings.SplitN(app.Version, "\n", 2)[0],
		Flags:       readFlags(app.Flags),
	}
	for _, c := range app.VisibleCommands() {
		cd := commandDoc{
			Name:        c.Name,
			Aliases:     c.Aliases,
			Usage:       c.Usage,
			Description: c.Description,
			ArgsUsage:   c.ArgsUsage,
			// urfave/cli reserves the name for its help command (it adds
			// its own only when the app has none of that name).
			Builtin: c.Name == "help",
		}
		flags := c.Flags
		if !c.HideHelp && cli.HelpFlag != nil && !cd.Builtin {
			// Command.setup adds it when the command runs.
			flags = append(append([]cli.Flag{}, flags...), cli.HelpFlag)
		}
		cd.Flags = readFlags(flags)
		args := strings.Fields(c.ArgsUsage)
		cd.ContainerArg = len(args) > 0 && args[0] == "<container-id>" && !createsContainer(c)
		cd.MoreArgs = len(args) > 1
		cd.Argv = cd.MoreArgs && strings.HasPrefix(args[1], "[command")
		d.Commands = append(d.Commands, cd)
	}
	return d
}

// createsContainer tells a command whose <container-id> names the
// container it makes (create, run, restore: they take a --bundle) from
// one that acts on an existing container, whose ID completion offers.
func createsContainer(c *cli.Command) bool {
	for _, f := range c.Flags {
		for _, n := range f.Names() {
			if n == "bundle" {
				return true
			}
		}
	}
	return false
}

// readFlags documents the visible flags. A hidden one-letter flag whose
// name a visible flag's usage gives as its short form ("also -e") is
// listed with that flag: hull defines -e, -g and -c as flags of their own
// because urfave/cli v2 refuses a repeated flag given under two aliases.
// Other hidden flags stay undocumented.
func readFlags(flags []cli.Flag) []flagDoc {
	var docs []flagDoc
	var short []cli.Flag
	for _, f := range flags {
		if !visible(f) {
			if n := f.Names(); len(n) == 1 && len(n[0]) == 1 {
				short = append(short, f)
			}
			continue
		}
		docs = append(docs, readFlag(f))
	}
	for _, s := range short {
		name := "-" + s.Names()[0]
		re := regexp.MustCompile(`(^|[\s(;,])` + regexp.QuoteMeta(name) + `($|[\s),;.])`)
		for i := range docs {
			if re.MatchString(docs[i].Usage) {
				docs[i].Names = append(docs[i].Names, name)
				break
			}
		}
	}
	return docs
}

func visible(f cli.Flag) bool {
	if v, ok := f.(cli.VisibleFlag); ok {
		return v.IsVisible()
	}
	return true
}

// The parts of cli.DocGenerationFlag, each asked for on its own: a flag
// type of hull's own may implement some and not all.
type (
	usageFlag      interface{ GetUsage() string }
	valueFlag      interface{ TakesValue() bool }
	defaultFlag    interface{ GetDefaultText() string }
	envFlag        interface{ GetEnvVars() []string }
	repeatableFlag interface{ IsSliceFlag() bool }
)

func readFlag(f cli.Flag) flagDoc {
	d := flagDoc{}
	for _, n := range f.Names() {
		d.Names = append(d.Names, dashed(n))
	}
	if u, ok := f.(usageFlag); ok {
		d.Usage = u.GetUsage()
	}
	if e, ok := f.(envFlag); ok {
		d.EnvVars = e.GetEnvVars()
	}
	if r, ok := f.(repeatableFlag); ok {
		d.Repeatable = r.IsSliceFlag()
	}
	// A flag that does not say whether it takes a value is taken to need
	// one: completion then skips its value instead of reading it as an
	// argument. TestFlagsDescribeThemselves keeps hull's flags saying.
	if v, ok := f.(valueFlag); ok && !v.TakesValue() {
		return d
	}
	d.Value = placeholder(f)
	// urfave/cli's convention: a `word` in backquotes in the usage names
	// the value, and prints without the quotes.
	if i := strings.Index(d.Usage, "`"); i >= 0 {
		if j := strings.Index(d.Usage[i+1:], "`"); j > 0 {
			d.Value = d.Usage[i+1 : i+1+j]
			d.Usage = d.Usage[:i] + d.Value + d.Usage[i+2+j:]
		}
	}
	def := ""
	if df, ok := f.(defaultFlag); ok {
		def = df.GetDefaultText()
	}
	if u, err := strconv.Unquote(def); err == nil {
		def = u
	}
	// A usage that states its own default ("default: the current
	// directory") says it better than the zero value would.
	// "[]" is an empty list's (a GenericFlag's) default: none.
	if def != "" && def != "[]" && !strings.Contains(d.Usage, "default") {
		d.Default = def
	}
	return d
}

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// placeholder names a flag's value after its type.
func placeholder(f cli.Flag) string {
	switch f.(type) {
	case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag, *cli.Uint64Flag,
		*cli.IntSliceFlag, *cli.Int64SliceFlag, *cli.UintSliceFlag, *cli.Uint64SliceFlag:
		return "N"
	case *cli.DurationFlag:
		return "DURATION"
	default:
		return "VALUE"
	}
}
