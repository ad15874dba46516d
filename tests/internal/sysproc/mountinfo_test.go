package sysproc

import (
	"reflect"
	"strings"
	"testing"
)

func TestUnescape(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"plain":              {"/var/lib/x", "/var/lib/x"},
		"space":              {`/mnt/a\040b`, "/mnt/a b"},
		"tab newline":        {`/a\011b\012c`, "/a\tb\nc"},
		"backslash":          {`/a\134b`, `/a\b`},
		"several":            {`\040\040`, "  "},
		"not octal":          {`/a\9xyz`, `/a\9xyz`},
		"short at end":       {`/a\04`, `/a\04`},
		"trailing backslash": {`/a\`, `/a\`},
		"too large":          {`/a\777`, `/a\777`},
		"empty":              {"", ""},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Unescape(c.in); got != c.want {
				t.Errorf("Unescape(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestParseMountInfo(t *testing.T) {
	text := strings.Join([]string{
		`36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`,
		`25 1 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 master:2 - cgroup cgroup rw,cpu,cpuacct`,
		`40 36 0:5 / /run/a\040dir rw - tmpfs tmp\040fs rw,size=16k`,
		``,
		`garbage`,
		`1 2 3 4 5 6 7 8 9`,                // no separator
		`x 1 0:1 / /a rw - tmpfs tmpfs rw`, // id not a number
		`41 36 0:5 / /b rw - tmpfs`,        // fields after "-" missing
	}, "\n")
	want := []Mount{
		{ID: 36, Parent: 35, Root: "/mnt1", Point: "/mnt2", Options: []string{"rw", "noatime"},
			Optional: []string{"master:1"}, FSType: "ext3", Source: "/dev/root", SuperOptions: []string{"rw", "errors=continue"}},
		{ID: 25, Parent: 1, Root: "/", Point: "/sys/fs/cgroup/cpu,cpuacct", Options: []string{"rw", "nosuid"},
			Optional: []string{"shared:9", "master:2"}, FSType: "cgroup", Source: "cgroup", SuperOptions: []string{"rw", "cpu", "cpuacct"}},
		{ID: 40, Parent: 36, Root: "/", Point: "/run/a dir", Options: []string{"rw"},
			Optional: []string{}, FSType: "tmpfs", Source: "tmp fs", SuperOptions: []string{"rw", "size=16k"}},
	}
	got := ParseMountInfo(text)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseMountInfo:\n got %+v\nwant %+v", got, want)
	}
}

func TestUnder(t *testing.T) {
	for _, c := range []struct {
		path, dir string
		want      bool
	}{
		{"/a/b", "/a/b", true},
		{"/a/b/c", "/a/b", true},
		{"/a/bc", "/a/b", false},
		{"/a", "/a/b", false},
	} {
		t.Run(c.path+" in "+c.dir, func(t *testing.T) {
			if got := Under(c.path, c.dir); got != c.want {
				t.Errorf("Under(%q, %q) = %v, want %v", c.path, c.dir, got, c.want)
			}
		})
	}
}

// TestMountsOfThisProcess reads the real mountinfo: / is mounted, and
// MountsUnder("/") finds it (the root is the one case where a mount point
// is the directory itself).
func TestMountsOfThisProcess(t *testing.T) {
	ms, err := Mounts()
	if err != nil {
		t.Skipf("no /proc/self/mountinfo: %v", err)
	}
	found := false
	for _, m := range ms {
		found = found || m.Point == "/"
	}
	if !found {
		t.Errorf("no mount at / among %d mounts", len(ms))
	}
	if got := MountsUnder("", "/"); len(got) == 0 || got[0] != "/" {
		t.Errorf(`MountsUnder("", "/") = %q, want "/" first`, got)
	}
}

func FuzzParseMountInfo(f *testing.F) {
	f.Add(`36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`)
	f.Add(`40 36 0:5 / /run/a\040dir rw - tmpfs tmpfs rw` + "\n1 2 - - - - - - - -")
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range ParseMountInfo(text) {
			if m.FSType == "" || len(m.Options) == 0 || len(m.SuperOptions) == 0 {
				t.Errorf("incomplete mount %+v from %q", m, text)
			}
		}
	})
}
