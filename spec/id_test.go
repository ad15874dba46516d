package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateID(t *testing.T) {
	long := strings.Repeat("a", MaxIDLength+1)
	for _, tc := range []struct {
		id   string
		want string // "" = valid; else a substring of the error
	}{
		{"abc", ""},
		{"a.b_c+d-E9", ""},
		{"...", ""},
		{".hidden", ""},
		{strings.Repeat("x", MaxIDLength), ""},
		{"", "it is empty"},
		{".", `"." and ".." are not allowed`},
		{"..", `"." and ".." are not allowed`},
		{"a/b", "contains '/'"},
		{"/abs", "contains '/'"},
		{"a b", `character ' ' at byte 1`},
		{"é", `at byte 0`},
		{"a\x00", `'\x00' at byte 1`},
		{"a:b", `':' at byte 1`},
		{long, "1025 bytes long, the limit is 1024"},
	} {
		name := tc.id
		if len(name) > 20 {
			name = name[:20] + "..."
		}
		t.Run(name, func(t *testing.T) {
			err := ValidateID(tc.id)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ValidateID(%q) = %v, want nil", tc.id, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateID(%q) = nil, want error with %q", tc.id, tc.want)
			}
			if !errors.Is(err, ErrInvalidID) {
				t.Errorf("error %q does not wrap ErrInvalidID", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "invalid container ID") || !strings.Contains(msg, tc.want) {
				t.Errorf("ValidateID(%q) = %q, want it to contain %q", tc.id, msg, tc.want)
			}
			if len(msg) > 300 {
				t.Errorf("error is %d bytes, long IDs must be shortened: %.100q", len(msg), msg)
			}
		})
	}
}
