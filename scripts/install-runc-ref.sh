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
GO=${GO:-go}

version=$(awk '$1 == "github.com/opencontainers/runc" { print $2; exit }' "$repo/go.mod")
if [ -z "$version" ]; then
	echo "install-runc-ref: go.mod requires no github.com/opencontainers/runc" >&2
	exit 1
fi
cache_root=${HULL_RUNC_CACHE:-${XDG_CACHE_HOME:-/var/cache}/hull-runc}
dir=$cache_root/$version
bin=$dir/runc

# says_version BIN: BIN --version says "runc version 1.5.3" for tag
# v1.5.3. Its output is read whole first: with pipefail, grep -q leaving
# early can fail the pipeline by SIGPIPE and rebuild a good binary.
says_version() {
	local out
	out=$("$1" --version 2>/dev/null) || return 1
	grep -qx "runc version ${version#v}" <<<"$out"
}
if [ -x "$bin" ] && says_version "$bin"; then
	echo "$bin"
	exit 0
fi

# cgo and libseccomp: the seccomp tag links libseccomp like a released runc.
"$repo/scripts/install-deps.sh" build >&2

echo "install-runc-ref: building runc $version into $dir (first run only)" >&2
mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/.build-$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Outside our module, so that go.mod, GOFLAGS (-mod=vendor) and
# GOTOOLCHAIN downloads of the caller do not apply to runc's build.
(
	cd "$work"
	export GOBIN=$work/bin GOFLAGS= GOTOOLCHAIN=local CGO_ENABLED=1
	$GO install -trimpath -tags 'seccomp urfave_cli_no_docs' \
		"github.com/opencontainers/runc@$version" >&2
)
if ! says_version "$work/bin/runc"; then
	echo "install-runc-ref: the built runc does not report version ${version#v}:" >&2
	"$work/bin/runc" --version >&2 || true
	exit 1
fi
# Replaced in one rename, so a parallel reader never sees half a binary.
rm -rf "$dir"
mv "$work/bin" "$dir"
echo "$bin"
