//go:build cgo

package linux

/*
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

enum { HULL_USERNS_JOINED, HULL_USERNS_HOLD, HULL_USERNS_OPEN, HULL_USERNS_SETNS };

// hull_userns_enter forks a child that joins the user namespace at path,
// reports {stage, errno} on report, then stays in it until hold_r reads
// end of file: until the parent closes hold_w, or dies. The parent reads
// the namespace's maps through the child's /proc directory meanwhile.
//
// setns(2) cannot move a multithreaded process into a user namespace, and
// a Go program is always multithreaded, hence a plain fork(2). The child
// is a copy of one thread of a Go process: it calls only async-signal-safe
// functions and leaves through _exit(2). Every signal is blocked across the
// fork, so no Go signal handler ever runs in the child; SIGKILL still ends
// it. It never execs, so it holds copies of all of hull's descriptors
// until it exits, including its own of hold_w, which it closes first.
static pid_t hull_userns_enter(const char *path, int report, int hold_r, int hold_w)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t pid = fork();
	if (pid != 0) {
		int saved = errno;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		return pid;
	}

	close(hold_w);
	int msg[2] = { HULL_USERNS_JOINED, 0 };
	// The child must block in read(2) below even if Go left the pipe
	// non-blocking: leaving early would end it while the parent reads.
	int flags = fcntl(hold_r, F_GETFL);
	int fd = -1;
	if (flags < 0 || fcntl(hold_r, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		msg[0] = HULL_USERNS_HOLD;
		msg[1] = errno;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		msg[0] = HULL_USERNS_OPEN;
		msg[1] = errno;
	} else if (setns(fd, CLONE_NEWUSER) < 0) {
		msg[0] = HULL_USERNS_SETNS;
		msg[1] = errno;
	}
	if (write(report, msg, sizeof(msg)) != sizeof(msg) || msg[0] != HULL_USERNS_JOINED)
		_exit(1);
	char c;
	while (read(hold_r, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"unsafe"

	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"
)

// enteredUserNSMappings reads the id maps of the user namespace at path
// through a child process that joins it. The maps are read by hull, not
// by the child: a uid_map shows host ids relative to the user namespace
// of whoever opens it (user_namespaces(7)), and hull wants its own, as
// for /proc/PID/ns/user paths. (runc's child reads its own maps instead,
// which for a namespace nested in another gives the parent's ids.)
func enteredUserNSMappings(path string) (uidMap, gidMap []configs.IDMap, err error) {
	report, reportW, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("join user namespace %s to read its id maps: %w", path, err)
	}
	defer report.Close()
	holdR, hold, err := os.Pipe()
	if err != nil {
		reportW.Close()
		return nil, nil, fmt.Errorf("join user namespace %s to read its id maps: %w", path, err)
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	pid, forkErr := C.hull_userns_enter(cpath, C.int(reportW.Fd()), C.int(holdR.Fd()), C.int(hold.Fd()))
	reportW.Close()
	holdR.Close()
	if pid < 0 {
		hold.Close()
		return nil, nil, fmt.Errorf("fork a process to join user namespace %s: %w", path, forkErr)
	}
	defer func() {
		hold.Close() // the child exits
		if werr := waitPid(int(pid)); werr != nil && err == nil {
			err = fmt.Errorf("wait for the process that joined user namespace %s: %w", path, werr)
		}
	}()

	var msg [2]int32
	if err := binary.Read(report, binary.NativeEndian, &msg); err != nil {
		return nil, nil, fmt.Errorf("join user namespace %s: the joining process said nothing: %w", path, err)
	}
	if err := enterError(path, msg[0], unix.Errno(msg[1])); err != nil {
		return nil, nil, err
	}
	uidMap, gidMap, err = readIDMaps(fmt.Sprintf("/proc/%d", pid))
	if err != nil {
		return nil, nil, fmt.Errorf("read the id maps of user namespace %s: %w", path, err)
	}
	return uidMap, gidMap, nil
}

// enterError turns the child's report into an error that unwraps to the
// errno; nil when it joined the namespace.
func enterError(path string, stage int32, errno unix.Errno) error {
	switch stage {
	case C.HULL_USERNS_JOINED:
		return nil
	case C.HULL_USERNS_HOLD:
		return fmt.Errorf("join user namespace %s: make the joining process wait: %w", path, errno)
	case C.HULL_USERNS_OPEN:
		return &os.PathError{Op: "open", Path: path, Err: errno}
	case C.HULL_USERNS_SETNS:
		hint := ""
		switch errno {
		case unix.EINVAL:
			hint = " (is it a user namespace, and not hull's own?)"
		case unix.EPERM:
			hint = " (hull needs CAP_SYS_ADMIN in that namespace)"
		}
		return fmt.Errorf("join user namespace %s: setns: %w%s", path, errno, hint)
	}
	return fmt.Errorf("join user namespace %s: unexpected report %d from the joining process", path, stage)
}

// waitPid reaps pid, retrying when a signal interrupts the wait.
func waitPid(pid int) error {
	for {
		_, err := unix.Wait4(pid, nil, 0, nil)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
