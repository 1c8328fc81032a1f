package features

import (
	"strings"
	"testing"
)

// A wrong state names the failure it must produce by code, by text, or by
// both; selftest accepts only a failure that carries both.
func TestFailsAsExpected(t *testing.T) {
	loop := &Result{Status: StatusFailed, Checks: []CheckResult{
		{Text: `container "x" runs image "y"`, Status: StatusPassed},
		{Text: `container "x" from image "y" keeps running`, Status: StatusFailed, Code: "restart-loop",
			Err: `container "x" keeps restarting: it exits with code 1`},
	}}
	tests := []struct {
		name         string
		r            *Result
		code, expect string
		want         string // "" for accepted, else part of the reason
	}{
		{"code matches", loop, "restart-loop", "", ""},
		{"code and text match", loop, "restart-loop", "exits with code 1", ""},
		{"text only", loop, "", "keeps restarting", ""},
		{"neither given: any failure", loop, "", "", ""},
		{"other code", loop, "not-running", "", "does not have the code not-running; it has the code restart-loop"},
		{"code matches, text does not", loop, "restart-loop", "exited with code 0", `does not say "exited with code 0"`},
		{"no code at all", &Result{Status: StatusFailed, Checks: []CheckResult{{Status: StatusFailed, Err: "boom"}}}, "not-found", "", "it has no code"},
		{"a code on a passed check does not count", &Result{Status: StatusFailed, Checks: []CheckResult{
			{Status: StatusPassed, Code: "not-found"}, {Status: StatusFailed, Code: "port-mismatch", Err: "x"}}}, "not-found", "", "has the code port-mismatch"},
		{"passed", &Result{Status: StatusPassed}, "restart-loop", "", "the check passed"},
		{"environment error", &Result{Status: StatusError, Reason: "no engine"}, "restart-loop", "", "ended with error"},
	}
	for _, tt := range tests {
		got := failsAsExpected(tt.r, tt.code, tt.expect)
		switch {
		case tt.want == "" && got != "":
			t.Errorf("%s: got %q, want it accepted", tt.name, got)
		case tt.want != "" && !strings.Contains(got, tt.want):
			t.Errorf("%s: got %q, want it to say %q", tt.name, got, tt.want)
		}
	}
}
