#!/usr/bin/env bash
# Installs, idempotently, what the end-to-end tests (tests/e2e, `make e2e`)
# need on top of scripts/install-deps.sh: the container engines that drive
# hull. Nothing is installed when everything is already there.
#
#   containerd   containerd, ctr and the runc v2 shim (containerd-shim-runc-v2)
#   podman       podman 4.x, with conmon as its monitor and catatonit for --init
#   containernetworking-plugins  CNI plugins for podman's netns scenarios
#
# The engines are installed but never started or configured globally: the
# tests run them with their own roots, sockets and configs in a temp dir.
set -euo pipefail

# package:file-that-proves-it-is-installed
needed=(
	"containerd:/usr/bin/containerd"
	"containerd:/usr/bin/containerd-shim-runc-v2"
	"podman:/usr/bin/podman"
	"conmon:/usr/bin/conmon"
	"catatonit:/usr/bin/catatonit"
	"containernetworking-plugins:/usr/lib/cni/bridge"
	"runc:/usr/sbin/runc"
)

missing=()
for item in "${needed[@]}"; do
	pkg=${item%%:*}
	file=${item#*:}
	if [ ! -e "$file" ]; then
		case " ${missing[*]-} " in
		*" $pkg "*) ;;
		*) missing+=("$pkg") ;;
		esac
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "e2e-deps: missing packages ${missing[*]}; run as root or install them with apt-get" >&2
	exit 1
fi
echo "e2e-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Only refresh the package lists when apt has none (a fresh image); an
# `apt-get update` on every run would make the script slow and flaky.
if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
	apt-get update -qq
fi
# --no-install-recommends keeps out buildah, slirp4netns, fuse-overlayfs...
# that the tests do not use. Package scripts cannot start services here
# (no systemd as PID 1); the tests never rely on a system containerd.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
