package linux

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/spec"
)

// notifyDirInContainer is where the container finds its NOTIFY_SOCKET.
const notifyDirInContainer = "/run/notify"

// NotifySocket relays sd_notify(3) from the container to the service
// manager that started hull (runc's behaviour when NOTIFY_SOCKET is set):
// the container gets a socket of hull's, bind-mounted into it, and its
// READY=1 reaches the host's NOTIFY_SOCKET with MAINPID set to the
// container's init.
type NotifySocket struct {
	// host is the service manager's socket, from hull's environment.
	host string
	// dir is the directory on the host that holds the container's socket.
	dir    string
	socket *net.UnixConn
}

// NewNotifySocket returns nil when hull's environment has no
// NOTIFY_SOCKET.
func NewNotifySocket(root, id string) *NotifySocket {
	host := os.Getenv("NOTIFY_SOCKET")
	if host == "" {
		return nil
	}
	return &NotifySocket{host: host, dir: filepath.Join(root, id, "notify")}
}

// addTo mounts the socket's directory into the container, read-only,
// and points the process's NOTIFY_SOCKET at it. It is added after the
// pre-flight checks: the directory only exists once the container does.
func (n *NotifySocket) addTo(cfg *configs.Config, proc *spec.Process) {
	cfg.Mounts = append(cfg.Mounts, &configs.Mount{
		Source:      n.dir,
		Destination: notifyDirInContainer,
		Device:      "bind",
		Flags:       unix.MS_BIND | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV,
	})
	proc.Env = append(proc.Env, "NOTIFY_SOCKET="+notifyDirInContainer+"/notify.sock")
}

// MakeDir creates the socket's directory, inside the container's state
// directory (so delete removes it).
func (n *NotifySocket) MakeDir() error {
	if n == nil {
		return nil
	}
	if err := os.Mkdir(n.dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("notify socket directory: %w", err)
	}
	return nil
}

// Listen binds the container's socket. The path is reached through the
// directory's fd, so that long state roots and IDs do not hit the
// 108-byte limit of socket paths.
func (n *NotifySocket) Listen() error {
	if n == nil {
		return nil
	}
	dir, err := os.Open(n.dir)
	if err != nil {
		return fmt.Errorf("notify socket: %w", err)
	}
	defer dir.Close()
	path := "/proc/self/fd/" + strconv.Itoa(int(dir.Fd())) + "/notify.sock"
	_ = os.Remove(path)
	sock, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify socket %s: %w", filepath.Join(n.dir, "notify.sock"), err)
	}
	// The container's user, whoever it is, must be able to send.
	if err := os.Chmod(path, 0o777); err != nil {
		sock.Close()
		return fmt.Errorf("notify socket: %w", err)
	}
	n.socket = sock
	return nil
}

// Close stops listening.
func (n *NotifySocket) Close() {
	if n != nil && n.socket != nil {
		n.socket.Close()
	}
}

// Forward waits until the container says READY=1, or until the process
// watched (watchPid) is gone, and passes the news on to the host's
// socket with MAINPID=mainPid.
func (n *NotifySocket) Forward(ctx context.Context, watchPid, mainPid int) error {
	if n == nil || n.socket == nil {
		return nil
	}
	ready := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			size, err := n.socket.Read(buf)
			if err != nil {
				return
			}
			for _, line := range bytes.Split(buf[:size], []byte{'\n'}) {
				if bytes.HasPrefix(line, []byte("READY=")) {
					ready <- bytes.Clone(line)
					return
				}
			}
		}
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if unix.Kill(watchPid, 0) == unix.ESRCH {
				return nil
			}
		case line := <-ready:
			return n.notifyHost(line, mainPid)
		}
	}
}

func (n *NotifySocket) notifyHost(ready []byte, mainPid int) error {
	// go-systemd sends to $NOTIFY_SOCKET, which is n.host.
	sent, err := daemon.SdNotify(false, string(ready)+"\nMAINPID="+strconv.Itoa(mainPid))
	if err != nil {
		return fmt.Errorf("notify %s: %w", n.host, err)
	}
	if !sent {
		return fmt.Errorf("notify %s: the socket is not set", n.host)
	}
	return n.barrier()
}

// barrier waits until the service manager has read our messages
// (sd_notify_barrier(3)): it must see them while hull, the sender, is
// still alive, to attribute them to the right service.
func (n *NotifySocket) barrier() error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("notify barrier: %w", err)
	}
	defer unix.Close(fd)
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	err = unix.Sendmsg(fd, []byte("BARRIER=1"), unix.UnixRights(int(w.Fd())), &unix.SockaddrUnix{Name: n.host}, 0)
	w.Close()
	if err != nil {
		return fmt.Errorf("notify barrier %s: %w", n.host, err)
	}
	// The manager closes its copy of w when done; r then reads EOF.
	done := make(chan struct{})
	go func() {
		var b [1]byte
		_, _ = r.Read(b[:])
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("notify barrier: the service manager did not answer within 5s")
	}
}
