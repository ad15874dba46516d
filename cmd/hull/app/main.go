package app

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

// Run runs hull with args (args[0] is the program name) and returns the
// exit status. It is the single exit point: an error becomes one line on
// stderr ("hull: ..."), an error line in the --log file, and a status.
func Run(args []string, stderr io.Writer) int {
	begin := time.Now()
	g := &globalOptions{begin: begin, startup: linux.ProcessStartup(begin)}
	g.defaultRoot, g.xdgRoot = linux.DefaultStateRoot()
	app := newApp(g)
	err := app.Run(reorderArgs(app, args))
	defer g.close()
	// Before the error: callers read the last line as the error.
	g.reportTimings(stderr)
	if err == nil {
		return 0
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	code := exitCode(err)
	msg := oneLine(err.Error())
	// urfave/cli's words for an unknown command read like a help lookup;
	// its status (3) is runc's.
	if name, ok := strings.CutPrefix(msg, "No help topic for '"); ok {
		msg = fmt.Sprintf("unknown command %q; see 'hull --help'", strings.TrimSuffix(name, "'"))
	}
	if g.logFile != nil {
		logrus.Error(msg)
	}
	fmt.Fprintf(stderr, "hull: %s\n", msg)
	return code
}

// exitCode is 1, or the status hull's own error asks for (exec's 255,
// urfave/cli's 3 for an unknown command). A child's *exec.ExitError (a
// hook's, CRIU's) is an ExitCoder too, but its status is the child's,
// not hull's: runc exits 1 when a hook fails with 3.
func exitCode(err error) int {
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if _, child := ec.(*exec.ExitError); !child {
			return ec.ExitCode()
		}
	}
	return 1
}

// exitStatus carries a container's exit status out of a foreground run;
// it is not an error to report.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// oneLine keeps an error on one line: callers read the last line of our
// output as the error.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ").Replace(s)
}
