//go:build linux

package sysproc

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestOpenPTY writes through the slave and reads it from the master, with
// the terminal's default output processing (ONLCR: \n becomes \r\n).
func TestOpenPTY(t *testing.T) {
	master, slave, err := OpenPTY()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	ws, err := unix.IoctlGetWinsize(int(slave.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Row != 24 || ws.Col != 80 {
		t.Errorf("window size %+v (%v), want 24x80", ws, err)
	}
	if _, err := slave.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 16)
	n, err := master.Read(b)
	if err != nil || string(b[:n]) != "hi\r\n" {
		t.Errorf("master read %q (%v), want \"hi\\r\\n\"", b[:n], err)
	}
}
