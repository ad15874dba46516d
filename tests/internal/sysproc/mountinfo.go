package sysproc

import (
	"os"
	"strconv"
	"strings"
)

// Mount is one line of a mountinfo file (proc(5)):
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// Paths are unescaped.
type Mount struct {
	ID, Parent int
	// Root is the path within the filesystem that is mounted (a bind
	// mount's source directory).
	Root string
	// Point is where it is mounted.
	Point string
	// Options are the per-mount options (rw, nosuid, relatime...).
	Options []string
	// Optional are the optional fields: shared:N, master:N, unbindable...
	Optional []string
	FSType   string
	Source   string
	// SuperOptions are the superblock options.
	SuperOptions []string
}

// ParseMountInfo parses mountinfo text, such as /proc/self/mountinfo or
// what `cat /proc/self/mountinfo` printed in a container. Lines that are
// not mountinfo lines (too few fields, no "-" separator) are skipped.
func ParseMountInfo(text string) []Mount {
	var out []Mount
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		// Six fixed fields, any number of optional ones, "-", then three.
		sep := 6
		for sep < len(f) && f[sep] != "-" {
			sep++
		}
		if sep+3 >= len(f) {
			continue
		}
		id, err1 := strconv.Atoi(f[0])
		parent, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Mount{
			ID: id, Parent: parent,
			Root: Unescape(f[3]), Point: Unescape(f[4]),
			Options:      strings.Split(f[5], ","),
			Optional:     f[6:sep:sep],
			FSType:       f[sep+1],
			Source:       Unescape(f[sep+2]),
			SuperOptions: strings.Split(f[sep+3], ","),
		})
	}
	return out
}

// Unescape undoes the octal escapes of mountinfo paths: the kernel writes
// space, tab, newline and backslash as \040, \011, \012 and \134. A
// backslash not followed by three octal digits is kept as it is.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Mounts returns the mounts of this process's mount namespace, from
// /proc/self/mountinfo, in the kernel's order (parents before the mounts
// on top of them).
func Mounts() ([]Mount, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return ParseMountInfo(string(data)), nil
}

// MountsUnder lists the mount points in this mount namespace that are any
// of dirs or below one, in mountinfo order; empty dirs are ignored. It is
// nil when mountinfo cannot be read.
func MountsUnder(dirs ...string) []string {
	ms, _ := Mounts()
	var out []string
	for _, m := range ms {
		for _, d := range dirs {
			if d != "" && Under(m.Point, d) {
				out = append(out, m.Point)
				break
			}
		}
	}
	return out
}

// CgroupMountPoints lists where cgroup (v1) and cgroup2 hierarchies are
// mounted in this mount namespace.
func CgroupMountPoints() []string {
	ms, _ := Mounts()
	var out []string
	for _, m := range ms {
		if m.FSType == "cgroup" || m.FSType == "cgroup2" {
			out = append(out, m.Point)
		}
	}
	return out
}

// Under reports whether path is dir or below it, by its text: both are
// taken as clean absolute paths.
func Under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}
