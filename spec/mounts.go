package spec

import (
	"strings"

	"golang.org/x/sys/unix"

	"github.com/opencontainers/runc/libcontainer/configs"
)

// flagOpt is a mount option that sets (or, with clear, unsets) one mount(2)
// flag. Clearing is recorded in ClearedFlags so that libcontainer can tell
// "rw" from "nothing said" when it remounts a bind mount.
type flagOpt struct {
	clear bool
	flag  int
}

// mountFlagOpts are the options libcontainer turns into mount(2) flags.
// "acl" is deliberately absent: MS_POSIXACL is not a per-mount flag, so it
// is passed on as data, as runc does.
var mountFlagOpts = map[string]flagOpt{
	"async":         {true, unix.MS_SYNCHRONOUS},
	"atime":         {true, unix.MS_NOATIME},
	"bind":          {false, unix.MS_BIND},
	"defaults":      {false, 0},
	"dev":           {true, unix.MS_NODEV},
	"diratime":      {true, unix.MS_NODIRATIME},
	"dirsync":       {false, unix.MS_DIRSYNC},
	"exec":          {true, unix.MS_NOEXEC},
	"iversion":      {false, unix.MS_I_VERSION},
	"lazytime":      {false, unix.MS_LAZYTIME},
	"loud":          {true, unix.MS_SILENT},
	"mand":          {false, unix.MS_MANDLOCK},
	"noatime":       {false, unix.MS_NOATIME},
	"nodev":         {false, unix.MS_NODEV},
	"nodiratime":    {false, unix.MS_NODIRATIME},
	"noexec":        {false, unix.MS_NOEXEC},
	"noiversion":    {true, unix.MS_I_VERSION},
	"nolazytime":    {true, unix.MS_LAZYTIME},
	"nomand":        {true, unix.MS_MANDLOCK},
	"norelatime":    {true, unix.MS_RELATIME},
	"nostrictatime": {true, unix.MS_STRICTATIME},
	"nosuid":        {false, unix.MS_NOSUID},
	"nosymfollow":   {false, unix.MS_NOSYMFOLLOW}, // Linux 5.10
	"rbind":         {false, unix.MS_BIND | unix.MS_REC},
	"relatime":      {false, unix.MS_RELATIME},
	"remount":       {false, unix.MS_REMOUNT},
	"ro":            {false, unix.MS_RDONLY},
	"rw":            {true, unix.MS_RDONLY},
	"silent":        {false, unix.MS_SILENT},
	"strictatime":   {false, unix.MS_STRICTATIME},
	"suid":          {true, unix.MS_NOSUID},
	"sync":          {false, unix.MS_SYNCHRONOUS},
	"symfollow":     {true, unix.MS_NOSYMFOLLOW},
}

// propagationFlags are both mount options and linux.rootfsPropagation
// values.
var propagationFlags = map[string]int{
	"private":     unix.MS_PRIVATE,
	"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
	"slave":       unix.MS_SLAVE,
	"rslave":      unix.MS_SLAVE | unix.MS_REC,
	"shared":      unix.MS_SHARED,
	"rshared":     unix.MS_SHARED | unix.MS_REC,
	"unbindable":  unix.MS_UNBINDABLE,
	"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// recAttrOpts are the recursive options ("rro", ...) applied with
// mount_setattr(2) and AT_RECURSIVE (Linux 5.12).
var recAttrOpts = map[string]struct {
	clear bool
	attr  uint64
}{
	"rro":            {false, unix.MOUNT_ATTR_RDONLY},
	"rrw":            {true, unix.MOUNT_ATTR_RDONLY},
	"rnosuid":        {false, unix.MOUNT_ATTR_NOSUID},
	"rsuid":          {true, unix.MOUNT_ATTR_NOSUID},
	"rnodev":         {false, unix.MOUNT_ATTR_NODEV},
	"rdev":           {true, unix.MOUNT_ATTR_NODEV},
	"rnoexec":        {false, unix.MOUNT_ATTR_NOEXEC},
	"rexec":          {true, unix.MOUNT_ATTR_NOEXEC},
	"rnodiratime":    {false, unix.MOUNT_ATTR_NODIRATIME},
	"rdiratime":      {true, unix.MOUNT_ATTR_NODIRATIME},
	"rrelatime":      {false, unix.MOUNT_ATTR_RELATIME},
	"rnorelatime":    {true, unix.MOUNT_ATTR_RELATIME},
	"rnoatime":       {false, unix.MOUNT_ATTR_NOATIME},
	"ratime":         {true, unix.MOUNT_ATTR_NOATIME},
	"rstrictatime":   {false, unix.MOUNT_ATTR_STRICTATIME},
	"rnostrictatime": {true, unix.MOUNT_ATTR_STRICTATIME},
	"rnosymfollow":   {false, unix.MOUNT_ATTR_NOSYMFOLLOW}, // Linux 5.14
	"rsymfollow":     {true, unix.MOUNT_ATTR_NOSYMFOLLOW},
}

// KnownMountOptions lists the options parsed into flags rather than passed
// to the filesystem as data (for "hull features").
func KnownMountOptions() []string {
	var out []string
	for k := range mountFlagOpts {
		out = append(out, k)
	}
	for k := range propagationFlags {
		out = append(out, k)
	}
	for k := range recAttrOpts {
		out = append(out, k)
	}
	out = append(out, "tmpcopyup", "idmap", "ridmap")
	return sortedStrings(out)
}

// parseMountOptions splits config.json mount options into flags, cleared
// flags, propagation, recursive attributes, runc extensions, id-mapping
// and, for anything it does not know, filesystem data (in order, joined by
// commas). Later options win over earlier ones ("ro,rw" is rw).
func parseMountOptions(options []string) *configs.Mount {
	m := &configs.Mount{}
	var data []string
	var set, clr uint64
	for _, o := range options {
		if f, ok := mountFlagOpts[o]; ok {
			if f.clear {
				m.Flags &^= f.flag
				m.ClearedFlags |= f.flag
			} else {
				m.Flags |= f.flag
				m.ClearedFlags &^= f.flag
			}
			continue
		}
		if f, ok := propagationFlags[o]; ok {
			m.PropagationFlags = append(m.PropagationFlags, f)
			continue
		}
		if a, ok := recAttrOpts[o]; ok {
			// The atime settings are one field, not bits: MOUNT_ATTR_RELATIME
			// is 0, so "rnorelatime" has nothing to clear (as in runc) and
			// must not turn a strictatime or noatime tree into relatime.
			if a.clear && a.attr == unix.MOUNT_ATTR_RELATIME {
				continue
			}
			if a.clear {
				clr |= a.attr
				set &^= a.attr
			} else {
				set |= a.attr
				clr &^= a.attr
			}
			// mount_setattr(2): an atime setting in attr_set also needs
			// MOUNT_ATTR__ATIME in attr_clr.
			if a.attr&unix.MOUNT_ATTR__ATIME == a.attr {
				clr |= unix.MOUNT_ATTR__ATIME
			}
			continue
		}
		switch o {
		case "tmpcopyup":
			m.Extensions |= configs.EXT_COPYUP
		case "idmap":
			m.IDMapping = &configs.MountIDMapping{}
		case "ridmap":
			m.IDMapping = &configs.MountIDMapping{Recursive: true}
		default:
			data = append(data, o)
		}
	}
	m.Data = strings.Join(data, ",")
	if set != 0 || clr != 0 {
		m.RecAttr = &unix.MountAttr{Attr_set: set, Attr_clr: clr}
	}
	return m
}
