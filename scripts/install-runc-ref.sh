#!/usr/bin/env bash
# Builds, once, the reference runc: the runc release whose libcontainer
# hull is built on (the github.com/opencontainers/runc version in go.mod),
# with the tags runc's own release uses, and prints its path.
#
#   scripts/install-runc-ref.sh      # prints e.g. /var/cache/hull-runc/v1.5.3/runc
#
# The binary goes to $HULL_RUNC_CACHE/<version>/runc (default
# $XDG_CACHE_HOME/hull-runc, else /var/cache/hull-runc); when it is there
# and says it is that version, nothing is built. It is only an oracle for
# tests/parity_test.go and a baseline for `make bench`: nothing of runc is
# committed or installed on PATH. The source comes from the Go module proxy.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

version=$(awk '$1 == "github.com/opencontainers/runc" { print $2; exit }' "$repo/go.mod")
if [ -z "$version" ]; then
	echo "install-runc-ref: go.mod requires no github.com/opencontainers/runc" >&2
	exit 1
fi
cache_root=${HULL_RUNC_CACHE:-${XDG_CACHE_HOME:-/var/cache}/hull-runc}
# shellcheck source=lib/go-install-cached.sh
. "$repo/scripts/lib/go-install-cached.sh"
if ! says_version "$cache_root/$version/runc" "runc version ${version#v}" 2>/dev/null; then
	# cgo and libseccomp: the seccomp tag links libseccomp like a released runc.
	"$repo/scripts/install-deps.sh" build >&2
fi
CGO_ENABLED=1 go_install_cached runc "$cache_root/$version" "runc version ${version#v}" \
	"github.com/opencontainers/runc@$version" -tags 'seccomp urfave_cli_no_docs'
