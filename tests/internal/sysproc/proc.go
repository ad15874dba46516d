package sysproc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Proc is one process as /proc/<pid>/stat shows it.
type Proc struct {
	PID, PPID int
	// Session is the session ID (setsid(2)).
	Session int
	// State is the one-letter state: R, S, D, Z (zombie), X (dead)...
	State byte
	// Comm is the command name (at most 15 bytes; may hold spaces).
	Comm string
}

// Live reports whether p is neither a zombie nor dead.
func (p Proc) Live() bool { return p.State != 'Z' && p.State != 'X' }

// ParseStat parses the contents of a /proc/<pid>/stat file. The comm
// field is parenthesised and may itself hold spaces and parentheses, so
// it is taken up to the last ')'.
func ParseStat(stat string) (Proc, error) {
	open, end := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 1 || end < open || end+4 > len(stat) {
		return Proc{}, fmt.Errorf("stat %q: no (comm) followed by fields", stat)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(stat[:open]))
	if err != nil {
		return Proc{}, fmt.Errorf("stat %q: pid: %w", stat, err)
	}
	fields := strings.Fields(stat[end+1:])
	if len(fields) < 2 || len(fields[0]) != 1 {
		return Proc{}, fmt.Errorf("stat %q: no state and ppid after the comm", stat)
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return Proc{}, fmt.Errorf("stat %q: ppid: %w", stat, err)
	}
	p := Proc{PID: pid, PPID: ppid, State: fields[0][0], Comm: stat[open+1 : end]}
	if len(fields) > 3 {
		p.Session, _ = strconv.Atoi(fields[3])
	}
	return p, nil
}

// ReadProc reads process pid; ok is false when it does not exist (any
// more) or its stat cannot be parsed.
func ReadProc(pid int) (p Proc, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Proc{}, false
	}
	p, err = ParseStat(string(data))
	return p, err == nil
}

// Procs lists every process visible in /proc, zombies included. A process
// that exits while the list is made is left out; nil when /proc cannot be
// read.
func Procs() []Proc {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var ps []Proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := ReadProc(pid); ok {
			ps = append(ps, p)
		}
	}
	return ps
}

// Alive reports whether pid exists and is neither a zombie nor dead.
func Alive(pid int) bool {
	p, ok := ReadProc(pid)
	return ok && p.Live()
}

// Cmdline returns the arguments of pid, nil when it has gone or is a
// zombie (whose cmdline is empty).
func Cmdline(pid int) []string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
}

// ZombieChildren lists the pids of the zombie children of ppid.
func ZombieChildren(ppid int) []int {
	var out []int
	for _, p := range Procs() {
		if p.PPID == ppid && p.State == 'Z' {
			out = append(out, p.PID)
		}
	}
	return out
}

// IsDescendant reports whether pid is below ancestor (a child, grandchild,
// ...), following at most 64 generations up.
func IsDescendant(pid, ancestor int) bool {
	for i := 0; i < 64 && pid > 1; i++ {
		p, ok := ReadProc(pid)
		if !ok {
			return false
		}
		if p.PPID == ancestor {
			return true
		}
		pid = p.PPID
	}
	return false
}
