package linux

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// preservedFiles are fds first .. first+n-1 of hull, passed on to the
// container after its stdio and socket-activation fds (--preserve-fds).
func preservedFiles(first, n int) []*os.File {
	files := make([]*os.File, 0, n)
	for fd := first; fd < first+n; fd++ {
		files = append(files, os.NewFile(uintptr(fd), "preserved-fd-"+strconv.Itoa(fd)))
	}
	return files
}

// writeFileAtomic replaces path with data so that a concurrent reader sees
// either the old content or all of the new.
func writeFileAtomic(path string, data []byte) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("pid file %s: %w", path, err)
	}
	dir, base := filepath.Split(abs)
	tmp, err := os.CreateTemp(dir, "."+base+".")
	if err != nil {
		return fmt.Errorf("pid file %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), abs)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pid file %s: %w", path, werr)
	}
	return nil
}
