package spec

import (
	"regexp"
	"testing"
)

// semverOracle is the regular expression semver replaced: semver.org's
// grammar as far as ociVersion is checked.
var semverOracle = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

func TestSemverMatchesRegexp(t *testing.T) {
	inputs := []string{
		"1.0.0", "1.3.0", "0.6.0", "2.0.0", "10.20.30", "1.0.0-rc5", "1.0.0-rc.1", "1.0.0-rc-1",
		"1.2.3+build", "1.2.3-pre+build.5", "1.2.3-+x", "1.2.3-", "1.2.3+", "1.2.3++", "1.2.3+a+b",
		"1.2.3-a+b-c", "1.2.3-a_b", "1.2.3+a_b", "01.2.3", "1.02.3", "1.2.03", "0.0.0", "00.0.0",
		"1.2", "1.2.3.4", "v1.2.3", "1..3", ".1.2", "1.2.", "", "1.2.3 ", " 1.2.3", "1.2.x",
		"1.2.3-é", "1.2.3-\n", "99999999999999999999.0.0", "1.-2.3", "-1.2.3", "+1.2.3", "1.2.3-.", "1.2.3+-",
	}
	// Every string of up to four characters from the grammar's alphabet
	// after "1.0.0" and after "1.0".
	alphabet := []string{"0", "1", "a", "Z", ".", "-", "+", "_"}
	var tails []string
	var grow func(s string, n int)
	grow = func(s string, n int) {
		tails = append(tails, s)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			grow(s+c, n-1)
		}
	}
	grow("", 4)
	for _, tail := range tails {
		inputs = append(inputs, "1.0.0"+tail, "1.0"+tail)
	}
	for _, v := range inputs {
		m := semverOracle.FindStringSubmatch(v)
		major, minor, patch, pre, ok := semver(v)
		if ok != (m != nil) {
			t.Errorf("semver(%q) ok = %v; the regexp matches: %v", v, ok, m != nil)
			continue
		}
		if ok && (major != m[1] || minor != m[2] || patch != m[3] || pre != m[4]) {
			t.Errorf("semver(%q) = %q %q %q %q; the regexp's %q %q %q %q", v, major, minor, patch, pre, m[1], m[2], m[3], m[4])
		}
	}
}
