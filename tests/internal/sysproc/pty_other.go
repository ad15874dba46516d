//go:build !linux

package sysproc

import (
	"errors"
	"os"
)

// OpenPTY is Linux-only.
func OpenPTY() (master, slave *os.File, err error) {
	return nil, nil, errors.New("sysproc: OpenPTY needs Linux")
}
