package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/spec"
)

func specCommand() *cli.Command {
	return &cli.Command{
		Name:  "spec",
		Usage: "write a default config.json, the same as runc's, into a bundle",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Usage: "bundle directory to write config.json into (default: the current directory)"},
			&cli.BoolFlag{Name: "rootless", Usage: "a configuration for a container run by an unprivileged user"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return fmt.Errorf("spec takes no arguments, got %q; use --bundle DIR", c.Args().Slice())
			}
			dir := c.String("bundle")
			if dir == "" {
				dir = "."
			}
			path := filepath.Join(dir, spec.ConfigFile)
			data, err := json.MarshalIndent(spec.Default(c.Bool("rootless")), "", "\t")
			if err != nil {
				return err
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
			if errors.Is(err, os.ErrExist) {
				// runc's words, then which file and the other way out.
				return fmt.Errorf("File %s exists. Remove it first (%s), or choose another --bundle", spec.ConfigFile, path)
			}
			if err != nil {
				return fmt.Errorf("write default config: %w", err)
			}
			_, err = f.Write(data)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(path)
				return fmt.Errorf("write %s: %w", path, err)
			}
			return nil
		},
	}
}
