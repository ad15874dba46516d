#!/usr/bin/env bash
# Installs, idempotently, the Debian packages that building and testing
# hull need. Nothing is installed when everything is already there, so it
# is cheap to call from every make target that needs it.
set -euo pipefail

# package:file-that-proves-it-is-installed
needed=(
	"libseccomp-dev:/usr/include/seccomp.h"
	"pkg-config:/usr/bin/pkg-config"
	"busybox-static:/bin/busybox"
	"gcc:/usr/bin/gcc"
	"runc:/usr/sbin/runc"
)
if [ "$#" -gt 0 ]; then
	needed+=("$@")
fi

missing=()
for item in "${needed[@]}"; do
	pkg=${item%%:*}
	file=${item#*:}
	if [ ! -e "$file" ]; then
		missing+=("$pkg")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages ${missing[*]}; run as root or install them with apt-get" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
