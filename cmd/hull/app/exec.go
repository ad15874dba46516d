package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
	"github.com/hullrt/hull/spec"
)

func execCommand(g *globalOptions) *cli.Command {
	env := &orderedValues{}
	return &cli.Command{
		Name:      "exec",
		Usage:     "run a new process in a running container",
		ArgsUsage: "<container-id> [command [args...]]",
		Description: "Exits with the process's status; with 255 and \"exec failed: ...\" when hull itself fails, and 1 for a usage error, as runc does.\n" +
			"Everything after the container ID is the process's command line, flags included.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "process", Aliases: []string{"p"}, Usage: "JSON file with the process (runtime-spec \"process\" object); the other process flags are ignored"},
			&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "give the process a terminal"},
			&cli.StringFlag{Name: "console-socket", Usage: "AF_UNIX socket that receives the pty master (with --tty --detach)"},
			&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "return once the process has started"},
			&cli.StringFlag{Name: "pid-file", Usage: "write the process's host PID to this file"},
			&cli.StringFlag{Name: "cwd", Usage: "working directory inside the container"},
			// Repeatable flags have their short forms as separate flags, so
			// that "-e A=1 --env B=2" works: urfave/cli (runc's v1 too)
			// refuses two forms of one flag.
			// -e and --env share one list, so that the last value of a
			// name wins in command-line order, as in runc.
			&cli.GenericFlag{Name: "env", Value: env, Usage: "add an environment variable KEY=VALUE (repeatable; also -e)"},
			&cli.GenericFlag{Name: "e", Value: env, Hidden: true},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "UID[:GID] to run as"},
			&cli.Int64SliceFlag{Name: "additional-gids", Usage: "an additional group ID (repeatable; also -g)"},
			&cli.Int64SliceFlag{Name: "g", Hidden: true},
			&cli.StringSliceFlag{Name: "cap", Usage: "add a capability, e.g. CAP_NET_ADMIN (repeatable; also -c)"},
			&cli.StringSliceFlag{Name: "c", Hidden: true},
			&cli.BoolFlag{Name: "no-new-privs", Usage: "set no_new_privs for the process"},
			&cli.StringFlag{Name: "apparmor", Usage: "AppArmor profile for the process"},
			&cli.StringFlag{Name: "process-label", Usage: "SELinux label for the process"},
			&cli.UintFlag{Name: "preserve-fds", Usage: "pass N extra file descriptors (from fd 3) to the process"},
			&cli.BoolFlag{Name: "ignore-paused", Usage: "allow exec in a paused container"},
			&cli.StringSliceFlag{Name: "cgroup", Usage: "run in this sub-cgroup: PATH, or CONTROLLER[,CONTROLLER]:PATH (repeatable)"},
			&cli.StringFlag{Name: "pidfd-socket", Usage: "AF_UNIX socket that receives a pidfd of the process"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 {
				return errors.New("exec needs a container ID and a command; usage: hull exec [options] <container-id> <command> [args...]")
			}
			status, err := execute(c, g)
			if err != nil {
				return execError{err}
			}
			if status != 0 {
				return exitStatus(status)
			}
			return nil
		},
	}
}

// execute runs the exec the command line asks for and returns the
// process's exit status.
func execute(c *cli.Context, g *globalOptions) (int, error) {
	id := c.Args().First()
	if err := spec.ValidateID(id); err != nil {
		return -1, err
	}
	ct, err := linux.Open(g.root, id)
	if err != nil {
		return -1, err
	}
	g.timings.Mark("load")
	ct.SetTimings(g.timings)
	file, standalone, p, err := execSpec(c, ct)
	if err != nil {
		return -1, err
	}
	proc, err := spec.ExecProcess(file, standalone, p)
	if err != nil {
		return -1, err
	}
	// What runc runs without, hull runs without too, but says so.
	for _, fe := range spec.ExecWarnings(file, standalone, p, ct.Umask()) {
		logrus.Warn(fe)
	}
	subCgroups, err := subCgroupPaths(c.StringSlice("cgroup"))
	if err != nil {
		return -1, err
	}
	// Reading config.json and building the process from it and the flags.
	g.timings.Mark("spec")
	return ct.Exec(proc, linux.ExecOptions{
		Detach:         c.Bool("detach"),
		ConsoleSocket:  c.String("console-socket"),
		PidfdSocket:    c.String("pidfd-socket"),
		PidFile:        c.String("pid-file"),
		PreserveFDs:    int(c.Uint("preserve-fds")),
		IgnorePaused:   c.Bool("ignore-paused"),
		SubCgroupPaths: subCgroups,
	})
}

// execError is hull's own failure in `exec`, whose exit status
// otherwise belongs to the process: it exits 255, with runc's words,
// so a caller tells "hull could not exec" from the process's status 1.
type execError struct{ err error }

func (e execError) Error() string { return "exec failed: " + e.err.Error() }
func (e execError) Unwrap() error { return e.err }

// ExitCode makes execError a cli.ExitCoder.
func (e execError) ExitCode() int { return 255 }

// execSpec returns the process to exec and the file it comes from: the
// --process file as it is (standalone), or the container's own process
// from its bundle's config.json with the command line's changes, as runc
// does.
func execSpec(c *cli.Context, ct *linux.Container) (file string, standalone bool, p *specs.Process, err error) {
	if path := c.String("process"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", false, nil, fmt.Errorf("--process: %w", err)
		}
		var proc specs.Process
		if err := json.Unmarshal(data, &proc); err != nil {
			return "", false, nil, fmt.Errorf("--process %s: not a runtime-spec process object: %w", path, err)
		}
		return path, true, &proc, nil
	}
	if c.NArg() < 2 {
		return "", false, nil, errors.New("exec needs a command to run after the container ID (or --process FILE)")
	}
	bundle := ct.Bundle()
	if bundle == "" {
		return "", false, nil, fmt.Errorf("container %q has no bundle recorded; use --process FILE", ct.ID())
	}
	b, err := spec.Load(bundle)
	if err != nil {
		return "", false, nil, err
	}
	if b.Spec.Process == nil {
		return "", false, nil, fmt.Errorf("%s has no process to start from; use --process FILE", b.ConfigPath)
	}
	p = b.Spec.Process
	p.Args = c.Args().Slice()[1:]
	p.Terminal = c.Bool("tty")
	if env, ok := c.Generic("env").(*orderedValues); ok {
		p.Env = append(p.Env, *env...)
	}
	if cwd := c.String("cwd"); cwd != "" {
		p.Cwd = cwd
	}
	if v := c.String("apparmor"); v != "" {
		p.ApparmorProfile = v
	}
	if v := c.String("process-label"); v != "" {
		p.SelinuxLabel = v
	}
	if c.IsSet("no-new-privs") {
		p.NoNewPrivileges = c.Bool("no-new-privs")
	}
	if caps := append(c.StringSlice("cap"), c.StringSlice("c")...); len(caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		pc := p.Capabilities
		for _, cp := range caps {
			pc.Bounding = append(pc.Bounding, cp)
			pc.Effective = append(pc.Effective, cp)
			pc.Permitted = append(pc.Permitted, cp)
			// An ambient capability must also be inheritable; add it
			// only where the config already uses inheritable ones.
			if pc.Inheritable != nil {
				pc.Ambient = append(pc.Ambient, cp)
			}
		}
	}
	if u := c.String("user"); u != "" {
		uid, gid, err := parseUser(u)
		if err != nil {
			return "", false, nil, err
		}
		p.User.UID = uid
		if gid != nil {
			p.User.GID = *gid
		}
	}
	for _, g := range append(c.Int64Slice("additional-gids"), c.Int64Slice("g")...) {
		if g < 0 || g > int64(^uint32(0)) {
			return "", false, nil, fmt.Errorf("--additional-gids %d: must be a group ID from 0 to 4294967295", g)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
	}
	return b.ConfigPath, false, p, nil
}

// orderedValues is a repeatable flag's values in command-line order; one
// orderedValues can stand behind two flags (a long and a short name).
type orderedValues []string

func (v *orderedValues) Set(s string) error {
	*v = append(*v, s)
	return nil
}

func (v *orderedValues) String() string { return "" }

// parseUser reads --user UID[:GID] (numbers only, as runc).
func parseUser(s string) (uint32, *uint32, error) {
	us, gs, hasGID := strings.Cut(s, ":")
	uid, err := strconv.ParseUint(us, 10, 32)
	if err != nil {
		return 0, nil, fmt.Errorf("--user %q: the UID must be a number", s)
	}
	if !hasGID {
		return uint32(uid), nil, nil
	}
	gid, err := strconv.ParseUint(gs, 10, 32)
	if err != nil {
		return 0, nil, fmt.Errorf("--user %q: the GID must be a number", s)
	}
	g := uint32(gid)
	return uint32(uid), &g, nil
}

// subCgroupPaths reads --cgroup values: "PATH" for every controller, or
// "CONTROLLER[,CONTROLLER]:PATH".
func subCgroupPaths(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	paths := map[string]string{}
	for _, v := range values {
		ctrls, path, ok := strings.Cut(v, ":")
		if !ok {
			path, ctrls = v, ""
		}
		if path == "" {
			return nil, fmt.Errorf("--cgroup %q: empty path", v)
		}
		for _, ctrl := range strings.Split(ctrls, ",") {
			// An empty name would stand for every controller.
			if ok && ctrl == "" {
				return nil, fmt.Errorf("--cgroup %q: empty controller name before ':'; write CONTROLLER[,CONTROLLER]:PATH or just PATH", v)
			}
			if _, dup := paths[ctrl]; dup {
				return nil, fmt.Errorf("--cgroup %q: controller %q given twice", v, ctrl)
			}
			paths[ctrl] = path
		}
	}
	return paths, nil
}
