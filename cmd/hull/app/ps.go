package app

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
	"github.com/hullrt/hull/spec"
)

func psCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:      "ps",
		Usage:     "list the processes of a container",
		ArgsUsage: "<container-id> [-- ps options]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table (ps(1) output) or json (host PIDs)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 {
				return errors.New("ps needs a container ID; usage: hull ps [--format table|json] <container-id> [-- ps options]")
			}
			id := c.Args().First()
			if err := spec.ValidateID(id); err != nil {
				return err
			}
			format := c.String("format")
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: use table or json", format)
			}
			pids, err := linux.Pids(g.root, id)
			if err != nil {
				return err
			}
			if format == "json" {
				return json.NewEncoder(c.App.Writer).Encode(pids)
			}
			psArgs := c.Args().Slice()[1:]
			if len(psArgs) > 0 && psArgs[0] == "--" {
				psArgs = psArgs[1:]
			}
			if len(psArgs) == 0 {
				psArgs = []string{"-ef"}
			}
			out, err := linux.PsTable(pids, psArgs)
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(out)
			return err
		},
	}
}
