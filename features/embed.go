package features

import (
	"embed"
	"io/fs"
)

//go:embed *.feature
var files embed.FS

// Files is the built-in course's Gherkin: one feature file per lesson, named
// after the lesson id.
func Files() fs.FS { return files }
