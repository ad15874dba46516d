package main

import (
	"errors"
	"os"

	"github.com/opencontainers/runc/libcontainer"
	// nsenter's C constructor runs before the Go runtime when the binary
	// is re-executed as "hull init", to enter the container's namespaces.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
	"github.com/urfave/cli/v2"
)

// init runs libcontainer's container init when libcontainer re-executes
// this binary (a sealed copy of it) as "<argv0> init". It never returns.
func init() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		libcontainer.Init()
	}
}

// initCommand is listed so that `hull init` is a known command; the work
// happens in init above, before main runs.
func initCommand() *cli.Command {
	return &cli.Command{
		Name:   "init",
		Usage:  "initialize the namespaces and launch the process (do not call it outside of hull)",
		Hidden: true,
		Action: func(*cli.Context) error {
			return errors.New("init is run by hull itself when it starts a container")
		},
	}
}
