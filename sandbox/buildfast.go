package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/lab-workshop/lab/internal/dockerfile"
)

// IgnoreWithoutBuild answers an IgnoreProbe without planting or building:
// it reads the context's .dockerignore with the pattern matcher the
// engine's builders use to leave files out of a build context, and follows
// the Dockerfile f's COPY and ADD instructions to where a marker in each
// probed folder would land in the image. ok is false when only a build can
// tell: the context has a Dockerfile-specific ignore file, or f copies in
// a way ContextCopies does not follow. Then call ProbeIgnore.
func IgnoreWithoutBuild(p IgnoreProbe, f *dockerfile.File) (res IgnoreResult, ok bool, err error) {
	if _, err := os.Lstat(filepath.Join(p.Context, "Dockerfile.dockerignore")); err == nil {
		return IgnoreResult{}, false, nil
	}
	var patterns []string
	rd, err := os.Open(filepath.Join(p.Context, ".dockerignore"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return IgnoreResult{}, false, fmt.Errorf("reading .dockerignore: %w", err)
	default:
		patterns, err = ignorefile.ReadAll(rd)
		rd.Close()
		if err != nil {
			return IgnoreResult{}, false, fmt.Errorf("reading .dockerignore: %w", err)
		}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		// The builder refuses such a file too; let a build say how.
		return IgnoreResult{}, false, nil
	}
	res = IgnoreResult{Found: map[string][]string{}}
	for _, folder := range p.Folders {
		marker := path.Join(folder, MarkerName)
		left, err := pm.MatchesOrParentMatches(marker)
		if err != nil {
			return IgnoreResult{}, false, nil
		}
		if left {
			continue
		}
		at, followed := f.ContextCopies(marker)
		if !followed {
			return IgnoreResult{}, false, nil
		}
		if len(at) > 0 {
			res.Found[folder] = at
		}
	}
	return res, true, nil
}
