package linux

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// newPty opens a pseudo-terminal pair with the kernel's default modes
// (ONLCR on), skipping the test where there are none.
func newPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	master = os.NewFile(uintptr(fd), "ptmx")
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestClearONLCR: cleared through the master, the slave's output reaches
// the master with its "\n" as written.
func TestClearONLCR(t *testing.T) {
	for _, tc := range []struct {
		name  string
		clear bool
		want  string
	}{
		{"kernel default", false, "a\r\nb\r\n"},
		{"cleared on the master", true, "a\nb\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			master, slave := newPty(t)
			if tc.clear {
				if err := clearONLCR(master); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := slave.WriteString("a\nb\n"); err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 64)
			n, err := master.Read(b)
			if err != nil || string(b[:n]) != tc.want {
				t.Errorf("master read %q (%v), want %q", b[:n], err, tc.want)
			}
		})
	}
}

func TestClearONLCRNotATerminal(t *testing.T) {
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := clearONLCR(f); err == nil {
		t.Error("clearONLCR(/dev/null) succeeded, want an error")
	}
}

// TestRawMode: input goes through unprocessed and unechoed, output keeps
// its processing (runc's SetRaw), so "\n" from a container whose terminal
// has ONLCR off still starts a new line on the screen.
func TestRawMode(t *testing.T) {
	var tm unix.Termios
	tm.Iflag = unix.ICRNL | unix.IXON | unix.BRKINT
	tm.Oflag = unix.OPOST | unix.ONLCR
	tm.Lflag = unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
	tm.Cflag = unix.CS7 | unix.PARENB
	rawMode(&tm)
	for _, c := range []struct {
		name      string
		flags     uint32
		bits      uint32
		wantClear bool
	}{
		{"iflag ICRNL", tm.Iflag, unix.ICRNL, true},
		{"iflag IXON", tm.Iflag, unix.IXON, true},
		{"lflag ECHO", tm.Lflag, unix.ECHO, true},
		{"lflag ICANON", tm.Lflag, unix.ICANON, true},
		{"lflag ISIG", tm.Lflag, unix.ISIG, true},
		{"cflag PARENB", tm.Cflag, unix.PARENB, true},
		{"cflag CS8", tm.Cflag, unix.CS8, false},
		{"oflag OPOST", tm.Oflag, unix.OPOST, false},
		{"oflag ONLCR", tm.Oflag, unix.ONLCR, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			set := c.flags&c.bits == c.bits
			if set == c.wantClear {
				t.Errorf("flags %#o: %s set=%v after rawMode, want set=%v", c.flags, c.name, set, !c.wantClear)
			}
		})
	}
	if tm.Cc[unix.VMIN] != 1 || tm.Cc[unix.VTIME] != 0 {
		t.Errorf("VMIN %d VTIME %d, want 1 and 0", tm.Cc[unix.VMIN], tm.Cc[unix.VTIME])
	}
}

// TestInBackground: only a controlling terminal has a foreground process
// group for hull to be outside of; the job-control case itself is
// TestTerminalBackground's, with a shell.
func TestInBackground(t *testing.T) {
	_, slave := newPty(t)
	null, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, f := range map[string]*os.File{"pty that is not the controlling terminal": slave, "/dev/null": null} {
		t.Run(name, func(t *testing.T) {
			if inBackground(int(f.Fd())) {
				t.Error("inBackground = true, want false")
			}
		})
	}
}
