package linux

import (
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FailpointEnv names the failpoint hull stops or dies at. TEST ONLY: it
// exists so that tests/faults_test.go can kill hull at each named step of
// a command and check that `delete --force` still removes everything.
// Its value is STEP or STEP=ACTION, where ACTION is "stop" (the default:
// hull sends itself SIGSTOP, and the test kills it when it likes),
// "kill" (SIGKILL) or "wait:FILE", for races a test plays out while hull
// waits at the step: hull creates FILE.at, then waits for FILE to exist
// and goes on (a file, not SIGSTOP and SIGCONT: stopped processes get
// SIGCONTs the test did not send). The steps are listed in Failpoints. Unset, a
// failpoint costs one comparison.
const FailpointEnv = "HULL_TEST_FAILPOINT"

// Failpoints are the named steps, "command:step", in the order a command
// passes them. Each is the moment just after what it names, before the
// next effect.
var Failpoints = []string{
	"create:locked",            // state directory locked, nothing recorded yet
	"create:intent-written",    // intent record on disk, nothing created
	"create:container-created", // libcontainer state directory made
	"create:hooks-saved",       // hooks saved, init not started
	"create:started",           // init running, waiting on exec.fifo
	"create:pid-recorded",      // init pid in the intent, lock still held
	"run:started",              // run -d: user process executed, before poststart
	"run:exited",               // foreground run: the process exited, container not deleted
	"start:locked",             // start holds the lock, nothing done
	"start:executed",           // init passed exec.fifo, poststart not run
	"exec:locked",              // exec holds the lock, process not started
	"exec:started",             // the exec'd process runs, lock still held
	"kill:loaded",              // kill found the container, sent nothing
	"kill:frozen",              // kill --all froze the container to signal it
	"pause:locked",             // pause holds the lock, not frozen
	"pause:frozen",             // container frozen, lock still held
	"update:locked",            // update holds the lock, nothing written
	"update:written",           // cgroup files written, resources not saved
	"delete:locked",            // delete holds the lock, nothing removed
	"delete:killed",            // processes killed, nothing removed
	"delete:destroyed",         // libcontainer state and cgroups gone, hull's state left
}

var failpointSpec = sync.OnceValues(func() (string, string) {
	v := os.Getenv(FailpointEnv)
	name, action, _ := strings.Cut(v, "=")
	return name, action
})

// failpoint stops or kills hull if FailpointEnv names step.
func failpoint(step string) {
	name, action := failpointSpec()
	if name == "" || name != step {
		return
	}
	switch action {
	case "kill":
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	if file, ok := strings.CutPrefix(action, "wait:"); ok {
		if f, err := os.Create(file + ".at"); err == nil {
			f.Close()
		}
		for {
			if _, err := os.Stat(file); err == nil {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Stopped, hull stays at the step for good: a SIGCONT (the kernel
	// sends one to a process group that becomes orphaned while one of
	// its members is stopped) only stops it again.
	for i := 0; ; i++ {
		_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
		if i > 0 {
			os.Stderr.WriteString("hull: failpoint " + step + ": continued\n")
		}
	}
}
