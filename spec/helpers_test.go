package spec

import (
	"errors"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

const testBundle = "/bundles/b"

// validSpec is runc's default spec (with a cgroup namespace), which must
// pass Validate; tests change one thing in it.
func validSpec() *specs.Spec { return DefaultFor(false, true, 1000, 1000) }

func bundleOf(s *specs.Spec) *Bundle {
	return &Bundle{Dir: testBundle, ConfigPath: testBundle + "/config.json", Spec: s}
}

// fieldErrors unpacks an errors.Join of *FieldError.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []*FieldError
	for _, e := range list {
		var fe *FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("error %q is not a *FieldError", e)
		}
		out = append(out, fe)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
