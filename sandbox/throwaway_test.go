package sandbox

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func TestStrayThrowaway(t *testing.T) {
	alive := func(pid int) bool { return pid == 100 }
	own := strconv.Itoa(os.Getpid())
	now := time.Now()
	for _, tt := range []struct {
		name    string
		owner   string
		created time.Time
		want    bool
	}{
		{"its lab ended", "here/200", now, true},
		{"its lab still runs", "here/100", now, false},
		{"this lab's own", "here/" + own, now, false},
		{"another machine's lab", "there/200", now, false},
		{"another machine's, older than any check", "there/200", now.Add(-2 * time.Hour), true},
		{"a running lab's, older than any check", "here/100", now.Add(-2 * time.Hour), true},
		{"no owner", "", now, false},
		{"an owner lab cannot read", "here/x", now, false},
	} {
		if got := strayThrowaway(tt.owner, tt.created, "here", alive); got != tt.want {
			t.Errorf("%s (%q): got %v, want %v", tt.name, tt.owner, got, tt.want)
		}
	}
}
