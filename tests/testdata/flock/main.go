// Command flock takes flock(2) locks for the checkpoint tests
// (tests/checkpoint_state_test.go), whose busybox has no flock applet. It
// is built static and run from a directory bind-mounted into the
// container.
//
//	flock hold FILE  takes an exclusive lock on FILE (made if missing),
//	                 prints "locked" once it has it, and sleeps until killed
//	flock try FILE   tries the lock without waiting: prints "free" and exits
//	                 0 if it got it (and lets it go), or "held by PID" (the
//	                 holder as /proc/locks names it in this process's PID
//	                 namespace, "?" if not found) and exits 1 if taken;
//	                 any other failure exits 2
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "hold" && os.Args[1] != "try") {
		fmt.Fprintln(os.Stderr, "usage: flock hold|try FILE")
		os.Exit(2)
	}
	file := os.Args[2]
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		fail(err)
	}
	if os.Args[1] == "hold" {
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
			fail(fmt.Errorf("flock %s: %w", file, err))
		}
		fmt.Println("locked")
		for {
			// pause(2): no signal is handled, so SIGKILL or SIGTERM end it.
			_ = unix.Pause()
		}
	}
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	switch {
	case err == nil:
		fmt.Println("free")
		os.Exit(0)
	case errors.Is(err, unix.EWOULDBLOCK):
		fmt.Println("held by", holder(f))
		os.Exit(1)
	}
	fail(fmt.Errorf("flock %s: %w", file, err))
}

// holder is the PID /proc/locks gives for the flock lock on f's inode:
// lines such as "1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF".
func holder(f *os.File) string {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return "?"
	}
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return "?"
	}
	defer locks.Close()
	s := bufio.NewScanner(locks)
	for s.Scan() {
		fs := strings.Fields(s.Text())
		// A waiter's line has "->" after its number: skip it.
		if len(fs) >= 6 && fs[1] == "FLOCK" && fs[5] == want {
			if _, err := strconv.Atoi(fs[4]); err == nil {
				return fs[4]
			}
		}
	}
	return "?"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flock:", err)
	os.Exit(2)
}
