package features

import (
	"context"
	"strings"

	"github.com/lab-workshop/lab/sandbox"
)

// probeIgnore answers a .dockerignore probe of a workspace folder from the
// folder's .dockerignore, read with the builders' own pattern matcher, and
// its Dockerfile's copies, when those say all; else it plants the markers
// and builds.
func (w *world) probeIgnore(ctx context.Context, e *sandbox.Engine, folder string, p sandbox.IgnoreProbe) (sandbox.IgnoreResult, error) {
	if f, _, err := w.readDockerfile(folder); err == nil {
		res, ok, err := sandbox.IgnoreWithoutBuild(p, f)
		if err != nil {
			return res, err
		}
		if ok {
			var kept []string
			for _, dir := range p.Folders {
				if len(res.Found[dir]) == 0 {
					kept = append(kept, dir)
				}
			}
			if len(kept) > 0 {
				w.note("%s/.dockerignore keeps %s out of the build context", folder, strings.Join(kept, " and "))
			}
			return res, nil
		}
	}
	return e.ProbeIgnore(ctx, w.target().Env, p)
}
