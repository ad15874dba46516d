// Command hull is an OCI runtime: it runs containers from OCI bundles and
// speaks runc's command-line contract, so containerd, podman and people
// can use it in place of runc. The commands are defined in package app,
// which the man-page and completion generator (cmd/hull-docs) reads too.
package main

import (
	"os"

	"github.com/hullrt/hull/cmd/hull/app"
)

func main() {
	os.Exit(app.Run(os.Args, os.Stderr))
}
