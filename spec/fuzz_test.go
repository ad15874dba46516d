package spec

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad: whatever config.json holds, Load, Validate, Warnings and
// Translate return errors, never panic, and Translate only succeeds on
// what Validate accepts.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{criConfig, podmanConfig, podmanRootlessConfig, "", "null", "{}", "[]", `{"process":{}}`,
		`{"ociVersion":"1.0.0","root":{"path":"r"},"process":{"args":["a"],"cwd":"/","user":{}},"linux":{"namespaces":[{"type":"user","path":"/x"}]}}`,
		`{"ociVersion":"1.3.0","root":{"path":"r"},"process":{"args":["a"],"cwd":"/","user":{}},"mounts":[{"destination":"/d","options":["idmap","bind"]}],"linux":{"namespaces":[{"type":"user"}],"uidMappings":[{"size":1}],"gidMappings":[]}}`,
		`{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_LOG","args":[{"op":"SCMP_CMP_EQ"}]}]}}}`,
		`{"linux":{"memoryPolicy":{"mode":"MPOL_BIND","nodes":"0-9999"},"resources":{"devices":[{"access":""}]}}}`,
		`{"process":{"user":{"uid":"abc"}}}`, `{"mounts":[1,{"destination":5}]}`, "{\n\"a\":", `{} x`,
	} {
		f.Add([]byte(seed))
	}
	for _, rootless := range []bool{false, true} {
		data, _ := json.Marshal(DefaultFor(rootless, true, 1000, 1000))
		f.Add(data)
	}
	dir := f.TempDir()
	path := filepath.Join(dir, ConfigFile)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		all, typeErrs, _, allErr := LoadAll(dir)
		b, err := Load(dir)
		if (all == nil) != (b == nil) {
			t.Fatalf("LoadAll and Load disagree: %v, %v", allErr, err)
		}
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Load error is not one line: %q", err)
			}
			if typeErrs == nil && allErr == nil {
				t.Errorf("Load failed (%v) but LoadAll found nothing", err)
			}
			return
		}
		verr := Validate(b)
		Warnings(b)
		UnknownFields(b)
		for _, systemd := range []bool{false, true} {
			opts := Options{ID: "f", SystemdCgroup: systemd, RootlessEUID: systemd}
			cfg, p, terr := Translate(b, opts)
			if verr != nil && terr == nil {
				t.Fatalf("Translate accepted what Validate refused: %v", verr)
			}
			if terr == nil && (cfg == nil || p == nil) {
				t.Fatal("Translate returned nil without an error")
			}
			if terr != nil {
				var fe *FieldError
				if !errors.As(terr, &fe) {
					t.Errorf("Translate error %q has no FieldError", terr)
				}
			}
		}
	})
}

func FuzzValidateID(f *testing.F) {
	for _, s := range []string{"", ".", "..", "a", "a/b", "a\x00", "é", "ctr-1.2_3+4", strings.Repeat("x", 1025)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := ValidateID(id)
		if err == nil {
			// A valid ID is a safe path component.
			if filepath.Base(id) != id || filepath.Clean(id) != id || id == "." || id == ".." || len(id) > MaxIDLength {
				t.Errorf("ValidateID accepted %q", id)
			}
			return
		}
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("error %q does not wrap ErrInvalidID", err)
		}
	})
}

func FuzzParseSignal(f *testing.F) {
	for _, s := range []string{"", "KILL", "sigterm", "9", "64", "65", "0", "-1", "RTMIN+3", "RTMAX-3", "RTMIN-1", "rtmin+", "SIG", "SIGRTMIN+99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := ParseSignal(s)
		if err == nil && (sig < 0 || sig > 64) {
			t.Errorf("ParseSignal(%q) = %d, outside 0-64", s, sig)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "invalid signal ") {
			t.Errorf("error %q", err)
		}
	})
}
