package sysproc

import (
	"errors"
	"golang.org/x/sys/unix"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
)

// Reaper makes this process a child subreaper and waits for the orphans
// that are re-parented to it, the part containerd-shim or conmon plays in
// production: `hull create` forks the container's init and exits, engines
// double-fork their monitors, and on the test machines PID 1 does not reap,
// so without a Reaper every such process would stay a zombie.
//
// It waits only for children that no exec.Cmd started through Start owns,
// so it never steals an exit status from os/exec. Commands of this process
// must therefore be started with Start (or Run) and waited for with Wait:
// a child started with plain cmd.Start may be reaped before cmd.Wait sees
// it. There is at most one open Reaper per process.
//
// A nil *Reaper is valid: Start and Wait then only start and wait, and
// Reap does nothing, for runs that could not (or need not) become a
// subreaper.
type Reaper struct {
	// mu is read-held from a child's fork until it is registered in own and
	// write-held while orphans are waited for, so the reaper never sees a
	// child of ours that is not registered yet. Starts do not exclude each
	// other.
	mu   sync.RWMutex
	own  sync.Map // pid -> struct{}: children an exec.Cmd waits for
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// open is set while a Reaper is open: two would reap each other's
// commands, as neither knows what the other started.
var open atomic.Bool

// ErrReaperOpen is returned by NewReaper while another Reaper is open.
var ErrReaperOpen = errors.New("sysproc: a Reaper is already open in this process")

// NewReaper makes this process a child subreaper (prctl(2)
// PR_SET_CHILD_SUBREAPER, which needs no privilege) and reaps orphans
// every interval until Close. The process stays a subreaper after Close.
func NewReaper(interval time.Duration) (*Reaper, error) {
	if !open.CompareAndSwap(false, true) {
		return nil, ErrReaperOpen
	}
	if err := setChildSubreaper(); err != nil {
		open.Store(false)
		return nil, err
	}
	r := &Reaper{stop: make(chan struct{}), done: make(chan struct{})}
	go r.loop(interval)
	return r, nil
}

func (r *Reaper) loop(interval time.Duration) {
	defer close(r.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
			r.Reap()
		}
	}
}

// Close stops reaping in the background, then reaps every zombie child
// no command started with Start owns, of any session: no plain os/exec
// command may be running by then. It may be called more than once.
func (r *Reaper) Close() {
	if r == nil {
		return
	}
	r.once.Do(func() {
		close(r.stop)
		<-r.done
		r.reap(true)
		open.Store(false)
	})
}

// Start starts cmd and registers its process as one the Reaper leaves to
// cmd.Wait; Wait must follow.
func (r *Reaper) Start(cmd *exec.Cmd) error {
	if r == nil {
		return cmd.Start()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	r.own.Store(cmd.Process.Pid, struct{}{})
	return nil
}

// Wait waits for a command started with Start, then forgets its pid.
func (r *Reaper) Wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	if r != nil {
		r.own.Delete(cmd.Process.Pid)
	}
	return err
}

// Reap waits, without blocking, for the zombie children of this process
// that are orphans handed to it: those of another session (a container's
// init, a shim and conmon all start sessions of their own) that no
// command started with Start owns. A zombie of this process's own session
// may be a child started with plain os/exec, whose Wait would fail if it
// were reaped here; Close reaps those too. It returns how many it reaped.
func (r *Reaper) Reap() int { return r.reap(false) }

func (r *Reaper) reap(all bool) int {
	if r == nil {
		return 0
	}
	me := os.Getpid()
	sid, _ := unix.Getsid(0)
	// /proc is read without the lock, so that a scan never delays a Start
	// (the benchmark times them). That is safe because ownership is checked
	// under the lock, when no Start is between fork and registration: a pid
	// that is not ours then is an orphan to reap, a live child (WNOHANG
	// returns at once) or no child at all (ECHILD), even if the zombie seen
	// in the scan has been waited for and its pid reused since.
	var zombies []int
	for _, p := range Procs() {
		if p.PPID == me && p.State == 'Z' && (all || p.Session != sid) {
			zombies = append(zombies, p.PID)
		}
	}
	if len(zombies) == 0 {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, pid := range zombies {
		if _, owned := r.own.Load(pid); owned {
			continue
		}
		if reaped, _ := waitNoHang(pid); reaped {
			n++
		}
	}
	return n
}
