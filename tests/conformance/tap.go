package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Status is the outcome of one TAP assertion.
type Status int

// The outcomes an assertion can have. A "not ok ... # TODO" counts as
// Skipped: TAP says a TODO failure is not a failure.
const (
	Passed Status = iota
	Failed
	Skipped
)

func (s Status) String() string {
	switch s {
	case Passed:
		return "ok"
	case Failed:
		return "not ok"
	default:
		return "skip"
	}
}

// Assertion is one counted result of a validation program.
type Assertion struct {
	// Doc is the 1-based TAP document the assertion came from (a program
	// may print several, each starting with "TAP version 13").
	Doc    int
	Num    int // the test number as printed; 0 for synthetic assertions
	Desc   string
	Status Status
	// Detail is the YAML block or diagnostics that followed the line.
	Detail string
}

// Report is what Parse makes of one program's standard output.
type Report struct {
	Assertions []Assertion
	// Docs counts the TAP documents seen.
	Docs int
	// Planned is the sum of the plans ("1..N") seen; -1 if no plan at all.
	Planned int
	// Counted is how many real test points ("ok"/"not ok") were printed;
	// synthetic assertions (orphan error blocks, Bail out!) are not counted.
	Counted int
	// BailedOut is set when a "Bail out!" line was seen.
	BailedOut bool
}

var (
	// "ok 1 - desc", "not ok 2 desc", "ok 3 # SKIP why", "not ok 4 # TODO desc"
	testLine = regexp.MustCompile(`^(not ok|ok)\b\s*(\d*)\s*(.*)$`)
	planLine = regexp.MustCompile(`^1\.\.(\d+)\s*(?:#\s*(.*))?$`)
)

// Parse reads the TAP output of one runtime-tools validation program.
//
// It copes with what runtime-tools v0.9.0 prints, which is not always
// well-formed TAP 13:
//   - several documents in one stream: each "TAP version" line starts a
//     new one, and numbering restarts; assertions of all documents count.
//   - YAML blocks ("  ---" … "  ...") are JSON, indented by two spaces;
//     they may contain the text "not ok" (the inner runtimetest's
//     stdout), which must not be taken for a test line.
//   - the hook programs print "1..0" and report a failure only as a YAML
//     block with an "error" key that follows no test point; such an
//     orphan error block counts as one failed assertion named
//     "(error) <first line of the error>".
//   - "ok N # SKIP reason" is a skip; "not ok N # TODO d" is not a failure.
func Parse(out []byte) Report {
	r := Report{Planned: -1}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)

	// lastTest is the index in r.Assertions of the test point that a
	// following YAML block belongs to, or -1 when the block is orphan.
	lastTest := -1
	inYAML := false
	var yaml strings.Builder
	doc := 0

	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		if inYAML {
			if trimmed == "..." {
				inYAML = false
				r.attachYAML(lastTest, doc, yaml.String())
				lastTest = -1
				continue
			}
			yaml.WriteString(line)
			yaml.WriteByte('\n')
			continue
		}
		if trimmed == "---" && line != trimmed {
			inYAML = true
			yaml.Reset()
			continue
		}
		if line != trimmed && trimmed != "" {
			// Other indented lines are subtests or garbage; neither is
			// counted (runtime-tools prints no subtests).
			continue
		}
		switch {
		case strings.HasPrefix(line, "TAP version"):
			doc++
			r.Docs++
			lastTest = -1
		case planLine.MatchString(line):
			m := planLine.FindStringSubmatch(line)
			n, _ := strconv.Atoi(m[1])
			if r.Planned < 0 {
				r.Planned = 0
			}
			r.Planned += n
			if n == 0 && strings.HasPrefix(strings.ToUpper(m[2]), "SKIP") {
				r.Assertions = append(r.Assertions, Assertion{Doc: max(doc, 1), Desc: "(skipped) " + strings.TrimSpace(m[2][4:]), Status: Skipped})
			}
			lastTest = -1
		case testLine.MatchString(line):
			if doc == 0 {
				doc, r.Docs = 1, 1
			}
			m := testLine.FindStringSubmatch(line)
			a := Assertion{Doc: doc, Status: Passed}
			if m[1] == "not ok" {
				a.Status = Failed
			}
			a.Num, _ = strconv.Atoi(m[2])
			desc := strings.TrimSpace(m[3])
			desc = strings.TrimSpace(desc)
			if d, rest, ok := directive(desc); ok {
				// "ok 3 # SKIP why", "not ok 4 # TODO desc"
				desc = rest
				a.Status = applyDirective(a.Status, d)
			} else {
				desc = strings.TrimSpace(strings.TrimPrefix(desc, "-"))
				// "ok 5 - desc # SKIP why": directive after the description.
				if i := strings.Index(desc, " # "); i >= 0 {
					if d, _, ok := directive(desc[i+1:]); ok {
						desc = strings.TrimSpace(desc[:i])
						a.Status = applyDirective(a.Status, d)
					}
				}
			}
			a.Desc = desc
			r.Assertions = append(r.Assertions, a)
			r.Counted++
			lastTest = len(r.Assertions) - 1
		case strings.HasPrefix(line, "Bail out!"):
			r.BailedOut = true
			r.Assertions = append(r.Assertions, Assertion{Doc: max(doc, 1), Desc: "(bail out) " + strings.TrimSpace(strings.TrimPrefix(line, "Bail out!")), Status: Failed})
			lastTest = -1
		case strings.HasPrefix(line, "#"):
			if lastTest >= 0 {
				d := &r.Assertions[lastTest].Detail
				*d += line + "\n"
			}
		}
	}
	if inYAML {
		// An unterminated block (the program died while printing it).
		r.attachYAML(lastTest, doc, yaml.String())
	}
	return r
}

// directive splits "# SKIP rest" or "# TODO rest" (any case).
func directive(s string) (word, rest string, ok bool) {
	if !strings.HasPrefix(s, "#") {
		return "", "", false
	}
	s = strings.TrimSpace(s[1:])
	if len(s) < 4 {
		return "", "", false
	}
	word = strings.ToUpper(s[:4])
	if word != "SKIP" && word != "TODO" {
		return "", "", false
	}
	return word, strings.TrimSpace(s[4:]), true
}

// applyDirective: a SKIP is a skip whatever its ok; a TODO failure is not a
// failure (TAP 13), and a TODO pass stays a pass.
func applyDirective(s Status, word string) Status {
	if word == "SKIP" || s == Failed {
		return Skipped
	}
	return s
}

// attachYAML gives a YAML block to the test point it follows, or, when it
// follows none and carries an "error" key, turns it into a failure.
func (r *Report) attachYAML(lastTest, doc int, block string) {
	if lastTest >= 0 {
		r.Assertions[lastTest].Detail += block
		return
	}
	msg, ok := yamlError(block)
	if !ok {
		return
	}
	first := strings.SplitN(strings.TrimSpace(msg), "\n", 2)[0]
	r.Assertions = append(r.Assertions, Assertion{Doc: max(doc, 1), Desc: "(error) " + first, Status: Failed, Detail: block})
}

// yamlError returns the top-level "error" value of a YAML block that
// tap-go wrote as JSON. A block that is not a JSON object has no error
// key unless one of its lines starts with one.
func yamlError(block string) (string, bool) {
	var m map[string]any
	if err := json.Unmarshal([]byte(block), &m); err == nil {
		v, ok := m["error"]
		if !ok {
			return "", false
		}
		return fmt.Sprint(v), true
	}
	for _, l := range strings.Split(block, "\n") {
		// "error: text" (YAML) or "error": "text", (a JSON line of a
		// block that was cut off).
		l = strings.TrimSpace(l)
		for _, k := range []string{"error:", `"error":`} {
			if rest, ok := strings.CutPrefix(l, k); ok {
				return strings.Trim(strings.TrimSpace(rest), `"',`), true
			}
		}
	}
	return "", false
}
