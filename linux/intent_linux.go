package linux

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/manager"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/utils"
	"golang.org/x/sys/unix"
)

// intent is what hull is about to create for a container, written
// durably before the first cgroup directory, mount, namespace or process
// exists. libcontainer's state.json only appears once the container's
// init runs; a hull killed before that would leave cgroups that nothing
// on disk names. With the intent, `delete --force` knows what to remove,
// and `state` and `list` can show the container ("creating" while its
// hull lives, then "stopped").
type intent struct {
	ID          string            `json:"id"`
	OCIVersion  string            `json:"ociVersion,omitempty"`
	Bundle      string            `json:"bundle,omitempty"`
	Rootfs      string            `json:"rootfs,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Created     time.Time         `json:"created"`
	// Hull is the hull process creating the container.
	Hull procRef `json:"hull"`
	// Init is the container's init, once it exists.
	Init   *procRef     `json:"init,omitempty"`
	Cgroup intentCgroup `json:"cgroup"`
}

// procRef names a process by pid and start time (/proc/PID/stat field
// 22, in clock ticks since boot), so that a reused pid is not mistaken for
// it.
type procRef struct {
	Pid   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// intentCgroup is the container's cgroup as libcontainer will make it:
// the path per controller (v1; "" is the one path of v2), computed the
// way libcontainer computes them, and for the systemd driver the unit
// and the fields its manager needs to stop it.
type intentCgroup struct {
	Paths map[string]string `json:"paths,omitempty"`
	// Existing are paths that existed before hull started: hull never
	// kills processes it finds there nor removes their sub-cgroups.
	Existing    []string `json:"existing,omitempty"`
	Systemd     bool     `json:"systemd,omitempty"`
	Unit        string   `json:"unit,omitempty"`
	Name        string   `json:"name,omitempty"`
	Parent      string   `json:"parent,omitempty"`
	ScopePrefix string   `json:"scopePrefix,omitempty"`
	Path        string   `json:"path,omitempty"`
	Rootless    bool     `json:"rootless,omitempty"`
}

// newIntent describes the container cfg will make, with self as the hull
// creating it.
func newIntent(id string, cfg *configs.Config, self procRef) *intent {
	bundle, annotations := utils.Annotations(cfg.Labels)
	in := &intent{
		ID: id, OCIVersion: cfg.Version, Bundle: bundle, Rootfs: cfg.Rootfs,
		Annotations: annotations, Created: time.Now().UTC(), Hull: self,
	}
	if cg := cfg.Cgroups; cg != nil {
		in.Cgroup = intentCgroup{
			Systemd: cg.Systemd, Name: cg.Name, Parent: cg.Parent,
			ScopePrefix: cg.ScopePrefix, Path: cg.Path, Rootless: cg.Rootless,
		}
		if cg.Systemd {
			in.Cgroup.Unit = unitName(cg)
		}
		// The paths are computed without creating anything. If the
		// manager cannot, libcontainer.Create fails the same way before it
		// makes anything either.
		in.Cgroup.Paths = cgroupPaths(cg)
		for _, p := range in.Cgroup.Paths {
			if _, err := os.Lstat(p); err == nil && !slices.Contains(in.Cgroup.Existing, p) {
				in.Cgroup.Existing = append(in.Cgroup.Existing, p)
			}
		}
		slices.Sort(in.Cgroup.Existing)
	}
	return in
}

// unitName is the systemd unit libcontainer's systemd driver makes: a
// scope unless the name is a slice (cgroups/systemd's getUnitName).
func unitName(cg *cgroups.Cgroup) string {
	if strings.HasSuffix(cg.Name, ".slice") {
		return cg.Name
	}
	return cg.ScopePrefix + "-" + cg.Name + ".scope"
}

func (l layout) writeIntent(in *intent) error {
	data, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("intent record of container %q: %w", l.id, err)
	}
	if err := writeFileSync(l.file(intentFile), data, 0o600); err != nil {
		return fmt.Errorf("write intent record of container %q: %w", l.id, err)
	}
	return nil
}

// readIntent returns the container's intent record, or nil when it has
// none (not created by this hull, or no container at all).
func (l layout) readIntent() (*intent, error) {
	data, err := l.readFile(intentFile, "")
	if err != nil {
		return nil, fmt.Errorf("intent record of container %q: %w", l.id, err)
	}
	if data == nil {
		return nil, nil
	}
	var in intent
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("intent record of container %q: %s: %w", l.id, l.file(intentFile), err)
	}
	return &in, nil
}

// Status words of a container that never got libcontainer state: its
// create is under way, or was cut short.
const (
	statusCreating = "creating"
	statusStopped  = "stopped"
)

// halfStatus is the status of a container with an intent record but no
// libcontainer state: "creating" while the hull that writes it lives,
// "stopped" once it is gone.
func halfStatus(in *intent, alive func(procRef) bool) string {
	if alive(in.Hull) {
		return statusCreating
	}
	return statusStopped
}

// selfRef names this process.
func selfRef() procRef {
	pid := os.Getpid()
	start, _ := procStart(pid)
	return procRef{Pid: pid, Start: start}
}

// procAlive reports whether the process p names still runs (a zombie does
// not).
func procAlive(p procRef) bool {
	if p.Pid <= 0 {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/stat")
	if err != nil {
		return false
	}
	st, err := parseStat(string(data))
	return err == nil && st.start == p.Start && st.state != 'Z' && st.state != 'X'
}

func procStart(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	st, err := parseStat(string(data))
	return st.start, err
}

type procStat struct {
	state byte
	start uint64
}

// parseStat reads the state (field 3) and start time (field 22) of a
// /proc/PID/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStat(s string) (procStat, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, errors.New("no ')' in /proc stat line")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 || len(f[0]) != 1 {
		return procStat{}, fmt.Errorf("short /proc stat line: %d fields after the name", len(f))
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("/proc stat start time %q: %w", f[19], err)
	}
	return procStat{state: f[0][0], start: start}, nil
}

// purge removes every trace the intent names that is still there: the
// container's processes (thawed first if frozen: a frozen process dies of
// SIGKILL only once thawed on cgroup v1), its cgroups in every
// controller, its systemd unit. State directories are the caller's.
func (in *intent) purge() error {
	if in.Init != nil && procAlive(*in.Init) {
		_ = unix.Kill(in.Init.Pid, unix.SIGKILL)
	}
	cg := in.Cgroup
	if len(cg.Paths) == 0 && !cg.Systemd {
		return nil
	}
	ours := map[string]string{}
	for k, p := range cg.Paths {
		if !slices.Contains(cg.Existing, p) {
			ours[k] = p
		}
	}
	m := in.manager(ours)
	if m != nil && len(ours) > 0 {
		if err := killCgroup(m, ours); err != nil {
			return fmt.Errorf("delete container %q: %w", in.ID, err)
		}
	}
	var err error
	if m != nil {
		err = m.Destroy()
	}
	// Whatever the manager did, no cgroup of ours may stay. A path that
	// existed before is only removed when it is empty, as libcontainer's
	// Destroy would.
	if rerr := cgroups.RemovePaths(ours); rerr != nil && err == nil {
		err = rerr
	}
	for _, p := range cg.Existing {
		_ = unix.Rmdir(p)
	}
	if err != nil {
		return fmt.Errorf("delete container %q: remove its cgroups: %w", in.ID, err)
	}
	return nil
}

// manager rebuilds a cgroup manager for paths; the systemd one when the
// container used systemd and systemd runs, else the cgroupfs one, which
// needs nothing but the paths.
func (in *intent) manager(paths map[string]string) cgroups.Manager {
	cg := &cgroups.Cgroup{
		Name: in.Cgroup.Name, Parent: in.Cgroup.Parent, ScopePrefix: in.Cgroup.ScopePrefix,
		Path: in.Cgroup.Path, Systemd: in.Cgroup.Systemd, Rootless: in.Cgroup.Rootless,
		Resources: &cgroups.Resources{SkipDevices: true},
	}
	if m, err := manager.NewWithPaths(cg, paths); err == nil {
		return m
	}
	cg.Systemd = false
	m, err := manager.NewWithPaths(cg, paths)
	if err != nil {
		return nil
	}
	return m
}

// killCgroup kills every process in the cgroups at paths and waits (up
// to ten seconds, like runc's delete) until they are gone. Every
// hierarchy is searched: on cgroup v1 a process killed half-way through
// joining may be in some controllers' cgroups and not in others'.
func killCgroup(m cgroups.Manager, paths map[string]string) error {
	_ = m.Freeze(cgroups.Thawed)
	for range 200 {
		var pids []int
		for _, p := range paths {
			ps, _ := cgroups.GetAllPids(p)
			pids = append(pids, ps...)
		}
		if len(pids) == 0 {
			return nil
		}
		// Each process is killed through a pidfd, so that a pid reused
		// meanwhile is not hit, and waited for on it rather than for a
		// fixed time; without pidfds (before Linux 5.3), by pid and a
		// pause.
		pause := false
		for _, pid := range pids {
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				_ = unix.Kill(pid, unix.SIGKILL)
				pause = pause || !errors.Is(err, unix.ESRCH)
				continue
			}
			if unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0) == nil {
				_, _ = waitPidfd(fd, 50*time.Millisecond)
			}
			unix.Close(fd)
		}
		if pause {
			time.Sleep(50 * time.Millisecond)
		}
	}
	return errors.New("its processes survived SIGKILL for 10s")
}
