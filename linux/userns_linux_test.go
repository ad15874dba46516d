package linux

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/runc/libcontainer/configs"
	"golang.org/x/sys/unix"
)

// sleepInUserNS starts a sleep in a new user namespace with maps, or, with
// nest, in a namespace that unshare(1) makes inside that one (mapping its
// root to the outer root), and returns its pid once it is there.
func sleepInUserNS(t *testing.T, maps []syscall.SysProcIDMap, nest bool) int {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("creating user namespaces with arbitrary maps needs root")
	}
	args := []string{"sleep", "100"}
	if nest {
		if _, err := exec.LookPath("unshare"); err != nil {
			t.Skip("unshare(1) (util-linux) is needed to nest a user namespace")
		}
		args = append([]string{"unshare", "--user", "--map-root-user"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	// Credential: setuid(0) in the new namespace, or the process keeps
	// host root's ids, unmapped there, and cannot unshare a nested one.
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps, Credential: &syscall.Credential{}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	pid := cmd.Process.Pid
	// unshare execs sleep once the nested namespace is made and mapped.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.TrimSpace(string(comm)) == "sleep" {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v did not become sleep", args)
		}
	}
}

func TestUserNSMappings(t *testing.T) {
	outer := []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
	for _, tc := range []struct {
		name string
		nest bool
		want []configs.IDMap
	}{
		{"child of the host's", false, []configs.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}},
		// The nested namespace maps its 0 to the outer 0: host id 100000,
		// not 0 as its own uid_map reads from inside.
		{"nested", true, []configs.IDMap{{ContainerID: 0, HostID: 100000, Size: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid := sleepInUserNS(t, outer, tc.nest)
			path := fmt.Sprintf("/proc/%d/ns/user", pid)
			for name, read := range map[string]func(string) ([]configs.IDMap, []configs.IDMap, error){
				"UserNSMappings":        UserNSMappings,
				"enteredUserNSMappings": enteredUserNSMappings,
			} {
				uid, gid, err := read(path)
				if err != nil || fmt.Sprint(uid) != fmt.Sprint(tc.want) || fmt.Sprint(gid) != fmt.Sprint(tc.want) {
					t.Errorf("%s(%s) = %v, %v, %v; want %v for both", name, path, uid, gid, err, tc.want)
				}
			}
		})
	}
}

func TestUserNSMappingsErrors(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setns(2) into a user namespace needs CAP_SYS_ADMIN")
	}
	for _, tc := range []struct {
		name, path string
		is         error
		words      string
	}{
		{"missing file", "/nonexistent/userns", fs.ErrNotExist, "open /nonexistent/userns"},
		{"not a user namespace", "/proc/self/ns/net", unix.EINVAL, "is it a user namespace"},
		// setns(2) refuses the caller's own user namespace.
		{"hull's own", "/proc/thread-self/ns/user", unix.EINVAL, "not hull's own"},
		{"gone process", "/proc/999999999/ns/user", fs.ErrNotExist, "open /proc/999999999/ns/user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := UserNSMappings(tc.path)
			if !errors.Is(err, tc.is) || !strings.Contains(fmt.Sprint(err), tc.words) {
				t.Errorf("UserNSMappings(%s) = %v; want %v, saying %q", tc.path, err, tc.is, tc.words)
			}
		})
	}
}
