package linux

import (
	"context"
	"time"

	"github.com/opencontainers/runc/types"
)

// Stats returns the stats `events --stats` prints; see StatsOnce.
func (c *Container) Stats() (*types.Stats, error) {
	if c.lc == nil {
		return nil, c.notCreated()
	}
	return StatsOnce(c.lc)
}

// Events sends the container's events to emit until ctx ends or the
// container stops; see the package-level Events.
func (c *Container) Events(ctx context.Context, interval time.Duration, emit func(*types.Event) error) error {
	if c.lc == nil {
		return c.notCreated()
	}
	return Events(ctx, c.lc, interval, emit)
}

// Processes returns the host PIDs of every process in the container's
// cgroup; never nil. A container never completely created has none
// hull can name.
func (c *Container) Processes() ([]int, error) {
	if c.lc == nil {
		return []int{}, nil
	}
	return Processes(c.lc)
}
