// Command pause is the pod sandbox's process in tests/e2e's CRI test, as
// Kubernetes' pause image is: it holds the pod's namespaces, reaps the
// orphans re-parented to it (it is PID 1 of the pod) and exits 0 on
// SIGINT or SIGTERM. No registry is reachable from the tests, so they
// build this into a one-file image instead of pulling registry.k8s.io/pause.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range sigs {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		// One SIGCHLD may stand for several exits.
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
