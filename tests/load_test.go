package tests

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// loadContainers and loadParallel size the load test: 100 containers
// through their whole life, 8 at a time (a busy node's shim starting
// pods), on the 2-core machines `make test` runs on.
const (
	loadContainers = 100
	loadParallel   = 8
)

// TestLoad runs many containers through create, start, exec and
// delete at once: no command may fail, each exec must see its own
// container, and nothing may be left behind (the harness checks every
// ID for state, cgroups, mounts and processes).
func TestLoad(t *testing.T) {
	h := newH(t)
	began := time.Now()
	// Bundles are written here: h.bundle fails the test with Fatal, which
	// only the test's goroutine may call.
	ids := make([]string, loadContainers)
	bundles := make([]string, loadContainers)
	for i := range ids {
		ids[i] = h.id()
		bundles[i] = h.bundle(longRunning, withHostname(ids[i]))
	}
	var (
		mu       sync.Mutex
		failures []string
		wg       sync.WaitGroup
	)
	work := make(chan int)
	for w := 0; w < loadParallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := h.loadOne(ids[i], bundles[i]); err != "" {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range ids {
		work <- i
	}
	close(work)
	wg.Wait()
	t.Logf("%d containers, %d at a time: %v", loadContainers, loadParallel, time.Since(began).Round(time.Millisecond))
	if len(failures) > 0 {
		t.Errorf("%d of %d containers failed:\n%s", len(failures), loadContainers, strings.Join(failures, "\n"))
	}
	for _, id := range ids {
		h.assertClean(id)
	}
}

// loadOne takes container id through its life, returning what went
// wrong ("" when nothing did). It runs on a worker goroutine, so it
// reports instead of failing the test.
func (h *H) loadOne(id, bundle string) string {
	steps := []struct {
		args []string
		want string // stdout, when it matters
	}{
		{args: []string{"create", "--bundle", bundle, id}},
		{args: []string{"start", id}},
		{args: []string{"exec", id, "hostname"}, want: id},
		{args: []string{"delete", "--force", id}},
	}
	for _, st := range steps {
		r := h.hull(st.args...)
		if r.Code != 0 {
			return fmt.Sprintf("container %s: %s", id, r)
		}
		if st.want != "" && strings.TrimSpace(r.Stdout) != st.want {
			return fmt.Sprintf("container %s: stdout %q, want %q:\n%s", id, strings.TrimSpace(r.Stdout), st.want, r)
		}
	}
	return ""
}

// withHostname sets the container's hostname (the template has a UTS
// namespace).
func withHostname(name string) func(*specs.Spec) {
	return func(s *specs.Spec) { s.Hostname = name }
}
