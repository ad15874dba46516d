#!/usr/bin/env bash
# `make vm-test`: the integration suite (tests/) on a cgroup v2 host with
# systemd as PID 1, in the VM of tests/vm. The host builds everything
# (hull, the suite's test binary, its static helpers); the guest has no
# Go and gets the repository read-only over 9p at the same path, so the
# paths built here hold there. Prints the time each part took.
#
#   vm-test.sh HULL_BINARY
#
# VM_RUN limits the tests (a -run pattern), VM_TIMEOUT bounds the suite
# in the guest, HULLVM_FLAGS go to `hullvm run` (-accel tcg, -cpus 2...).
set -euo pipefail

hull=$1
repo=$(git rev-parse --show-toplevel)
cd "$repo"
GO=${GO:-go}
TAGS=${TAGS:-seccomp,urfave_cli_no_docs,osusergo}
run=${VM_RUN:-.}
timeout=${VM_TIMEOUT:-25m}
out=$repo/bin/vm
mkdir -p "$out/testdata"

# Microseconds (bash 5's $EPOCHREALTIME) and a duration since one.
now() { echo "${EPOCHREALTIME/./}"; }
took() {
	local us=$(($(now) - $1))
	printf '%d.%ds' $((us / 1000000)) $((us % 1000000 / 100000))
}
declare -a times

t=$(now)
"$GO" build -o "$out/hullvm" ./tests/vm/cmd/hullvm
"$GO" test -c -tags "$TAGS" -o "$out/tests.test" ./tests
for helper in sdnotify clocks; do
	CGO_ENABLED=0 "$GO" build -o "$out/testdata/$helper" "./tests/testdata/$helper"
done
times+=("build the suite: $(took "$t")")

t=$(now)
"$out/hullvm" image >/dev/null
times+=("image: $(took "$t")")

# The guest's output is test2json's input: -test.v=test2json frames each
# test's events so that `go tool test2json` on this side can tell them
# apart; testsum then prints failures, skips and the counts.
log=$out/integration.log
t=$(now)
set +e
# shellcheck disable=SC2086 # HULLVM_FLAGS is a list of flags
"$out/hullvm" run -share "$repo:ro" -timeout "$timeout" -console "$out/console.log" ${HULLVM_FLAGS:-} \
	"cd $repo/tests && HULL_BINARY=$hull HULL_TESTDATA_BIN=$out/testdata" \
	"$out/tests.test -test.v=test2json -test.count=1 -test.timeout=$timeout -test.run '$run'" |
	tee "$log" | "$GO" tool test2json -t -p github.com/hullrt/hull/tests | "$GO" run ./tests/internal/testsum vm-integration
codes=("${PIPESTATUS[@]}")
set -e
times+=("boot, suite and power-off: $(took "$t")")

echo "vm-test: time taken:"
printf '  %s\n' "${times[@]}"
echo "vm-test: the guest's output is in $log, its console in $out/console.log"
for c in "${codes[@]}"; do
	[ "$c" = 0 ] || exit 1
done
