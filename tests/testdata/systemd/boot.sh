#!/bin/sh
# Boots a private systemd for TestSystemdCgroup. The test starts this script
# as PID 1 of new PID, mount, UTS, IPC and network namespaces; it never runs
# on the host's namespaces.
#
#   boot.sh join CGROUPDIR... -- MOUNT...
#       Moves itself (PID 1) into each CGROUPDIR, then re-executes itself in
#       a new cgroup namespace rooted there, as "boot.sh ns MOUNT...".
#   boot.sh ns MOUNT...
#       Makes the mount namespace private, mounts /proc, a tmpfs on /run and
#       the cgroup hierarchies afresh (so systemd sees the cgroup namespace
#       root as "/"), and execs systemd with a one-unit default target.
#
# MOUNT is TYPE:MOUNTPOINT:OPTIONS, e.g. cgroup:/sys/fs/cgroup/memory:memory
# or cgroup2:/sys/fs/cgroup/unified: ; when MOUNTPOINT is /sys/fs/cgroup
# itself (a unified-only host) no tmpfs is mounted there.
#
# $HULLSD_SYSTEMD is the systemd binary.
# $HULLSD_CONSOLE is a file bind-mounted over /dev/console: systemd as PID 1
# logs to /dev/console, which would otherwise be the machine's console.
set -eu

mode=$1
shift
case $mode in
join)
	while [ "$1" != -- ]; do
		# "0" moves the writing process: this script, PID 1 of the namespace.
		echo 0 >"$1/cgroup.procs"
		shift
	done
	shift
	exec unshare --cgroup -- /bin/sh "$0" ns "$@"
	;;
ns) ;;
*)
	echo "boot.sh: unknown mode $mode" >&2
	exit 2
	;;
esac

mount --make-rprivate /
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
mkdir -p /run/systemd/system /run/lock
# Only this target is started: no getty, journald, tmpfiles (which would
# clean the host's /tmp) or anything else from the host's unit set.
cat >/run/systemd/system/hulltest.target <<'EOF'
[Unit]
Description=hull systemd cgroup driver test
EOF

mount --bind "$HULLSD_CONSOLE" /dev/console

umount -R /sys/fs/cgroup 2>/dev/null || true
for m in "$@"; do
	type=${m%%:*}
	rest=${m#*:}
	target=${rest%%:*}
	opts=${rest#*:}
	if [ "$target" != /sys/fs/cgroup ] && ! mountpoint -q /sys/fs/cgroup; then
		mount -t tmpfs -o mode=755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup
	fi
	mkdir -p "$target"
	if [ -n "$opts" ]; then
		mount -t "$type" -o "$opts" "$type" "$target"
	else
		mount -t "$type" "$type" "$target"
	fi
done

exec env -i container=hull-test PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	"$HULLSD_SYSTEMD" --system --unit=hulltest.target \
	--log-target=console --log-level=info --log-color=0 --show-status=0
