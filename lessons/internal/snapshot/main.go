// Command snapshot writes builtin.json, the built-in course as lab loads
// it, in the current folder: `go generate ./lessons` runs it there.
package main

import (
	"fmt"
	"os"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/lessons"
)

func main() {
	course, err := lessons.Load(lessons.Content(), features.Files())
	if err == nil {
		var data []byte
		if data, err = lessons.Snapshot(course); err == nil {
			err = os.WriteFile("builtin.json", data, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapshot:", err)
		os.Exit(1)
	}
}
