// Command hullvm builds, caches and boots the cgroup v2 + systemd test VM
// (package github.com/hullrt/hull/tests/vm) and runs one command in it.
//
//	hullvm image                      build the image if needed; print its directory
//	hullvm run [flags] SCRIPT...      run SCRIPT (joined by spaces, a shell script) in the VM as root
//	hullvm shell [flags]              boot with the serial console on this terminal (root, no password)
//
// run exits with the command's status, 124 when the boot or the command
// timed out, 125 when the VM could not be built or booted. Its own
// messages (timings) go to stderr, the command's output to stdout. Run
// from the repository root (it reads tests/vm/image), as root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hullrt/hull/tests/vm"
)

const (
	exitTimeout = 124
	exitVM      = 125
)

type shareFlags []vm.Share

func (s *shareFlags) String() string { return fmt.Sprint(*s) }

func (s *shareFlags) Set(v string) error {
	sh, err := vm.ParseShare(v)
	if err != nil {
		return err
	}
	*s = append(*s, sh)
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: hullvm image [-cache DIR] [-build DIR]
       hullvm run [flags] SCRIPT...
       hullvm shell [flags]
run's and shell's flags:
`)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("hullvm "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cacheDir := fs.String("cache", vm.DefaultCacheDir, "image cache `directory`")
	buildDir := fs.String("build", "tests/vm/image", "image recipe `directory` (build.sh, packages.txt...)")
	var shares shareFlags
	var cfg vm.Config
	var keep string
	if sub != "image" {
		fs.Var(&shares, "share", "mount host directory `HOST[:GUEST][:ro|:rw]` in the guest (repeatable; GUEST defaults to HOST)")
		fs.IntVar(&cfg.CPUs, "cpus", 0, "guest CPUs (default: this machine's)")
		fs.IntVar(&cfg.MemMiB, "mem", 4096, "guest memory in MiB")
		fs.DurationVar(&cfg.BootTimeout, "boot-timeout", 5*time.Minute, "longest boot, qemu start to command start")
		fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Minute, "longest command")
		fs.StringVar(&cfg.Accel, "accel", "", "`kvm` or tcg (default: kvm when this machine can use it)")
		fs.StringVar(&keep, "console", "", "copy the guest's serial console log to `FILE`")
	}
	switch sub {
	case "image", "run", "shell":
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "hullvm: unknown command %q\n", sub)
		usage(stderr)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	script := strings.Join(fs.Args(), " ")
	switch {
	case sub == "run" && strings.TrimSpace(script) == "":
		fmt.Fprintln(stderr, "hullvm run: no command given")
		return 2
	case sub != "run" && fs.NArg() > 0:
		fmt.Fprintf(stderr, "hullvm %s: unexpected arguments %q\n", sub, fs.Args())
		return 2
	}

	t0 := time.Now()
	im, built, err := vm.EnsureImage(*cacheDir, *buildDir, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "hullvm:", err)
		return exitVM
	}
	how := "cached"
	if built {
		how = "built"
	}
	fmt.Fprintf(stderr, "hullvm: image %s (%s) in %s\n", im.Dir, how, time.Since(t0).Round(100*time.Millisecond))
	if sub == "image" {
		fmt.Fprintln(stdout, im.Dir)
		return 0
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	cfg.Image, cfg.Shares, cfg.Output, cfg.Log, cfg.KeepConsole = im, shares, stdout, stderr, keep
	if sub == "shell" {
		fmt.Fprintln(stderr, "hullvm: log in as root (no password); `poweroff` or Ctrl-A X ends the VM")
		script = ""
	}
	res, err := vm.Run(ctx, cfg, script)
	if err != nil {
		fmt.Fprintln(stderr, "hullvm:", err)
		if errors.Is(err, vm.ErrTimeout) {
			return exitTimeout
		}
		return exitVM
	}
	if sub == "run" {
		fmt.Fprintf(stderr, "hullvm: boot %s, command %s (exit status %d), power-off %s, %s\n",
			res.Boot.Round(100*time.Millisecond), res.Command.Round(100*time.Millisecond), res.Status,
			res.Shutdown.Round(100*time.Millisecond), res.Accel)
	}
	return res.Status
}
