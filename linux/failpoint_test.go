package linux

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFailpointsListed checks that Failpoints, which tests and the
// documentation go by, names exactly the failpoints in the code.
func TestFailpointsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`failpoint\("([^"]+)"\)`)
	var inCode []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(data), -1) {
			if !slices.Contains(inCode, m[1]) {
				inCode = append(inCode, m[1])
			}
		}
	}
	listed := slices.Clone(Failpoints)
	slices.Sort(inCode)
	slices.Sort(listed)
	if !slices.Equal(inCode, listed) {
		t.Errorf("failpoints in the code:\n\t%v\nlisted in Failpoints:\n\t%v", inCode, listed)
	}
	for _, name := range Failpoints {
		t.Run(name, func(t *testing.T) {
			if cmd, step, ok := strings.Cut(name, ":"); !ok || cmd == "" || step == "" {
				t.Errorf("%q is not COMMAND:STEP", name)
			}
		})
	}
}

// TestFailpointUnset checks that a failpoint does nothing unless
// FailpointEnv names it (the test would stop otherwise).
func TestFailpointUnset(t *testing.T) {
	if name, _ := failpointSpec(); name != "" {
		t.Skipf("%s is set in the test's environment", FailpointEnv)
	}
	for _, name := range Failpoints {
		failpoint(name)
	}
}
