// Command clocks prints the CLOCK_MONOTONIC and CLOCK_BOOTTIME readings
// of the process in whole seconds, one "name seconds" pair a line, for the
// time namespace tests (tests/timens_test.go). It is built static and
// bind-mounted into the container, whose busybox has no way to read these
// clocks.
package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	for _, c := range []struct {
		name string
		id   int32
	}{{"monotonic", unix.CLOCK_MONOTONIC}, {"boottime", unix.CLOCK_BOOTTIME}} {
		var ts unix.Timespec
		// clock_gettime(2) adds the time namespace's offsets (Linux 5.6).
		if err := unix.ClockGettime(c.id, &ts); err != nil {
			fmt.Fprintf(os.Stderr, "clocks: clock_gettime(%s): %v\n", c.name, err)
			os.Exit(1)
		}
		fmt.Println(c.name, ts.Sec)
	}
}
