package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/dockerfile"
	"github.com/lab-workshop/lab/sandbox"
)

// Steps for Lesson 3: image builds. The first step of a scenario names the
// image or build folder; the steps after it say "its" and find it in the
// scenario's context.
func (w *world) dockerfileSteps() []stepDef {
	return []stepDef{
		{`^the image "([^"]+)" is built from the workspace folder "([^"]+)"$`, w.imageBuiltFrom,
			`the image "lab/profile:v2" is built from the workspace folder "profile"`, []string{"invalid-file", "not-found"}},
		{`^its layers start with the layers of image "([^"]+)"$`, w.layersStartWith,
			`its layers start with the layers of image "nginx:1.27"`, []string{"base-differs", "not-found"}},
		{`^its build sets a maintainer label of its own$`, w.buildSetsMaintainer,
			`its build sets a maintainer label of its own`, []string{"label-mismatch"}},
		{`^its build exposes port (\d+)$`, w.buildExposes,
			`its build exposes port 80`, []string{"instruction-missing"}},
		{`^its file "([^"]+)" is the workspace file "([^"]+)"$`, w.imageFileIs,
			`its file "/usr/share/nginx/html/index.html" is the workspace file "profile/index.html"`, []string{"file-differs", "not-found"}},
		{`^its working directory holds the workspace file "([^"]+)"$`, w.workdirHolds,
			`its working directory holds the workspace file "app/app.js"`, []string{"file-differs", "not-found"}},
		{`^container "([^"]+)" from image "([^"]+)" keeps running$`, w.containerKeepsRunning,
			`container "lab-profile" from image "lab/profile:v2" keeps running`, []string{"image-differs", "not-found", "not-running", "restart-loop"}},
		{`^(http://\S+) answers 200 with a page naming "([^"]+)"$`, w.pageNames,
			`http://localhost:3000/ answers 200 with a page naming "lab sample app"`, []string{"no-answer", "not-running", "page-differs", "restart-loop", "status-mismatch"}},
		{`^(http://\S+) answers 200 with exactly "([^"]+)"$`, w.answersExactly,
			`http://localhost:3000/fibonacci/10 answers 200 with exactly "55"`, []string{"no-answer", "not-running", "page-differs", "restart-loop", "status-mismatch"}},
		{`^the Dockerfile in the workspace folder "([^"]+)" installs the dependencies with npm$`, w.installsDeps,
			`the Dockerfile in the workspace folder "app" installs the dependencies with npm`, []string{"instruction-missing", "invalid-file", "not-found"}},
		{`^the lab builds a copy of the workspace folder "([^"]+)" up to that instruction, changes only "([^"]+)" and builds it again$`, w.rebuildWithChange,
			`the lab builds a copy of the workspace folder "app" up to that instruction, changes only "app.js" and builds it again`, []string{"build-fails", "not-found"}},
		{`^the layer of the dependency install is the same in both builds$`, w.depLayerKept,
			`the layer of the dependency install is the same in both builds`, []string{"cache-miss"}},
		{`^the workspace folder "([^"]+)" has a \.dockerignore$`, w.hasDockerignore,
			`the workspace folder "app" has a .dockerignore`, []string{"not-found"}},
		{`^the lab plants a marker file in "([^"]+)" and in "([^"]+)" and builds the workspace folder "([^"]+)"$`, w.plantAndBuild,
			`the lab plants a marker file in "app/node_modules" and in "app/.git" and builds the workspace folder "app"`, []string{"build-fails", "invalid-file", "not-found"}},
		{`^the marker from "([^"]+)" is not in the image$`, w.markerNotInImage,
			`the marker from "app/node_modules" is not in the image`, []string{"not-ignored"}},
		{`^the Dockerfile in the workspace folder "([^"]+)" passes the lint rules (.+)$`, w.passesLint,
			`the Dockerfile in the workspace folder "app" passes the lint rules DL3006, DL3007, DL3020, DL3025 and LAB001`, []string{"invalid-file", "lint-finding", "not-found"}},
		{`^its configuration runs it as a user other than root$`, w.configNonRoot,
			`its configuration runs it as a user other than root`, []string{"runs-as-root"}},
		{`^"id -u" in a container from it prints a user id other than 0$`, w.idNonZero,
			`"id -u" in a container from it prints a user id other than 0`, []string{"command-fails", "runs-as-root"}},
		{`^it is smaller than (\d+) MB$`, w.smallerThan,
			`it is smaller than 600 MB`, []string{"too-large"}},
		{`^its own layers add less than (\d+) MB to the base image$`, w.addsLessThan,
			`its own layers add less than 50 MB to the base image`, []string{"too-large"}},
	}
}

// buildState is what one lesson 3 scenario's steps share: the image and
// build folder under test and what the lab's own builds found.
type buildState struct {
	ref    string // image reference
	folder string // workspace folder, the build context
	image  sandbox.Image
	base   string // the base image an earlier step compared layers with
	// The Dockerfile, its text and its dependency install instruction.
	file               *dockerfile.File
	src                []byte
	depStage, depIndex int
	changed            string // the file the rebuild changed
	rebuild            *sandbox.RebuildResult
	ignore             *sandbox.IgnoreResult
	ignoreFolder       string
	container          string // the container a step found running
}

// buildStateOf returns the scenario's build state, creating it on first
// use; the returned context carries it to the next steps.
func buildStateOf(ctx context.Context) (context.Context, *buildState) {
	return scenarioState[buildState](ctx)
}

// errNoImage is a mistake in a feature file: an "its" step with no step
// before it naming the image.
var errNoImage = errors.New(`no image named by an earlier step: start the scenario with 'the image "..." is built from the workspace folder "..."'`)

// builtImage is the build state of a scenario whose earlier step named
// the image under test.
func builtImage(ctx context.Context) (*buildState, error) {
	_, st := buildStateOf(ctx)
	if st.ref == "" {
		return st, errNoImage
	}
	return st, nil
}

// builtImageOn is builtImage and the engine the image is on.
func (w *world) builtImageOn(ctx context.Context) (*buildState, *sandbox.Engine, error) {
	st, err := builtImage(ctx)
	if err != nil {
		return st, nil, err
	}
	e, err := w.engine(ctx)
	return st, e, err
}

// workspace returns the learner's workspace directory.
func (w *world) workspaceDir() (string, error) {
	ws := w.run.opts.Workspace
	if ws == "" {
		return "", &EnvError{Err: errors.New("no workspace directory is set; use --workspace or LAB_WORKSPACE")}
	}
	return ws, nil
}

// readBuildFile reads a workspace file a check needs; a missing file is the
// learner's failure, with fix as the way out.
func (w *world) readBuildFile(rel, fix string) ([]byte, error) {
	p, err := w.workspacePath(rel)
	if err != nil {
		return nil, err
	}
	data, err := sandbox.ReadBuildFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, noSuchFile(fmt.Sprintf("your workspace has no %s", rel), p, fix)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return data, nil
}

// readDockerfile reads and parses the Dockerfile of a workspace folder.
func (w *world) readDockerfile(folder string) (*dockerfile.File, []byte, error) {
	rel := path.Join(folder, "Dockerfile")
	src, err := w.readBuildFile(rel, fmt.Sprintf("write the Dockerfile as %s (the name has no extension), as `lab show` explains", rel))
	if err != nil {
		return nil, nil, err
	}
	f, err := sandbox.ParseDockerfile(src)
	if err != nil {
		return nil, nil, &Failure{
			Code:     "invalid-file",
			Message:  fmt.Sprintf("%s cannot be read as a Dockerfile: %v", rel, err),
			Expected: "a Dockerfile that starts with FROM",
			Observed: err.Error(),
			Try:      "cat -n " + rel,
		}
	}
	return f, src, nil
}

// missingFileFix says how to get a workspace file a check needs: from the
// step's starter files when they hold it, else by writing it.
func (w *world) missingFileFix(rel string) string {
	if w.step != nil {
		for _, p := range w.step.Starter {
			if rel == p || strings.HasPrefix(rel, strings.TrimSuffix(p, "/")+"/") {
				return fmt.Sprintf("`lab show %s` copies the step's starter files into your workspace again, without touching yours", w.step.Key())
			}
		}
	}
	return fmt.Sprintf("write %s in your workspace, as `lab show` explains", rel)
}

// buildCommand is the command that builds ref from a workspace folder, run
// in the workspace.
func buildCommand(ref, folder string) string {
	return fmt.Sprintf("docker build -t %s %s", ref, folder)
}

func (w *world) imageBuiltFrom(ctx context.Context, ref, folder string) (context.Context, error) {
	ctx, st := buildStateOf(ctx)
	st.ref, st.folder = ref, folder
	f, src, err := w.readDockerfile(folder)
	if err != nil {
		return ctx, err
	}
	st.file, st.src = f, src
	name, _, _ := dockerfile.ImageRef(ref)
	img, err := w.inspectImage(ctx, ref, &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("image %q does not exist", ref),
		Expected: fmt.Sprintf("an image %s built from %s/Dockerfile", ref, folder),
		Observed: "no such image",
		Try:      "docker images " + name,
		Fix:      "build it in your workspace: " + buildCommand(ref, folder),
	})
	if err != nil {
		return ctx, err
	}
	st.image = img
	w.note("image %s is %.19s, built %s", ref, img.ID, img.Created.Format(time.RFC3339))
	return ctx, nil
}

func (w *world) layersStartWith(ctx context.Context, base string) error {
	st, err := builtImage(ctx)
	if err != nil {
		return err
	}
	// A FROM pinned more strictly than the text's (a patch version, a
	// digest, a registry prefix) names the base the image was built on.
	if st.file != nil {
		if final := st.file.Final(); final != nil && final.Base != base && sandbox.PinAtLeast(final.Base, base) {
			w.note("%s/Dockerfile says FROM %s, pinned at least as strictly as %s", st.folder, final.Base, base)
			base = final.Base
		}
	}
	st.base = base
	b, err := w.inspectImage(ctx, base, &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("the base image %s is not on this machine, so %s cannot have been built on it", base, st.ref),
		Expected: fmt.Sprintf("%s present, and %s built FROM it", base, st.ref),
		Observed: "no image " + base,
		Try:      "docker images",
		Fix:      fmt.Sprintf("docker pull %s, then build again: %s", base, buildCommand(st.ref, st.folder)),
	})
	if err != nil {
		return err
	}
	shared := 0
	for shared < len(st.image.Layers) && shared < len(b.Layers) && st.image.Layers[shared] == b.Layers[shared] {
		shared++
	}
	if shared == len(b.Layers) {
		w.note("%s adds %d layer(s) to the %d of %s", st.ref, len(st.image.Layers)-len(b.Layers), len(b.Layers), base)
		return nil
	}
	fix := fmt.Sprintf("start %s/Dockerfile with FROM %s and build again: %s", st.folder, base, buildCommand(st.ref, st.folder))
	if final := st.file.Final(); final != nil && final.Base == base {
		fix = fmt.Sprintf("%s/Dockerfile says FROM %s, so the image is older than the Dockerfile or than your copy of %s: build again: %s", st.folder, base, base, buildCommand(st.ref, st.folder))
	}
	return &Failure{
		Code:     "base-differs",
		Message:  fmt.Sprintf("image %q is not built on %s: its layers do not start with the layers of %s", st.ref, base, base),
		Expected: fmt.Sprintf("the %d layers of %s first", len(b.Layers), base),
		Observed: fmt.Sprintf("%s has %d layers and shares the first %d of them with %s", st.ref, len(st.image.Layers), shared, base),
		Try:      fmt.Sprintf("docker image inspect --format '{{json .RootFS.Layers}}' %s %s", st.ref, base),
		Fix:      fix,
	}
}

func (w *world) buildSetsMaintainer(ctx context.Context) error {
	st, e, err := w.builtImageOn(ctx)
	if err != nil {
		return err
	}
	own, err := e.InspectImageBuild(ctx, st.ref)
	if err != nil {
		return engineErr(err)
	}
	var baseLabels map[string]string
	var baseAuthor string
	if st.base != "" {
		if b, err := e.InspectImage(ctx, st.base); err == nil {
			baseLabels = b.Labels
		}
		if b, err := e.InspectImageBuild(ctx, st.base); err == nil {
			baseAuthor = b.Author
		}
	}
	if key, value, ok := ownMaintainer(st.image.Labels, baseLabels); ok {
		w.note("maintainer label %s: %s", key, value)
		return nil
	}
	if own.Author != "" && own.Author != baseAuthor {
		w.note("maintainer (MAINTAINER instruction, deprecated; LABEL maintainer=... replaces it): %s", own.Author)
		return nil
	}
	observed := "no maintainer label"
	if key, value, ok := ownMaintainer(st.image.Labels, nil); ok {
		observed = fmt.Sprintf("%s=%q, inherited from %s", key, value, st.base)
	}
	return &Failure{
		Code:     "label-mismatch",
		Message:  fmt.Sprintf("image %q sets no maintainer label of its own", st.ref),
		Expected: `a label like maintainer="Your Name <you@example.com>"`,
		Observed: observed,
		Try:      fmt.Sprintf("docker image inspect --format '{{json .Config.Labels}}' %s", st.ref),
		Fix:      fmt.Sprintf(`add LABEL maintainer="Your Name <you@example.com>" to %s/Dockerfile and build again: %s`, st.folder, buildCommand(st.ref, st.folder)),
	}
}

// ownMaintainer finds a maintainer label in labels that base does not carry
// with the same value: a key "maintainer" in any case (LABEL MAINTAINER=...
// counts) or "org.opencontainers.image.authors". Keys are tried in
// sorted order, so the answer is the same every time.
func ownMaintainer(labels, base map[string]string) (key, value string, ok bool) {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		v := labels[k]
		if !isMaintainerKey(k) || strings.TrimSpace(v) == "" {
			continue
		}
		if bv, inherited := base[k]; inherited && bv == v {
			continue
		}
		return k, v, true
	}
	return "", "", false
}

// isMaintainerKey reports whether a label key names who looks after an image.
func isMaintainerKey(k string) bool {
	return strings.EqualFold(k, "maintainer") || strings.EqualFold(k, "org.opencontainers.image.authors")
}

// ownHistory returns the history entries the image's own build added on top
// of its base's.
func (w *world) ownHistory(ctx context.Context, st *buildState) ([]sandbox.HistoryEntry, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return nil, err
	}
	own, err := e.InspectImageBuild(ctx, st.ref)
	if err != nil {
		return nil, engineErr(err)
	}
	hist := own.History
	if st.base != "" {
		if b, err := e.InspectImageBuild(ctx, st.base); err == nil && len(b.History) <= len(hist) {
			hist = hist[len(b.History):]
		}
	}
	return hist, nil
}

// instructionText turns a history entry into the instruction it records:
// the classic builder writes "/bin/sh -c #(nop)  EXPOSE 80" for EXPOSE and
// "/bin/sh -c npm ci" for RUN; BuildKit writes "EXPOSE map[80/tcp:{}]" and
// "RUN /bin/sh -c npm ci # buildkit".
func instructionText(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	s = strings.TrimPrefix(s, "/bin/sh -c ")
	if rest, ok := strings.CutPrefix(s, "#(nop)"); ok {
		return strings.TrimSpace(rest)
	}
	return s
}

func (w *world) buildExposes(ctx context.Context, port int) error {
	st, err := builtImage(ctx)
	if err != nil {
		return err
	}
	hist, err := w.ownHistory(ctx, st)
	if err != nil {
		return err
	}
	expose := regexp.MustCompile(`(?i)^EXPOSE\b.*\b` + strconv.Itoa(port) + `\b`)
	for _, h := range hist {
		if expose.MatchString(instructionText(h.CreatedBy)) {
			return nil
		}
	}
	observed := fmt.Sprintf("no EXPOSE %d among the %d instructions of its own build", port, len(hist))
	if slices.Contains(st.image.ExposedPorts, fmt.Sprintf("%d/tcp", port)) && st.base != "" {
		observed += fmt.Sprintf("; port %d/tcp is exposed only because %s exposes it", port, st.base)
	}
	return &Failure{
		Code:     "instruction-missing",
		Message:  fmt.Sprintf("image %q was built without EXPOSE %d", st.ref, port),
		Expected: fmt.Sprintf("EXPOSE %d in %s/Dockerfile, documenting the port the server listens on", port, st.folder),
		Observed: observed,
		Try:      "docker history " + st.ref,
		Fix:      fmt.Sprintf("add EXPOSE %d to %s/Dockerfile and build again: %s", port, st.folder, buildCommand(st.ref, st.folder)),
	}
}

// maxImageFile bounds the files the lesson 3 checks read out of images.
const maxImageFile = 16 << 20

// readImageFile reads a file of the scenario's image; a missing file is the
// learner's failure.
func (w *world) readImageFile(ctx context.Context, st *buildState, file, fix string) ([]byte, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return nil, err
	}
	got, err := e.ReadImageFile(ctx, st.ref, file, maxImageFile)
	var nf *sandbox.NotFoundError
	switch {
	case errors.As(err, &nf) && nf.Kind == "file":
		return nil, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("image %q has no %s", st.ref, file),
			Expected: file + " in the image",
			Observed: "no such file in the image",
			Try:      fmt.Sprintf("docker run --rm --entrypoint ls %s -la %s", st.ref, path.Dir(file)),
			Fix:      fix,
		}
	case err != nil:
		return nil, engineErr(err)
	}
	return got, nil
}

// builtImageAndFile is the image an earlier step built and the workspace
// file rel it should hold.
func (w *world) builtImageAndFile(ctx context.Context, rel string) (*buildState, []byte, error) {
	st, err := builtImage(ctx)
	if err != nil {
		return nil, nil, err
	}
	want, err := w.readBuildFile(rel, w.missingFileFix(rel))
	return st, want, err
}

func (w *world) imageFileIs(ctx context.Context, file, rel string) error {
	st, want, err := w.builtImageAndFile(ctx, rel)
	if err != nil {
		return err
	}
	copyFix := fmt.Sprintf("COPY %s %s/ in %s/Dockerfile, then build again: %s", path.Base(rel), path.Dir(file), st.folder, buildCommand(st.ref, st.folder))
	got, err := w.readImageFile(ctx, st, file, copyFix)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("%s in %s is your %s (%d bytes)", file, st.ref, rel, len(want))
	switch {
	case bytes.Equal(got, want):
		return nil
	case bytes.Contains(got, []byte(nginxWelcome)):
		return &Failure{
			Code:     "file-differs",
			Message:  fmt.Sprintf("the %s in image %q is nginx's welcome page, not your %s", file, st.ref, rel),
			Expected: expected,
			Observed: fmt.Sprintf("nginx's welcome page (%d bytes)", len(got)),
			Try:      fmt.Sprintf("docker run --rm --entrypoint cat %s %s", st.ref, file),
			Fix:      copyFix,
		}
	default:
		return &Failure{
			Code:     "file-differs",
			Message:  fmt.Sprintf("the %s in image %q is not your %s", file, st.ref, rel),
			Expected: expected,
			Observed: diffHint(got, want, "image's", rel),
			Try:      fmt.Sprintf("docker run --rm --entrypoint cat %s %s", st.ref, file),
			Fix:      "the image holds the page as it was when you built it: build again: " + buildCommand(st.ref, st.folder),
		}
	}
}

func (w *world) workdirHolds(ctx context.Context, rel string) error {
	st, want, err := w.builtImageAndFile(ctx, rel)
	if err != nil {
		return err
	}
	wd := st.image.WorkingDir
	if wd == "" {
		wd = "/"
	}
	file := path.Join(wd, path.Base(rel))
	got, err := w.readImageFile(ctx, st, file,
		fmt.Sprintf("set the working directory and copy the app into it: WORKDIR /app, then COPY . . in %s/Dockerfile; build again: %s", st.folder, buildCommand(st.ref, st.folder)))
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return &Failure{
			Code:     "file-differs",
			Message:  fmt.Sprintf("the %s in image %q is not your %s", file, st.ref, rel),
			Expected: fmt.Sprintf("%s in %s is your %s", file, st.ref, rel),
			Observed: diffHint(got, want, "image's", rel),
			Try:      fmt.Sprintf("docker run --rm --entrypoint cat %s %s | diff - %s", st.ref, file, rel),
			Fix:      "the image holds the app as it was when you built it: build again: " + buildCommand(st.ref, st.folder),
		}
	}
	return nil
}
