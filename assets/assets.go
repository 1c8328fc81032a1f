// Package assets holds the starter files a learner works from: the sample
// Node.js app containerised in the Dockerfile, Compose and Kubernetes
// lessons, and the profile page served by nginx in the early lessons.
package assets

import (
	"embed"
	"io/fs"
)

// The app's files are listed one by one so that a node_modules directory left
// behind by a local "npm ci" is never embedded.
//
//go:embed app/app.js app/seed.js app/package.json app/package-lock.json
//go:embed app/README.md app/.gitignore app/test
//go:embed web/index.html
var files embed.FS

// FS returns the starter files lab copies into the learner's workspace, laid
// out as they are copied: app/ (the sample app) and web/index.html (the
// profile page). The files are read-only and built into the binary, so a
// learner's workspace can always be restored to its starting point.
func FS() fs.FS {
	return files
}
