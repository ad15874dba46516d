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

// Load opens the container id under root. The error for an unknown id
// contains "container does not exist", the words containerd and podman
// look for.
func Load(root, id string) (*libcontainer.Container, error) {
	if err := spec.ValidateID(id); err != nil {
		return nil, err
	}
	c, err := libcontainer.Load(root, id)
	if err != nil {
		if errors.Is(err, libcontainer.ErrNotExist) {
			return nil, fmt.Errorf("%w: %q under state root %s", libcontainer.ErrNotExist, id, root)
		}
		return nil, fmt.Errorf("load container %q: %w", id, err)
	}
	return c, nil
}

// Create registers a new container under root. It does not start
// anything; on error nothing is left under root.
func Create(root, id string, cfg *configs.Config) (*libcontainer.Container, error) {
	if err := spec.ValidateID(id); err != nil {
		return nil, err
	}
	c, err := libcontainer.Create(root, id, cfg)
	if err != nil {
		// libcontainer checks for the state directory, then makes it: a
		// concurrent create of the same ID fails the mkdir with EEXIST.
		if errors.Is(err, libcontainer.ErrExist) || errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("container with given ID already exists: %q (state root %s); pick another ID or 'hull delete' it first", id, root)
		}
		return nil, fmt.Errorf("create container %q: %w", id, err)
	}
	return c, nil
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

// StateOf reports the state of a loaded container. The pid of a stopped
// container is 0: the number may already belong to another process.
func StateOf(c *libcontainer.Container, owner string) (*State, error) {
	status, err := c.Status()
	if err != nil {
		return nil, fmt.Errorf("status of container %q: %w", c.ID(), err)
	}
	st, err := c.State()
	if err != nil {
		return nil, fmt.Errorf("state of container %q: %w", c.ID(), err)
	}
	pid := st.BaseState.InitProcessPid
	if status == libcontainer.Stopped {
		pid = 0
	}
	bundle, annotations := utils.Annotations(st.Config.Labels)
	s := &State{
		OCIVersion:  st.Config.Version,
		ID:          st.ID,
		Pid:         pid,
		Status:      status.String(),
		Bundle:      bundle,
		Rootfs:      st.Config.Rootfs,
		Created:     st.Created,
		Annotations: annotations,
		Owner:       owner,
	}
	withOOM(s, st.CgroupPaths)
	return s, nil
}

// Owner names the user owning a container's state directory, or "#uid"
// when the uid has no name.
func Owner(root, id string) string {
	fi, err := os.Stat(filepath.Join(root, id))
	if err != nil {
		return ""
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
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := libcontainer.Load(root, e.Name())
		if err != nil {
			if errors.Is(err, libcontainer.ErrNotExist) {
				continue
			}
			skipped = append(skipped, fmt.Errorf("container %q: %w", e.Name(), err))
			continue
		}
		st, err := StateOf(c, Owner(root, e.Name()))
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		states = append(states, *st)
	}
	sort.Slice(states, func(i, j int) bool { return states[i].ID < states[j].ID })
	return states, skipped, nil
}
