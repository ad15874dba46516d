package sysproc

import (
	"os"

	"golang.org/x/sys/unix"
)

func setChildSubreaper() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return &os.SyscallError{Syscall: "prctl(PR_SET_CHILD_SUBREAPER)", Err: err}
	}
	return nil
}

// waitNoHang reaps pid if it has exited; it never blocks.
func waitNoHang(pid int) (bool, error) {
	var ws unix.WaitStatus
	got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	return got == pid, err
}
