// Command sdnotify sends its arguments (default READY=1) to $NOTIFY_SOCKET,
// as sd_notify(3) does. The integration tests put it in the busybox rootfs,
// which has no such tool.
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	msg := "READY=1"
	if len(os.Args) > 1 {
		msg = strings.Join(os.Args[1:], "\n")
	}
	conn, err := net.Dial("unixgram", os.Getenv("NOTIFY_SOCKET"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdnotify:", err)
		os.Exit(1)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(msg)); err != nil {
		fmt.Fprintln(os.Stderr, "sdnotify:", err)
		os.Exit(1)
	}
}
