package main

import (
	"reflect"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/cmd/hull/app"
)

func TestReadFlags(t *testing.T) {
	tests := []struct {
		name  string
		flags []cli.Flag
		want  []flagDoc
	}{
		{
			name:  "bool with alias",
			flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill it first"}},
			want:  []flagDoc{{Names: []string{"--force", "-f"}, Usage: "kill it first"}},
		},
		{
			name:  "string default",
			flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "table", Usage: "table or json"}},
			want:  []flagDoc{{Names: []string{"--format"}, Value: "VALUE", Usage: "table or json", Default: "table"}},
		},
		{
			name:  "usage states its default",
			flags: []cli.Flag{&cli.StringFlag{Name: "bundle", Value: ".", Usage: "bundle (default: the current directory)"}},
			want:  []flagDoc{{Names: []string{"--bundle"}, Value: "VALUE", Usage: "bundle (default: the current directory)"}},
		},
		{
			name:  "backquoted placeholder",
			flags: []cli.Flag{&cli.StringFlag{Name: "log", Usage: "write the log to `FILE`"}},
			want:  []flagDoc{{Names: []string{"--log"}, Value: "FILE", Usage: "write the log to FILE"}},
		},
		{
			name:  "uint",
			flags: []cli.Flag{&cli.UintFlag{Name: "preserve-fds", Usage: "pass N fds"}},
			want:  []flagDoc{{Names: []string{"--preserve-fds"}, Value: "N", Usage: "pass N fds", Default: "0"}},
		},
		{
			name: "hidden short form named in a usage",
			flags: []cli.Flag{
				&cli.StringSliceFlag{Name: "env", Usage: "add a variable (repeatable; also -e)"},
				&cli.StringSliceFlag{Name: "e", Hidden: true},
			},
			want: []flagDoc{{Names: []string{"--env", "-e"}, Value: "VALUE", Usage: "add a variable (repeatable; also -e)", Repeatable: true}},
		},
		{
			name: "hidden flag named by no usage",
			flags: []cli.Flag{
				&cli.StringFlag{Name: "criu", Hidden: true},
				&cli.StringSliceFlag{Name: "x", Hidden: true},
				&cli.BoolFlag{Name: "debug", Usage: "log -xy debug messages"},
			},
			want: []flagDoc{{Names: []string{"--debug"}, Usage: "log -xy debug messages"}},
		},
		{
			name:  "generic list",
			flags: []cli.Flag{&cli.GenericFlag{Name: "mount", Value: &cli.StringSlice{}, Usage: "a mount"}},
			want:  []flagDoc{{Names: []string{"--mount"}, Value: "VALUE", Usage: "a mount"}},
		},
		{
			name:  "environment variables",
			flags: []cli.Flag{&cli.BoolFlag{Name: "debug", EnvVars: []string{"HULL_DEBUG"}}},
			want:  []flagDoc{{Names: []string{"--debug"}, EnvVars: []string{"HULL_DEBUG"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readFlags(tt.flags)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("readFlags:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadBareFlag(t *testing.T) {
	var f cli.Flag = &struct{ cli.Flag }{&cli.StringFlag{Name: "opaque", Usage: "hidden behind an interface"}}
	got := readFlags([]cli.Flag{f})
	want := []flagDoc{{Names: []string{"--opaque"}, Value: "VALUE"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readFlags(bare flag) = %+v, want %+v (a value assumed)", got, want)
	}
}

// TestFlagsDescribeThemselves: each of hull's visible flags says its
// usage and whether it takes a value, which the pages and completion
// need (a flag type of hull's own must implement GetUsage and
// TakesValue, as urfave/cli's do).
func TestFlagsDescribeThemselves(t *testing.T) {
	a := app.New()
	check := func(where string, flags []cli.Flag) {
		for _, f := range flags {
			if !visible(f) {
				continue
			}
			u, ok := f.(usageFlag)
			if !ok || u.GetUsage() == "" {
				t.Errorf("%s flag %s has no usage (GetUsage)", where, f.Names()[0])
			}
			if _, ok := f.(valueFlag); !ok {
				t.Errorf("%s flag %s does not say whether it takes a value (TakesValue)", where, f.Names()[0])
			}
		}
	}
	check("global", a.Flags)
	for _, c := range a.Commands {
		if !c.Hidden {
			check(c.Name, c.Flags)
		}
	}
}

func TestReadAppCommands(t *testing.T) {
	a := &cli.App{
		Name:    "hull",
		Version: "1.2.3\nspec: 1.3.0",
		Commands: []*cli.Command{
			{Name: "create", ArgsUsage: "<container-id>", Flags: []cli.Flag{&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}}}},
			{Name: "kill", ArgsUsage: "<container-id> [signal]"},
			{Name: "exec", ArgsUsage: "<container-id> [command [args...]]"},
			{Name: "list", Aliases: []string{"ls"}},
			{Name: "init", Hidden: true},
		},
	}
	d := readApp(a)
	if d.Version != "1.2.3" {
		t.Errorf("Version = %q, want the first line 1.2.3", d.Version)
	}
	type shape struct {
		name                             string
		containerArg, moreArgs, argv, bi bool
	}
	var got []shape
	for _, c := range d.Commands {
		got = append(got, shape{c.Name, c.ContainerArg, c.MoreArgs, c.Argv, c.Builtin})
	}
	want := []shape{
		{name: "create"}, // its ID is a new one: it takes a --bundle
		{name: "kill", containerArg: true, moreArgs: true},
		{name: "exec", containerArg: true, moreArgs: true, argv: true},
		{name: "list"},
		{name: "help", bi: true}, // added by urfave/cli's Setup
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("commands:\n got %+v\nwant %+v", got, want)
	}
	if f := d.Commands[0].Flags; len(f) != 2 || f[1].Long() != "--help" {
		t.Errorf("create's flags %+v: want --bundle then the --help urfave/cli adds", f)
	}
}

func TestRoff(t *testing.T) {
	tests := []struct{ in, want string }{
		{"--bundle", `\-\-bundle`},
		{`a\b`, `a\eb`},
		{".starts with a dot", `.starts with a dot`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := roff(tt.in); got != tt.want {
				t.Errorf("roff(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	lines := []struct{ in, want string }{
		{".TH", `\&.TH`},
		{"one\n'quoted' next line", "\\&one\n\\&'quoted' next line"},
		{"para one\n\npara two\n", "\\&para one\n.PP\n\\&para two"},
	}
	for _, tt := range lines {
		t.Run(tt.in, func(t *testing.T) {
			if got := roffLine(tt.in); got != tt.want {
				t.Errorf("roffLine(%q) = %q, want %q: no line may start a request", tt.in, got, tt.want)
			}
		})
	}
	if got := roffArgs("<container-id> [signal]"); got != `\fIcontainer\-id\fR [signal]` {
		t.Errorf("roffArgs = %q", got)
	}
}
