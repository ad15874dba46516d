package main

import (
	"slices"
	"testing"
)

func TestMergeNames(t *testing.T) {
	ps := func(names ...string) []phase {
		var out []phase
		for _, n := range names {
			out = append(out, phase{name: n})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		names []string
		ps    []phase
		want  []string
	}{
		{"into nothing", nil, ps("a", "b"), []string{"a", "b"}},
		{"known only", []string{"a", "b"}, ps("b"), []string{"a", "b"}},
		{"before the next known", []string{"load", "init", "wait"}, ps("load", "spec", "init"), []string{"load", "spec", "init", "wait"}},
		{"at the end when none follows", []string{"load", "delete", "finish"}, ps("load", "kill"), []string{"load", "delete", "finish", "kill"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeNames(slices.Clone(tc.names), tc.ps); !slices.Equal(got, tc.want) {
				t.Errorf("mergeNames(%q, %v) = %q, want %q", tc.names, tc.ps, got, tc.want)
			}
		})
	}
}

func TestParseTimings(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      []string
		bad       bool
	}{
		{"one line among output", "hi\nhull: timings: run: start-up 1.000ms, libcontainer create 2.500ms, total 3.500ms\n", []string{"start-up", "libcontainer create"}, false},
		{"no line", "hi\n", nil, true},
		{"no unit", "hull: timings: run: load 1.0, total 1.0\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTimings(tc.out)
			if (err != nil) != tc.bad {
				t.Fatalf("parseTimings(%q) error = %v, want error %v", tc.out, err, tc.bad)
			}
			var names []string
			for _, p := range got {
				names = append(names, p.name)
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("phases %q, want %q", names, tc.want)
			}
		})
	}
}
