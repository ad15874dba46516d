package linux

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/opencontainers/runc/libcontainer/configs"
)

var procUserNS = regexp.MustCompile(`^/proc/([0-9]+)/ns/user$`)

// UserNSMappings reads the id maps of a user namespace given as
// /proc/PID/ns/user, from that process's uid_map and gid_map. Other paths
// (a bind-mounted nsfs file) would need a process inside the namespace
// to read them; hull does not support them yet and says so.
func UserNSMappings(path string) (uidMap, gidMap []configs.IDMap, err error) {
	m := procUserNS.FindStringSubmatch(path)
	if m == nil {
		return nil, nil, fmt.Errorf("hull can join a user namespace only by a /proc/PID/ns/user path, not %s", path)
	}
	if uidMap, err = readIDMap("/proc/" + m[1] + "/uid_map"); err != nil {
		return nil, nil, err
	}
	if gidMap, err = readIDMap("/proc/" + m[1] + "/gid_map"); err != nil {
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
