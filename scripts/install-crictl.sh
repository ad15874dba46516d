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

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/go-install-cached.sh
. "$repo/scripts/lib/go-install-cached.sh"

version=${CRICTL_VERSION:-v1.37.0}
cache_root=${HULL_CRICTL_CACHE:-${XDG_CACHE_HOME:-/var/cache}/hull-crictl}
# Static (no cgo): the VM lane of tests/vm runs it in a guest. Its version
# string is set at link time, as cri-tools' Makefile does.
CGO_ENABLED=0 go_install_cached crictl "$cache_root/$version" "crictl version $version" \
	"sigs.k8s.io/cri-tools/cmd/crictl@$version" \
	-ldflags "-X sigs.k8s.io/cri-tools/pkg/version.Version=$version"
