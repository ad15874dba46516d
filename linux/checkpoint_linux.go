package linux

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"
)

// Criu is how `checkpoint` and `restore` run CRIU.
type Criu struct {
	// Path is the criu binary (the global --criu); "" or "criu" means the
	// one found in PATH.
	Path string
	// Opts are libcontainer's CRIU options, from the command's flags.
	Opts libcontainer.CriuOpts

	// binDir, set by Launch for a restore, is where useCriu may put its
	// "criu" link: in the container's own state directory.
	binDir string
}

// criuBinDir is the directory, in hull's state directory of the
// container, that holds the "criu" link to a --criu binary of another
// name while CRIU runs. It lives and dies with the container: a hull
// killed meanwhile leaves it where the next checkpoint replaces it and
// `delete` removes it, never in a temporary directory nobody removes.
const criuBinDir = "criu-bin"

// The logs libcontainer asks CRIU to write, in the work directory (or the
// image directory when there is none).
const (
	dumpLog    = "dump.log"
	restoreLog = "restore.log"
	// descriptorsFile is what libcontainer writes into the image directory
	// beside CRIU's images and reads back on restore: a directory without
	// it holds no checkpoint of a container.
	descriptorsFile = "descriptors.json"
)

// Checkpoint saves the state of a running (or paused) container into
// cr.Opts.ImagesDirectory with CRIU. Unless LeaveRunning or PreDump, the
// container is then deleted, as its processes are gone.
//
// On failure the container is left as it was, running and usable; the
// error carries CRIU's own reason, read from its log. An image directory
// that Checkpoint created is removed again: half a checkpoint is only a
// trap for a later restore. A directory that already existed is left,
// with CRIU's log in it (or in the work directory), and named in the error.
func (ct *Container) Checkpoint(cr Criu) error {
	if err := ct.lockState(); err != nil {
		return err
	}
	defer ct.unlock()
	if ct.lc == nil {
		return fmt.Errorf("container %q cannot be checkpointed: %w", ct.l.id, ct.notCreated())
	}
	c := ct.lc
	status, err := c.Status()
	if err != nil {
		return fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	switch status {
	case libcontainer.Created:
		return fmt.Errorf("container %q cannot be checkpointed in created state: only a started container has processes to save; 'hull start' it first", c.ID())
	case libcontainer.Stopped:
		return fmt.Errorf("container %q cannot be checkpointed in stopped state: its processes have exited", c.ID())
	}
	o := &cr.Opts
	if err := checkCgroupsMode(o.ManageCgroupsMode); err != nil {
		return err
	}
	if o.ImagesDirectory == "" {
		return errors.New("--image-path is empty: name the directory for CRIU's images")
	}
	created, err := makeImageDir(o.ImagesDirectory)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		if created != "" {
			_ = os.RemoveAll(created)
		}
		return err
	}
	if err := checkParentPath(o.ImagesDirectory, o.ParentImage); err != nil {
		return fail(err)
	}
	undo, err := useCriu(cr.Path, ct.l.file(criuBinDir))
	if err != nil {
		return fail(err)
	}
	defer undo()

	release := holdWarnings()
	err = c.Checkpoint(o)
	release(err != nil)
	if err != nil {
		keptLog := created == "" || o.WorkDirectory != ""
		err = criuError(fmt.Sprintf("checkpoint container %q", c.ID()), err, logDir(o), dumpLog, keptLog)
		// CRIU freezes the container while it dumps; whatever failed, a
		// container that was running must be running again.
		if status == libcontainer.Running {
			if now, serr := c.Status(); serr == nil && now == libcontainer.Paused {
				_ = c.Resume()
			}
		}
		return fail(err)
	}
	if o.LeaveRunning || o.PreDump {
		return nil
	}
	// CRIU has killed the container's processes once they were saved.
	if err := ct.destroy(); err != nil {
		return fmt.Errorf("checkpoint of container %q saved in %s, but: %w", c.ID(), o.ImagesDirectory, err)
	}
	return nil
}

// checkRestore refuses, before anything is created, a restore that
// cannot work: a bad cgroup mode, or an image directory that holds no
// checkpoint. (runc creates a missing --image-path on restore, then fails
// on the empty directory; hull creates nothing.)
func (cr *Criu) checkRestore() error {
	if err := checkCgroupsMode(cr.Opts.ManageCgroupsMode); err != nil {
		return err
	}
	dir := cr.Opts.ImagesDirectory
	if dir == "" {
		return errors.New("--image-path is empty: name the directory of the checkpoint")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--image-path %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("--image-path %s: not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, descriptorsFile)); err != nil {
		return fmt.Errorf("--image-path %s holds no container checkpoint (%s: %w); pass the directory 'hull checkpoint --image-path' wrote", dir, descriptorsFile, errors.Unwrap(err))
	}
	return nil
}

// restore brings the container's init back from cr's images as p; it is
// what `restore` does where `run` starts config.json's process.
func restore(c *libcontainer.Container, p *libcontainer.Process, cr *Criu) error {
	undo, err := useCriu(cr.Path, cr.binDir)
	if err != nil {
		return err
	}
	defer undo()
	release := holdWarnings()
	err = c.Restore(p, &cr.Opts)
	release(err != nil)
	if err != nil {
		return criuError(fmt.Sprintf("restore container %q", c.ID()), err, logDir(&cr.Opts), restoreLog, true)
	}
	return nil
}

// start starts p in c: from a checkpoint for `restore`, otherwise as
// startOrRun does.
func (o LaunchOptions) start(c *libcontainer.Container, p *libcontainer.Process, started func() error) error {
	if o.Restore == nil {
		return startOrRun(c, p, o.Run, started, o.timings)
	}
	if err := restore(c, p, o.Restore); err != nil {
		return err
	}
	if started != nil {
		if err := started(); err != nil {
			kill(p)
			return err
		}
	}
	return nil
}

// CriuPageServer parses --page-server ADDRESS:PORT.
func CriuPageServer(s string) (libcontainer.CriuPageServerInfo, error) {
	if s == "" {
		return libcontainer.CriuPageServerInfo{}, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || port == "" {
		return libcontainer.CriuPageServerInfo{}, fmt.Errorf("--page-server %q: use --page-server ADDRESS:PORT to specify page server", s)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return libcontainer.CriuPageServerInfo{}, fmt.Errorf("--page-server %q: invalid port number %q: use 1 to 65535", s, port)
	}
	return libcontainer.CriuPageServerInfo{Address: host, Port: int32(n)}, nil
}

// CriuEmptyNamespaces turns --empty-ns names into CRIU's namespace mask.
// The network namespace is always in it: hull, like runc, does not manage
// network devices, so CRIU leaves the namespace for the caller to set up.
func CriuEmptyNamespaces(names []string) (uint32, error) {
	mask := uint32(unix.CLONE_NEWNET)
	for _, ns := range names {
		switch ns {
		case "network":
			mask |= unix.CLONE_NEWNET
		default:
			return 0, fmt.Errorf("--empty-ns %q: namespace %q is not supported; only network is", ns, ns)
		}
	}
	return mask, nil
}

// checkCgroupsMode accepts the --manage-cgroups-mode values CRIU knows;
// libcontainer would say only "invalid manage-cgroups-mode value", and
// only after starting CRIU.
func checkCgroupsMode(mode string) error {
	switch mode {
	case "", "soft", "full", "strict", "ignore":
		return nil
	}
	return fmt.Errorf("invalid manage-cgroups-mode value %q (--manage-cgroups-mode): use soft, full, strict or ignore", mode)
}

// makeImageDir makes the image directory and its missing parents, and
// returns the topmost directory it created ("" if dir already existed),
// which is what to remove to leave nothing behind.
func makeImageDir(dir string) (created string, err error) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, os.ErrNotExist) {
			break
		}
		created = d
		if d == filepath.Dir(d) {
			break
		}
	}
	// CRIU's images hold the container's memory: for root's eyes only.
	// (runc asks for 0600, which makes a directory nobody else can enter
	// either, and only root can use.)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		if created != "" {
			_ = os.RemoveAll(created)
		}
		return "", fmt.Errorf("--image-path %s: cannot create it: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("--image-path %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("--image-path %s: not a directory", dir)
	}
	return created, nil
}

// checkParentPath checks --parent-path, the previous pre-dump's images,
// which CRIU takes relative to the image directory.
func checkParentPath(imageDir, parent string) error {
	if parent == "" {
		return nil
	}
	if filepath.IsAbs(parent) {
		return fmt.Errorf("--parent-path must be relative to --image-path %s (as ../previous-dump), not %s", imageDir, parent)
	}
	p := filepath.Join(imageDir, parent)
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("invalid --parent-path %s: %w", parent, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("invalid --parent-path %s: %s is not a directory", parent, p)
	}
	return nil
}

// useCriu makes path the criu that libcontainer runs. libcontainer (and
// go-criu, which it uses for the version check) always runs "criu" from
// PATH, so hull puts a directory first in PATH whose "criu" is path; undo
// puts PATH back. A path not named "criu" gets a link of that name in
// linkDir, which useCriu makes afresh and undo removes. runc 1.5 dropped
// --criu for this reason; hull keeps the flag, which older callers pass.
func useCriu(path, linkDir string) (undo func(), err error) {
	nothing := func() {}
	if path == "" || path == "criu" {
		return nothing, nil
	}
	bin, err := exec.LookPath(path)
	if err != nil {
		return nothing, fmt.Errorf("--criu %s: %w", path, err)
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return nothing, fmt.Errorf("--criu %s: %w", path, err)
	}
	dir := filepath.Dir(bin)
	cleanup := nothing
	if filepath.Base(bin) != "criu" {
		if linkDir == "" {
			return nothing, fmt.Errorf("--criu %s: no directory for its \"criu\" link", path)
		}
		// What a killed hull left here goes first.
		if err := os.RemoveAll(linkDir); err != nil {
			return nothing, fmt.Errorf("--criu %s: %w", path, err)
		}
		if err := os.Mkdir(linkDir, 0o700); err != nil {
			return nothing, fmt.Errorf("--criu %s: %w", path, err)
		}
		dir = linkDir
		cleanup = func() { _ = os.RemoveAll(linkDir) }
		if err := os.Symlink(bin, filepath.Join(dir, "criu")); err != nil {
			cleanup()
			return nothing, fmt.Errorf("--criu %s: %w", path, err)
		}
	}
	old, had := os.LookupEnv("PATH")
	if err := os.Setenv("PATH", dir+string(os.PathListSeparator)+old); err != nil {
		cleanup()
		return nothing, fmt.Errorf("--criu %s: %w", path, err)
	}
	return func() {
		if had {
			_ = os.Setenv("PATH", old)
		} else {
			_ = os.Unsetenv("PATH")
		}
		cleanup()
	}, nil
}

// logDir is where CRIU writes its log: the work directory if there is one.
func logDir(o *libcontainer.CriuOpts) string {
	if o.WorkDirectory != "" {
		return o.WorkDirectory
	}
	return o.ImagesDirectory
}

// criuError adds to libcontainer's error (its words, "criu failed: type
// DUMP errno 0", come first, as runc prints them) CRIU's own reason from
// its log, and where the log is when it is kept.
func criuError(what string, err error, dir, file string, keptLog bool) error {
	if errors.Is(err, exec.ErrNotFound) || strings.Contains(err.Error(), exec.ErrNotFound.Error()) {
		return fmt.Errorf("%s: %w; install CRIU (apt-get install criu) or name it with --criu PATH", what, err)
	}
	log := filepath.Join(dir, file)
	reason := criuReason(log)
	switch {
	case reason != "" && keptLog:
		return fmt.Errorf("%s: %w: %s (CRIU's log: %s)", what, err, reason, log)
	case reason != "":
		return fmt.Errorf("%s: %w: %s", what, err, reason)
	case keptLog && fileExists(log):
		return fmt.Errorf("%s: %w (CRIU's log: %s)", what, err, log)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// criuErrorRE matches CRIU's error lines: "(00.017336) Error
// (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds".
var criuErrorRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Error \([^)]*\): (.*)$`) })

// maxReasons bounds how many of CRIU's error lines go into hull's one
// line: the first ones name the cause, the last what CRIU gave up on.
const maxReasons = 3

// criuReason returns the error lines of a CRIU log, without their time
// and source position, joined by "; "; "" if there are none.
func criuReason(log string) string {
	f, err := os.Open(log)
	if err != nil {
		return ""
	}
	defer f.Close()
	var msgs []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for s.Scan() {
		if m := criuErrorRE().FindStringSubmatch(s.Text()); m != nil {
			msg := strings.TrimSpace(m[1])
			if msg != "" && (len(msgs) == 0 || msgs[len(msgs)-1] != msg) {
				msgs = append(msgs, msg)
			}
		}
	}
	if len(msgs) > maxReasons {
		msgs = append(msgs[:maxReasons-1:maxReasons-1], "...", msgs[len(msgs)-1])
	}
	return strings.Join(msgs, "; ")
}
