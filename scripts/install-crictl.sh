#!/usr/bin/env bash
# Builds, once, crictl (Kubernetes' CRI client, from the Go module
# sigs.k8s.io/cri-tools) for the CRI end-to-end test (tests/e2e/cri_test.go),
# and prints its path.
#
#   scripts/install-crictl.sh      # prints e.g. /var/cache/hull-crictl/v1.37.0/crictl
#
# The binary goes to $HULL_CRICTL_CACHE/<version>/crictl (default
# $XDG_CACHE_HOME/hull-crictl, else /var/cache/hull-crictl); when it is
# there and says it is that version, nothing is built. CRICTL_VERSION
# picks another release. crictl speaks CRI v1 only, which Debian 12's
# containerd 1.6.20 serves. Nothing is installed on PATH: the tests get
# the path in HULL_CRICTL. The source comes from the Go module proxy.
set -euo pipefail

GO=${GO:-go}
version=${CRICTL_VERSION:-v1.37.0}
cache_root=${HULL_CRICTL_CACHE:-${XDG_CACHE_HOME:-/var/cache}/hull-crictl}
dir=$cache_root/$version
bin=$dir/crictl

# says_version BIN: BIN --version says "crictl version v1.37.0". Its
# output is read whole first: with pipefail, grep -q leaving early can
# fail the pipeline by SIGPIPE and rebuild a good binary.
says_version() {
	local out
	out=$("$1" --version 2>/dev/null) || return 1
	grep -qx "crictl version $version" <<<"$out"
}
if [ -x "$bin" ] && says_version "$bin"; then
	echo "$bin"
	exit 0
fi

echo "install-crictl: building crictl $version into $dir (first run only, a few minutes)" >&2
mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/.build-$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Outside our module, so that go.mod, GOFLAGS (-mod=vendor) and
# GOTOOLCHAIN downloads of the caller do not apply to crictl's build.
# Static (no cgo): the VM lane of tests/vm runs it in a guest.
(
	cd "$work"
	export GOBIN=$work/bin GOFLAGS= GOTOOLCHAIN=local CGO_ENABLED=0
	$GO install -trimpath -ldflags "-X sigs.k8s.io/cri-tools/pkg/version.Version=$version" \
		"sigs.k8s.io/cri-tools/cmd/crictl@$version" >&2
)
if ! says_version "$work/bin/crictl"; then
	echo "install-crictl: the built crictl does not report version $version:" >&2
	"$work/bin/crictl" --version >&2 || true
	exit 1
fi
# Replaced in one rename, so a parallel reader never sees half a binary.
rm -rf "$dir"
mv "$work/bin" "$dir"
echo "$bin"
