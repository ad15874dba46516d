package app

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
)

// checkFinding is one line of `check --format json`.
type checkFinding struct {
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`
	Path     string `json:"path,omitempty"`
	Value    any    `json:"value,omitempty"`
	Message  string `json:"message"`
}

func checkCommand(g *globalOptions) *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check a bundle's config.json and print every problem, without creating anything",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "bundle", Aliases: []string{"b"}, Usage: "bundle directory (default: the current directory)"},
			&cli.BoolFlag{Name: "host", Usage: "also check what this host cannot do for this config"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text or json"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return fmt.Errorf("check takes no arguments, got %q; use --bundle DIR", c.Args().Slice())
			}
			format := c.String("format")
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: use text or json", format)
			}
			// The checks create makes, with the same options, so that a
			// bundle check passes is one create accepts; the host's only
			// with --host.
			_, findings := linux.Prepare(c.String("bundle"), linux.PrepareOptions{
				ID:              "check",
				SystemdCgroup:   g.systemdCgroup,
				RootlessEUID:    os.Geteuid() != 0,
				RootlessCgroups: linux.RootlessCgroups(g.rootless, g.systemdCgroup),
				Host:            c.Bool("host"),
			})
			w := c.App.Writer
			if format == "json" {
				out := make([]checkFinding, 0, len(findings))
				for _, f := range findings {
					cf := checkFinding{Severity: f.Severity, Message: f.Err.Error()}
					if fe, ok := linux.AsFieldError(f.Err); ok {
						cf.File, cf.Path, cf.Value, cf.Message = fe.File, fe.Path, fe.Value, fe.Msg
					}
					out = append(out, cf)
				}
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				for _, f := range findings {
					fmt.Fprintf(w, "%s: %s\n", f.Severity, oneLine(f.Err.Error()))
				}
			}
			if len(findings) > 0 {
				if format == "text" {
					noun := "problems"
					if len(findings) == 1 {
						noun = "problem"
					}
					fmt.Fprintf(c.App.ErrWriter, "%d %s found\n", len(findings), noun)
				}
				return exitStatus(1)
			}
			if format == "text" {
				fmt.Fprintln(w, "no problems found")
			}
			return nil
		},
	}
}
