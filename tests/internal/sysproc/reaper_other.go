//go:build !linux

package sysproc

import "errors"

var errNotLinux = errors.New("sysproc: a child subreaper needs Linux")

func setChildSubreaper() error     { return errNotLinux }
func waitNoHang(int) (bool, error) { return false, errNotLinux }
