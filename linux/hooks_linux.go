package linux

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/hooks"
)

// runtimeHooks are the hooks hull runs instead of libcontainer:
// libcontainer runs poststart during create, before the user process
// exists, and fails the delete when a poststop hook fails; runtime-spec
// wants poststart after the process starts and poststop failures to be
// warnings.
type runtimeHooks struct {
	Poststart []specs.Hook `json:"poststart,omitempty"`
	Poststop  []specs.Hook `json:"poststop,omitempty"`
}

// takeRuntimeHooks moves poststart and poststop out of cfg, keeping the
// config.json form of them.
func takeRuntimeHooks(cfg *configs.Config, h *specs.Hooks) *runtimeHooks {
	delete(cfg.Hooks, configs.Poststart)
	delete(cfg.Hooks, configs.Poststop)
	if h == nil {
		return &runtimeHooks{}
	}
	return &runtimeHooks{Poststart: h.Poststart, Poststop: h.Poststop}
}

func (h *runtimeHooks) empty() bool { return len(h.Poststart)+len(h.Poststop) == 0 }

// save keeps the hooks in hull's state directory (hooksFile) for the
// `start` and `delete` that come later.
func (h *runtimeHooks) save(l layout) error {
	if h.empty() {
		return nil
	}
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := writeFileSync(l.file(hooksFile), data, 0o600); err != nil {
		return fmt.Errorf("save hooks of container %q: %w", l.id, err)
	}
	return nil
}

func loadRuntimeHooks(l layout) (*runtimeHooks, error) {
	h := &runtimeHooks{}
	data, err := l.readFile(hooksFile, legacyHooksFile)
	if err != nil {
		return nil, fmt.Errorf("hooks of container %q: %w", l.id, err)
	}
	if data == nil {
		return h, nil
	}
	if err := json.Unmarshal(data, h); err != nil {
		return nil, fmt.Errorf("hooks of container %q: %s: %w", l.id, hooksFile, err)
	}
	return h, nil
}

// runPoststart runs the poststart hooks once the user process runs. If
// one fails, the container's processes are killed and the hook's error
// returned; the caller then destroys the container, which runs the
// poststop hooks (runtime-spec's lifecycle, steps 9 and 12).
//
// The hooks get the state as of the moment the process started: status
// running and its pid. Read afterwards, the state of a process that has
// already exited (`true`, or any process on a loaded machine) would be
// "stopped" without a pid, and a hook could not tell which process it
// was called for. (runc 1.5 runs poststart during create, before the
// process is executed, and says "created" with the pid.)
func runPoststart(c *libcontainer.Container, h *runtimeHooks) error {
	if len(h.Poststart) == 0 {
		return nil
	}
	ls, err := c.State()
	if err != nil {
		return fmt.Errorf("state of container %q: %w", c.ID(), err)
	}
	st, err := c.OCIState()
	if err != nil {
		return fmt.Errorf("state of container %q: %w", c.ID(), err)
	}
	st.Status, st.Pid = specs.StateRunning, ls.InitProcessPid
	waitExecuted(ls.InitProcessPid)
	if err := hooks.Run(context.Background(), hooks.Poststart, h.Poststart, st); err != nil {
		_ = c.Signal(unix.SIGKILL)
		// runc's words lead: "error running poststart hook #i: ...".
		return fmt.Errorf("%w; container %q stopped", err, c.ID())
	}
	return nil
}

// initComm is the name libcontainer gives the container's init until it
// execve(2)s the user process.
const initComm = "runc:[2:INIT]"

// waitExecuted waits until the container's init pid has executed the user
// process, or has died. libcontainer's Exec returns as soon as init has
// passed the exec fifo; init then runs the startContainer hooks and only
// then calls execve(2). runtime-spec runs poststart after the user process
// is executed, so after startContainer.
func waitExecuted(pid int) {
	for {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(comm)) != initComm {
			return
		}
		// A dead init keeps its comm as a zombie until it is reaped.
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if i := strings.LastIndexByte(string(stat), ')'); err != nil || i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// wrapHooks makes libcontainer run the prestart and createRuntime hooks
// through `hull hook`, which enforces their timeouts on the whole process
// group and does not wait for output a leftover child holds.
//
// createContainer and startContainer hooks are left to libcontainer: they
// run in the container's namespaces, and a PID namespace shared with
// other containers (a pod) would let their processes reach a running
// hull's /proc/PID/exe, the unsealed host binary; libcontainer only ever
// runs a sealed copy of itself there. The hooks of the runtime namespace
// are no more exposed than hull itself.
func wrapHooks(cfg *configs.Config, h *specs.Hooks) error {
	if h == nil {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find hull's own binary to run hooks: %w", err)
	}
	wrap := func(name configs.HookName, list []specs.Hook) {
		if len(list) == 0 {
			return
		}
		var out configs.HookList
		for _, hk := range list {
			args := []string{"hull", "hook"}
			if hk.Timeout != nil {
				args = append(args, "--timeout", strconv.Itoa(*hk.Timeout))
			}
			args = append(args, "--", hk.Path)
			if len(hk.Args) > 0 {
				args = append(args, hk.Args...)
			} else {
				args = append(args, hk.Path)
			}
			out = append(out, configs.NewCommandHook(&configs.Command{Path: self, Args: args, Env: hk.Env}))
		}
		cfg.Hooks[name] = out
	}
	if cfg.Hooks == nil {
		cfg.Hooks = configs.Hooks{}
	}
	wrap(configs.Prestart, h.Prestart) //nolint:staticcheck // deprecated, still run
	wrap(configs.CreateRuntime, h.CreateRuntime)
	return nil
}
