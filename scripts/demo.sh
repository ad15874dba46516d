#!/usr/bin/env bash
# Runs one container from a busybox bundle made with `hull spec`, to show
# hull at work: the container has its own hostname, PID 1 and only a
# loopback interface. Everything it makes lives in a temp dir it removes.
set -euo pipefail
hull=${1:?usage: demo.sh path/to/hull}

work=$(mktemp -d /tmp/hull-demo.XXXXXX)
id="hull-demo-$$"
cleanup() {
	"$hull" --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

bundle=$work/bundle
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,etc,tmp,root}
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$bundle/rootfs/etc/passwd"
printf 'root:x:0:\n' >"$bundle/rootfs/etc/group"

cat >"$bundle/rootfs/demo.sh" <<'SCRIPT'
echo "hostname:   $(hostname)"
echo "id:         $(id)"
echo "pid:        $$"
echo "interfaces: $(ip -o link | cut -d: -f2 | tr -d ' ' | tr '\n' ' ')"
SCRIPT

"$hull" spec --bundle "$bundle"
# `hull spec` writes runc's default: an interactive "sh". Run the script
# instead, without a terminal, so the demo works anywhere.
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|^\(\t*\)"sh"$|\1"sh", "/demo.sh"|' "$bundle/config.json"

echo "\$ hull run --bundle $bundle $id"
"$hull" --root "$work/state" run --bundle "$bundle" "$id"
