package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/cmd/hull/app"
)

// render formats a page as plain text with groff, warnings on (-ww), and
// fails the test on any warning or error groff prints.
func render(t *testing.T, page string) string {
	t.Helper()
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed (make unit installs groff-base): the pages cannot be rendered")
	}
	// -P-cbou: no overstriking or SGR escapes; a long line length keeps
	// every option on one line for the search.
	cmd := exec.Command(groff, "-man", "-ww", "-Tascii", "-P-cbou", "-rLL=300n", page)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("groff -man -ww %s: %v\n%s", page, err, stderr.String())
	}
	return stdout.String()
}

// visibleCommands are the commands of hull's definitions that have a
// page and complete.
func visibleCommands() []*cli.Command {
	var cmds []*cli.Command
	for _, c := range app.New().Commands {
		if !c.Hidden {
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// flagNames lists what a user types for each of a definition's visible
// flags: --name and -alias.
func flagNames(flags []cli.Flag) []string {
	var names []string
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		for _, n := range f.Names() {
			names = append(names, dashed(n))
		}
	}
	return names
}

// containsWord reports whether text has word with no name character
// (letter, digit, -) on either side: --pid-file is not --pid.
func containsWord(text, word string) bool {
	isName := func(b byte) bool {
		return b == '-' || b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !isName(text[start-1])) && (end == len(text) || !isName(text[end])) {
			return true
		}
		i = start + 1
	}
}

// TestCommandPages: every visible command of hull's definitions has a
// page that groff renders without a warning, with NAME, SYNOPSIS,
// DESCRIPTION, OPTIONS (each of the command's flags by every name, and
// --help) and SEE ALSO.
func TestCommandPages(t *testing.T) {
	cmds := visibleCommands()
	if len(cmds) == 0 {
		t.Fatal("app.New() has no visible command")
	}
	for _, c := range cmds {
		t.Run(c.Name, func(t *testing.T) {
			text := render(t, docsFile("man", "man8", "hull-"+c.Name+".8"))
			for _, section := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SEE ALSO"} {
				if !strings.Contains(text, "\n"+section+"\n") {
					t.Errorf("no %s section:\n%s", section, text)
				}
			}
			if !strings.Contains(text, "hull-"+c.Name+" - "+c.Usage) {
				t.Errorf("NAME does not read %q:\n%s", "hull-"+c.Name+" - "+c.Usage, text)
			}
			for _, name := range append(flagNames(c.Flags), "--help", "-h") {
				if !containsWord(text, name) {
					t.Errorf("flag %s is not on the page:\n%s", name, text)
				}
			}
			// Hidden one-letter flags are short forms users type (-e).
			for _, f := range c.Flags {
				if n := f.Names(); len(n) == 1 && len(n[0]) == 1 && !containsWord(text, "-"+n[0]) {
					t.Errorf("short form -%s is not on the page:\n%s", n[0], text)
				}
			}
			for _, f := range c.Flags {
				if s, ok := f.(*cli.StringFlag); ok && s.Value != "" && !s.Hidden &&
					!strings.Contains(text, "(default: "+s.Value+")") && !strings.Contains(s.Usage, "default") {
					t.Errorf("--%s's default %q is not on the page:\n%s", s.Name, s.Value, text)
				}
			}
			if !strings.Contains(text, "hull(8)") {
				t.Errorf("SEE ALSO does not name hull(8):\n%s", text)
			}
		})
	}
}

// TestMainPage: hull(8) has every visible global flag and names every
// visible command and its page.
func TestMainPage(t *testing.T) {
	a := app.New()
	text := render(t, docsFile("man", "man8", "hull.8"))
	for _, name := range append(flagNames(a.Flags), "--help", "--version") {
		if !containsWord(text, name) {
			t.Errorf("global flag %s is not on hull(8):\n%s", name, text)
		}
	}
	for _, c := range a.Commands {
		if c.Hidden {
			if containsWord(text, "hull-"+c.Name+"(8)") {
				t.Errorf("hidden command %s has a page reference on hull(8)", c.Name)
			}
			continue
		}
		if !strings.Contains(text, "hull-"+c.Name+"(8)") {
			t.Errorf("hull(8) does not name hull-%s(8):\n%s", c.Name, text)
		}
	}
}

// TestPageSet: a page for each visible command and hull.8, and no other
// (none for hidden init and hook, none for urfave/cli's help).
func TestPageSet(t *testing.T) {
	want := []string{"hull.8"}
	for _, c := range visibleCommands() {
		want = append(want, "hull-"+c.Name+".8")
	}
	sort.Strings(want)
	entries, err := os.ReadDir(docsFile("man", "man8"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("pages %v, want %v", got, want)
	}
}

// TestManReadsPages: man(1) itself shows a page by name from the
// generated tree, as `man hull-create` will once installed.
func TestManReadsPages(t *testing.T) {
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man is not installed (man-db): nothing to check the pages with")
	}
	cmd := exec.Command(man, "hull-create")
	cmd.Env = append(os.Environ(), "MANPATH="+filepath.Join(docsDir, "man"), "MANWIDTH=200", "MAN_KEEP_FORMATTING=", "PAGER=cat", "MANPAGER=cat")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("man hull-create: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--bundle") {
		t.Errorf("man hull-create does not show --bundle:\n%s", out)
	}
}
