#!/usr/bin/env bash
# Installs, idempotently, the Debian packages that building and testing
# hull need. Nothing is installed when everything is already there, so it
# is cheap to call from every make target that needs it.
set -euo pipefail

# Usage: install-deps.sh [--check] [build] [base] [e2e] [vm] [package:file ...]
#   (no set: base)
#   --check: install nothing; list what is missing and exit 1 if anything is
#   build: what `go build` of hull needs (cgo, libc and libseccomp, static)
#   base:  build, plus what the integration tests run
#   e2e:   the engines the end-to-end tests drive
#   vm:    what tests/vm needs to build and boot the cgroup v2 test VM
#   package:file: one more package, installed when file is missing
#
# package:file-that-proves-it-is-installed
# libc6-dev and libseccomp-dev hold the archives (libc.a, libseccomp.a) of
# hull's static link, besides the headers cgo needs.
build=(
	"libc6-dev:/usr/include/stdlib.h"
	"libseccomp-dev:/usr/include/seccomp.h"
	"pkg-config:/usr/bin/pkg-config"
	"gcc:/usr/bin/gcc"
)
base=(
	"${build[@]}"
	"busybox-static:/bin/busybox"
	"iproute2:/sbin/ip"                   # veth pairs for linux.netDevices
	"procps:/bin/ps"                      # hull ps runs ps(1)
	"util-linux:/usr/bin/nsenter"         # the systemd cgroup test
	"systemd:/lib/systemd/systemd"        # a real systemd for that test
	"criu:/usr/sbin/criu"                 # checkpoint and restore
	"uidmap:/usr/bin/newuidmap"           # rootless: ranges from /etc/subuid
)
e2e=(
	"containerd:/usr/bin/containerd"
	"containerd:/usr/bin/containerd-shim-runc-v2"
	"podman:/usr/bin/podman"
	"conmon:/usr/bin/conmon"
	"catatonit:/usr/bin/catatonit"
	"containernetworking-plugins:/usr/lib/cni/bridge"
)
# The VM's kernel, its modules and everything inside it come from Debian
# packages that mmdebstrap installs into the image, not from this host.
vm=(
	"qemu-system-x86:/usr/bin/qemu-system-x86_64"
	"qemu-utils:/usr/bin/qemu-img"
	"mmdebstrap:/usr/bin/mmdebstrap"
	"e2fsprogs:/usr/sbin/mkfs.ext4"
)
check=false
if [ "${1-}" = --check ]; then
	check=true
	shift
fi
needed=()
for set in "${@:-base}"; do
	case $set in
	build) needed+=("${build[@]}") ;;
	base) needed+=("${base[@]}") ;;
	e2e) needed+=("${e2e[@]}") ;;
	vm) needed+=("${vm[@]}") ;;
	*:*) needed+=("$set") ;;
	*) echo "install-deps: unknown set $set; use build, base, e2e, vm or package:file" >&2; exit 2 ;;
	esac
done

missing=()
for item in "${needed[@]}"; do
	pkg=${item%%:*}
	file=${item#*:}
	file=${file%%[[:space:]]*}
	if [ ! -e "$file" ]; then
		case " ${missing[*]-} " in
		*" $pkg "*) ;;
		*) missing+=("$pkg") ;;
		esac
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if $check; then
	echo "install-deps: missing packages ${missing[*]}; 'make deps' (as root) installs them" >&2
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages ${missing[*]}; run as root or install them with apt-get" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
