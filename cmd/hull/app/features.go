package app

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

func featuresCommand() *cli.Command {
	return &cli.Command{
		Name:  "features",
		Usage: "print what this hull implements (runtime-spec features JSON); check --host says what this host lacks",
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return fmt.Errorf("features takes no arguments, got %q", c.Args().Slice())
			}
			enc := json.NewEncoder(c.App.Writer)
			enc.SetIndent("", "    ")
			return enc.Encode(linux.Features(version))
		},
	}
}
