//go:build !linux

package main

import (
	"errors"
	"time"
)

// The driver runs containers, which only Linux has; these stubs keep the
// package (and its parser tests) building elsewhere.

var errNotLinux = errors.New("conformance: the validation suite runs on Linux only")

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
