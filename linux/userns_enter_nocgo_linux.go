//go:build !cgo

package linux

import (
	"fmt"

	"github.com/opencontainers/runc/libcontainer/configs"
)

// enteredUserNSMappings needs a fork(2) that only cgo gives a Go program;
// hull's release builds have cgo (libcontainer's nsenter needs it too).
func enteredUserNSMappings(path string) (uidMap, gidMap []configs.IDMap, err error) {
	return nil, nil, fmt.Errorf("this hull was built without cgo and can read the id mappings of user namespace %s only through a live /proc/PID/ns/user path", path)
}
