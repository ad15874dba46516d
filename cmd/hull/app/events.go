package app

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"

	"github.com/opencontainers/runc/types"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/hullrt/hull/linux"
)

func eventsCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "events",
		Usage:     "print a container's events (resource stats, OOM kills) as JSON lines",
		ArgsUsage: "<container-id>",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "interval", Value: 5_000_000_000, Usage: "how often to print stats"},
			&cli.BoolFlag{Name: "stats", Usage: "print the stats once and exit"},
		},
		Action: onContainer(g, func(c *cli.Context, ct *linux.Container) error {
			id := ct.ID()
			interval := c.Duration("interval")
			if interval <= 0 {
				return fmt.Errorf("--interval %s: must be greater than 0", interval)
			}
			enc := json.NewEncoder(c.App.Writer)
			if c.Bool("stats") {
				s, err := ct.Stats()
				if err != nil {
					return err
				}
				return enc.Encode(&types.Event{Type: "stats", ID: id, Data: s})
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, unix.SIGTERM)
			defer stop()
			return ct.Events(ctx, interval, func(e *types.Event) error { return enc.Encode(e) })
		}),
	}
}
