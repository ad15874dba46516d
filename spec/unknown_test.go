package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnknownFields(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string
		want   []string // "path: message fragment"
	}{
		{"clean", `{"ociVersion":"1.3.0","process":{"args":["sh"],"cwd":"/"},"root":{"path":"rootfs","readonly":true},"annotations":{"anything.goes":"x"}}`, nil},
		{"typo in root", `{"root":{"path":"rootfs","readOnly":true}}`, []string{`root.readOnly: field names are case-sensitive in runtime-spec; write "readonly"`}},
		{"misspelt", `{"process":{"noNewPrivilege":true}}`, []string{`process.noNewPrivilege: unknown field, ignored; did you mean "noNewPrivileges"?`}},
		{"nested in array", `{"mounts":[{"destination":"/x","optoins":["ro"]}]}`, []string{`mounts[0].optoins: unknown field, ignored; did you mean "options"?`}},
		{"far from anything", `{"linux":{"resources":{"zzzzzzzzzzzz":1}}}`, []string{`linux.resources.zzzzzzzzzzzz: unknown field; runc ignores it and so would hull: remove it`}},
		{"in a map value", `{"linux":{"sysctl":{"net.ipv4.ip_forward":"1"}},"hooks":{"prestart":[{"path":"/x","timout":3}]}}`, []string{`hooks.prestart[0].timout: unknown field, ignored; did you mean "timeout"?`}},
		{"embedded struct fields", `{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(tc.config), 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fe := range UnknownFields(b) {
				got = append(got, fe.Path+": "+fe.Msg)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("UnknownFields:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "abc", 0}, {"abc", "abd", 1}, {"options", "optoins", 2}, {"", "abc", 3}, {"kitten", "sitting", 3}} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
