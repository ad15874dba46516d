// Command unixsk talks over a unix socket for the --ext-unix-sk test
// (tests/checkpoint_state_test.go): busybox's nc has no unix sockets. It
// is built static and run from a directory bind-mounted into the
// container.
//
//	unixsk listen dgram|stream PATH  binds PATH and prints each message it
//	                                 receives on a line (stream: the first
//	                                 connection's lines)
//	unixsk send dgram|stream PATH    connects to PATH and sends 1, 2, 3...,
//	                                 one every 0.1s, until killed
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 4 || (os.Args[2] != "dgram" && os.Args[2] != "stream") {
		fail(fmt.Errorf("usage: unixsk listen|send dgram|stream PATH"))
	}
	network := map[string]string{"dgram": "unixgram", "stream": "unix"}[os.Args[2]]
	path := os.Args[3]
	switch os.Args[1] {
	case "listen":
		listen(network, path)
	case "send":
		send(network, path)
	default:
		fail(fmt.Errorf("unknown mode %q: use listen or send", os.Args[1]))
	}
}

func listen(network, path string) {
	if network == "unixgram" {
		c, err := net.ListenUnixgram(network, &net.UnixAddr{Name: path, Net: network})
		if err != nil {
			fail(err)
		}
		buf := make([]byte, 512)
		for {
			n, err := c.Read(buf)
			if err != nil {
				fail(err)
			}
			fmt.Printf("%s\n", buf[:n])
		}
	}
	l, err := net.Listen(network, path)
	if err != nil {
		fail(err)
	}
	c, err := l.Accept()
	if err != nil {
		fail(err)
	}
	s := bufio.NewScanner(c)
	for s.Scan() {
		fmt.Println(s.Text())
	}
}

func send(network, path string) {
	c, err := net.Dial(network, path)
	if err != nil {
		fail(err)
	}
	for i := 1; ; i++ {
		msg := fmt.Sprint(i)
		if network == "unix" {
			msg += "\n"
		}
		// A failed send is not fatal: the listener may be away a moment.
		_, _ = c.Write([]byte(msg))
		time.Sleep(100 * time.Millisecond)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "unixsk:", err)
	os.Exit(2)
}
