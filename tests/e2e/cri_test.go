//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// Kubernetes' path: the kubelet drives containerd's CRI plugin, which runs
// every pod and container through the runc v2 shim of a runtime handler;
// here hull is that shim's BinaryName, and crictl (cri-tools, built by
// scripts/install-crictl.sh) stands in for the kubelet.

const (
	// pauseImage is the CRI plugin's sandbox_image: the pod's first
	// container, which holds its namespaces (tests/testdata/pause).
	pauseImage = "localhost/hull-e2e/pause:latest"
	// criHandler is the CRI runtime handler (a RuntimeClass's handler)
	// whose shim runs hull.
	criHandler = "hull"
	// criNamespace is the containerd namespace of everything CRI makes.
	criNamespace = "k8s.io"
)

// criEnv is a containerd of its own with the CRI plugin on, and crictl
// pointed at it.
type criEnv struct {
	*ctrd
	crictl     string
	crictlConf string
	// cgParent is the pods' linux.cgroup_parent, as the kubelet's pod
	// cgroup: a slice on a systemd host (SystemdCgroup = true, the
	// kubelet's default cgroup driver), a cgroupfs path otherwise;
	// cgDir is its path in the cgroup hierarchies.
	cgParent, cgDir string
	systemd         bool
}

func startCRI(t *testing.T) *criEnv {
	t.Helper()
	need(t)
	crictl := os.Getenv("HULL_CRICTL")
	if crictl == "" {
		var err error
		if crictl, err = exec.LookPath("crictl"); err != nil {
			t.Skip("crictl is not installed: scripts/install-crictl.sh builds it, `make e2e` passes its path in HULL_CRICTL")
		}
	}
	e := &criEnv{crictl: crictl, systemd: systemdCgroups()}
	o := ctrdOpts{name: "cri", ns: criNamespace, cri: true}
	if e.systemd {
		// Nested as the kubelet's kubepods.slice/kubepods-<qos>.slice/...
		e.cgParent = tag + "-cri.slice"
		e.cgDir = "/" + tag + ".slice/" + e.cgParent
		o.slices = []string{e.cgParent, tag + ".slice"}
	} else {
		e.cgParent = "/" + tag + "/cri"
		e.cgDir = e.cgParent
	}
	o.cgParents = []string{e.cgDir}
	o.config = func(c *ctrd) string {
		// No CNI: the pods use the host's network namespace. AppArmor is
		// off so that containerd loads no profile into the host's kernel.
		// The pause container gets oom_score_adj -998, which a process
		// without CAP_SYS_RESOURCE (this project's CI host withholds it)
		// cannot set: restrict_oom_score_adj clamps it to containerd's own.
		return fmt.Sprintf(`
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  disable_apparmor = true
  restrict_oom_score_adj = %v
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = %q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = %q
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s.options]
        BinaryName = %q
        Root = %q
        SystemdCgroup = %v
`, pauseImage, !hasCap(unix.CAP_SYS_RESOURCE), filepath.Join(c.dir, "cni", "bin"), filepath.Join(c.dir, "cni", "conf"),
			criHandler, criHandler, criHandler, c.binWrap, c.runcRoot, e.systemd)
	}
	o.images = map[string]func(string) error{
		"busybox-oci.tar": func(p string) error { return writeOCIArchive(p, ctrImage) },
		"pause-oci.tar": func(p string) error {
			pause, err := pauseProgram(filepath.Join(workDir, "cri-pause"))
			if err != nil {
				return err
			}
			return writePauseArchive(p, pauseImage, pause)
		},
	}
	e.ctrd = startContainerdWith(t, o)
	e.crictlConf = filepath.Join(e.dir, "crictl.yaml")
	conf := fmt.Sprintf("runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 60\npull-image-on-create: false\n", e.sock, e.sock)
	if err := os.WriteFile(e.crictlConf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// Runs before the daemon's stop (cleanups run last-registered first):
	// what the CRI made is removed through the CRI, as the kubelet would.
	t.Cleanup(func() {
		e.cri("rm", "-a", "-f")
		e.cri("rmp", "-a", "-f")
	})
	return e
}

// hasCap says whether this process has capability c in its effective set.
func hasCap(c int) bool {
	for _, l := range strings.Split(readTrim("/proc/self/status"), "\n") {
		if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
			set, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && set&(1<<c) != 0
		}
	}
	return false
}

// pauseProgram returns tests/testdata/pause built static, or where there
// is no Go (the VM of tests/vm) the copy built on the host.
func pauseProgram(out string) ([]byte, error) {
	if pre := os.Getenv("HULL_TESTDATA_BIN"); pre != "" {
		return os.ReadFile(filepath.Join(pre, "pause"))
	}
	r := runCmd(cmdOpts{Env: []string{"CGO_ENABLED=0"}}, "go", "build", "-o", out, "../testdata/pause")
	if r.Code != 0 {
		return nil, fmt.Errorf("build tests/testdata/pause:\n%s", r)
	}
	return os.ReadFile(out)
}

// cri runs crictl against this daemon.
func (e *criEnv) cri(args ...string) result {
	return runCmd(cmdOpts{}, e.crictl, append([]string{"--config", e.crictlConf}, args...)...)
}

// criOK runs crictl and fails the test unless it exits 0; it returns the
// output trimmed.
func (e *criEnv) criOK(t *testing.T, args ...string) string {
	t.Helper()
	r := e.cri(args...)
	if r.Code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	return strings.TrimSpace(r.Stdout)
}

// writeJSON writes v as JSON to dir/name and returns the path.
func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// cgroupOf is the cgroup (path in the hierarchies) of the CRI container
// or sandbox id: the scope cri-containerd-<id>.scope in the pod's slice,
// which containerd names <slice>:cri-containerd:<id>, or <parent>/<id>.
func (e *criEnv) cgroupOf(id string) string {
	if e.systemd {
		return e.cgDir + "/cri-containerd-" + id + ".scope"
	}
	return e.cgDir + "/" + id
}

func (e *criEnv) cgroupsPath(id string) string {
	if e.systemd {
		return e.cgParent + ":cri-containerd:" + id
	}
	return e.cgParent + "/" + id
}

// criInspect is what the tests read of `crictl inspect -o json`.
type criInspect struct {
	Status struct{ State string }
	Info   struct {
		Pid         int
		RuntimeSpec struct {
			Linux struct{ CgroupsPath string }
		}
	}
}

func TestCRI(t *testing.T) {
	e := startCRI(t)
	dir := filepath.Join(e.dir, "configs")
	if err := os.MkdirAll(filepath.Join(e.dir, "pod-logs"), 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o711); err != nil {
		t.Fatal(err)
	}

	// crictl speaks CRI v1 only: this containerd must serve it.
	mustContain(t, "crictl version", e.criOK(t, "version"), "RuntimeApiVersion:  v1")

	const memLimit = 64 << 20
	podCfg := writeJSON(t, dir, "pod.json", map[string]any{
		"metadata": map[string]any{"name": "hull-pod", "namespace": "default", "uid": tag + "-pod", "attempt": 0},
		// No hostname: the kubelet gives none to a pod in the host's
		// network (and so UTS) namespace, where runc and hull refuse one.
		"log_directory": filepath.Join(e.dir, "pod-logs"),
		"linux": map[string]any{
			"cgroup_parent": e.cgParent,
			// NODE (2): the host's network namespace, so no CNI is needed.
			"security_context": map[string]any{"namespace_options": map[string]any{"network": 2}},
		},
	})
	ctrCfg := writeJSON(t, dir, "container.json", map[string]any{
		"metadata": map[string]any{"name": "box"},
		"image":    map[string]any{"image": ctrImage},
		"command":  []string{"sleep", "1000"},
		"log_path": "box.log",
		"linux": map[string]any{
			"resources": map[string]any{"memory_limit_in_bytes": memLimit},
		},
	})

	pod := e.criOK(t, "runp", "--runtime", criHandler, podCfg)
	id := e.criOK(t, "create", pod, ctrCfg, podCfg)
	t.Cleanup(func() {
		if t.Failed() {
			for _, x := range []string{pod, id} {
				t.Logf("hull log (%s):\n%s", x, sysproc.Indent(readTrim(e.hullLog(x))))
				t.Logf("runtime calls for %s:\n%s", x, sysproc.Indent(strings.Join(e.invocations(x), "\n")))
			}
		}
	})
	e.criOK(t, "start", id)

	var in criInspect
	if !eventually(15*time.Second, func() bool {
		out := e.cri("inspect", "-o", "json", id).Stdout
		return json.Unmarshal([]byte(out), &in) == nil && in.Status.State == "CONTAINER_RUNNING"
	}) {
		t.Fatalf("container %s: want CONTAINER_RUNNING, got %q", id, in.Status.State)
	}
	pid := in.Info.Pid

	t.Run("hull-ran-them", func(t *testing.T) {
		// The sandbox (pause) and the container both went through the
		// handler's BinaryName.
		e.assertHull(t, pod, "BinaryName")
		e.assertHull(t, id, "BinaryName")
		if _, err := os.Stat(filepath.Join(e.runcRoot, criNamespace, id, "state.json")); err != nil {
			t.Errorf("hull state for %s not under the handler's Root %s: %v", id, e.runcRoot, err)
		}
	})

	t.Run("exec-sync", func(t *testing.T) {
		// ExecSync: what the kubelet's exec probes use. The pod's
		// containers share its PID namespace (the CRI's default, POD), so
		// PID 1 is the sandbox's pause: hull joined the sandbox's
		// namespaces by path.
		out := e.criOK(t, "exec", "--sync", id, "sh", "-c", "echo exec-ok; tr '\\0' ' ' </proc/1/cmdline")
		mustContain(t, "crictl exec --sync", out, "exec-ok\n/pause")
		// A failing probe fails (crictl turns every failure into exit 1).
		if r := e.cri("exec", "--sync", id, "sh", "-c", "exit 3"); r.Code == 0 {
			t.Errorf("crictl exec --sync of `exit 3`: want a failure:\n%s", r)
		}
	})

	t.Run("exec", func(t *testing.T) {
		// Streaming exec (kubectl exec): through containerd's stream
		// server. (crictl exits 1 for any failure here, so only success is
		// told apart.)
		out := e.criOK(t, "exec", id, "sh", "-c", "echo stream-ok; id -u; pidof sleep")
		mustContain(t, "crictl exec", out, "stream-ok\n0\n")
		if f := strings.Fields(out); len(f) != 3 || f[2] == "" {
			t.Errorf("crictl exec: want the container's sleep among the pod's processes:\n%s", out)
		}
	})

	t.Run("memory-limit", func(t *testing.T) {
		cg := e.cgroupOf(id)
		if got := in.Info.RuntimeSpec.Linux.CgroupsPath; got != e.cgroupsPath(id) {
			t.Errorf("linux.cgroupsPath: want %s, got %q", e.cgroupsPath(id), got)
		}
		own := readTrim(fmt.Sprintf("/proc/%d/cgroup", pid))
		if !strings.Contains(own+"\n", ":"+cg+"\n") {
			t.Errorf("/proc/%d/cgroup: want %s:\n%s", pid, cg, own)
		}
		w := cgFile{"memory", "memory.limit_in_bytes", strconv.Itoa(memLimit)}
		if cgroupV2() {
			w = cgFile{"", "memory.max", strconv.Itoa(memLimit)}
		}
		if got := hostCgroupFile(t, cg, w.ctrl, w.file); got != w.want {
			t.Errorf("%s of %s: want %s, got %q", w.file, cg, w.want, got)
		}
		if e.systemd {
			// hull's systemd driver gave the limit to the scope unit, not
			// only to its cgroup file.
			unit := "cri-containerd-" + id + ".scope"
			r := runCmd(cmdOpts{}, "systemctl", "show", "--property=ActiveState", "--property=Slice", "--property=MemoryMax", unit)
			mustContain(t, "systemctl show "+unit, r.Stdout, "ActiveState=active", "Slice="+e.cgParent, "MemoryMax="+strconv.Itoa(memLimit))
		}
	})

	t.Run("stop-remove", func(t *testing.T) {
		e.criOK(t, "stop", "--timeout", "2", id)
		e.criOK(t, "rm", id)
		e.criOK(t, "stopp", pod)
		e.criOK(t, "rmp", pod)
		if out := e.criOK(t, "ps", "-a", "-q"); out != "" {
			t.Errorf("crictl ps -a after rm: %q", out)
		}
		if out := e.criOK(t, "pods", "-q"); out != "" {
			t.Errorf("crictl pods after rmp: %q", out)
		}
		var left []string
		if entries, err := os.ReadDir(filepath.Join(e.runcRoot, criNamespace)); err == nil {
			for _, d := range entries {
				if strings.HasPrefix(d.Name(), ".") {
					continue // hull's own (.hull), not a container
				}
				left = append(left, "hull state "+filepath.Join(e.runcRoot, criNamespace, d.Name()))
			}
		}
		for _, x := range []string{pod, id} {
			for _, d := range cgroupDirs(e.cgroupOf(x)) {
				left = append(left, "cgroup "+d)
			}
			if e.systemd {
				unit := "cri-containerd-" + x + ".scope"
				r := runCmd(cmdOpts{}, "systemctl", "show", "--property=ActiveState", unit)
				if !strings.Contains(r.Stdout, "ActiveState=inactive") {
					left = append(left, fmt.Sprintf("scope unit %s: %s", unit, strings.TrimSpace(r.Stdout)))
				}
			}
		}
		if unix.Kill(pid, 0) == nil {
			if p, ok := sysproc.ReadProc(pid); ok && p.Live() {
				left = append(left, fmt.Sprintf("process %d: %s", pid, cmdline(pid)))
			}
		}
		if !eventually(5*time.Second, func() bool { return len(e.shims()) == 0 }) {
			for _, p := range e.shims() {
				left = append(left, fmt.Sprintf("shim %d: %s", p.PID, cmdline(p.PID)))
			}
		}
		for _, m := range sysproc.MountsUnder(e.dir) {
			left = append(left, "mount "+m)
		}
		if len(left) > 0 {
			t.Errorf("left behind after crictl rm and rmp:\n\t%s", strings.Join(left, "\n\t"))
		}
	})
}
