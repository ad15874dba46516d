package linux

import (
	"strconv"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/sirupsen/logrus"

	"github.com/hullrt/hull/spec"
)

// newProcess turns the translated process into libcontainer's.
func newProcess(p *spec.Process) *libcontainer.Process {
	nnp := p.NoNewPrivileges
	return &libcontainer.Process{
		Args:             p.Args,
		Env:              p.Env,
		UID:              p.UID,
		GID:              p.GID,
		AdditionalGroups: p.AdditionalGroups,
		Cwd:              p.Cwd,
		ConsoleWidth:     p.ConsoleWidth,
		ConsoleHeight:    p.ConsoleHeight,
		Capabilities:     p.Capabilities,
		Rlimits:          p.Rlimits,
		NoNewPrivileges:  &nnp,
		AppArmorProfile:  p.AppArmorProfile,
		Label:            p.Label,
		Scheduler:        p.Scheduler,
		IOPriority:       p.IOPriority,
		CPUAffinity:      p.CPUAffinity,
		// init logs through a pipe that libcontainer forwards to our
		// logger; it needs our level as a number.
		LogLevel: strconv.Itoa(int(logrus.GetLevel())),
	}
}
