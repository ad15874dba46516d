package main

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"=== RUN   TestB\n"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:9: needs root\n"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: boom\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestC"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.1s\n"}`,
		`{"Action":"fail","Package":"p"}`,
		`# p [p.test]`,
	}, "\n")
	var out strings.Builder
	s := summarize(strings.NewReader(in), &out)
	if s.passed != 1 || s.failed != 1 || s.skipped != 1 || len(s.pkgFailed) != 1 {
		t.Fatalf("counts %d/%d/%d, failed packages %v", s.passed, s.failed, s.skipped, s.pkgFailed)
	}
	if len(s.skips) != 1 || s.skips[0] != "SKIP TestB: b_test.go:9: needs root" {
		t.Errorf("skips %q", s.skips)
	}
	if len(s.reports) < 1 || !strings.Contains(s.reports[0], "boom") {
		t.Errorf("failure reports %q", s.reports)
	}
	if got := out.String(); got != "FAIL\tp\t0.1s\n# p [p.test]\n" {
		t.Errorf("passed through %q", got)
	}
}
