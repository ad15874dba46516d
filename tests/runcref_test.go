package tests

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The reference runc is the runc release whose libcontainer hull is built
// on (go.mod's github.com/opencontainers/runc version): the oracle of every
// side-by-side comparison. scripts/install-runc-ref.sh builds it once into
// a cache, and `make integration` passes its path as HULL_RUNC_REF.
// Debian's runc (1.1.5 on Debian 12) is older and is not used: its
// differences from runc 1.5 are not hull's to match.

var (
	runcRefOnce sync.Once
	runcRefPath string
	runcRefSkip string // why there is none: the test skips
	runcRefErr  error  // HULL_RUNC_REF names a file that is not there: the test fails
)

// requireRunc returns the reference runc's path, skipping the test with
// the reason when it is not installed.
func requireRunc(t *testing.T) string {
	t.Helper()
	lookRuncRef()
	if runcRefErr != nil {
		t.Fatal(runcRefErr)
	}
	if runcRefSkip != "" {
		t.Skip(runcRefSkip)
	}
	return runcRefPath
}

// optionalRunc returns the reference runc's path, or "" when there is
// none, for tests that compare with runc where they can and run on their
// own otherwise.
func optionalRunc() string {
	lookRuncRef()
	return runcRefPath
}

func lookRuncRef() {
	runcRefOnce.Do(func() { runcRefPath, runcRefSkip, runcRefErr = findRuncRef() })
}

// findRuncRef looks where install-runc-ref.sh puts the binary, unless
// HULL_RUNC_REF names it.
func findRuncRef() (path, skip string, err error) {
	if p := os.Getenv("HULL_RUNC_REF"); p != "" {
		if !fileExists(p) {
			return "", "", fmt.Errorf("HULL_RUNC_REF=%s does not exist (scripts/install-runc-ref.sh builds it)", p)
		}
		abs, err := filepath.Abs(p)
		return abs, "", err
	}
	version, err := goModVersion(filepath.Join("..", "go.mod"), "github.com/opencontainers/runc")
	if err != nil {
		return "", "", err
	}
	cache := os.Getenv("HULL_RUNC_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			base = "/var/cache"
		}
		cache = filepath.Join(base, "hull-runc")
	}
	p := filepath.Join(cache, version, "runc")
	if !fileExists(p) {
		return "", fmt.Sprintf("no reference runc %s: HULL_RUNC_REF is unset and %s is missing; "+
			"scripts/install-runc-ref.sh builds it (make integration runs it)", version, p), nil
	}
	return p, "", nil
}

// goModVersion returns the version go.mod requires of module mod.
func goModVersion(gomod, mod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && fields[0] == mod {
			return fields[1], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s does not require %s", gomod, mod)
}
