package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Load reads <bundleDir>/config.json.
//
// The returned Bundle has an absolute, clean Dir. Load only decodes; call
// Validate to check the content. Unknown fields are accepted, as runc
// does. Every error is one line that names the file and says what to fix:
// a missing directory or config.json, a JSON syntax error (with
// line:column), a value of the wrong type (with its JSON path), an empty
// file, a top-level value that is not an object, or data after it.
func Load(bundleDir string) (*Bundle, error) {
	if bundleDir == "" {
		bundleDir = "."
	}
	dir, err := filepath.Abs(bundleDir)
	if err != nil {
		return nil, fmt.Errorf("bundle %q: %w", bundleDir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("bundle directory %s does not exist; pass the directory that holds config.json and the rootfs (--bundle)", dir)
		}
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("bundle %s is not a directory; pass the directory that holds config.json and the rootfs (--bundle)", dir)
	}
	path := filepath.Join(dir, ConfigFile)
	// A FIFO or device named config.json would block or worse.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s); config.json must be a file", path, fi.Mode().Type())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w; is %s an OCI bundle? create one with 'hull spec'", err, dir)
		}
		return nil, err
	}
	s, err := decode(path, data)
	if err != nil {
		return nil, err
	}
	return &Bundle{Dir: dir, ConfigPath: path, Spec: s, noUser: userMissing(data), raw: data}, nil
}

// userMissing tells whether config.json has a process without a user
// object; specs.User is not a pointer, so the decoded Spec cannot say.
func userMissing(data []byte) bool {
	var probe struct {
		Process *struct {
			User *json.RawMessage `json:"user"`
		} `json:"process"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	return probe.Process != nil && (probe.Process.User == nil || string(*probe.Process.User) == "null")
}

// decode parses config.json's bytes; path is only used in errors.
func decode(path string, data []byte) (*specs.Spec, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: file is empty; it must hold a JSON object (create one with 'hull spec')", path)
	}
	var s *specs.Spec
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return nil, jsonError(path, data, err)
	}
	if s == nil {
		return nil, fmt.Errorf("%s: top-level value is null; it must be a JSON object (create one with 'hull spec')", path)
	}
	// runc ignores anything after the first value; a second value is
	// almost always a botched edit, so say so instead.
	if off := dec.InputOffset(); len(bytes.TrimSpace(data[off:])) > 0 {
		rest := int64(len(data[off:]) - len(bytes.TrimLeft(data[off:], " \t\r\n")))
		line, col := lineCol(data, off+rest)
		return nil, fmt.Errorf("%s:%d:%d: unexpected data after the top-level JSON object; remove it", path, line, col)
	}
	return s, nil
}

// jsonError turns encoding/json's errors into one line with a position or
// a JSON path.
func jsonError(path string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset is just past the byte that broke the syntax; point at it.
		line, col := lineCol(data, max(syn.Offset-1, 0))
		return fmt.Errorf("%s:%d:%d: invalid JSON: %s", path, line, col, syn.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineCol(data, int64(len(data)))
		return fmt.Errorf("%s:%d:%d: invalid JSON: unexpected end of file; a closing } or ] is probably missing", path, line, col)
	case errors.As(err, &typ):
		jpath, raw := valueAt(data, typ.Offset)
		if jpath == "" {
			jpath = typ.Field
		}
		want := describeType(typ.Type)
		if jpath == "" {
			return fmt.Errorf("%s: top-level value is %s; it must be a JSON object (create one with 'hull spec')", path, jsonKind(typ.Value))
		}
		if raw != "" && raw[0] != '{' && raw[0] != '[' {
			return fmt.Errorf("%s: %s: cannot use %s (%s) as %s", path, jpath, raw, jsonKind(typ.Value), want)
		}
		return fmt.Errorf("%s: %s: cannot use %s as %s", path, jpath, article(jsonKind(typ.Value)), want)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// jsonKind reduces UnmarshalTypeError.Value ("number -1") to the JSON
// kind ("number").
func jsonKind(v string) string {
	k, _, _ := strings.Cut(v, " ")
	return k
}

func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	}
	return "a " + kind
}

// describeType names a Go type the way a config.json author thinks of it.
func describeType(t reflect.Type) string {
	if t == nil {
		return "this field"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.Struct:
		return "an object"
	case reflect.Map:
		return "an object of " + plural(t.Elem())
	case reflect.Slice, reflect.Array:
		return "an array of " + plural(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Interface:
		return "a value"
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return fmt.Sprintf("%s (an integer from 0 to %d)", t.Kind(), ^uint64(0)>>(64-t.Bits()))
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		return fmt.Sprintf("%s (an integer from %d to %d)", t.Kind(), -(int64(1) << (t.Bits() - 1)), int64(1)<<(t.Bits()-1)-1)
	}
	return t.String()
}

func plural(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "strings"
	case reflect.Struct, reflect.Map:
		return "objects"
	case reflect.Slice, reflect.Array:
		return "arrays"
	case reflect.Bool:
		return "booleans"
	}
	if t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64 {
		return "integers"
	}
	return t.String()
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// valueAt finds the value that encoding/json blamed in an
// UnmarshalTypeError and returns its JSON path (with array indices, which
// encoding/json's Field leaves out) and, for scalars, its raw text.
//
// encoding/json reports the offset just after a scalar, or just after the
// opening bracket of an object or array; both are where our tokenizer
// stands after reading that value's first token.
func valueAt(data []byte, off int64) (path, raw string) {
	type frame struct {
		path    string
		array   bool
		index   int
		wantKey bool
		key     string
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	cur := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.array {
			return Path(f.path, f.index)
		}
		return Path(f.path, f.key)
	}
	// advance marks the end of one value in the enclosing container.
	advance := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.array {
			f.index++
		} else {
			f.wantKey = true
		}
	}
	prev := dec.InputOffset()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", ""
		}
		end := dec.InputOffset()
		if len(stack) > 0 {
			f := stack[len(stack)-1]
			if !f.array && f.wantKey {
				if k, ok := tok.(string); ok {
					f.key = k
					f.wantKey = false
					prev = end
					continue
				}
			}
		}
		switch tok {
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			advance()
			prev = end
			continue
		}
		p := cur()
		if end == off {
			text := strings.TrimLeft(string(data[prev:end]), " \t\r\n:,")
			return p, text
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{path: p, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: p, array: true})
		default:
			advance()
		}
		prev = end
	}
}
