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

func TestLoadAll(t *testing.T) {
	dir := t.TempDir()
	config := `{"ociVersion":"1.3.0","hostnam":"x","hostname":3,"process":{"args":"sh","cwd":"/","user":{"uid":-1,"gid":"0"},"terminal":"yes"},"mounts":[{"destination":"/a"},{"destination":5,"options":[1]}],"linux":{"sysctl":{"a.b":1}}}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	b, types, unknown, err := LoadAll(dir)
	if err != nil || b != nil {
		t.Fatalf("LoadAll = %v, %v; want only type errors", b, err)
	}
	if len(unknown) != 1 || unknown[0].Path != "hostnam" {
		t.Errorf("unknown fields %v, want hostnam", unknown)
	}
	var got []string
	for _, fe := range types {
		got = append(got, fe.Path+": "+fe.Msg)
	}
	want := []string{
		`hostname: cannot use 3 (number) as a string`,
		`linux.sysctl["a.b"]: cannot use 1 (number) as a string`,
		`mounts[1].destination: cannot use 5 (number) as a string`,
		`mounts[1].options[0]: cannot use 1 (number) as a string`,
		`process.args: cannot use "sh" (string) as an array of strings`,
		`process.terminal: cannot use "yes" (string) as a boolean (true or false)`,
		`process.user.gid: cannot use "0" (string) as uint32 (an integer from 0 to 4294967295)`,
		`process.user.uid: cannot use -1 (number) as uint32 (an integer from 0 to 4294967295)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("LoadAll type errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A good config loads as with Load; a syntax error is Load's error.
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"ociVersion":"1.3.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, types, _, err := LoadAll(dir); b == nil || types != nil || err != nil {
		t.Errorf("LoadAll of a good file = %v, %v, %v", b, types, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"ociVersion":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadAll(dir); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
		t.Errorf("LoadAll of broken JSON: %v", err)
	}
}
