#!/usr/bin/env bash
# Builds the cgroup v2 test VM into OUTDIR: rootfs.img (raw ext4),
# vmlinuz and initrd.img. Run as root by tests/vm (hullvm image), which
# caches OUTDIR under /var/cache/hull-vm by a hash of this directory.
#
#   build.sh OUTDIR
#
# Everything in the image comes from Debian packages (packages.txt),
# fetched through this machine's apt sources by mmdebstrap; nothing is
# compiled here. Go and hull are not in the image: the host builds the
# binaries and shares them in over 9p.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$1
suite=bookworm
size=4G

work=$(mktemp -d /var/tmp/hull-vm-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root

packages=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/packages.txt" | paste -sd, -)
# --variant=apt: essential packages plus apt, then packages.txt with their
# dependencies (not their recommendations).
# The initrd only has to mount the root from the virtio disk: with just
# those modules it is much smaller than Debian's default (every storage
# driver), which counts when every boot unpacks it under emulation. It is
# remade in a hook, where mmdebstrap has mounted /proc, /sys and /dev.
mmdebstrap --quiet --variant=apt --include="$packages" \
	--customize-hook='rm -f "$1"/etc/machine-id; touch "$1"/etc/machine-id' \
	--customize-hook='echo MODULES=list >"$1"/etc/initramfs-tools/conf.d/hull-vm.conf' \
	--customize-hook='printf "%s\n" virtio_pci virtio_blk ext4 >>"$1"/etc/initramfs-tools/modules' \
	--customize-hook='chroot "$1" update-initramfs -u -k all >/dev/null' \
	"$suite" "$root"

# The kernel and initrd that qemu boots with -kernel/-initrd.
kver=$(ls "$root/lib/modules")
if [ "$(echo "$kver" | wc -w)" != 1 ]; then
	echo "build.sh: want one kernel in the image, found: $kver" >&2
	exit 1
fi
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"

# The guest side of hullvm: a unit that runs the host's command from the
# control share once the system is up, writes its output and exit status
# back, and powers off.
install -m 0755 "$here/hull-vm-run" "$root/usr/local/sbin/hull-vm-run"
install -m 0644 "$here/hull-vm-run.service" "$root/etc/systemd/system/hull-vm-run.service"
ln -sf /etc/systemd/system/hull-vm-run.service "$root/etc/systemd/system/multi-user.target.wants/hull-vm-run.service"

echo hull-vm >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 hull-vm\n::1 localhost\n' >"$root/etc/hosts"
echo '/dev/vda / ext4 rw,discard 0 0' >"$root/etc/fstab"
# A root without password on the serial console: `hullvm shell` logs in.
chroot "$root" passwd -dq root
# What the tests start themselves is not started at boot: every unit less
# is seconds less under software emulation.
for unit in containerd.service podman.service podman.socket podman-auto-update.service podman-auto-update.timer \
	podman-restart.service podman-clean-transient.service apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer e2scrub_reap.service fstrim.timer dpkg-db-backup.timer; do
	chroot "$root" systemctl disable --quiet "$unit" 2>/dev/null || true
done
# The guest's apt lists and caches are of no use to the tests.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/boot/*

mkfs.ext4 -q -L hull-vm -d "$root" "$work/rootfs.img" "$size"
mkdir -p "$out"
mv "$work/rootfs.img" "$work/vmlinuz" "$work/initrd.img" "$out/"
