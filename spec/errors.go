package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// FieldError is one problem with one value of config.json.
//
// Its Error text is a single line: the file, the JSON path of the value
// (dots between object keys, [i] for array elements), the value itself,
// and what to do about it, for example
//
//	/b/config.json: process.cwd: "rel/dir": must be an absolute path
type FieldError struct {
	// File is the path of the config.json the value came from.
	File string
	// Path is the JSON path of the value, e.g. "mounts[2].destination".
	Path string
	// Value is the offending value; nil when the value is missing.
	Value any
	// Msg says what is wrong and how to fix it.
	Msg string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Value != nil {
		b.WriteString(formatValue(e.Value))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// formatValue quotes strings and writes anything else as JSON, so the user
// sees the value as it is (or would be) spelt in config.json.
func formatValue(v any) string {
	// Named string types (specs.LinuxNamespaceType, ...) are quoted too.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return fmt.Sprintf("%q", rv.String())
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// Lead puts words runc users match (such as "invalid memory policy mode
// \"X\"" or "invalid configuration") before err: the line reads
// "lead: err". errors.As still finds the *FieldError inside.
func Lead(lead string, err error) error {
	return &leadError{lead: lead, err: err}
}

type leadError struct {
	lead string
	err  error
}

func (e *leadError) Error() string { return e.lead + ": " + e.err.Error() }
func (e *leadError) Unwrap() error { return e.err }
