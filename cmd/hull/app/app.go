package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/opencontainers/runc/libcontainer/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

// version is hull's version; `make build` sets it from git
// (-X github.com/hullrt/hull/cmd/hull/app.version=...).
var version = "0.1.0-dev"

// globalOptions are the flags that come before the subcommand, resolved
// once by the app's Before hook.
type globalOptions struct {
	root string
	// rootSet is --root given on the command line: a state root that does
	// not exist is then a mistake, not "no containers yet".
	rootSet       bool
	debug         bool
	systemdCgroup bool
	// noCgroups is --cgroup-manager disabled, which create refuses.
	noCgroups bool
	// defaultRoot is --root's default, by runc's rule (see
	// linux.DefaultStateRoot): /run/hull for root, $XDG_RUNTIME_DIR/hull
	// for anybody else; xdgRoot says it is the latter, which resolve
	// makes when --root is not given.
	defaultRoot string
	xdgRoot     bool
	// rootless is --rootless: nil for auto (see linux.RootlessCgroups).
	rootless *bool
	// criu is the --criu binary for checkpoint and restore.
	criu string
	// logFile is the --log file, nil when logging goes to stderr.
	logFile *os.File
	// begin is when Run began, and startup how long the process ran
	// before (linux.ProcessStartup): --timings' first phases.
	begin   time.Time
	startup time.Duration
	// timings records the command's phases; nil without --timings.
	timings *linux.Timings
	// jsonLog is --log-format json.
	jsonLog bool
}

func (g *globalOptions) close() {
	if g.logFile != nil {
		g.logFile.Close()
	}
}

// New returns hull's command-line application, every command and flag
// defined, for tools that read the definitions (the man-page and
// completion generator). Running it is Run's job.
func New() *cli.App { return newApp(&globalOptions{}) }

func newApp(g *globalOptions) *cli.App {
	// New (the documentation) shows root's default whoever runs it, so
	// that the generated pages do not depend on the builder.
	defaultRoot := g.defaultRoot
	if defaultRoot == "" {
		defaultRoot = linux.DefaultRoot
	}
	app := &cli.App{
		Name:    "hull",
		Usage:   "run OCI containers (a runc-compatible OCI runtime)",
		Version: versionText(),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: defaultRoot, Usage: "directory for container state (tmpfs recommended; for a non-root user $XDG_RUNTIME_DIR/hull)"},
			&cli.StringFlag{Name: "log", Usage: "write hull's log to this file (default: stderr)"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format: text or json"},
			&cli.BoolFlag{Name: "debug", Usage: "log debug messages"},
			&cli.BoolFlag{Name: "systemd-cgroup", Usage: "use the systemd cgroup driver (cgroupsPath is slice:prefix:name)"},
			// crun's spelling, which conmon passes for podman's --cgroups.
			&cli.StringFlag{Name: "cgroup-manager", Value: "cgroupfs", Usage: "cgroupfs or systemd (crun's flag; same as --systemd-cgroup); disabled is not supported"},
			&cli.StringFlag{Name: "rootless", Value: "auto", Usage: "make the container's cgroup by the rootless rules (no cgroup where none is delegated, its resources dropped with a warning): true, false or auto (non-root, or root in a user namespace)"},
			&cli.BoolFlag{Name: "timings", Usage: "print how long each phase of the command took (one line on stderr; a JSON log entry with --log-format json)"},
			&cli.StringFlag{Name: "criu", Value: "criu", Usage: "path to the criu binary that checkpoint and restore run (runc 1.1's flag)", Hidden: true},
		},
		Commands: []*cli.Command{
			checkCommand(g),
			checkpointCommand(g),
			createCommand(g),
			deleteCommand(g),
			eventsCommand(g),
			execCommand(g),
			featuresCommand(),
			hookCommand(),
			initCommand(),
			killCommand(g),
			listCommand(g),
			pauseCommand(g),
			psCommand(g),
			restoreCommand(g),
			resumeCommand(g),
			runCommand(g),
			specCommand(),
			startCommand(g),
			stateCommand(g),
			updateCommand(g),
		},
		Before: func(c *cli.Context) error { return g.resolve(c) },
		// runc takes each value of a repeated flag whole: `-e A=1,2` is
		// one variable, and a comma inside `--cgroup cpu,cpuacct:sub` is
		// exec's to read.
		DisableSliceFlagSeparator: true,
		// hull prints its own errors, once, from main.
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError:         usageError,
		CommandNotFound:      nil,
		EnableBashCompletion: false,
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = usageError
	}
	return app
}

// resolve checks the global flags and sets up logging.
func (g *globalOptions) resolve(c *cli.Context) error {
	root, err := stateRoot(c.String("root"), c.IsSet("root"))
	if err != nil {
		return err
	}
	g.root, g.rootSet = root, c.IsSet("root")
	if !g.rootSet && g.xdgRoot {
		if err := linux.EnsureXDGRoot(root); err != nil {
			return err
		}
	}
	g.debug = c.Bool("debug")
	g.systemdCgroup = c.Bool("systemd-cgroup")
	g.criu = c.String("criu")
	switch m := c.String("cgroup-manager"); m {
	case "cgroupfs":
	case "systemd":
		g.systemdCgroup = true
	case "disabled":
		g.noCgroups = true
	default:
		return fmt.Errorf("--cgroup-manager %q: use cgroupfs or systemd", m)
	}
	switch f := c.String("log-format"); f {
	case "text":
		logrus.SetFormatter(&logrus.TextFormatter{DisableColors: true})
	case "json":
		logrus.SetFormatter(&logrus.JSONFormatter{})
		g.jsonLog = true
	default:
		return fmt.Errorf("--log-format %q: use text or json", f)
	}
	if g.debug {
		logrus.SetLevel(logrus.DebugLevel)
	}
	if path := c.String("log"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return fmt.Errorf("--log %s: %w", path, err)
		}
		g.logFile = f
		logrus.SetOutput(f)
	}
	if g.rootless, err = linux.ParseRootless(c.String("rootless")); err != nil {
		return err
	}
	if c.Bool("timings") {
		// The first argument left is the command's name: reorderArgs put
		// the global flags before it.
		g.timings = linux.NewTimings(c.Args().First(), g.startup, g.begin)
		g.timings.Mark("args")
	}
	return nil
}

// reportTimings writes the phases --timings measured: one text line on
// stderr, or with --log-format json one log entry (to the --log file when
// given, like the rest of the log).
func (g *globalOptions) reportTimings(stderr io.Writer) {
	if g.timings == nil {
		return
	}
	// What ran after the last phase: the command's own bookkeeping.
	g.timings.Mark("finish")
	if g.jsonLog {
		logrus.WithFields(g.timings.Fields()).Info("timings")
		return
	}
	fmt.Fprintln(stderr, g.timings.Text())
}

// stateRoot makes --root absolute, as runc does, so that the state of a
// container does not depend on the directory hull was started in, and
// refuses "/" as runc does: state directories do not belong among the
// system's own.
func stateRoot(root string, set bool) (string, error) {
	if !set {
		return root, nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("--root %q: %w", root, err)
	}
	if abs == "/" {
		return "", fmt.Errorf("Option --root argument should not be set to / (--root %q): give hull a directory of its own, such as %s", root, linux.DefaultRoot)
	}
	return abs, nil
}

func usageError(c *cli.Context, err error, isSubcommand bool) error {
	name := "hull"
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		name += " " + c.Command.Name
	}
	return fmt.Errorf("%v; see '%s --help'", err, name)
}

// versionText follows runc's layout (`hull version X` then key: value
// lines), which scripts parse.
func versionText() string {
	v := version + "\nspec: " + specs.Version + "\nlibcontainer: " + moduleVersion("github.com/opencontainers/runc") +
		"\ngo: " + runtime.Version()
	if major, minor, micro := seccomp.Version(); major+minor+micro > 0 {
		v += fmt.Sprintf("\nlibseccomp: %d.%d.%d", major, minor, micro)
	}
	return v
}

func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}
