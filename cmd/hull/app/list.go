package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"text/tabwriter"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func listCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the containers under the state root",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the container IDs"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return fmt.Errorf("list takes no arguments, got %q", c.Args().Slice())
			}
			format := c.String("format")
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: use table or json", format)
			}
			states, skipped, err := linux.List(g.root)
			switch {
			case errors.Is(err, fs.ErrNotExist) && !g.rootSet:
				// The default root appears with the first container.
			case err != nil:
				// A mistyped --root must not look like "no containers".
				return fmt.Errorf("%w: check --root", err)
			}
			for _, err := range skipped {
				logrus.Warn(err)
			}
			w := c.App.Writer
			switch {
			case c.Bool("quiet"):
				for _, s := range states {
					fmt.Fprintln(w, s.ID)
				}
				return nil
			case format == "json":
				if states == nil {
					states = []linux.State{}
				}
				return json.NewEncoder(w).Encode(states)
			}
			tw := tabwriter.NewWriter(w, 12, 1, 3, ' ', 0)
			fmt.Fprint(tw, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
			for _, s := range states {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.StatusWords(), s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
			}
			return tw.Flush()
		},
	}
}
