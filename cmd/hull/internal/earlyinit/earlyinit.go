// Package earlyinit runs libcontainer's container init when libcontainer
// re-executes hull (a sealed copy of it) as "<argv0> init". It is a
// package of its own, imported only by main, so that Go initialises it
// as soon as libcontainer is ready: the packages only the commands need
// (urfave/cli, text/template, spec, linux, app: a quarter of the package
// inits, 0.2 ms per container measured with GODEBUG=inittrace=1) have not
// run yet in the container's init.
package earlyinit

import (
	"os"

	"github.com/opencontainers/runc/libcontainer"
	// nsenter's C constructor runs before the Go runtime when the binary
	// is re-executed as "hull init", to enter the container's namespaces.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
)

// init never returns in "hull init".
func init() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		libcontainer.Init()
	}
}
