package tests

import (
	"os"
	"regexp"
	"testing"
)

// The VM lane (make vm-test, tests/vm/vm-test.sh) runs this suite a
// second time, on a cgroup v2 host with systemd as PID 1, under software
// emulation, where it takes several times as long as here. It runs what
// can come out differently there: everything about cgroups, systemd,
// devices, freezing, OOM, update, events, exec, kill and delete, rootless
// users, CRIU, features and host checks, and the comparisons with runc.
// The tests below cannot: they check input, terminals, mounts, seccomp,
// hooks, flags and words, with code that no cgroup version or init system
// reaches, or load the machine (TestLoad). vm-test.sh sets
// HULL_TEST_LANE=vm; there they skip, saying so, and are counted.
var hostLaneOnly = regexp.MustCompile(`^(TestLoad|TestPoststartStateUnderLoad|TestCheckpointBadInput|TestHook|TestPreflight|` +
	`TestRuncWords|TestRunningWords|TestPreserveFds|TestListenFDs|TestTerminal|TestConsoleSocket|TestTimings|` +
	`TestMount|TestExtrasMounts|TestSeccomp|TestExtrasSeccompNotify|TestExtrasTimeNamespace|TestSysctl|TestExtrasSysctl|` +
	`TestNotifySocket|TestCompatFlags|TestRelative|TestBad|TestLogJSON|TestVersion|TestHarness|TestMaskedAndReadonlyPaths|` +
	`TestReadonlyRootfs|TestRootfsSymlink|TestEnvAndCwd|TestUser|TestCapabilities|TestRlimit|TestNoNewPrivileges|` +
	`TestHostname|TestNoPivot|TestSpecMatchesRunc|TestRunStdin|TestRuncAccepts)`)

// skipOffLane skips t in the VM lane when it is one of hostLaneOnly.
func skipOffLane(t *testing.T) {
	if os.Getenv("HULL_TEST_LANE") == "vm" && hostLaneOnly.MatchString(t.Name()) {
		t.Skip("host lane only: nothing it checks depends on cgroup v2 or systemd (make integration runs it)")
	}
}
