// Command hull-docs writes hull's man pages and shell completion scripts
// from the command definitions in package app, so that they cannot
// drift from the binary. `make docs` runs it at build time; it is a
// separate program so that hull itself keeps urfave_cli_no_docs and its
// start-up cost. It writes, under the output directory:
//
//	man/man8/hull.8, man/man8/hull-<command>.8 (one per visible command)
//	completion/hull.bash, completion/_hull (zsh), completion/hull.fish
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hullrt/hull/cmd/hull/app"
)

func main() {
	out := flag.String("o", "bin/docs", "output directory")
	// A date from the source (make passes the last commit's), not the
	// clock, so that two builds of one commit write the same pages.
	date := flag.String("date", "", "date for the pages' footer (YYYY-MM-DD)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "hull-docs: unexpected arguments %q; usage: hull-docs [-o DIR] [-date YYYY-MM-DD]\n", flag.Args())
		os.Exit(2)
	}
	if err := generate(*out, *date); err != nil {
		fmt.Fprintf(os.Stderr, "hull-docs: %v\n", err)
		os.Exit(1)
	}
}

// generate writes every page and script of hull under dir.
func generate(dir, date string) error {
	d := readApp(app.New())
	files := map[string]func(io.Writer){
		filepath.Join("man", "man8", d.Name+".8"):   func(w io.Writer) { writeMainPage(w, d, date) },
		filepath.Join("completion", d.Name+".bash"): func(w io.Writer) { writeBash(w, d) },
		filepath.Join("completion", "_"+d.Name):     func(w io.Writer) { writeZsh(w, d) },
		filepath.Join("completion", d.Name+".fish"): func(w io.Writer) { writeFish(w, d) },
	}
	for _, c := range d.Commands {
		if c.Builtin {
			continue
		}
		files[filepath.Join("man", "man8", pageName(d, c)+".8")] = func(w io.Writer) { writeCommandPage(w, d, c, date) }
	}
	// Pages of commands that are gone must not linger in dir.
	if err := os.RemoveAll(filepath.Join(dir, "man")); err != nil {
		return err
	}
	for name, write := range files {
		var b bytes.Buffer
		write(&b)
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
