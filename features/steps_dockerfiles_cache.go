package features

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/lab-workshop/lab/internal/dockerfile"
	"github.com/lab-workshop/lab/sandbox"
)

func (w *world) installsDeps(ctx context.Context, folder string) (context.Context, error) {
	ctx, st := buildStateOf(ctx)
	st.folder = folder
	f, src, err := w.readDockerfile(folder)
	if err != nil {
		return ctx, err
	}
	st.file, st.src = f, src
	stage, index, ok := f.DependencyInstall()
	if !ok {
		return ctx, &Failure{
			Code:     "instruction-missing",
			Message:  fmt.Sprintf("%s/Dockerfile has no RUN instruction that installs the dependencies", folder),
			Expected: "RUN npm ci --omit=dev (or npm install)",
			Observed: "no RUN with npm ci or npm install",
			Try:      fmt.Sprintf("cat -n %s/Dockerfile", folder),
			Fix:      "install the dependencies in the image: RUN npm ci --omit=dev",
		}
	}
	st.depStage, st.depIndex = stage, index
	return ctx, nil
}

// cacheProbeComment is what the rebuild appends to the changed file: a
// comment, so the copy still runs.
const cacheProbeComment = "\n// lab: a one-line change to see which layers the build cache keeps\n"

func (w *world) rebuildWithChange(ctx context.Context, folder, file string) error {
	_, st := buildStateOf(ctx)
	if st.file == nil {
		return errors.New("no Dockerfile read by an earlier step: start with 'the Dockerfile in the workspace folder ... installs the dependencies with npm'")
	}
	ws, err := w.workspaceDir()
	if err != nil {
		return err
	}
	if _, err := w.readBuildFile(path.Join(folder, file), w.missingFileFix(path.Join(folder, file))); err != nil {
		return err
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	dep := st.file.Stages[st.depStage].Instructions[st.depIndex]
	res, err := e.ProbeRebuild(ctx, w.target().Env, sandbox.RebuildProbe{
		Context:    filepath.Join(ws, filepath.FromSlash(folder)),
		Dockerfile: dockerfile.Truncate(st.src, dep.EndLine),
		Change:     file,
		Append:     []byte(cacheProbeComment),
		Repository: "lab-check/layer-cache",
	})
	if err != nil {
		return w.buildFailure(ctx, e, err, folder)
	}
	st.changed = file
	st.rebuild = &res
	return nil
}

// buildFailure turns an error of a build the lab ran into the learner's
// failure (their Dockerfile does not build) or an environment error.
func (w *world) buildFailure(ctx context.Context, e *sandbox.Engine, err error, folder string) error {
	var be *sandbox.BuildError
	var missing *sandbox.NotInstalledError
	switch {
	case errors.As(err, &missing):
		return &EnvError{Err: err}
	case errors.As(err, &be):
		if _, perr := e.ServerInfo(ctx); perr != nil {
			return &EnvError{Err: fmt.Errorf("the Docker engine stopped answering during a build: %w", perr)}
		}
		return &Failure{
			Code:     "build-fails",
			Message:  fmt.Sprintf("%s/Dockerfile does not build", folder),
			Expected: "a build that succeeds",
			Observed: sandbox.LastLines(be.Output, 6),
			Try:      "docker build " + folder,
			Fix:      "build it yourself and fix the instruction the builder names",
		}
	}
	return engineErr(err)
}

func (w *world) depLayerKept(ctx context.Context) error {
	_, st := buildStateOf(ctx)
	if st.rebuild == nil {
		return errors.New("no rebuild made by an earlier step: put 'the lab builds a copy of the workspace folder ...' before this one")
	}
	dep := st.file.Stages[st.depStage].Instructions[st.depIndex]
	before, after := st.rebuild.Before, st.rebuild.After
	if len(before) > 0 && len(after) > 0 && before[len(before)-1] == after[len(after)-1] {
		w.note("the layer of %s stayed %.19s when %s changed", dockerfile.Describe(dep), before[len(before)-1], st.changed)
		return nil
	}
	first := 0
	for first < len(before) && first < len(after) && before[first] == after[first] {
		first++
	}
	msg := fmt.Sprintf("changing only %s rebuilt the dependency layer of %s", st.changed, dockerfile.Describe(dep))
	if copies := st.file.CopiesBefore(st.depStage, st.depIndex, st.changed); len(copies) > 0 {
		msg = fmt.Sprintf("changing only %s rebuilt the dependency layer: %s copies %s before %s",
			st.changed, dockerfile.Describe(copies[0]), st.changed, dockerfile.Describe(dep))
	}
	observed := fmt.Sprintf("layer %d of %d changed first, and every layer after it was built again", first+1, len(after))
	if len(before) > 0 && len(after) > 0 {
		observed += fmt.Sprintf("; the dependency layer was %.19s and became %.19s", before[len(before)-1], after[len(after)-1])
	}
	return &Failure{
		Code:     "cache-miss",
		Message:  msg,
		Expected: fmt.Sprintf("the same layer for %s in both builds", dockerfile.Describe(dep)),
		Observed: observed,
		Try:      fmt.Sprintf("docker build %s twice, changing %s/%s in between: the steps that do not say CACHED (BuildKit) or \"Using cache\" ran again", st.folder, st.folder, st.changed),
		Fix:      "copy only the dependency list first and install, then the rest: COPY package*.json ./ then RUN npm ci --omit=dev, then COPY . .",
	}
}

// dockerignoreLookalikes are names a .dockerignore is saved under by
// mistake; the builder reads none of them.
var dockerignoreLookalikes = []string{".dockerignore.txt", "dockerignore", "dockerignore.txt", ".Dockerignore", ".dockerIgnore", ".docker-ignore"}

func (w *world) hasDockerignore(ctx context.Context, folder string) error {
	ws, err := w.workspaceDir()
	if err != nil {
		return err
	}
	rel := path.Join(folder, ".dockerignore")
	p, err := w.workspacePath(rel)
	if err != nil {
		return err
	}
	_, err = sandbox.ReadBuildFile(p)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", rel, err)
	}
	observed := "no such file"
	fix := fmt.Sprintf("write %s with one pattern per line: node_modules and .git", rel)
	for _, name := range dockerignoreLookalikes {
		if _, err := sandbox.ReadBuildFile(filepath.Join(ws, filepath.FromSlash(folder), name)); err == nil {
			observed = fmt.Sprintf("%s/%s, a name the builder does not read", folder, name)
			fix = fmt.Sprintf("rename it: mv %s/%s %s", folder, name, rel)
		}
	}
	if _, err := sandbox.ReadBuildFile(filepath.Join(ws, ".dockerignore")); err == nil && folder != "." {
		observed = fmt.Sprintf(".dockerignore in the workspace folder itself, outside the build context %s/", folder)
		fix = fmt.Sprintf("the builder reads .dockerignore only from the root of the build context: mv .dockerignore %s", rel)
	}
	return &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("your workspace has no %s", rel),
		Expected: fmt.Sprintf("%s, next to %s/Dockerfile", rel, folder),
		Observed: observed,
		Try:      "ls -a " + folder,
		Fix:      fix,
	}
}

func (w *world) plantAndBuild(ctx context.Context, first, second, folder string) (context.Context, error) {
	ctx, st := buildStateOf(ctx)
	ws, err := w.workspaceDir()
	if err != nil {
		return ctx, err
	}
	var rels []string
	for _, p := range []string{first, second} {
		rel, ok := strings.CutPrefix(p, folder+"/")
		if !ok {
			return ctx, fmt.Errorf("%q is not inside the build folder %q", p, folder)
		}
		rels = append(rels, rel)
	}
	if _, _, err := w.readDockerfile(folder); err != nil {
		return ctx, err
	}
	e, err := w.engine(ctx)
	if err != nil {
		return ctx, err
	}
	res, err := w.probeIgnore(ctx, e, folder, sandbox.IgnoreProbe{
		Context:    filepath.Join(ws, filepath.FromSlash(folder)),
		Folders:    rels,
		Repository: "lab-check/dockerignore",
	})
	if err != nil {
		return ctx, w.buildFailure(ctx, e, err, folder)
	}
	st.folder, st.ignore, st.ignoreFolder = folder, &res, folder
	return ctx, nil
}

func (w *world) markerNotInImage(ctx context.Context, planted string) error {
	_, st := buildStateOf(ctx)
	if st.ignore == nil {
		return errors.New("no marker planted by an earlier step: put 'the lab plants a marker file in ...' before this one")
	}
	rel := strings.TrimPrefix(planted, st.ignoreFolder+"/")
	found := st.ignore.Found[rel]
	if len(found) == 0 {
		return nil
	}
	return &Failure{
		Code: "not-ignored",
		Message: fmt.Sprintf("the marker the lab put in %s got into the image at %s: %s/.dockerignore does not keep %s out",
			planted, found[0], st.ignoreFolder, rel),
		Expected: fmt.Sprintf("nothing from %s in the image", planted),
		Observed: fmt.Sprintf("%s in the image (the lab removed the marker from your workspace again)", strings.Join(found, ", ")),
		Try:      fmt.Sprintf("cat %s/.dockerignore", st.ignoreFolder),
		Fix:      fmt.Sprintf("add a line %s to %s/.dockerignore", rel, st.ignoreFolder),
	}
}
