package main

import (
	"os"

	"github.com/opencontainers/runc/libcontainer"
	// nsenter's C constructor runs before the Go runtime when the binary
	// is re-executed as "hull init", to enter the container's namespaces.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
)

// init runs libcontainer's container init when libcontainer re-executes
// this binary (a sealed copy of it) as "<argv0> init". It never returns.
func init() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		libcontainer.Init()
	}
}
