package spec

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
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
}

func (w *unknownWalker) walk(path string, v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
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
			p := jsonKey(path, k)
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
			w.walk(jsonIndex(path, i), e, t.Elem())
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, e := range obj {
			w.walk(jsonKey(path, k), e, t.Elem())
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
