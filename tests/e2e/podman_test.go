//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hullrt/hull/tests/internal/sysproc"
)

// podImage is the busybox image imported into podman's storage.
const podImage = "localhost/hull-e2e/busybox:latest"

// podmanEnv is podman pointed at hull with every path in a temp dir:
// containers.conf, storage.conf and registries.conf through
// CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and CONTAINERS_REGISTRIES_CONF;
// graph root, run root, tmp dir, events log, CNI config and file locks all
// under dir. Containers get the cgroup parent /<tag> (cgroupfs manager),
// or with the systemd manager (see systemdCgroups) the slice <tag>.slice.
type podmanEnv struct {
	dir      string
	env      []string
	cgParent string
	// cgDir is cgParent's path in the cgroup hierarchies.
	cgDir string
	// Global paths podman writes to whatever its configuration says (the
	// blob-info cache, shm locks...): what is new there is removed.
	before map[string]map[string]bool
}

// podmanGlobals are the places podman may write outside its configured
// roots.
var podmanGlobals = []string{"/var/lib/containers", "/run/containers", "/run/libpod", "/dev/shm", "/run/netns", "/etc/cni/net.d", "/run/podman",
	// podman gives the runtime no --root: hull keeps its state in its default.
	"/run/hull"}

func startPodman(t *testing.T) *podmanEnv {
	t.Helper()
	need(t, "podman", "conmon", "catatonit")
	dir := filepath.Join(workDir, "podman")
	p := &podmanEnv{dir: dir, cgParent: "/" + tag, cgDir: "/" + tag, before: map[string]map[string]bool{}}
	manager := "cgroupfs"
	if systemdCgroups() {
		manager, p.cgParent, p.cgDir = "systemd", tag+".slice", "/"+tag+".slice"
	}
	for _, g := range podmanGlobals {
		m, ok := listTree(g)
		if !ok {
			m = nil
		}
		p.before[g] = m
	}
	t.Cleanup(func() { p.stop(t) })
	for _, d := range []string{"storage", "run", "tmp", "cni", "conf"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o711); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`# containers.conf for hull's end-to-end tests (tests/e2e).
[containers]
# podman's defaults for root (NOFILE 1048576, NPROC 1048576) are above
# this host's hard limits (NOFILE 20000; NPROC 32768 once podman and conmon
# have run) and raising a hard limit needs CAP_SYS_RESOURCE, which the
# bounding set lacks: every container would fail to start, with runc too.
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
init_path = "/usr/bin/catatonit"
netns = "none"
log_driver = "k8s-file"

[engine]
cgroup_manager = %q
events_logger = "file"
events_logfile_path = %q
tmp_dir = %q
static_dir = %q
volume_path = %q
lock_type = "file"
helper_binaries_dir = ["/usr/libexec/podman", "/usr/lib/podman", "/usr/bin"]
runtime = "hull"
# podman decides by the runtime's name whether it may pass
# --log-format=json, run containers without cgroups, or use KVM. The
# no-cgroups key is singular in the code of podman 4.3 (containers/common
# 0.50), although its documentation spells it runtime_supports_nocgroups.
runtime_supports_json = ["hull"]
runtime_supports_nocgroup = ["hull"] # only to test hull's refusal, see cgroups-disabled
runtime_supports_kvm = []

[engine.runtimes]
hull = [%q]

[network]
network_backend = "cni"
cni_plugin_dirs = ["/usr/lib/cni"]
network_config_dir = %q
`, manager, filepath.Join(dir, "events.log"), filepath.Join(dir, "tmp"), filepath.Join(dir, "storage", "libpod"),
		filepath.Join(dir, "storage", "volumes"), hullBin, filepath.Join(dir, "cni"))
	storage := fmt.Sprintf("[storage]\ndriver = \"overlay\"\ngraphroot = %q\nrunroot = %q\n",
		filepath.Join(dir, "storage"), filepath.Join(dir, "run"))
	files := map[string]string{
		"conf/containers.conf": conf,
		"conf/storage.conf":    storage,
		"conf/registries.conf": "unqualified-search-registries = []\n",
		"conf/policy.json":     `{"default":[{"type":"insecureAcceptAnything"}]}` + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.env = []string{
		"CONTAINERS_CONF=" + filepath.Join(dir, "conf", "containers.conf"),
		"CONTAINERS_STORAGE_CONF=" + filepath.Join(dir, "conf", "storage.conf"),
		"CONTAINERS_REGISTRIES_CONF=" + filepath.Join(dir, "conf", "registries.conf"),
		// NOTIFY_SOCKET must only reach podman in the sdnotify test.
		"NOTIFY_SOCKET=",
	}

	if r := p.podman("info", "--format", "{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}} {{.Store.GraphRoot}} {{.Host.CgroupManager}}"); r.Code != 0 ||
		strings.TrimSpace(r.Stdout) != "hull "+hullBin+" "+filepath.Join(dir, "storage")+" "+manager {
		t.Fatalf("podman info: want runtime hull at %s, graph root in %s and the %s cgroup manager:\n%s", hullBin, dir, manager, r)
	}
	tarball, err := rootfsTar()
	if err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(dir, "rootfs.tar")
	if err := os.WriteFile(tarPath, tarball, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := p.podman("import", "--change", `CMD ["sh"]`, "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		tarPath, podImage); r.Code != 0 {
		t.Fatalf("podman import:\n%s", r)
	}
	return p
}

func (p *podmanEnv) podmanOpts(o cmdOpts, args ...string) result {
	o.Env = append(append([]string{}, p.env...), o.Env...)
	return runCmd(o, "podman", p.withParent(args)...)
}

func (p *podmanEnv) podman(args ...string) result { return p.podmanOpts(cmdOpts{}, args...) }

// withParent puts containers and pods under this run's cgroup parent so that
// cleanup finds them (podman's default is /libpod_parent).
func (p *podmanEnv) withParent(args []string) []string {
	if len(args) == 0 {
		return args
	}
	sub := args[0]
	if sub == "pod" && len(args) > 1 && args[1] == "create" {
		return append([]string{"pod", "create", "--cgroup-parent", p.cgParent}, args[2:]...)
	}
	if sub != "run" && sub != "create" {
		return args
	}
	for _, a := range args {
		if a == "--pod" || strings.HasPrefix(a, "--pod=") || a == "--cgroups" || strings.HasPrefix(a, "--cgroups=") {
			return args // the pod's parent applies, or there is no cgroup
		}
	}
	return append([]string{sub, "--cgroup-parent", p.cgParent}, args[1:]...)
}

func (p *podmanEnv) ok(t *testing.T, args ...string) result {
	t.Helper()
	r := p.podman(args...)
	if r.Code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	return r
}

// container registers name for removal at the end of the test and, when
// the test failed, logs hull's log for it (podman gives hull
// --log <runroot>/overlay-containers/<id>/userdata/oci-log).
func (p *podmanEnv) container(t *testing.T, name string) {
	t.Cleanup(func() {
		if t.Failed() {
			if r := p.podman("inspect", "-f", "{{.Id}}", name); r.Code == 0 {
				id := strings.TrimSpace(r.Stdout)
				log := filepath.Join(p.dir, "run", "overlay-containers", id, "userdata", "oci-log")
				t.Logf("hull log (%s):\n%s", log, sysproc.Indent(readTrim(log)))
			}
		}
		p.podman("rm", "-f", "-t", "0", name)
	})
}

// inspect returns `podman inspect -f format name`.
func (p *podmanEnv) inspect(t *testing.T, name, format string) string {
	t.Helper()
	return strings.TrimSpace(p.ok(t, "inspect", "-f", format, name).Stdout)
}

func (p *podmanEnv) waitState(t *testing.T, name, want string) {
	t.Helper()
	var got string
	if !eventually(15*time.Second, func() bool {
		got = strings.TrimSpace(p.podman("inspect", "-f", "{{.State.Status}}", name).Stdout)
		return got == want
	}) {
		t.Fatalf("container %s: want state %s, got %q", name, want, got)
	}
}

// cgroupOf returns the v1 cgroup path of pid for controller.
func cgroupOf(pid int, controller string) string {
	v2 := cgroupV2()
	for _, l := range strings.Split(readTrim(fmt.Sprintf("/proc/%d/cgroup", pid)), "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) == 3 && v2 && f[0] == "0" {
			return f[2]
		}
		if len(f) == 3 {
			for _, c := range strings.Split(f[1], ",") {
				if c == controller {
					return f[2]
				}
			}
		}
	}
	return ""
}

func (p *podmanEnv) stop(t *testing.T) {
	var left []string
	if _, err := os.Stat(filepath.Join(p.dir, "conf", "containers.conf")); err == nil {
		p.podman("pod", "rm", "-a", "-f", "-t", "0")
		p.podman("rm", "-a", "-f", "-t", "0")
		// Unmounts the image layers and shm mounts podman keeps.
		p.podman("system", "prune", "-a", "-f")
	}
	left = append(left, killProcs(func(pr sysproc.Proc, args string) bool {
		return strings.Contains(args, p.dir)
	})...)
	if systemdCgroups() {
		// The slice that podman's scopes made; stopping it stops what is
		// left in it.
		runCmd(cmdOpts{}, "systemctl", "stop", p.cgParent)
	}
	for _, d := range cgroupDirs(p.cgDir) {
		for _, l := range removeCgroupTree(d) {
			// A container's own cgroup (libpod-<id>) or a process is a leak.
			// podman keeps the parent, conmon's cgroup and, in the
			// hierarchies it does not manage (name=systemd, unified), a
			// pod's cgroup: the same with runc.
			if strings.HasPrefix(l, "process ") || strings.Contains(l, "/libpod-") {
				left = append(left, l)
			}
		}
	}
	// Podman may also use its default parent for a conmon.
	for _, d := range cgroupDirs("/libpod_parent") {
		if p.createdCgroup(d) {
			removeCgroupTree(d)
		}
	}
	for _, m := range unmountUnder(p.dir) {
		if !strings.Contains(m, "/overlay") && !strings.HasSuffix(m, "/shm") {
			left = append(left, m)
		}
	}
	for _, g := range podmanGlobals {
		before := p.before[g]
		after, ok := listTree(g)
		if !ok {
			continue
		}
		if before == nil {
			os.RemoveAll(g)
			continue
		}
		for path := range after {
			if !before[path] {
				os.RemoveAll(path)
			}
		}
	}
	reaper.Reap()
	if len(left) > 0 {
		t.Errorf("podman fixture: left behind (removed now):\n\t%s", strings.Join(left, "\n\t"))
	}
	if err := os.RemoveAll(p.dir); err != nil {
		t.Errorf("remove %s: %v", p.dir, err)
	}
}

// createdCgroup is true for /libpod_parent dirs made during this run (the
// host had none before: none of its processes live there).
func (p *podmanEnv) createdCgroup(d string) bool {
	st, err := os.Stat(d)
	return err == nil && time.Since(st.ModTime()) < time.Hour && readTrim(filepath.Join(d, "cgroup.procs")) == ""
}

func hostCapBnd() string {
	for _, l := range strings.Split(readTrim("/proc/self/status"), "\n") {
		if strings.HasPrefix(l, "CapBnd:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "CapBnd:"))
		}
	}
	return ""
}

func TestPodman(t *testing.T) {
	p := startPodman(t)
	n := 0
	newName := func(t *testing.T) string {
		n++
		name := containerName("p", n, t)
		p.container(t, name)
		return name
	}
	hostNS := func(ns string) string { s, _ := os.Readlink("/proc/self/ns/" + ns); return s }

	t.Run("run", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, podImage, "echo", "hello from hull")
		if strings.TrimSpace(r.Stdout) != "hello from hull" {
			t.Errorf("want %q:\n%s", "hello from hull", r)
		}
	})

	t.Run("exit-code", func(t *testing.T) {
		name := newName(t)
		if r := p.podman("run", "--rm", "--name", name, podImage, "sh", "-c", "exit 7"); r.Code != 7 {
			t.Errorf("want exit 7:\n%s", r)
		}
	})

	t.Run("error-missing-executable", func(t *testing.T) {
		name := newName(t)
		r := p.podman("run", "--rm", "--name", name, podImage, "/no/such/binary")
		if r.Code != 127 {
			t.Errorf("want podman's exit 127 for a missing executable:\n%s", r)
		}
		mustContain(t, "podman's error", r.Stderr, "hull:", "/no/such/binary")
	})

	t.Run("stdin", func(t *testing.T) {
		name := newName(t)
		r := p.podmanOpts(cmdOpts{Stdin: strings.NewReader("line one\nline two\n")}, "run", "--rm", "-i", "--name", name, podImage, "sh", "-c", "cat; echo done")
		if r.Code != 0 || r.Stdout != "line one\nline two\ndone\n" {
			t.Errorf("want stdin echoed back:\n%s", r)
		}
	})

	t.Run("tty", func(t *testing.T) {
		name := newName(t)
		r := runPTY(cmdOpts{Env: p.env}, "podman", p.withParent([]string{"run", "--rm", "-t", "--name", name, podImage, "sh", "-c", "tty; stty size; exit 3"})...)
		if r.Code != 3 {
			t.Errorf("want exit 3:\n%s", r)
		}
		mustContain(t, "podman run -t", r.Stdout, "/dev/pts/0", "24 80")
	})

	t.Run("detached", func(t *testing.T) {
		name := newName(t)
		p.ok(t, "run", "-d", "--name", name, podImage, "sleep", "1000")
		p.waitState(t, name, "running")
		pid, _ := strconv.Atoi(p.inspect(t, name, "{{.State.Pid}}"))
		if pid <= 0 {
			t.Fatalf("no pid for %s", name)
		}
		// conmon drives hull: its command line names the runtime.
		var conmonArgs string
		for _, pr := range sysproc.Procs() {
			if pr.Comm == "conmon" && strings.Contains(cmdline(pr.PID), name) {
				conmonArgs = cmdline(pr.PID)
			}
		}
		if !strings.Contains(conmonArgs, "-r "+hullBin) {
			t.Errorf("conmon for %s does not run hull (-r %s): %q", name, hullBin, conmonArgs)
		}
		if !strings.Contains(conmonArgs, "--log-format=json") {
			t.Errorf("podman does not give hull --log-format=json (runtime_supports_json): %q", conmonArgs)
		}

		t.Run("exec", func(t *testing.T) {
			r := p.ok(t, "exec", name, "sh", "-c", "echo exec-ok; cat /proc/1/cmdline")
			mustContain(t, "exec", r.Stdout, "exec-ok", "sleep")
		})
		t.Run("exec-exit-code", func(t *testing.T) {
			if r := p.podman("exec", name, "sh", "-c", "exit 5"); r.Code != 5 {
				t.Errorf("want exit 5:\n%s", r)
			}
		})
		t.Run("exec-missing", func(t *testing.T) {
			r := p.podman("exec", name, "/no/such/binary")
			if r.Code != 127 {
				t.Errorf("want exit 127:\n%s", r)
			}
		})
		t.Run("exec-detach", func(t *testing.T) {
			p.ok(t, "exec", "-d", name, "sh", "-c", "echo detached > /tmp/exec-d")
			if !eventually(10*time.Second, func() bool {
				return strings.TrimSpace(p.podman("exec", name, "cat", "/tmp/exec-d").Stdout) == "detached"
			}) {
				t.Errorf("podman exec -d did not run its command")
			}
		})
		t.Run("exec-user-env-workdir", func(t *testing.T) {
			r := p.ok(t, "exec", "--user", "nobody", "--env", "FOO=bar", "--workdir", "/tmp", name, "sh", "-c", `id -u; id -g; echo "$FOO"; pwd`)
			if got := strings.Fields(r.Stdout); len(got) != 4 || got[0] != "65534" || got[1] != "65534" || got[2] != "bar" || got[3] != "/tmp" {
				t.Errorf("want 65534 65534 bar /tmp:\n%s", r)
			}
		})
		t.Run("exec-tty", func(t *testing.T) {
			r := runPTY(cmdOpts{Env: p.env}, "podman", "exec", "-t", name, "sh", "-c", "tty; stty size")
			if r.Code != 0 {
				t.Errorf("want exit 0:\n%s", r)
			}
			mustContain(t, "podman exec -t", r.Stdout, "/dev/pts/", "24 80")
		})
		t.Run("top", func(t *testing.T) {
			r := p.ok(t, "top", name)
			mustContain(t, "podman top", r.Stdout, "sleep 1000")
		})
		t.Run("pause-unpause", func(t *testing.T) {
			p.ok(t, "pause", name)
			p.waitState(t, name, "paused")
			w := cgFile{"freezer", "freezer.state", "FROZEN"}
			if cgroupV2() {
				w = cgFile{"", "cgroup.freeze", "1"}
			}
			if st := readTrim(cgroupFilePath(cgroupOf(pid, w.ctrl), w.ctrl, w.file)); st != w.want {
				t.Errorf("%s: want %s, got %q", w.file, w.want, st)
			}
			p.ok(t, "unpause", name)
			p.waitState(t, name, "running")
			p.ok(t, "exec", name, "true")
		})
		t.Run("stats", func(t *testing.T) {
			r := p.ok(t, "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", name)
			mustContain(t, "podman stats", r.Stdout, name)
		})
		t.Run("update", func(t *testing.T) {
			// Needs `hull update`.
			r := p.podman("update", "--memory", "96m", "--cpus", "0.75", name)
			if r.Code != 0 {
				t.Fatalf("podman update:\n%s", r)
			}
			want := []cgFile{{"memory", "memory.limit_in_bytes", "100663296"}, {"cpu", "cpu.cfs_quota_us", "75000"}}
			if cgroupV2() {
				want = []cgFile{{"", "memory.max", "100663296"}, {"", "cpu.max", "75000 100000"}}
			}
			for _, w := range want {
				if got := readTrim(cgroupFilePath(cgroupOf(pid, w.ctrl), w.ctrl, w.file)); got != w.want {
					t.Errorf("%s after update: want %s, got %q", w.file, w.want, got)
				}
			}
		})
		t.Run("restart", func(t *testing.T) {
			p.ok(t, "restart", "-t", "0", name)
			p.waitState(t, name, "running")
			newPid, _ := strconv.Atoi(p.inspect(t, name, "{{.State.Pid}}"))
			if newPid <= 0 || newPid == pid {
				t.Errorf("restart: want a new pid, had %d, got %d", pid, newPid)
			}
			pid = newPid
		})
		t.Run("kill", func(t *testing.T) {
			p.ok(t, "kill", "-s", "KILL", name)
			p.waitState(t, name, "exited")
			if code := p.inspect(t, name, "{{.State.ExitCode}}"); code != "137" {
				t.Errorf("exit code after SIGKILL: want 137, got %s", code)
			}
		})
	})

	t.Run("stop-term-trap", func(t *testing.T) {
		name := newName(t)
		p.ok(t, "run", "-d", "--name", name, podImage, "sh", "-c", "trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.1; done")
		if !eventually(10*time.Second, func() bool { return strings.Contains(p.podman("logs", name).Stdout, "ready") }) {
			t.Fatalf("container never got ready:\n%s", p.podman("logs", name))
		}
		start := time.Now()
		p.ok(t, "stop", "-t", "20", name)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("stop took %v: the TERM trap did not run (podman waited for its KILL timeout)", d)
		}
		if code := p.inspect(t, name, "{{.State.ExitCode}}"); code != "42" {
			t.Errorf("exit code after stop: want 42 (from the trap), got %s", code)
		}
		mustContain(t, "logs", p.podman("logs", name).Stdout, "got-term")
	})

	t.Run("rm-force", func(t *testing.T) {
		name := newName(t)
		p.ok(t, "run", "-d", "--name", name, podImage, "sleep", "1000")
		pid, _ := strconv.Atoi(p.inspect(t, name, "{{.State.Pid}}"))
		p.ok(t, "rm", "-f", "-t", "0", name)
		if r := p.podman("inspect", name); r.Code == 0 {
			t.Errorf("container still exists after rm -f")
		}
		if pr, ok := sysproc.ReadProc(pid); ok && pr.State != 'Z' {
			t.Errorf("container process %d still alive after rm -f: %s", pid, cmdline(pid))
		}
	})

	t.Run("limits", func(t *testing.T) {
		name := newName(t)
		p.ok(t, "run", "-d", "--name", name, "--memory", "64m", "--cpus", "0.5", "--pids-limit", "42", podImage, "sleep", "1000")
		pid, _ := strconv.Atoi(p.inspect(t, name, "{{.State.Pid}}"))
		want := []cgFile{
			{"memory", "memory.limit_in_bytes", "67108864"},
			{"cpu", "cpu.cfs_quota_us", "50000"},
			{"cpu", "cpu.cfs_period_us", "100000"},
			{"pids", "pids.max", "42"},
		}
		if cgroupV2() {
			want = []cgFile{{"", "memory.max", "67108864"}, {"", "cpu.max", "50000 100000"}, {"", "pids.max", "42"}}
		}
		for _, w := range want {
			cg := cgroupOf(pid, w.ctrl)
			if !strings.HasPrefix(cg, p.cgDir+"/") {
				t.Errorf("%s cgroup of the container: want under %s, got %q", w.ctrl, p.cgDir, cg)
			}
			if got := readTrim(cgroupFilePath(cg, w.ctrl, w.file)); got != w.want {
				t.Errorf("%s%s/%s: want %s, got %q", w.ctrl, cg, w.file, w.want, got)
			}
		}
	})

	t.Run("ulimits", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, "--ulimit", "nofile=512:2048", "--ulimit", "nproc=100:200", podImage, "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -u")
		if got := strings.Fields(r.Stdout); len(got) != 3 || got[0] != "512" || got[1] != "2048" || got[2] != "100" {
			t.Errorf("want 512 2048 100:\n%s", r)
		}
		name2 := newName(t)
		r = p.ok(t, "run", "--rm", "--name", name2, podImage, "sh", "-c", "ulimit -n; ulimit -Hn")
		if got := strings.Fields(r.Stdout); len(got) != 2 || got[0] != "1024" || got[1] != "1024" {
			t.Errorf("default_ulimits nofile=1024:1024 from containers.conf: want 1024 1024:\n%s", r)
		}
	})

	t.Run("init", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--init", "--name", name, podImage, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$")
		mustContain(t, "--init", r.Stdout, "/run/podman-init")
		if f := strings.Fields(r.Stdout); len(f) == 0 || f[len(f)-1] == "1" {
			t.Errorf("with --init the command must not be PID 1:\n%s", r)
		}
	})

	t.Run("pod", func(t *testing.T) {
		pod := fmt.Sprintf("pod%d", n)
		t.Cleanup(func() { p.podman("pod", "rm", "-f", "-t", "0", pod) })
		if r := p.podman("pod", "create", "--name", pod, "--share", "ipc,uts,net", "--network", "none", "--hostname", "podhost"); r.Code != 0 {
			t.Fatalf("pod create (podman builds its pause image from catatonit):\n%s", r)
		}
		a := newName(t)
		p.ok(t, "run", "-d", "--pod", pod, "--name", a, podImage, "sleep", "1000")
		b := newName(t)
		nsOf := `for n in ipc uts net pid; do readlink /proc/self/ns/$n; done; hostname`
		ra := p.ok(t, "exec", a, "sh", "-c", nsOf)
		rb := p.ok(t, "run", "--rm", "--pod", pod, "--name", b, podImage, "sh", "-c", nsOf)
		la, lb := strings.Fields(ra.Stdout), strings.Fields(rb.Stdout)
		if len(la) != 5 || len(lb) != 5 {
			t.Fatalf("namespaces:\n%s\n%s", ra, rb)
		}
		for i, ns := range []string{"ipc", "uts", "net"} {
			if la[i] != lb[i] {
				t.Errorf("%s namespace not shared in the pod: %s vs %s", ns, la[i], lb[i])
			}
		}
		if la[3] == lb[3] {
			t.Errorf("pid namespace shared although not asked: %s", la[3])
		}
		if la[4] != "podhost" || lb[4] != "podhost" {
			t.Errorf("hostname in the pod: want podhost, got %s and %s", la[4], lb[4])
		}
	})

	t.Run("network-ns-path", func(t *testing.T) {
		nsFile := filepath.Join(p.dir, "netns-"+strconv.Itoa(n))
		if err := os.WriteFile(nsFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unmountUnder(nsFile); os.Remove(nsFile) })
		if r := runCmd(cmdOpts{}, "unshare", "--net="+nsFile, "ip", "link", "set", "lo", "up"); r.Code != 0 {
			t.Fatalf("make a network namespace:\n%s", r)
		}
		ino := statIno(nsFile)
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, "--network", "ns:"+nsFile, podImage, "readlink", "/proc/self/ns/net")
		if want := fmt.Sprintf("net:[%d]", ino); strings.TrimSpace(r.Stdout) != want {
			t.Errorf("--network ns:%s: want %s, got %q", nsFile, want, r.Stdout)
		}
	})

	t.Run("host-network", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, "--network", "host", podImage, "readlink", "/proc/self/ns/net")
		if strings.TrimSpace(r.Stdout) != hostNS("net") {
			t.Errorf("--network host: want %s, got %q", hostNS("net"), r.Stdout)
		}
	})

	t.Run("userns", func(t *testing.T) {
		name := newName(t)
		p.ok(t, "run", "-d", "--name", name, "--uidmap", "0:200000:65536", "--gidmap", "0:200000:65536", podImage, "sleep", "1000")
		pid, _ := strconv.Atoi(p.inspect(t, name, "{{.State.Pid}}"))
		r := p.ok(t, "exec", name, "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/x && echo write-ok")
		if f := strings.Fields(r.Stdout); len(f) != 8 || f[1] != "200000" || f[4] != "200000" || f[6] != "0" || f[7] != "write-ok" {
			t.Errorf("want maps 0 200000 65536, uid 0 and a writable /tmp:\n%s", r)
		}
		if st := readTrim(fmt.Sprintf("/proc/%d/status", pid)); !strings.Contains(st, "Uid:\t200000\t") {
			t.Errorf("container init on the host: want uid 200000:\n%s", st)
		}
	})

	t.Run("privileged", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, "--privileged", podImage, "sh", "-c", "grep CapEff /proc/self/status; grep Seccomp: /proc/self/status; ls /dev/kmsg")
		mustContain(t, "--privileged", r.Stdout, "CapEff:\t"+hostCapBnd(), "Seccomp:\t0", "/dev/kmsg")
	})

	t.Run("read-only-user", func(t *testing.T) {
		name := newName(t)
		r := p.podman("run", "--rm", "--name", name, "--read-only", "--user", "nobody", podImage, "sh", "-c",
			"id -u; touch /x 2>&1; echo rootfs=$?; touch /tmp/y && echo tmp-ok")
		mustContain(t, "--read-only --user nobody", r.Stdout, "65534", "Read-only file system", "rootfs=1", "tmp-ok")
	})

	t.Run("cgroupns-private", func(t *testing.T) {
		name := newName(t)
		// The memory hierarchy's line on v1, the one line (0::) on v2.
		line := "memory"
		if cgroupV2() {
			line = "0::"
		}
		r := p.ok(t, "run", "--rm", "--name", name, "--cgroupns", "private", podImage, "sh", "-c", "readlink /proc/self/ns/cgroup; grep "+line+" /proc/self/cgroup")
		f := strings.Fields(r.Stdout)
		if len(f) != 2 || f[0] == hostNS("cgroup") || !strings.HasSuffix(f[1], ":/") {
			t.Errorf("--cgroupns private: want a new cgroup namespace rooted at the container's cgroup (%s:/):\n%s", line, r)
		}
	})

	t.Run("host-pid", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, "--pid", "host", podImage, "sh", "-c", fmt.Sprintf("readlink /proc/self/ns/pid; test -d /proc/%d && echo sees-host", os.Getpid()))
		mustContain(t, "--pid host", r.Stdout, hostNS("pid"), "sees-host")
	})

	t.Run("seccomp", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, podImage, "grep", "Seccomp:", "/proc/self/status")
		mustContain(t, "default seccomp profile", r.Stdout, "Seccomp:\t2")
		name2 := newName(t)
		r = p.ok(t, "run", "--rm", "--name", name2, "--security-opt", "seccomp=unconfined", podImage, "grep", "Seccomp:", "/proc/self/status")
		mustContain(t, "seccomp=unconfined", r.Stdout, "Seccomp:\t0")
		// A profile of our own: mkdir fails with EPERM, the rest is allowed.
		profile := filepath.Join(p.dir, "seccomp-nomkdir.json")
		if err := os.WriteFile(profile, []byte(noMkdirProfile), 0o644); err != nil {
			t.Fatal(err)
		}
		name3 := newName(t)
		r = p.podman("run", "--rm", "--name", name3, "--security-opt", "seccomp="+profile, podImage, "sh", "-c", "mkdir /tmp/d; echo rc=$?; touch /tmp/f && echo touch-ok")
		mustContain(t, "custom seccomp profile", r.Stdout+r.Stderr, "Operation not permitted", "rc=1", "touch-ok")
	})

	t.Run("caps", func(t *testing.T) {
		name := newName(t)
		r := p.ok(t, "run", "--rm", "--name", name, "--cap-drop", "all", "--cap-add", "NET_RAW", "--cap-add", "SYS_ADMIN", podImage, "grep", "-E", "Cap(Eff|Bnd|Prm)", "/proc/self/status")
		// NET_RAW is bit 13, SYS_ADMIN bit 21.
		mustContain(t, "caps", r.Stdout, "CapPrm:\t0000000000202000", "CapEff:\t0000000000202000", "CapBnd:\t0000000000202000")
		name2 := newName(t)
		r = p.ok(t, "run", "--rm", "--name", name2, "--user", "nobody", "--cap-add", "NET_RAW", podImage, "grep", "CapEff", "/proc/self/status")
		// podman gives a non-root user the added capabilities as ambient
		// ones, so they are effective after exec (runc does the same).
		mustContain(t, "non-root caps", r.Stdout, "CapEff:\t0000000000002000")
	})

	t.Run("spec-features", func(t *testing.T) {
		hostDir := filepath.Join(p.dir, "vol")
		if err := os.MkdirAll(hostDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(hostDir, "f"), []byte("from-host\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			flags []string
			cmd   string
			want  []string
		}{
			{"bind-ro", []string{"-v", hostDir + ":/data:ro"}, "cat /data/f; touch /data/g 2>&1; true", []string{"from-host", "Read-only file system"}},
			{"tmpfs", []string{"--tmpfs", "/scratch:size=1m", "--mount", "type=tmpfs,dst=/t2"}, "grep -E ' /(scratch|t2) ' /proc/mounts", []string{"/scratch tmpfs", "size=1024k", "/t2 tmpfs"}},
			{"hostname", []string{"--hostname", "hullbox"}, "hostname", []string{"hullbox"}},
			{"sysctl", []string{"--sysctl", "net.ipv4.ip_forward=1"}, "cat /proc/sys/net/ipv4/ip_forward", []string{"1"}},
			{"no-new-privileges", []string{"--security-opt", "no-new-privileges"}, "grep NoNewPrivs /proc/self/status", []string{"NoNewPrivs:\t1"}},
			{"oom-score-adj", []string{"--oom-score-adj", "123"}, "cat /proc/self/oom_score_adj", []string{"123"}},
			{"device", []string{"--device", "/dev/null:/dev/mynull"}, "ls -l /dev/mynull; echo x > /dev/mynull && echo write-ok", []string{"1,   3", "write-ok"}},
			{"shm-size", []string{"--shm-size", "2m"}, "grep ' /dev/shm ' /proc/mounts", []string{"size=2048k"}},
			{"cpuset", []string{"--cpuset-cpus", "0"}, "cat /sys/fs/cgroup/cpuset/cpuset.cpus 2>/dev/null || grep Cpus_allowed_list /proc/self/status", []string{"0"}},
			{"env-workdir-user", []string{"--env", "A=b c", "--workdir", "/tmp", "--user", "65534:65534"}, `echo "$A"; pwd; id -u; id -g`, []string{"b c\n/tmp\n65534\n65534"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				name := newName(t)
				args := append([]string{"run", "--rm", "--name", name}, tc.flags...)
				r := p.podman(append(args, podImage, "sh", "-c", tc.cmd)...)
				if r.Code != 0 {
					t.Fatalf("want exit 0:\n%s", r)
				}
				mustContain(t, strings.Join(tc.flags, " "), r.Stdout, tc.want...)
			})
		}
	})

	t.Run("cgroups-disabled", func(t *testing.T) {
		// podman allows --cgroups=disabled only for runtimes listed in
		// runtime_supports_nocgroup, and then gives the runtime crun's
		// global flag `--cgroup-manager disabled`. hull does not run
		// containers without a cgroup of their own (libcontainer would
		// delete the caller's); it is listed in this test's config only to
		// check that the user gets hull's reason, not a usage error, and
		// that nothing is left.
		name := newName(t)
		r := p.podman("run", "--rm", "--name", name, "--cgroups", "disabled", podImage, "true")
		if r.Code == 0 {
			t.Fatalf("podman run --cgroups disabled: hull should refuse it:\n%s", r)
		}
		mustContain(t, "podman run --cgroups disabled", r.Stderr, "--cgroup-manager disabled is not supported")
		if strings.Contains(r.Stderr, "flag provided but not defined") {
			t.Errorf("hull does not know --cgroup-manager:\n%s", r)
		}
	})

	t.Run("preserve-fds", func(t *testing.T) {
		f, err := os.CreateTemp(p.dir, "fd3-")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString("data through fd 3\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		name := newName(t)
		r := p.podmanOpts(cmdOpts{ExtraFiles: []*os.File{f}}, "run", "--rm", "--name", name, "--preserve-fds", "1", podImage, "sh", "-c", "cat <&3")
		if r.Code != 0 || r.Stdout != "data through fd 3\n" {
			t.Errorf("want fd 3 read in the container:\n%s", r)
		}
	})

	t.Run("sdnotify-conmon", func(t *testing.T) {
		// conmon tells NOTIFY_SOCKET READY=1 and MAINPID once hull started
		// the container.
		msgs := p.sdnotify(t, "conmon", nil, "sleep", "1000")
		mustContain(t, "notifications", strings.Join(msgs, "\n"), "READY=1", "MAINPID=")
	})

	t.Run("sdnotify-container", func(t *testing.T) {
		// The container itself sends READY=1 on the socket podman passes in
		// (through the runtime: NOTIFY_SOCKET handling is the runtime's job).
		helper := buildNotifyHelper(t, p.dir)
		msgs := p.sdnotify(t, "container", []string{"-v", helper + ":/notify:ro"},
			"sh", "-c", "/notify READY=1 STATUS=from-container; sleep 1000")
		mustContain(t, "notifications", strings.Join(msgs, "\n"), "READY=1")
	})
}

// sdnotify runs a detached container with --sdnotify mode and NOTIFY_SOCKET
// set for podman, and returns the messages that reach the socket until one
// has READY=1 (or 15 seconds pass).
func (p *podmanEnv) sdnotify(t *testing.T, mode string, flags []string, argv ...string) []string {
	t.Helper()
	sock := filepath.Join(p.dir, "notify-"+mode+".sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); os.Remove(sock) })
	got := make(chan string, 16)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := conn.Read(b)
			if err != nil {
				close(got)
				return
			}
			got <- string(b[:n])
		}
	}()
	name := "sdnotify-" + mode
	p.container(t, name)
	args := append([]string{"run", "-d", "--name", name, "--sdnotify", mode}, flags...)
	args = append(append(args, podImage), argv...)
	done := make(chan result, 1)
	go func() { done <- p.podmanOpts(cmdOpts{Env: []string{"NOTIFY_SOCKET=" + sock}}, args...) }()
	var msgs []string
	timeout := time.After(15 * time.Second)
	for {
		select {
		case m, ok := <-got:
			if !ok {
				return msgs
			}
			msgs = append(msgs, m)
			if strings.Contains(m, "READY=1") {
				if r := <-done; r.Code != 0 {
					t.Errorf("podman run --sdnotify %s:\n%s", mode, r)
				}
				return msgs
			}
		case <-timeout:
			select {
			case r := <-done:
				t.Errorf("no READY=1 on NOTIFY_SOCKET within 15s (got %q); podman run:\n%s", msgs, r)
			default:
				t.Errorf("no READY=1 on NOTIFY_SOCKET within 15s (got %q); podman run has not returned", msgs)
			}
			return msgs
		}
	}
}

// buildNotifyHelper builds a static sd_notify sender for busybox
// containers, which have none.
func buildNotifyHelper(t *testing.T, dir string) string {
	t.Helper()
	// Where there is no Go (the VM of tests/vm), the integration suite's
	// sender, which does the same, comes prebuilt.
	if pre := os.Getenv("HULL_TESTDATA_BIN"); pre != "" {
		bin := filepath.Join(dir, "notify")
		data, err := os.ReadFile(filepath.Join(pre, "sdnotify"))
		if err == nil {
			err = os.WriteFile(bin, data, 0o755)
		}
		if err != nil {
			t.Fatalf("notify helper from HULL_TESTDATA_BIN: %v", err)
		}
		return bin
	}
	src := filepath.Join(dir, "notify-helper")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	prog := `package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		fmt.Fprintln(os.Stderr, "notify: NOTIFY_SOCKET is not set")
		os.Exit(1)
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
		os.Exit(1)
	}
	if _, err := c.Write([]byte(strings.Join(os.Args[1:], "\n"))); err != nil {
		fmt.Fprintln(os.Stderr, "notify:", err)
		os.Exit(1)
	}
}
`
	files := map[string]string{"main.go": prog, "go.mod": "module notify\n\ngo 1.21\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "notify")
	cmd := []string{"go", "build", "-o", bin, "."}
	r := runCmd(cmdOpts{Env: []string{"CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off"}, Dir: src}, cmd[0], cmd[1:]...)
	if r.Code != 0 {
		t.Fatalf("build the notify helper:\n%s", r)
	}
	return bin
}

func statIno(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
