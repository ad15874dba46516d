// Package tests holds hull's integration tests: they run the hull binary
// against real containers built from a busybox rootfs, as root, and check
// what a user of the runc-compatible CLI would see.
//
// The tests need root, /bin/busybox and a built hull (HULL_BINARY, default
// ../bin/hull, else built on the fly with -tags seccomp). Tests that compare
// with runc use the reference runc (HULL_RUNC_REF, else the cache that
// scripts/install-runc-ref.sh fills) and skip when there is none. Every
// test removes what it created (containers, cgroups, mounts, processes,
// temp dirs) and fails when hull leaves something behind.
//
// Run as root from the module root:
//
//	go test -tags seccomp -count=1 ./tests/...
//	HULL_BINARY=/path/to/hull go test -count=1 ./tests/... -run TestBadInput -v
//
// -v shows every error message hull printed for bad input (t.Logf); a
// failure prints the command, its exit status, stdout and stderr.
//
// This package has no non-test code; this file exists so `go build ./...`
// and `go vet ./...` see a package here.
package tests
