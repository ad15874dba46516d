#!/usr/bin/env bash
# Runs the OCI runtime-tools validation suite (v0.9.0) against hull.
#
#   scripts/conformance.sh [driver flags...]
#
# 1. Builds runtimetest and every validation/*/ program of runtime-tools
#    v0.9.0, once, into a cache keyed by the suite version, our go.mod for
#    it and the Go version ($HULL_CONFORMANCE_CACHE, else
#    $XDG_CACHE_HOME/hull-conformance, else /var/cache/hull-conformance).
#    runtime-tools v0.9.0 predates Go modules: we take its source from the
#    module proxy and build it with tests/conformance/suite/*.go.mod/go.sum,
#    which pin the revisions its Godeps/Godeps.json lists. Its test logic
#    is never changed.
# 2. Makes a busybox rootfs tarball from the host's static /bin/busybox.
# 3. Runs tests/conformance (the driver), which runs each program with
#    RUNTIME set, parses the TAP, cleans up and judges the failures
#    against tests/conformance/expected-failures.txt.
#
# Driver flags given here override the defaults, e.g. to compare with runc:
#   scripts/conformance.sh -runtime /usr/sbin/runc -root /run/runc -expected ''
# or to run a few programs verbosely:
#   scripts/conformance.sh -run '^(hooks|kill)$' -v
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
suite_version=v0.9.0
suite_mod=github.com/opencontainers/runtime-tools
modfile=$repo/tests/conformance/suite/runtime-tools-$suite_version.go.mod
sumfile=$repo/tests/conformance/suite/runtime-tools-$suite_version.go.sum
GO=${GO:-go}

if [ "$(id -u)" != 0 ]; then
	echo "conformance: must run as root (it creates containers)" >&2
	exit 1
fi
"$repo/scripts/install-deps.sh" "tar:/bin/tar" "gzip:/bin/gzip"

# GOFLAGS from the caller (e.g. -mod=vendor) must not leak into the
# suite's build; GOTOOLCHAIN=local keeps `go` from fetching toolchains.
export GOTOOLCHAIN=local
key=$( (cat "$modfile" "$sumfile"; $GO version) | sha256sum | cut -c1-12)
cache_root=${HULL_CONFORMANCE_CACHE:-${XDG_CACHE_HOME:-/var/cache}/hull-conformance}
cache=$cache_root/runtime-tools-$suite_version-$key

work=$(mktemp -d /tmp/hull-conformance-build.XXXXXX)
cleanup() {
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$cache/.complete" ]; then
	echo "conformance: building runtime-tools $suite_version into $cache (first run only)" >&2
	dir=$(cd "$work" && GOFLAGS=-mod=mod $GO mod download -json "$suite_mod@$suite_version" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		echo "conformance: go mod download $suite_mod@$suite_version gave no directory" >&2
		exit 1
	fi
	src=$work/runtime-tools
	cp -r "$dir" "$src"
	chmod -R u+w "$src" # the module cache is read-only
	cp "$modfile" "$src/go.mod"
	cp "$sumfile" "$src/go.sum"
	out=$work/out
	mkdir -p "$out/validation"
	(
		cd "$src"
		export GOFLAGS=-mod=mod CGO_ENABLED=0
		# runtimetest runs inside the busybox container: it must be static.
		$GO build -trimpath -o "$out/runtimetest" ./cmd/runtimetest
		# One build for all programs: a trailing slash makes -o a directory,
		# and each main package lands there under its directory's name.
		$GO build -trimpath -o "$out/validation/" ./validation/...
	)
	want=$(find "$src/validation" -mindepth 1 -maxdepth 1 -type d ! -name util | wc -l)
	got=$(find "$out/validation" -type f | wc -l)
	if [ "$want" != "$got" ]; then
		echo "conformance: built $got validation programs, expected $want" >&2
		exit 1
	fi
	touch "$out/.complete"
	mkdir -p "$cache_root"
	rm -rf "$cache"
	mv "$out" "$cache"
fi

# The rootfs the programs unpack into each bundle (validation/util:
# PrepareBundle untars rootfs-$GOARCH.tar.gz from the working directory).
# runtime-tools ships one, but we build ours from the host's busybox so
# that what runs in the container is a binary we know.
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,dev,proc,sys,etc,tmp}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
# process_user runs as uid/gid 1; keep the names runtime-tools' own
# rootfs has for the low ids.
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/bin/false
daemon:x:2:2:daemon:/sbin:/bin/false
nobody:x:65534:65534:nobody:/var/empty:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
nogroup:x:65533:
nobody:x:65534:
EOF
tar -C "$rootfs" -czf "$work/rootfs.tar.gz" .

(cd "$repo" && $GO build -o "$work/conformance" ./tests/conformance)
logs=${CONFORMANCE_LOGS:-/tmp/hull-conformance-logs}
rm -rf "$logs"
# Said first: the driver's last line must stay the "N passed, N failed" one.
echo "conformance: each program's output goes to $logs (kept if the run fails)" >&2
# The suite uses hull's default state root; leave the machine as it was.
state_root_existed=false
[ -e /run/hull ] && state_root_existed=true
set +e
"$work/conformance" \
	-suite "$cache" \
	-runtime "${RUNTIME:-$repo/bin/hull}" \
	-root /run/hull \
	-rootfs "$work/rootfs.tar.gz" \
	-expected "$repo/tests/conformance/expected-failures.txt" \
	-logs "$logs" \
	"$@"
rc=$?
set -e
if ! $state_root_existed; then
	rmdir /run/hull 2>/dev/null || true
fi
if [ $rc -eq 0 ] && [ -z "${CONFORMANCE_LOGS:-}" ]; then
	rm -rf "$logs"
fi
exit $rc
