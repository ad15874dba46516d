package sysproc

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

func TestParseStat(t *testing.T) {
	for name, c := range map[string]struct {
		in   string
		want Proc
		bad  bool
	}{
		"plain":           {in: "42 (sleep) S 1 42 40 0 -1", want: Proc{PID: 42, PPID: 1, Session: 40, State: 'S', Comm: "sleep"}},
		"zombie":          {in: "7 (sh) Z 3 7 7 0", want: Proc{PID: 7, PPID: 3, Session: 7, State: 'Z', Comm: "sh"}},
		"space in comm":   {in: "9 (tmux: server) S 1 9", want: Proc{PID: 9, PPID: 1, State: 'S', Comm: "tmux: server"}},
		"parens in comm":  {in: "9 (a) b (c)) R 2 9", want: Proc{PID: 9, PPID: 2, State: 'R', Comm: "a) b (c)"}},
		"empty":           {in: "", bad: true},
		"no comm":         {in: "42 sleep S 1", bad: true},
		"truncated":       {in: "42 (sleep) S", bad: true},
		"pid not number":  {in: "x (sleep) S 1 2", bad: true},
		"ppid not number": {in: "42 (sleep) S y 2", bad: true},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseStat(c.in)
			if c.bad {
				if err == nil {
					t.Errorf("ParseStat(%q) = %+v, want an error", c.in, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("ParseStat(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			}
		})
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add("42 (sleep) S 1 42 42 0 -1")
	f.Add("9 (a) b (c)) R 2 9")
	f.Fuzz(func(t *testing.T, stat string) {
		if p, err := ParseStat(stat); err == nil && p.State == 0 {
			t.Errorf("ParseStat(%q) = %+v without a state", stat, p)
		}
	})
}

// TestProcListing starts a child and finds it: in Procs, alive, with its
// arguments, as a descendant, and as a zombie child once it has exited.
func TestProcListing(t *testing.T) {
	me := os.Getpid()
	self, ok := ReadProc(me)
	if !ok {
		t.Skip("no /proc/self/stat")
	}
	if self.PID != me || !self.Live() || !Alive(me) {
		t.Errorf("ReadProc(self) = %+v, Alive %v", self, Alive(me))
	}

	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	pid := cmd.Process.Pid
	defer cmd.Wait()
	defer cmd.Process.Kill()

	if i := slices.IndexFunc(Procs(), func(p Proc) bool { return p.PID == pid }); i < 0 {
		t.Errorf("Procs() lacks the child %d", pid)
	}
	if p, ok := ReadProc(pid); !ok || p.PPID != me || p.Comm != "sleep" {
		t.Errorf("ReadProc(child) = %+v, %v; want ppid %d, comm sleep", p, ok, me)
	}
	if got := Cmdline(pid); !slices.Equal(got, []string{"sleep", "1000"}) {
		t.Errorf("Cmdline(child) = %q", got)
	}
	if !IsDescendant(pid, me) || IsDescendant(me, pid) {
		t.Errorf("IsDescendant: child below self %v, self below child %v", IsDescendant(pid, me), IsDescendant(me, pid))
	}

	// Killed but not waited for: a zombie, not alive, no cmdline.
	_ = cmd.Process.Kill()
	waitFor(t, "the killed child to be a zombie", func() bool { return slices.Contains(ZombieChildren(me), pid) })
	if Alive(pid) || Cmdline(pid) != nil {
		t.Errorf("zombie child: Alive %v, Cmdline %q", Alive(pid), Cmdline(pid))
	}
	if _, ok := ReadProc(-1); ok || Alive(-1) || Cmdline(-1) != nil {
		t.Error("pid -1 reads as a process")
	}
}
