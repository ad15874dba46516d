package linux

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// listenFiles returns the sockets systemd's socket activation passed to
// this process (sd_listen_fds(3): LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES,
// fds from 3 up), close-on-exec, named after LISTEN_FDNAMES. It does what
// go-systemd's activation.Files(false) does; that package imports
// crypto/tls for its listeners, and with it about 30 packages whose
// initialisation every hull command (and every container's init) paid.
func listenFiles() []*os.File {
	const first = 3 // SD_LISTEN_FDS_START
	if pid, err := strconv.Atoi(os.Getenv("LISTEN_PID")); err != nil || pid != os.Getpid() {
		return nil
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return nil
	}
	names := strings.Split(os.Getenv("LISTEN_FDNAMES"), ":")
	files := make([]*os.File, 0, n)
	for i := range n {
		fd := first + i
		syscall.CloseOnExec(fd)
		name := "LISTEN_FD_" + strconv.Itoa(fd)
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		files = append(files, os.NewFile(uintptr(fd), name))
	}
	return files
}
