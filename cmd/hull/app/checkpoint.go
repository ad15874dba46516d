package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

// checkpointCommand has runc's flags, names and defaults: containerd's
// shim and podman pass them as runc spells them.
func checkpointCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "checkpoint",
		Usage:     "save a running container's state with CRIU",
		ArgsUsage: "<container-id>",
		Description: "Saves the processes of a running container into --image-path with criu(8); without\n" +
			"--leave-running or --pre-dump they are gone afterwards and the container is deleted.\n" +
			"'hull restore' brings them back.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "image-path", Usage: "directory for CRIU's image files (default: ./checkpoint)"},
			&cli.StringFlag{Name: "parent-path", Usage: "images of a previous pre-dump, relative to --image-path"},
			&cli.BoolFlag{Name: "leave-running", Usage: "leave the container running after the checkpoint"},
			&cli.BoolFlag{Name: "tcp-skip-in-flight", Usage: "skip TCP connections still being set up"},
			&cli.BoolFlag{Name: "link-remap", Usage: "allow CRIU to link unlinked open files back when possible"},
			&cli.IntFlag{Name: "status-fd", Value: -1, Usage: "with --lazy-pages, CRIU writes \\0 to this fd once the page server is ready"},
			&cli.StringFlag{Name: "page-server", Usage: "ADDRESS:PORT of a CRIU page server to send the memory pages to"},
			&cli.BoolFlag{Name: "pre-dump", Usage: "save only the memory, for a later dump with --parent-path; the container keeps running"},
		}, criuFlags()...),
		Action: onContainer(g, func(c *cli.Context, ct *linux.Container) error {
			cr, err := criuOptions(c, g)
			if err != nil {
				return err
			}
			return ct.Checkpoint(cr)
		}),
	}
}

// criuFlags are the CRIU flags that `checkpoint` and `restore` both have.
func criuFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "work-path", Usage: "directory for CRIU's work files and its log (default: the image directory)"},
		&cli.BoolFlag{Name: "tcp-established", Usage: "allow open TCP connections"},
		&cli.BoolFlag{Name: "ext-unix-sk", Usage: "allow unix sockets connected outside the container"},
		&cli.BoolFlag{Name: "shell-job", Usage: "allow a process attached to a terminal outside the container (a shell job)"},
		&cli.BoolFlag{Name: "file-locks", Usage: "save and restore file locks"},
		&cli.BoolFlag{Name: "lazy-pages", Usage: "restore memory pages lazily, through userfaultfd"},
		&cli.StringFlag{Name: "manage-cgroups-mode", Usage: "how CRIU handles cgroups: soft, full, strict or ignore (default: soft)"},
		&cli.StringSliceFlag{Name: "empty-ns", Usage: "namespace CRIU creates empty rather than saved and restored (network)"},
		&cli.BoolFlag{Name: "auto-dedup", Usage: "deduplicate memory images"},
	}
}

// criuOptions resolves the CRIU flags that `checkpoint` and `restore`
// have; a flag the command lacks reads as its zero value, as in runc.
func criuOptions(c *cli.Context, g *globalOptions) (linux.Criu, error) {
	image := c.String("image-path")
	if image == "" {
		// runc's default: ./checkpoint
		image = "checkpoint"
	}
	// Absolute from the start: libcontainer opens them long after, and
	// the error messages name them.
	image, err := filepath.Abs(image)
	if err != nil {
		return linux.Criu{}, fmt.Errorf("--image-path: %w", err)
	}
	work := c.String("work-path")
	if work != "" {
		if work, err = filepath.Abs(work); err != nil {
			return linux.Criu{}, fmt.Errorf("--work-path: %w", err)
		}
	}
	ps, err := linux.CriuPageServer(c.String("page-server"))
	if err != nil {
		return linux.Criu{}, err
	}
	emptyNs, err := linux.CriuEmptyNamespaces(c.StringSlice("empty-ns"))
	if err != nil {
		return linux.Criu{}, err
	}
	statusFd := -1
	if c.IsSet("status-fd") {
		statusFd = c.Int("status-fd")
	}
	if os.Geteuid() != 0 {
		// CRIU may still work with CAP_CHECKPOINT_RESTORE; runc tries too.
		logrus.Warnf("hull %s is untested without root", c.Command.Name)
	}
	return linux.Criu{
		Path: g.criu,
		Opts: libcontainer.CriuOpts{
			ImagesDirectory:         image,
			WorkDirectory:           work,
			ParentImage:             c.String("parent-path"),
			LeaveRunning:            c.Bool("leave-running"),
			TcpEstablished:          c.Bool("tcp-established"),
			TcpSkipInFlight:         c.Bool("tcp-skip-in-flight"),
			LinkRemap:               c.Bool("link-remap"),
			ExternalUnixConnections: c.Bool("ext-unix-sk"),
			ShellJob:                c.Bool("shell-job"),
			FileLocks:               c.Bool("file-locks"),
			PreDump:                 c.Bool("pre-dump"),
			AutoDedup:               c.Bool("auto-dedup"),
			LazyPages:               c.Bool("lazy-pages"),
			StatusFd:                statusFd,
			PageServer:              ps,
			EmptyNs:                 emptyNs,
			ManageCgroupsMode:       c.String("manage-cgroups-mode"),
			LsmProfile:              c.String("lsm-profile"),
			LsmMountContext:         c.String("lsm-mount-context"),
		},
	}, nil
}
