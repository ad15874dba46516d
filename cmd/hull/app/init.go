package app

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// initCommand is listed so that `hull init` is a known command; the work
// happens in package main's init, before any command runs.
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
