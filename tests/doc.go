// Package tests holds hull's integration tests: they run the hull binary
// against real containers built from a busybox rootfs, as root, and check
// what a user of the runc-compatible CLI would see.
//
// The tests need root, /bin/busybox and a built hull (HULL_BINARY, default
// ../bin/hull, else built on the fly with -tags seccomp). Tests that compare
// with runc skip when runc is not installed. Every test removes what it
// created (containers, cgroups, mounts, processes, temp dirs) and fails when
// hull leaves something behind.
//
// This package has no non-test code; this file exists so `go build ./...`
// and `go vet ./...` see a package here.
package tests
