package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// UnknownFields lists the members of config.json that runtime-spec does
// not define, each a *FieldError naming its JSON path and, when one is
// close, the field that was probably meant. runc ignores such members
// silently, so a misspelt "readonly" or "noNewPrivileges" quietly does
// nothing; hull's check reports them. Members that differ from a known
// field only in case are reported too: Go's decoder accepts them, other
// runtimes do not. Annotations and other free-form maps are not checked.
func UnknownFields(b *Bundle) []*FieldError {
	if b == nil || len(b.raw) == 0 {
		return nil
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(b.raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil
	}
	w := &unknownWalker{file: b.ConfigPath}
	w.walk("", doc, reflect.TypeOf(specs.Spec{}))
	return w.out
}

type unknownWalker struct {
	file string
	out  []*FieldError
	// types, when set, collects the values of the wrong type too.
	types *[]*FieldError
}

func (w *unknownWalker) walk(path string, v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return // null leaves any field at its zero value
	}
	if w.types != nil && !fits(v, t) {
		*w.types = append(*w.types, &FieldError{File: w.file, Path: path, Msg: cannotUse(v, t)})
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := Path(path, k)
			if f, ok := fields[k]; ok {
				w.walk(p, obj[k], f)
				continue
			}
			if name, ok := foldMatch(fields, k); ok {
				w.out = append(w.out, &FieldError{File: w.file, Path: p, Value: k,
					Msg: "field names are case-sensitive in runtime-spec; write \"" + name + "\""})
				w.walk(p, obj[k], fields[name])
				continue
			}
			msg := "unknown field; runc ignores it and so would hull: remove it"
			if near := nearest(fields, k); near != "" {
				msg = "unknown field, ignored; did you mean \"" + near + "\"?"
			}
			w.out = append(w.out, &FieldError{File: w.file, Path: p, Value: nil, Msg: msg})
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return
		}
		for i, e := range arr {
			w.walk(Path(path, i), e, t.Elem())
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, e := range obj {
			w.walk(Path(path, k), e, t.Elem())
		}
	}
}

// jsonFields maps the JSON names of a struct's fields to their types,
// following embedded structs as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func foldMatch(fields map[string]reflect.Type, k string) (string, bool) {
	for name := range fields {
		if strings.EqualFold(name, k) {
			return name, true
		}
	}
	return "", false
}

// nearest returns the known field closest to k, if it is a likely typo:
// within two edits, or one name inside the other.
func nearest(fields map[string]reflect.Type, k string) string {
	best, bestDist := "", 3
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	lk := strings.ToLower(k)
	for _, name := range names {
		ln := strings.ToLower(name)
		d := editDistance(lk, ln)
		if len(lk) >= 4 && len(ln) >= 4 && (strings.Contains(ln, lk) || strings.Contains(lk, ln)) && d > 1 {
			d = 2
		}
		if d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// LoadAll is Load for `hull check`: when config.json holds values of the
// wrong type, Load stops at the first; LoadAll returns every one of them,
// each a *FieldError with its JSON path, with the unknown fields (see
// UnknownFields) and no Bundle. Other errors (no file, invalid JSON) are
// Load's.
func LoadAll(bundleDir string) (b *Bundle, typeErrs, unknown []*FieldError, err error) {
	b, err = Load(bundleDir)
	if err == nil {
		return b, nil, nil, nil
	}
	dir, aerr := filepath.Abs(bundleDir)
	if aerr != nil {
		return nil, nil, nil, err
	}
	path := filepath.Join(dir, ConfigFile)
	data, rerr := os.ReadFile(path)
	if rerr != nil {
		return nil, nil, nil, err
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return nil, nil, nil, err
	}
	var types []*FieldError
	w := &unknownWalker{file: path, types: &types}
	w.walk("", doc, reflect.TypeOf(specs.Spec{}))
	if len(types) == 0 {
		return nil, nil, nil, err
	}
	return nil, types, w.out, nil
}

// fits reports whether a decoded JSON value can go into a Go type.
func fits(v any, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Struct, reflect.Map:
		_, ok := v.(map[string]any)
		return ok
	case reflect.Slice, reflect.Array:
		_, ok := v.([]any)
		return ok
	case reflect.String:
		_, ok := v.(string)
		return ok
	case reflect.Bool:
		_, ok := v.(bool)
		return ok
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseInt(n.String(), 10, t.Bits())
		return err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseUint(n.String(), 10, t.Bits())
		return err == nil
	case reflect.Float32, reflect.Float64:
		_, ok := v.(json.Number)
		return ok
	}
	return true
}

// cannotUse says, as Load does, what value was found where.
func cannotUse(v any, t reflect.Type) string {
	switch x := v.(type) {
	case map[string]any:
		return "cannot use an object as " + describeType(t)
	case []any:
		return "cannot use an array as " + describeType(t)
	case string:
		return fmt.Sprintf("cannot use %s (string) as %s", strconv.Quote(x), describeType(t))
	case bool:
		return fmt.Sprintf("cannot use %t (bool) as %s", x, describeType(t))
	case json.Number:
		return fmt.Sprintf("cannot use %s (number) as %s", x, describeType(t))
	}
	return "cannot use this value as " + describeType(t)
}
