package app

import (
	"testing"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/lessons"
)

// TestUsesKube: watch follows the cluster in the built-in course's lessons
// 6 and 7, and only there.
func TestUsesKube(t *testing.T) {
	c, err := lessons.Load(lessons.Content(), features.Files())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"kind": true, "kubernetes": true}
	for _, l := range c.Lessons {
		if got := usesKube(l); got != want[l.ID] {
			t.Errorf("usesKube(%s) = %v, want %v", l.ID, got, want[l.ID])
		}
	}
}
