package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Expectation is one entry of expected-failures.txt: a failing assertion
// that is known and explained, so it does not fail the run.
type Expectation struct {
	Program string
	// Pattern matches the assertion description; "*" matches any run of
	// characters (descriptions of some assertions carry random paths or
	// container IDs).
	Pattern string
	Reason  string
	Line    int
	// Matched counts the failures this entry excused in the current run.
	Matched int
}

// ParseExpectations reads the expected-failures format:
//
//	# comment
//	reason: why the entries below fail
//	program: assertion description (glob with *)
//
// Every entry must come after a "reason:" line; a reason applies to the
// entries that follow it until the next "reason:". All problems are
// reported together.
func ParseExpectations(r io.Reader) ([]*Expectation, error) {
	var (
		out    []*Expectation
		errs   []error
		reason string
		n      int
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "reason:"); ok {
			reason = strings.TrimSpace(rest)
			if reason == "" {
				errs = append(errs, fmt.Errorf("line %d: empty reason", n))
			}
			continue
		}
		prog, pat, ok := strings.Cut(line, ": ")
		if !ok || strings.ContainsAny(prog, " \t") || strings.TrimSpace(pat) == "" {
			errs = append(errs, fmt.Errorf("line %d: want \"program: assertion\", got %q", n, line))
			continue
		}
		if reason == "" {
			errs = append(errs, fmt.Errorf("line %d: entry %q has no reason: line before it", n, line))
			continue
		}
		out = append(out, &Expectation{Program: prog, Pattern: strings.TrimSpace(pat), Reason: reason, Line: n})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// Match reports whether the entry excuses a failure of program with the
// given description.
func (e *Expectation) Match(program, desc string) bool {
	return e.Program == program && globMatch(e.Pattern, desc)
}

// globMatch matches s against a pattern where "*" stands for any run of
// characters, "/" included (unlike path.Match), and nothing else is special.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}
