package features

import (
	"strings"
	"testing"

	"github.com/lab-workshop/lab/sandbox"
)

func TestVolumeMounts(t *testing.T) {
	anon := strings.Repeat("ab", 32)
	got := volumeMounts([]sandbox.Mount{
		{Type: "volume", Name: "lab-data", Destination: "/data"},
		{Type: "volume", Name: anon, Destination: "/data/db"},
		{Type: "bind", Source: "/home/me/db", Destination: "/backup"},
		{Type: "tmpfs", Destination: "/tmp"},
	})
	want := "volume lab-data at /data, anonymous volume abababababab… at /data/db, host folder /home/me/db at /backup, tmpfs at /tmp"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := volumeMounts(nil); got != "no mounts" {
		t.Errorf("no mounts: got %q", got)
	}
}
