package linux

import (
	"reflect"
	"testing"

	"github.com/opencontainers/runc/libcontainer/configs"

	"github.com/hullrt/hull/spec"
)

// Every field of the translated process reaches libcontainer's.
func TestNewProcess(t *testing.T) {
	for _, nnp := range []bool{false, true} {
		p := &spec.Process{
			Args: []string{"sh", "-c", "true"}, Env: []string{"A=1"}, Cwd: "/w",
			UID: 1000, GID: 100, AdditionalGroups: []int{10, 20},
			ConsoleWidth: 80, ConsoleHeight: 24,
			Capabilities:    &configs.Capabilities{Bounding: []string{"CAP_KILL"}},
			Rlimits:         []configs.Rlimit{{Type: 7, Hard: 1024, Soft: 1024}},
			NoNewPrivileges: nnp, AppArmorProfile: "prof", Label: "lbl",
			Scheduler:   &configs.Scheduler{Policy: "SCHED_OTHER"},
			IOPriority:  &configs.IOPriority{Class: "IOPRIO_CLASS_BE", Priority: 4},
			CPUAffinity: &configs.CPUAffinity{},
		}
		lp := newProcess(p)
		got := []any{lp.Args, lp.Env, lp.Cwd, lp.UID, lp.GID, lp.AdditionalGroups, lp.ConsoleWidth, lp.ConsoleHeight,
			lp.Capabilities, lp.Rlimits, *lp.NoNewPrivileges, lp.AppArmorProfile, lp.Label, lp.Scheduler, lp.IOPriority, lp.CPUAffinity}
		want := []any{p.Args, p.Env, p.Cwd, p.UID, p.GID, p.AdditionalGroups, p.ConsoleWidth, p.ConsoleHeight,
			p.Capabilities, p.Rlimits, nnp, p.AppArmorProfile, p.Label, p.Scheduler, p.IOPriority, p.CPUAffinity}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("noNewPrivileges %v: newProcess fields\n got %v\nwant %v", nnp, got, want)
		}
		if lp.LogLevel == "" {
			t.Errorf("newProcess leaves LogLevel empty: init would not log")
		}
	}
}
