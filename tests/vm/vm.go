package vm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Share is a host directory that the guest mounts over 9p.
type Share struct {
	Host     string // absolute host path
	Guest    string // absolute guest path
	ReadOnly bool
}

// ParseShare reads HOST[:GUEST][:ro|:rw]; GUEST defaults to HOST, so that
// paths built on the host (HULL_BINARY=...) hold in the guest too.
func ParseShare(s string) (Share, error) {
	parts := strings.Split(s, ":")
	sh := Share{}
	if n := len(parts); n > 1 && (parts[n-1] == "ro" || parts[n-1] == "rw") {
		sh.ReadOnly = parts[n-1] == "ro"
		parts = parts[:n-1]
	}
	switch len(parts) {
	case 1:
		sh.Host, sh.Guest = parts[0], parts[0]
	case 2:
		sh.Host, sh.Guest = parts[0], parts[1]
	default:
		return Share{}, fmt.Errorf("share %q: want HOST[:GUEST][:ro|:rw]", s)
	}
	if sh.Host == "" || sh.Guest == "" {
		return Share{}, fmt.Errorf("share %q: want HOST[:GUEST][:ro|:rw]", s)
	}
	host, err := filepath.Abs(sh.Host)
	if err != nil {
		return Share{}, fmt.Errorf("share %q: %w", s, err)
	}
	sh.Host = host
	if !filepath.IsAbs(sh.Guest) {
		return Share{}, fmt.Errorf("share %q: guest path %q is not absolute", s, sh.Guest)
	}
	if st, err := os.Stat(sh.Host); err != nil || !st.IsDir() {
		return Share{}, fmt.Errorf("share %q: %s is not a directory", s, sh.Host)
	}
	return sh, nil
}

// Config is one boot.
type Config struct {
	Image  Image
	Shares []Share
	CPUs   int // guest CPUs; 0: this machine's
	MemMiB int // guest memory; 0: 4096
	// Accel is "kvm", "tcg" (software emulation) or "" for KVM when this
	// machine can use it.
	Accel string
	// BootTimeout bounds the time from qemu's start to the command's;
	// Timeout bounds the command. Both are required.
	BootTimeout, Timeout time.Duration
	// Output receives the command's output as it comes (polled).
	Output io.Writer
	// Log receives hullvm's own messages (timings, errors).
	Log io.Writer
	// KeepConsole, when set, is where the guest's serial console log is
	// copied when the boot ends.
	KeepConsole string
}

// Result is a finished boot.
type Result struct {
	Status   int           // the command's exit status
	Boot     time.Duration // qemu start to the command's start
	Command  time.Duration // the command
	Shutdown time.Duration // the command's end to qemu's exit
	Accel    string        // kvm or tcg
}

// ErrTimeout is wrapped by Run's error when the boot or the command took
// longer than allowed.
var ErrTimeout = errors.New("timed out")

// controlTag is the 9p tag of the control share that image/hull-vm-run
// mounts; the other shares are hullvm0, hullvm1...
const controlTag = "hullvm-ctl"

// pollEvery is how often Run looks at the control share.
const pollEvery = 250 * time.Millisecond

// shutdownGrace is how long the guest may take to power off after the
// command before qemu is killed (the overlay is thrown away either way).
const shutdownGrace = 30 * time.Second

// Run boots cfg.Image on a fresh overlay, runs script (a shell script) in
// the guest as root with the shares mounted, and powers off. It returns
// when qemu has exited; the qemu process is killed on any error, timeout
// or cancellation of ctx, and its temporary directory is removed. With
// an empty script the guest's console is attached to this terminal
// instead and the guest stays up until it is powered off (hullvm shell).
func Run(ctx context.Context, cfg Config, script string) (res Result, err error) {
	if cfg.BootTimeout <= 0 || cfg.Timeout <= 0 {
		return res, errors.New("vm: BootTimeout and Timeout are required")
	}
	if cfg.Output == nil {
		cfg.Output = io.Discard
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	tmp, err := os.MkdirTemp("", "hullvm-")
	if err != nil {
		return res, fmt.Errorf("vm: %w", err)
	}
	defer os.RemoveAll(tmp)
	ctl := filepath.Join(tmp, "ctl")
	overlay := filepath.Join(tmp, "overlay.qcow2")
	console := filepath.Join(tmp, "console.log")
	if cfg.KeepConsole != "" {
		defer copyFileTo(console, cfg.KeepConsole)
	}
	if err := writeControl(ctl, cfg.Shares, script); err != nil {
		return res, err
	}
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", cfg.Image.Rootfs, overlay).CombinedOutput(); err != nil {
		return res, fmt.Errorf("vm: qemu-img create overlay of %s: %v: %s", cfg.Image.Rootfs, err, bytes.TrimSpace(out))
	}

	interactive := script == ""
	var kvm bool
	switch cfg.Accel {
	case "":
		kvm = kvmUsable()
	case "kvm", "tcg":
		kvm = cfg.Accel == "kvm"
	default:
		return res, fmt.Errorf("vm: accelerator %q: want kvm, tcg or empty (kvm when usable)", cfg.Accel)
	}
	args, accel := qemuArgs(cfg, ctl, overlay, console, interactive, kvm)
	res.Accel = accel
	cmd := exec.Command("qemu-system-x86_64", args...)
	var qemuErr bytes.Buffer
	if interactive {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	} else {
		cmd.Stdout, cmd.Stderr = &qemuErr, &qemuErr
	}
	// qemu dies with this process, whatever kills it; non-interactive, it
	// has its own process group, so that a terminal's ^C reaches hullvm,
	// which stops qemu and cleans up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: !interactive}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("vm: start qemu: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// stop ends qemu by its PID and waits for it: SIGTERM (qemu exits at
	// once), then SIGKILL.
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	defer stop()

	// fail stops qemu and adds what qemu and the guest's console said.
	fail := func(err error) error {
		stop()
		if s := strings.TrimSpace(qemuErr.String()); s != "" {
			err = fmt.Errorf("%w\nqemu: %s", err, s)
		}
		return fmt.Errorf("%w\nlast lines of the guest console (%s):\n%s", err, accel, tail(console, 30))
	}

	var (
		started  time.Time
		finished time.Time
		offset   int64
		ticker   = time.NewTicker(pollEvery)
	)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return res, fail(fmt.Errorf("vm: %v", ctx.Err()))
		case werr := <-exited:
			stopped = true
			offset = copyNew(filepath.Join(ctl, "output"), offset, cfg.Output)
			if interactive {
				return res, nil
			}
			if finished.IsZero() {
				if st, ok := readStatus(ctl); ok {
					// Powered off between two polls.
					finished = time.Now()
					res.Status = st
				} else {
					return res, fail(fmt.Errorf("vm: qemu exited (%v) before the command finished", werr))
				}
			}
			if res.Command == 0 && !started.IsZero() {
				res.Command = finished.Sub(started)
			}
			res.Shutdown = time.Since(finished)
			return res, nil
		case <-ticker.C:
		}
		if interactive {
			continue
		}
		if started.IsZero() {
			if _, err := os.Stat(filepath.Join(ctl, "started")); err == nil {
				started = time.Now()
				res.Boot = started.Sub(start)
				fmt.Fprintf(cfg.Log, "hullvm: booted in %s (%s)\n", round(res.Boot), accel)
			} else if time.Since(start) > cfg.BootTimeout {
				return res, fail(fmt.Errorf("vm: the guest did not start the command within %s: %w", cfg.BootTimeout, ErrTimeout))
			}
		}
		offset = copyNew(filepath.Join(ctl, "output"), offset, cfg.Output)
		if !finished.IsZero() {
			if time.Since(finished) > shutdownGrace {
				fmt.Fprintf(cfg.Log, "hullvm: the guest did not power off within %s; stopping qemu\n", shutdownGrace)
				stop()
				res.Shutdown = time.Since(finished)
				return res, nil
			}
			continue
		}
		if st, ok := readStatus(ctl); ok {
			finished = time.Now()
			res.Status = st
			if !started.IsZero() {
				res.Command = finished.Sub(started)
			}
			continue
		}
		if !started.IsZero() && time.Since(started) > cfg.Timeout {
			return res, fail(fmt.Errorf("vm: the command did not finish within %s: %w", cfg.Timeout, ErrTimeout))
		}
	}
}

// writeControl fills the control share that image/hull-vm-run reads.
func writeControl(ctl string, shares []Share, script string) error {
	if err := os.Mkdir(ctl, 0o755); err != nil {
		return fmt.Errorf("vm: %w", err)
	}
	var mounts strings.Builder
	for i, sh := range shares {
		mode := "rw"
		if sh.ReadOnly {
			mode = "ro"
		}
		fmt.Fprintf(&mounts, "%s %s %s\n", shareTag(i), sh.Guest, mode)
	}
	if err := os.WriteFile(filepath.Join(ctl, "mounts"), []byte(mounts.String()), 0o644); err != nil {
		return fmt.Errorf("vm: %w", err)
	}
	if script == "" {
		return nil
	}
	if err := os.WriteFile(filepath.Join(ctl, "cmd"), []byte(script+"\n"), 0o755); err != nil {
		return fmt.Errorf("vm: %w", err)
	}
	return nil
}

func shareTag(i int) string { return "hullvm" + strconv.Itoa(i) }

// kernelCmdline boots the image's root read-write from the virtio disk
// with the serial console, the unified cgroup hierarchy (bookworm's
// default, made explicit because it is the point of the VM) and no CPU
// vulnerability mitigations (they cost much under emulation and protect
// nothing in a throw-away guest). panic=-1 with -no-reboot makes a kernel
// panic end qemu instead of hanging until the boot timeout.
const kernelCmdline = "root=/dev/vda rw console=ttyS0 panic=-1 mitigations=off systemd.unified_cgroup_hierarchy=1 net.ifnames=0"

// qemuArgs is qemu-system-x86_64's command line for one boot.
func qemuArgs(cfg Config, ctl, overlay, console string, interactive, kvm bool) (args []string, accel string) {
	cpus, mem := cfg.CPUs, cfg.MemMiB
	if cpus <= 0 {
		cpus = defaultCPUs()
	}
	if mem <= 0 {
		mem = 4096
	}
	args = []string{"-nodefaults", "-no-user-config", "-no-reboot", "-display", "none", "-machine", "pc"}
	if kvm {
		accel = "kvm"
		args = append(args, "-accel", "kvm", "-cpu", "host")
	} else {
		// Multi-threaded TCG: one host thread per guest CPU.
		accel = "tcg"
		args = append(args, "-accel", "tcg,thread=multi", "-cpu", "max")
	}
	args = append(args,
		"-smp", strconv.Itoa(cpus), "-m", strconv.Itoa(mem),
		"-kernel", cfg.Image.Kernel, "-initrd", cfg.Image.Initrd,
		"-append", kernelCmdline,
		// cache=unsafe: the overlay is thrown away, flushes buy nothing.
		"-drive", "file="+overlay+",format=qcow2,if=virtio,cache=unsafe,discard=unmap",
		"-device", "virtio-rng-pci",
		"-nic", "none",
	)
	if interactive {
		args = append(args, "-serial", "mon:stdio")
	} else {
		args = append(args, "-serial", "file:"+console, "-monitor", "none")
	}
	// security_model=none: the guest's root writes files as the user
	// running qemu (root), with no mapping of owners.
	args = append(args, "-virtfs", "local,path="+ctl+",mount_tag="+controlTag+",security_model=none,multidevs=remap")
	for i, sh := range cfg.Shares {
		v := "local,path=" + sh.Host + ",mount_tag=" + shareTag(i) + ",security_model=none,multidevs=remap"
		if sh.ReadOnly {
			v += ",readonly=on"
		}
		args = append(args, "-virtfs", v)
	}
	return args, accel
}

// defaultCPUs is the number of CPUs this process may run on.
func defaultCPUs() int { return runtime.NumCPU() }

// kvmUsable says whether qemu can use KVM here (CI runners often have
// it). /dev/kvm is not proof: in some sandboxes it opens but the CPU has
// no virtualization extensions, and qemu aborts or the guest never runs.
func kvmUsable() bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(info), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
			return slices.Contains(strings.Fields(v), "vmx") || slices.Contains(strings.Fields(v), "svm")
		}
	}
	return false
}

// readStatus reads the command's exit status from the control share.
func readStatus(ctl string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(ctl, "status"))
	if err != nil {
		return 0, false
	}
	st, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, false
	}
	return st, true
}

// copyNew copies what was appended to path since offset to w and returns
// the new offset.
func copyNew(path string, offset int64, w io.Writer) int64 {
	f, err := os.Open(path)
	if err != nil {
		return offset
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() < offset {
		offset = 0 // rewritten from the start (hull-vm-run's mount errors)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset
	}
	n, _ := io.Copy(w, f)
	return offset + n
}

// tail is the last n lines of a file, indented, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

func copyFileTo(src, dst string) {
	if b, err := os.ReadFile(src); err == nil {
		_ = os.WriteFile(dst, b, 0o644)
	}
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
