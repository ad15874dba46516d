package app

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/hullrt/hull/linux"
	"github.com/hullrt/hull/spec"
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
			var findings []linux.Finding
			b, typeErrs, unknown, err := spec.LoadAll(c.String("bundle"))
			switch {
			case err != nil:
				findings = []linux.Finding{{Severity: linux.SeverityError, Err: err}}
			case b == nil:
				// Values of the wrong type: nothing else can be checked
				// until they are fixed, but all of them are listed.
				for _, fe := range unknown {
					findings = append(findings, linux.Finding{Severity: linux.SeverityWarning, Err: fe})
				}
				for _, fe := range typeErrs {
					findings = append(findings, linux.Finding{Severity: linux.SeverityError, Err: fe})
				}
			default:
				findings = linux.Check(b, "check", c.Bool("host"))
			}
			if c.Bool("host") {
				if err := linux.CgroupDriverHostCheck(g.systemdCgroup); err != nil {
					findings = append(findings, linux.Finding{Severity: linux.SeverityError, Err: err})
				}
			}
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
