package linux

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// preservedFiles are fds 3 .. 3+n-1 of hull, to pass on to the container
// as its fds 3 and up (--preserve-fds).
func preservedFiles(n int) []*os.File {
	files := make([]*os.File, 0, n)
	for i := range n {
		fd := 3 + i
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
