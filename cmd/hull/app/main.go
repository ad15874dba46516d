package app

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
)

// Run runs hull with args (args[0] is the program name) and returns the
// exit status. It is the single exit point: an error becomes one line on
// stderr ("hull: ..."), an error line in the --log file, and a status.
func Run(args []string, stderr io.Writer) int {
	g := &globalOptions{}
	app := newApp(g)
	err := app.Run(reorderArgs(app, args))
	defer g.close()
	if err == nil {
		return 0
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	code := 1
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		code = ec.ExitCode()
	}
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
