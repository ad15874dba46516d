package linux

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	// The device cgroup controller registers itself with the cgroup
	// managers; without it libcontainer cannot apply device rules.
	_ "github.com/opencontainers/cgroups/devices"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/utils"

	"github.com/hullrt/hull/spec"
)

// DefaultRoot is where container state lives unless --root says otherwise.
const DefaultRoot = "/run/hull"

// Container is one container under a state root: its ID, its state
// directories (see layout) and, once libcontainer has made it, the
// libcontainer container. Its methods are the lifecycle operations, one
// file each (container_start_linux.go, ...). Operations that change the
// container hold its lock (see acquireLock) across the change, so that
// two hulls working on one container take turns; reads (State, List)
// take no lock.
//
// Why in package linux and not one of its own: the lifecycle is built
// from this package's stdio, terminal, hook, notify and update code; a
// package apart would need all of it exported for no other user.
type Container struct {
	l layout
	// lc is nil while libcontainer has no state for the container: its
	// create is under way or was cut short.
	lc *libcontainer.Container
	// in is the intent record; nil for a container created by an older
	// hull.
	in   *intent
	lock *stateLock
	// t gets the phases of the operations (--timings); nil when not asked.
	t *Timings
}

// SetTimings has the container's operations mark their phases in t
// (nil: none).
func (c *Container) SetTimings(t *Timings) { c.t = t }

// New names container id under root, for Launch; it touches nothing.
func New(root, id string) (*Container, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	return &Container{l: layout{root: root, id: id}}, nil
}

// validateID is spec's check, plus the one name the state layout keeps
// for itself.
func validateID(id string) error {
	if err := spec.ValidateID(id); err != nil {
		return err
	}
	if id == hullDirName {
		return fmt.Errorf("%w %q: the name is reserved for hull's own state directory; pick another", spec.ErrInvalidID, id)
	}
	return nil
}

// Open finds container id under root. The error for an unknown id
// contains "container does not exist", the words containerd and podman
// look for. A container with an intent record but no libcontainer state
// (its create under way, or cut short) is found.
func Open(root, id string) (*Container, error) {
	c, err := New(root, id)
	if err != nil {
		return nil, err
	}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

// load reads the container's state from disk afresh.
func (c *Container) load() error {
	lc, err := libcontainer.Load(c.l.root, c.l.id)
	switch {
	case errors.Is(err, libcontainer.ErrNotExist):
		lc = nil
	case err != nil:
		return fmt.Errorf("load container %q: %w", c.l.id, err)
	}
	in, err := c.l.readIntent()
	if err != nil {
		return err
	}
	if lc == nil && in == nil {
		return c.notExist()
	}
	c.lc, c.in = lc, in
	return nil
}

func (c *Container) notExist() error {
	return fmt.Errorf("%w: %q under state root %s", libcontainer.ErrNotExist, c.l.id, c.l.root)
}

// ID is the container's ID.
func (c *Container) ID() string { return c.l.id }

// Config is the container's libcontainer configuration, nil while it has
// no libcontainer state.
func (c *Container) Config() *configs.Config {
	if c.lc == nil {
		return nil
	}
	cfg := c.lc.Config()
	return &cfg
}

// Bundle is the bundle directory the container was created from, or "".
func (c *Container) Bundle() string {
	if c.lc != nil {
		b, _ := utils.SearchLabels(c.lc.Config().Labels, "bundle")
		return b
	}
	if c.in != nil {
		return c.in.Bundle
	}
	return ""
}

// lockState takes the container's lock and reloads its state, which may
// have changed while another hull held the lock. A container deleted in
// the meantime is "does not exist".
func (c *Container) lockState() error { return c.lockStateWith(c.load) }

// lockStateWith is lockState reading the state with load.
func (c *Container) lockStateWith(load func() error) error {
	lk, err := acquireLock(c.l.dir(), false)
	made := false
	if errors.Is(err, errNoLockFile) {
		// A container made by an older hull has no state directory of
		// hull's own yet; one that does not exist gets none.
		if _, serr := os.Stat(c.l.lcDir()); serr != nil {
			return c.notExist()
		}
		lk, err = acquireLock(c.l.dir(), true)
		made = true
	}
	if err != nil {
		return fmt.Errorf("container %q: %w", c.l.id, err)
	}
	c.lock = lk
	if err := load(); err != nil {
		if made && errors.Is(err, libcontainer.ErrNotExist) {
			_ = c.l.removeDir()
		}
		c.unlock()
		return err
	}
	return nil
}

func (c *Container) unlock() {
	c.lock.release()
	c.lock = nil
}

// halfCreated is the status of a container without libcontainer state.
func (c *Container) halfStatus() string { return halfStatus(c.in, procAlive) }

// notCreated is the error of an operation that needs a complete
// container. "container not running" leads: callers treat it as the end
// of a container.
func (c *Container) notCreated() error {
	return fmt.Errorf("%w: container %q was never completely created (status %s); 'hull delete --force' it", libcontainer.ErrNotRunning, c.l.id, c.halfStatus())
}

// State is the JSON that `state` and `list --format json` print: the OCI
// state plus the fields runc adds (rootfs, created, owner), with the same
// names and order, because tools parse it.
type State struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      string            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Owner       string            `json:"owner"`

	// Hull's own fields, after runc's and only when there is something
	// to say, so runc-style parsers (which ignore unknown fields) and
	// runc's output for the same container match.

	// OOMKilled says the container has stopped and the OOM killer struck
	// in it.
	OOMKilled bool `json:"oomKilled,omitempty"`
	// OOMKills counts the processes the kernel's OOM killer killed in the
	// container's memory cgroup, while the cgroup exists.
	OOMKills uint64 `json:"oomKills,omitempty"`
}

// State reports the container's state. The pid of a stopped container
// is 0: the number may already belong to another process.
//
// Query gives the same without building libcontainer's container; State
// is for a container already open for something else.
func (c *Container) State() (*State, error) {
	if c.lc == nil {
		return c.halfState(), nil
	}
	lc := c.lc
	status, err := lc.Status()
	if err != nil {
		return nil, fmt.Errorf("status of container %q: %w", lc.ID(), err)
	}
	st, err := lc.State()
	if err != nil {
		return nil, fmt.Errorf("state of container %q: %w", lc.ID(), err)
	}
	sf := &stateFile{ID: st.ID, InitProcessPid: st.InitProcessPid, Created: st.Created, CgroupPaths: st.CgroupPaths}
	sf.Config.Version, sf.Config.Rootfs, sf.Config.Labels = st.Config.Version, st.Config.Rootfs, st.Config.Labels
	return sf.state(c.l, status), nil
}

// halfState is the state of a container without libcontainer state,
// from its intent record.
func (c *Container) halfState() *State {
	return &State{
		OCIVersion: c.in.OCIVersion, ID: c.l.id, Status: c.halfStatus(),
		Bundle: c.in.Bundle, Rootfs: c.in.Rootfs, Created: c.in.Created,
		Annotations: c.in.Annotations, Owner: owner(c.l),
	}
}

// owner names the user owning a container's state directory
// (libcontainer's, or hull's before libcontainer made one), or "#uid"
// when the uid has no name.
func owner(l layout) string {
	fi, err := os.Stat(l.lcDir())
	if err != nil {
		if fi, err = os.Stat(l.dir()); err != nil {
			return ""
		}
	}
	uid := strconv.Itoa(int(fi.Sys().(*syscall.Stat_t).Uid))
	if u, err := user.LookupId(uid); err == nil {
		return u.Username
	}
	return "#" + uid
}

// List returns the state of every container under root, sorted by ID.
// A root that cannot be read is an error naming it (wrapping
// fs.ErrNotExist when it is missing: the caller decides whether that
// means "no containers yet"). Containers that vanish while being listed
// (a concurrent delete) are skipped; other problems are returned per
// container in skipped, so one broken entry does not hide the rest.
func List(root string) (states []State, skipped []error, err error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		// The *fs.PathError reads "open ROOT: ...", runc's words.
		return nil, nil, err
	}
	ids := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() && e.Name() != hullDirName {
			ids[e.Name()] = true
		}
	}
	// A container whose create was cut short has only hull's directory.
	if hulls, err := os.ReadDir(filepath.Join(root, hullDirName)); err == nil {
		for _, e := range hulls {
			if e.IsDir() {
				ids[e.Name()] = true
			}
		}
	}
	for id := range ids {
		c := &Container{l: layout{root: root, id: id}}
		st, err := c.query()
		if errors.Is(err, libcontainer.ErrNotExist) {
			continue
		}
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		states = append(states, *st)
	}
	sort.Slice(states, func(i, j int) bool { return states[i].ID < states[j].ID })
	return states, skipped, nil
}
