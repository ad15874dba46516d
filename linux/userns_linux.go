package linux

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/sirupsen/logrus"
)

var procUserNS = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/proc/([0-9]+)/ns/user$`) })

// UserNSMappings reads the id maps of the user namespace at path, a
// /proc/PID/ns/user file or any other nsfs file for it (engines pin
// namespaces by bind-mounting them, e.g. under /run). Host ids are given
// as seen from hull's own user namespace, whichever the path.
//
// A /proc/PID/ns/user path is read through that process's uid_map and
// gid_map; when that fails (the process is gone, /proc hides it) or the
// path is another file, a short-lived child process joins the namespace
// and hull reads the maps through it (see enteredUserNSMappings).
func UserNSMappings(path string) (uidMap, gidMap []configs.IDMap, err error) {
	if m := procUserNS().FindStringSubmatch(path); m != nil {
		uidMap, gidMap, err = readIDMaps("/proc/" + m[1])
		if err == nil {
			return uidMap, gidMap, nil
		}
		logrus.Debugf("read the id maps of user namespace %s from its process: %v; joining it instead", path, err)
	}
	return enteredUserNSMappings(path)
}

// readIDMaps reads the uid_map and gid_map of the process whose /proc
// directory is procDir.
func readIDMaps(procDir string) (uidMap, gidMap []configs.IDMap, err error) {
	if uidMap, err = readIDMap(procDir + "/uid_map"); err != nil {
		return nil, nil, err
	}
	if gidMap, err = readIDMap(procDir + "/gid_map"); err != nil {
		return nil, nil, err
	}
	return uidMap, gidMap, nil
}

// readIDMap parses user_namespaces(7) map lines: inside, outside, count.
func readIDMap(file string) ([]configs.IDMap, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var maps []configs.IDMap
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s: unexpected line %q", file, sc.Text())
		}
		var v [3]int64
		for i, s := range fields {
			if v[i], err = strconv.ParseInt(s, 10, 64); err != nil {
				return nil, fmt.Errorf("%s: unexpected line %q", file, sc.Text())
			}
		}
		maps = append(maps, configs.IDMap{ContainerID: v[0], HostID: v[1], Size: v[2]})
	}
	return maps, sc.Err()
}
