package app

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/receipt"
	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
)

func TestNewReceiptCarriesCodesAndRedacts(t *testing.T) {
	course := &lessons.Course{ID: "c", Hash: "h"}
	lesson := &lessons.Lesson{Course: course, ID: "l", Index: 1}
	step := &lessons.Step{ID: "s", Lesson: lesson, Index: 1}
	skipped := &lessons.Step{ID: "t", Lesson: lesson, Index: 2}
	rep := &result.Report{Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Results: []*result.Result{
		{Step: step, Status: result.StatusFailed, Checks: []result.CheckResult{
			{Status: result.StatusFailed, Code: "port-mismatch", Err: "port 8080 at tcp://u:pw@10.1.2.3:2376 in /home/ana/ws"},
			{Status: result.StatusFailed, Code: "not-running", Err: "not running"},
			{Status: result.StatusFailed, Code: "port-mismatch", Err: "again"},
		}},
		{Step: skipped, Status: result.StatusSkipped, Reason: "skipped in /home/ana/ws"},
	}}
	env := map[string]string{"DOCKER_HOST": "tcp://u:pw@10.1.2.3:2376", "HOME": "/home/ana"}
	r := newReceipt(rep, course, "Ana", receipt.Machine{OS: "linux"}, func(k string) string { return env[k] })
	if r.Format != 2 {
		t.Errorf("format = %d, want 2", r.Format)
	}
	if got, want := r.Steps[0].Codes, []string{"port-mismatch", "not-running"}; !reflect.DeepEqual(got, want) {
		t.Errorf("codes = %q, want %q", got, want)
	}
	if got, want := r.Steps[0].Failures[0], "port 8080 at $DOCKER_HOST in ~/ws"; got != want {
		t.Errorf("failure = %q, want %q", got, want)
	}
	if got, want := r.Steps[1].Reason, "skipped in ~/ws"; got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"pw@", "10.1.2.3", "/home/ana"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the receipt holds %q:\n%s", secret, data)
		}
	}
}
