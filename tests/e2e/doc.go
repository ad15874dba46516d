// Package e2e holds hull's end-to-end tests: real container engines
// (containerd with its runc v2 shim and ctr, and podman with conmon) drive
// bin/hull exactly as they drive runc, and the tests check what a user of
// those engines sees.
//
// The tests are behind the `e2e` build tag so that `go test ./...` and
// `make integration` never start engines by accident; run them with
// `make e2e` (as root). They need containerd, podman, conmon, catatonit and
// the CNI plugins (scripts/install-deps.sh e2e installs what is missing) and no
// network: the busybox image is built locally from /bin/busybox.
//
// Every engine runs with its own roots, sockets and configuration under a
// temporary directory; nothing global is changed. The test binary is a
// child subreaper and reaps the shims and conmons the engines orphan, and
// it removes every process, mount, cgroup and directory it caused, even when
// a test fails.
//
// Knobs: HULL_BINARY (default ../../bin/hull) is the runtime under test;
// HULL_BINARY=/usr/sbin/runc runs the same scenarios against runc, which
// tells a hull bug from a test or engine quirk. HULL_E2E_DEBUG=1 gives the
// containerd runs hull's --debug. `make e2e E2E_RUN=Podman` runs one engine.
//
// This file has no build tag so that `go vet ./...` sees a package here.
package e2e
