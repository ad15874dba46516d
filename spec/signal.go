package spec

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Real-time signal bounds as user space numbers them: glibc reserves the
// kernel's first two (32, 33) for threads, so SIGRTMIN is 34 in kill -l,
// in runc and in every caller that passes "RTMIN+n".
const (
	sigRTMin = 34
	sigRTMax = 64
)

// signalAliases are names kill(1) accepts that x/sys/unix does not list.
var signalAliases = map[string]unix.Signal{
	"SIGIOT":  unix.SIGIOT,
	"SIGPOLL": unix.SIGPOLL,
	"SIGCLD":  unix.SIGCHLD,
	"SIGPWR":  unix.SIGPWR,
}

// ParseSignal reads a signal as kill(1) users write it: a name with or
// without the SIG prefix in any case ("term", "SIGTERM"), a number from 0
// to 64, or a real-time signal "RTMIN+n" / "RTMAX-n" (SIGRTMIN is 34).
// 0 is kill(2)'s null signal: nothing is sent, only the target's
// existence is checked (`kill -0`), a liveness probe runc accepts too.
func ParseSignal(s string) (unix.Signal, error) {
	bad := func() (unix.Signal, error) {
		return 0, fmt.Errorf("invalid signal %q; use a name like TERM or KILL, or a number 0-%d", s, sigRTMax)
	}
	in := strings.TrimSpace(s)
	if in == "" {
		return bad()
	}
	if n, err := strconv.Atoi(in); err == nil {
		if n < 0 || n > sigRTMax {
			return bad()
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(in)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if rt, ok := strings.CutPrefix(name, "SIGRTMIN"); ok {
		return rtSignal(rt, sigRTMin, +1, bad)
	}
	if rt, ok := strings.CutPrefix(name, "SIGRTMAX"); ok {
		return rtSignal(rt, sigRTMax, -1, bad)
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	if sig, ok := signalAliases[name]; ok {
		return sig, nil
	}
	return bad()
}

// rtSignal reads the "", "+n" or "-n" after RTMIN/RTMAX; sign is the only
// direction that stays inside the real-time range.
func rtSignal(off string, base, sign int, bad func() (unix.Signal, error)) (unix.Signal, error) {
	if off == "" {
		return unix.Signal(base), nil
	}
	want := "+"
	if sign < 0 {
		want = "-"
	}
	digits, ok := strings.CutPrefix(off, want)
	if !ok || digits == "" || strings.ContainsAny(digits, "+-") {
		return bad()
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > sigRTMax-sigRTMin {
		return bad()
	}
	return unix.Signal(base + sign*n), nil
}
