#!/usr/bin/env bash
# `make vm-test`: hull's suites on a cgroup v2 host with systemd as PID 1,
# in the VM of tests/vm. The host builds everything (hull, the suites'
# test binaries, their static helpers); the guest has no Go and gets the
# repository read-only over 9p at the same path, so the paths built here
# hold there, and bin/vm/out read-write for the suites' output. One boot
# runs every part. Prints each part's failures, skips and counts, and the
# time each step took.
#
#   vm-test.sh HULL_BINARY
#
# VM_PARTS: the parts, of "integration" (tests/) and "e2e" (tests/e2e:
# containerd and podman); default both.
# VM_RUN limits the tests (a -run pattern), VM_TIMEOUT bounds the whole
# boot, HULLVM_FLAGS go to `hullvm run` (-accel tcg, -cpus 2...).
set -euo pipefail

hull=$1
repo=$(git rev-parse --show-toplevel)
cd "$repo"
GO=${GO:-go}
TAGS=${TAGS:-seccomp,urfave_cli_no_docs,osusergo}
parts=${VM_PARTS:-integration e2e}
run=${VM_RUN:-.}
timeout=${VM_TIMEOUT:-40m}
bin=$repo/bin/vm
out=$bin/out
rm -rf "$out"
mkdir -p "$bin/testdata" "$out"

# Microseconds (bash 5's $EPOCHREALTIME) and a duration since one.
now() { echo "${EPOCHREALTIME/./}"; }
took() {
	local us=$(($(now) - $1))
	printf '%d.%ds' $((us / 1000000)) $((us % 1000000 / 100000))
}
declare -a times

t=$(now)
"$GO" build -o "$bin/hullvm" ./tests/vm/cmd/hullvm
for helper in sdnotify clocks pause flock unixsk; do
	CGO_ENABLED=0 "$GO" build -o "$bin/testdata/$helper" "./tests/testdata/$helper"
done
# The reference runc (tests/parity_test.go and the other side-by-side
# tests) is built here and shared read-only at the same path.
runc_ref=$(./scripts/install-runc-ref.sh)
# The guest runs each part in its package directory, as go test does, and
# writes test2json-framed output for this side's `go tool test2json`.
# HULL_TEST_LANE=vm skips the integration tests that nothing of cgroup v2
# or systemd can change (tests/lane_test.go): they ran on the host.
script="export HULL_BINARY=$hull HULL_TESTDATA_BIN=$bin/testdata HULL_RUNC_REF=$runc_ref HULL_TEST_LANE=vm"
# crictl for the e2e part's CRI test: built (once) on the host, copied
# where the guest sees it (/var/cache is not shared).
if [[ " $parts " == *" e2e "* ]]; then
	crictl=$(./scripts/install-crictl.sh)
	cp "$crictl" "$bin/crictl"
	script+=" HULL_CRICTL=$bin/crictl"
fi
# pkg and tags of a part.
declare -A pkgs=([integration]=tests [e2e]=tests/e2e) tagsof=([integration]=$TAGS [e2e]=e2e,$TAGS)
for part in $parts; do
	if [ -z "${pkgs[$part]-}" ]; then
		echo "vm-test: unknown part $part in VM_PARTS; use integration or e2e" >&2
		exit 2
	fi
	"$GO" test -c -tags "${tagsof[$part]}" -o "$bin/$part.test" "./${pkgs[$part]}"
	script+="
start=\$(date +%s)
(cd $repo/${pkgs[$part]} && $bin/$part.test -test.v=test2json -test.count=1 -test.timeout=$timeout -test.run '$run') >$out/$part.log 2>&1
echo \"vm-test: $part: exit status \$? in \$((\$(date +%s) - start))s\""
done
times+=("build the suites: $(took "$t")")

t=$(now)
"$bin/hullvm" image >/dev/null
times+=("image: $(took "$t")")

t=$(now)
set +e
# shellcheck disable=SC2086 # HULLVM_FLAGS is a list of flags
"$bin/hullvm" run -share "$repo:ro" -share "$(dirname "$runc_ref"):ro" -share "$out" -timeout "$timeout" -console "$out/console.log" ${HULLVM_FLAGS:-} "$script"
vmcode=$?
set -e
times+=("boot, suites and power-off: $(took "$t")")

failed=$((vmcode != 0))
for part in $parts; do
	# testsum prints failures, skips and "PART: N passed, N failed, N skipped".
	if ! "$GO" tool test2json -t -p "github.com/hullrt/hull/${pkgs[$part]}" <"$out/$part.log" |
		"$GO" run ./tests/internal/testsum "vm-$part"; then
		failed=1
	fi
done

echo "vm-test: time taken:"
printf '  %s\n' "${times[@]}"
echo "vm-test: the guest's output is in $out (one log per part, console.log)"
exit $failed
