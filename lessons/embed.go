package lessons

import (
	"embed"
	"io/fs"
)

//go:embed course
var embedded embed.FS

// Content returns the course content built into the binary (course.yaml and
// one directory per lesson), so a learner needs nothing but the lab binary;
// authors pass their own directory instead with --lessons.
func Content() fs.FS {
	sub, err := fs.Sub(embedded, "course")
	if err != nil {
		// fs.Sub fails only for an invalid directory name, and "course" is valid.
		panic(err)
	}
	return sub
}

// FeaturesDir is the folder of a course on disk that holds its feature
// files; it is not a lesson.
const FeaturesDir = "features"

// AssetsDir is the folder of a course on disk that holds its starter files
// (see Step.Starter); it is not a lesson.
const AssetsDir = "assets"
