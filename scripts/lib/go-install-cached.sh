# shellcheck shell=bash
# Sourced by the scripts that build, once, a Go program the tests use but
# hull does not ship (install-runc-ref.sh, install-crictl.sh).
#
#   go_install_cached NAME DIR WANT PKG@VERSION [go install flags...]
#
# prints DIR/NAME. When DIR/NAME is there and its --version output has the
# line WANT, nothing is built; otherwise PKG@VERSION is built with `go
# install` and the flags, checked the same way, and moved into DIR in one
# rename, so a parallel reader never sees half a binary. The build runs
# outside any module, so that the caller's go.mod, GOFLAGS (-mod=vendor)
# and GOTOOLCHAIN downloads do not apply; CGO_ENABLED is the caller's.

# says_version BIN WANT: BIN --version has the line WANT. Its output is
# read whole first: with pipefail, grep -q leaving early can fail the
# pipeline by SIGPIPE and rebuild a good binary.
says_version() {
	local out
	out=$("$1" --version 2>/dev/null) || return 1
	grep -qxF "$2" <<<"$out"
}

go_install_cached() {
	local name=$1 dir=$2 want=$3 pkg=$4
	shift 4
	if [ -x "$dir/$name" ] && says_version "$dir/$name" "$want"; then
		echo "$dir/$name"
		return 0
	fi
	echo "$name: building $pkg into $dir (first run only)" >&2
	mkdir -p "$(dirname "$dir")"
	local work
	work=$(mktemp -d "$(dirname "$dir")/.build-$(basename "$dir").XXXXXX")
	# shellcheck disable=SC2064 # expand $work now: it is local
	trap "rm -rf '$work'" EXIT
	(
		cd "$work"
		export GOBIN=$work/bin GOFLAGS= GOTOOLCHAIN=local
		${GO:-go} install -trimpath "$@" "$pkg" >&2
	)
	if ! says_version "$work/bin/$name" "$want"; then
		echo "$name: the built binary does not report \"$want\":" >&2
		"$work/bin/$name" --version >&2 || true
		return 1
	fi
	rm -rf "$dir"
	mv "$work/bin" "$dir"
	echo "$dir/$name"
}
