package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadDefault(t *testing.T) {
	data, err := json.MarshalIndent(validSpec(), "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	dir := writeConfig(t, string(data))
	// A relative, unclean bundle path comes back absolute and clean.
	t.Chdir(filepath.Dir(dir))
	b, err := Load("./" + filepath.Base(dir) + "/")
	if err != nil {
		t.Fatal(err)
	}
	if b.Dir != dir || b.ConfigPath != filepath.Join(dir, ConfigFile) {
		t.Errorf("Dir, ConfigPath = %q, %q; want %q and its config.json", b.Dir, b.ConfigPath, dir)
	}
	if b.Spec.Process.Args[0] != "sh" || b.noUser {
		t.Errorf("decoded %+v, noUser=%v", b.Spec.Process, b.noUser)
	}
	if err := Validate(b); err != nil {
		t.Errorf("Validate(default) = %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		want    string // after "<dir>/config.json"
	}{
		{"empty", "", ": file is empty; it must hold a JSON object (create one with 'hull spec')"},
		{"whitespace", " \n\t", ": file is empty"},
		{"null", "null", ": top-level value is null; it must be a JSON object"},
		{"array", "[1]", ": top-level value is array; it must be a JSON object"},
		{"string", `"x"`, ": top-level value is string; it must be a JSON object"},
		{"syntax", "{\n  \"ociVersion\": \"1.0.0\",\n  \"root\": {,}\n}", ":3:12: invalid JSON: invalid character ',' looking for beginning of object key string"},
		{"truncated", "{\n  \"root\": {\"path\": \"rootfs\"", ":2:28: invalid JSON: unexpected end of file; a closing } or ] is probably missing"},
		{"trailing", "{}\n{}", ":2:1: unexpected data after the top-level JSON object; remove it"},
		{"uid string", `{"process":{"user":{"uid":"abc"}}}`, `: process.user.uid: cannot use "abc" (string) as uint32 (an integer from 0 to 4294967295)`},
		{"uid negative", `{"process":{"user":{"uid":-1}}}`, `: process.user.uid: cannot use -1 (number) as uint32`},
		{"uid float", `{"process":{"user":{"uid":1.5}}}`, `: process.user.uid: cannot use 1.5 (number) as uint32`},
		{"mount index", `{"mounts":[{"destination":"/a"},{"destination":5}]}`, `: mounts[1].destination: cannot use 5 (number) as a string`},
		{"args string", `{"process":{"args":"sh"}}`, `: process.args: cannot use "sh" (string) as an array of strings`},
		{"process array", `{"process":[1,2]}`, `: process: cannot use an array as an object`},
		{"sysctl number", `{"linux":{"sysctl":{"net.ipv4.ip_forward":1}}}`, `: linux.sysctl["net.ipv4.ip_forward"]: cannot use 1 (number) as a string`},
		{"bool", `{"process":{"terminal":"yes"}}`, `: process.terminal: cannot use "yes" (string) as a boolean (true or false)`},
		{"nested array", `{"linux":{"namespaces":[{"type":"pid"},{"type":"net","path":["x"]}]}}`, `: linux.namespaces[1].path: cannot use an array as a string`},
		{"after unknown field", `{"x":{"y":[1,{"z":2}]},"hostname":3}`, `: hostname: cannot use 3 (number) as a string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeConfig(t, tc.content)
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			want := filepath.Join(dir, ConfigFile) + tc.want
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error:\n got %q\nwant %q...", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	want := "open " + dir + "/config.json: no such file or directory; is " + dir + " an OCI bundle? create one with 'hull spec'"
	if err == nil || err.Error() != want {
		t.Errorf("no config.json: %v\nwant %s", err, want)
	}
	_, err = Load(dir + "/nope")
	if err == nil || !strings.Contains(err.Error(), "bundle directory "+dir+"/nope does not exist") {
		t.Errorf("no bundle dir: %v", err)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	_, err = Load(file)
	if err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("bundle is a file: %v", err)
	}
	fifoDir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(fifoDir, ConfigFile), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(fifoDir)
	if err == nil || !strings.Contains(err.Error(), "config.json is not a regular file") {
		t.Errorf("config.json is a FIFO: %v", err)
	}
}

// Unknown fields are accepted, as runc does.
func TestLoadUnknownFields(t *testing.T) {
	dir := writeConfig(t, `{"ociVersion":"1.0.0","future":{"a":1},"root":{"path":"r","extra":true}}`)
	b, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Spec.Root.Path != "r" {
		t.Errorf("root = %+v", b.Spec.Root)
	}
}

func TestLoadUserMissing(t *testing.T) {
	for _, tc := range []struct {
		content string
		want    bool
	}{
		{`{"process":{"args":["sh"]}}`, true},
		{`{"process":{"user":null}}`, true},
		{`{"process":{"user":{}}}`, false},
		{`{"process":{"user":{"uid":0,"gid":0}}}`, false},
		{`{}`, false},
		{`{"process":null}`, false},
	} {
		t.Run(tc.content, func(t *testing.T) {
			b, err := Load(writeConfig(t, tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if b.noUser != tc.want {
				t.Errorf("noUser = %v, want %v", b.noUser, tc.want)
			}
		})
	}
}
