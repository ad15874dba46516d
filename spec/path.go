package spec

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Path is the JSON path of a value of config.json, in the form FieldError
// uses: base is a path as written ("mounts", "linux.resources.cpu"), and
// each of elems that follows is an array index (an int) or an object key
// (a string). Keys that are not plain names (sysctl names, annotation
// keys) are written as ["key"], so that their dots are not taken for the
// path's:
//
//	Path("mounts", 2, "source")               // mounts[2].source
//	Path("linux.sysctl", "net.ipv4.ip_forward") // linux.sysctl["net.ipv4.ip_forward"]
//
// Every JSON path hull reports is built here, so that one value always
// has one spelling, whichever check names it.
func Path(base string, elems ...any) string {
	p := base
	for _, e := range elems {
		switch v := e.(type) {
		case int:
			p += "[" + strconv.Itoa(v) + "]"
		case string:
			p = jsonKey(p, v)
		default:
			if rv := reflect.ValueOf(e); rv.CanInt() {
				p += "[" + strconv.FormatInt(rv.Int(), 10) + "]"
			} else {
				// Named string types (specs.LinuxNamespaceType, ...).
				p = jsonKey(p, fmt.Sprint(v))
			}
		}
	}
	return p
}

// jsonKey appends an object key to a JSON path.
func jsonKey(path, key string) string {
	if isIdent(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// CapabilitySet is one of process.capabilities' lists with its JSON name.
type CapabilitySet struct {
	Name string // "bounding", "effective", ...
	Caps []string
}

// CapabilitySets lists c's five sets in a fixed order (bounding,
// effective, inheritable, permitted, ambient), for the checks that look
// at every capability named; none when c is nil.
func CapabilitySets(c *specs.LinuxCapabilities) []CapabilitySet {
	if c == nil {
		return nil
	}
	return []CapabilitySet{{"bounding", c.Bounding}, {"effective", c.Effective}, {"inheritable", c.Inheritable},
		{"permitted", c.Permitted}, {"ambient", c.Ambient}}
}

// NamespaceFile is the name of the file of a namespace type under
// /proc/<pid>/ns ("mnt" for "mount", "net" for "network"), or "" for a
// type libcontainer does not know.
func NamespaceFile(t specs.LinuxNamespaceType) string {
	ct, ok := knownNamespaces[t]
	if !ok {
		return ""
	}
	return configs.NsName(ct)
}

// IsBind reports whether m is a bind mount: of type "bind", or with a
// "bind" or "rbind" option (Validate requires the option with the type).
func IsBind(m specs.Mount) bool {
	return m.Type == "bind" || parseMountOptions(m.Options).IsBind()
}
