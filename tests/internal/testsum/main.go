// Command testsum reads `go test -json` on stdin and prints what a person
// needs from it: the output of every failed test, the reason of every
// skipped one, and a closing count, "NAME: N passed, N failed, N skipped".
// It exits 1 when a test or a package failed, so that a pipe from go test
// keeps its verdict.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of test2json output.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type summary struct {
	passed, failed, skipped int
	pkgFailed               []string
	// output of each test (and of each package, under ""), kept until its
	// verdict is known.
	output  map[[2]string]*strings.Builder
	reports []string
	skips   []string
}

func main() {
	name := "tests"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	s := summarize(os.Stdin, os.Stdout)
	for _, r := range s.reports {
		fmt.Print(r)
	}
	sort.Strings(s.skips)
	for _, sk := range s.skips {
		fmt.Println(sk)
	}
	for _, p := range s.pkgFailed {
		fmt.Printf("FAIL package %s\n", p)
	}
	fmt.Printf("%s: %d passed, %d failed, %d skipped\n", name, s.passed, s.failed, s.skipped)
	if s.failed > 0 || len(s.pkgFailed) > 0 {
		os.Exit(1)
	}
}

// summarize reads the events; package results ("ok ...", "FAIL ...")
// are passed through to out as go test prints them.
func summarize(in io.Reader, out io.Writer) *summary {
	s := &summary{output: map[[2]string]*strings.Builder{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (a build error, say): show it as it is.
			fmt.Fprintln(out, sc.Text())
			continue
		}
		key := [2]string{e.Package, e.Test}
		switch e.Action {
		case "output":
			b := s.output[key]
			if b == nil {
				b = &strings.Builder{}
				s.output[key] = b
			}
			b.WriteString(e.Output)
			if e.Test == "" && (strings.HasPrefix(e.Output, "ok ") || strings.HasPrefix(e.Output, "ok\t") ||
				strings.HasPrefix(e.Output, "FAIL\t") || strings.HasPrefix(e.Output, "?")) {
				fmt.Fprint(out, e.Output)
			}
		case "pass":
			if e.Test != "" {
				s.passed++
			}
			delete(s.output, key)
		case "skip":
			if e.Test != "" {
				s.skipped++
				s.skips = append(s.skips, fmt.Sprintf("SKIP %s: %s", e.Test, skipReason(s.output[key])))
			}
			delete(s.output, key)
		case "fail":
			if e.Test == "" {
				s.pkgFailed = append(s.pkgFailed, e.Package)
				if b := s.output[key]; b != nil {
					s.reports = append(s.reports, b.String())
				}
			} else {
				s.failed++
				if b := s.output[key]; b != nil {
					s.reports = append(s.reports, b.String())
				}
			}
			delete(s.output, key)
		}
	}
	return s
}

// skipReason is what the test said when it skipped: its output without
// the "=== RUN" and "--- SKIP" lines.
func skipReason(b *strings.Builder) string {
	if b == nil {
		return "(no reason given)"
	}
	var reason []string
	for _, l := range strings.Split(b.String(), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		reason = append(reason, t)
	}
	if len(reason) == 0 {
		return "(no reason given)"
	}
	return strings.Join(reason, " ")
}
