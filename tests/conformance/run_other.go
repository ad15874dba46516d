//go:build !linux

package main

import (
	"errors"
	"os/exec"
	"time"
)

// The driver runs containers, which only Linux has; these stubs keep the
// package (and its parser tests) building elsewhere.

var errNotLinux = errors.New("conformance: the validation suite runs on Linux only")

type reaper struct{}

func newReaper() (*reaper, error)       { return nil, errNotLinux }
func (r *reaper) Close()                {}
func (r *reaper) start(*exec.Cmd) error { return errNotLinux }
func (r *reaper) forget(int)            {}

type result struct {
	Stdout, Stderr []byte
	ExitCode       int
	TimedOut       bool
	Duration       time.Duration
	Err            error
}

type snapshot struct{}

func (d *driver) runProgram(string) result { return result{Err: errNotLinux} }
func (d *driver) takeSnapshot() snapshot   { return snapshot{} }
func (d *driver) cleanup(string)           {}

type mountEntry struct{ point string }

func mounts() []mountEntry { return nil }

func under(path, dir string) bool { return false }
