package app

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/linux"
)

// TestCriuFlagsMatchRunc compares the flags of checkpoint and restore with
// runc 1.5.3's (checkpoint.go and restore.go of its module): callers pass
// them as runc spells them, and hull must have every one and no other.
func TestCriuFlagsMatchRunc(t *testing.T) {
	runc := map[string][]string{
		"checkpoint": {"image-path", "work-path", "parent-path", "leave-running", "tcp-established",
			"tcp-skip-in-flight", "link-remap", "ext-unix-sk", "shell-job", "lazy-pages", "status-fd",
			"page-server", "file-locks", "pre-dump", "manage-cgroups-mode", "empty-ns", "auto-dedup"},
		"restore": {"console-socket", "image-path", "work-path", "tcp-established", "ext-unix-sk",
			"shell-job", "file-locks", "manage-cgroups-mode", "bundle", "b", "detach", "d", "pid-file",
			"no-subreaper", "no-pivot", "empty-ns", "auto-dedup", "lazy-pages", "lsm-profile", "lsm-mount-context"},
	}
	app := New()
	for name, want := range runc {
		t.Run(name, func(t *testing.T) {
			cmd := app.Command(name)
			if cmd == nil {
				t.Fatalf("hull has no %s command", name)
			}
			var got []string
			for _, f := range cmd.Flags {
				got = append(got, f.Names()...)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("flags of hull %s:\n\thull: %v\n\trunc: %v", name, got, want)
			}
		})
	}
}

// TestCriuOptions: each CRIU flag of checkpoint and restore reaches the
// libcontainer.CriuOpts field that runc 1.5.3's criuOptions (and restore's)
// sets from it, with runc's defaults when absent.
func TestCriuOptions(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	type opts = libcontainer.CriuOpts
	for _, tc := range []struct {
		name  string
		cmd   string
		args  []string
		check func(o opts) bool
	}{
		{"defaults", "checkpoint", nil, func(o opts) bool {
			return o.ImagesDirectory == filepath.Join(cwd, "checkpoint") && o.WorkDirectory == "" && o.StatusFd == -1 &&
				o.EmptyNs == unix.CLONE_NEWNET && o.ManageCgroupsMode == "" && !o.LeaveRunning && !o.PreDump
		}},
		{"image-path relative", "checkpoint", []string{"--image-path", "img"}, func(o opts) bool { return o.ImagesDirectory == filepath.Join(cwd, "img") }},
		{"work-path", "checkpoint", []string{"--work-path", "/w"}, func(o opts) bool { return o.WorkDirectory == "/w" }},
		{"parent-path", "checkpoint", []string{"--parent-path", "../pre"}, func(o opts) bool { return o.ParentImage == "../pre" }},
		{"leave-running", "checkpoint", []string{"--leave-running"}, func(o opts) bool { return o.LeaveRunning }},
		{"pre-dump", "checkpoint", []string{"--pre-dump"}, func(o opts) bool { return o.PreDump }},
		{"tcp-established", "checkpoint", []string{"--tcp-established"}, func(o opts) bool { return o.TcpEstablished }},
		{"tcp-skip-in-flight", "checkpoint", []string{"--tcp-skip-in-flight"}, func(o opts) bool { return o.TcpSkipInFlight }},
		{"link-remap", "checkpoint", []string{"--link-remap"}, func(o opts) bool { return o.LinkRemap }},
		{"ext-unix-sk", "checkpoint", []string{"--ext-unix-sk"}, func(o opts) bool { return o.ExternalUnixConnections }},
		{"shell-job", "checkpoint", []string{"--shell-job"}, func(o opts) bool { return o.ShellJob }},
		{"file-locks", "checkpoint", []string{"--file-locks"}, func(o opts) bool { return o.FileLocks }},
		{"auto-dedup", "checkpoint", []string{"--auto-dedup"}, func(o opts) bool { return o.AutoDedup }},
		{"lazy-pages and status-fd", "checkpoint", []string{"--lazy-pages", "--status-fd", "5"}, func(o opts) bool { return o.LazyPages && o.StatusFd == 5 }},
		{"page-server", "checkpoint", []string{"--page-server", "10.0.0.1:27277"}, func(o opts) bool {
			return o.PageServer.Address == "10.0.0.1" && o.PageServer.Port == 27277
		}},
		{"manage-cgroups-mode", "checkpoint", []string{"--manage-cgroups-mode", "ignore"}, func(o opts) bool { return o.ManageCgroupsMode == "ignore" }},
		{"empty-ns network", "checkpoint", []string{"--empty-ns", "network"}, func(o opts) bool { return o.EmptyNs == unix.CLONE_NEWNET }},
		{"restore defaults", "restore", nil, func(o opts) bool {
			return o.ImagesDirectory == filepath.Join(cwd, "checkpoint") && o.EmptyNs == unix.CLONE_NEWNET && o.StatusFd == -1
		}},
		{"restore flags", "restore", []string{"--work-path", "/w", "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks",
			"--auto-dedup", "--lazy-pages", "--manage-cgroups-mode", "soft", "--lsm-profile", "apparmor:p", "--lsm-mount-context", "ctx"}, func(o opts) bool {
			return o.WorkDirectory == "/w" && o.TcpEstablished && o.ExternalUnixConnections && o.ShellJob && o.FileLocks &&
				o.AutoDedup && o.LazyPages && o.ManageCgroupsMode == "soft" && o.LsmProfile == "apparmor:p" && o.LsmMountContext == "ctx"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &globalOptions{}
			var got linux.Criu
			cmd := *New().Command(tc.cmd)
			cmd.Action = func(c *cli.Context) error {
				var err error
				got, err = criuOptions(c, g)
				return err
			}
			app := &cli.App{Commands: []*cli.Command{&cmd}}
			if err := app.Run(append([]string{"hull", tc.cmd}, append(tc.args, "ctr")...)); err != nil {
				t.Fatal(err)
			}
			if !tc.check(got.Opts) {
				t.Errorf("hull %s %v: %+v", tc.cmd, tc.args, got.Opts)
			}
		})
	}
}
