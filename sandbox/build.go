package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
)

// buildTimeout bounds one image build a check makes. A build that installs
// dependencies from a registry takes seconds to a minute; one that hangs on
// the network must not hang the check.
const buildTimeout = 5 * time.Minute

// ManagedLabel marks what lab itself creates (throwaway images and
// containers of checks), the only objects lab removes without being told
// their names.
const ManagedLabel = "lab.managed"

// BuildRequest says what a check builds.
type BuildRequest struct {
	// Context is the build context folder.
	Context string
	// Dockerfile is the Dockerfile's path; empty means Context/Dockerfile.
	Dockerfile string
	// Tag names the image, e.g. "lab-check/layer-cache:1a2b3c-before".
	Tag string
	// Labels are set on the image.
	Labels map[string]string
}

// BuildError says that `docker build` ran and the build failed, with what
// the builder printed, so the learner sees the builder's own words.
type BuildError struct {
	Output string
	Err    error
}

func (e *BuildError) Error() string {
	return "docker build failed: " + LastLines(e.Output, 8)
}

func (e *BuildError) Unwrap() error { return e.Err }

// BuildImage builds an image with the docker CLI found on env's PATH (nil
// means the process environment), so a check builds with the same builder
// the learner's own `docker build` uses: BuildKit where the buildx plugin is
// installed, the classic builder elsewhere, and the same build cache. It
// returns the image ID. A build that fails gives a *BuildError; a missing
// CLI gives a *NotInstalledError.
func BuildImage(ctx context.Context, env []string, req BuildRequest) (string, error) {
	if env == nil {
		env = os.Environ()
	}
	if _, err := lookPathIn("docker", env); err != nil {
		return "", &NotInstalledError{Tool: "docker"}
	}
	tmp, err := os.MkdirTemp("", "lab-build-")
	if err != nil {
		return "", fmt.Errorf("preparing a build: %w", err)
	}
	defer os.RemoveAll(tmp)
	iid := filepath.Join(tmp, "iid")
	// --force-rm: the classic builder leaves the container of a failed RUN
	// behind without it; BuildKit accepts the flag and makes no such
	// containers.
	args := []string{"build", "--force-rm", "--iidfile", iid}
	if req.Tag != "" {
		args = append(args, "-t", req.Tag)
	}
	for _, k := range sortedKeys(req.Labels) {
		args = append(args, "--label", k+"="+req.Labels[k])
	}
	if req.Dockerfile != "" {
		args = append(args, "-f", req.Dockerfile)
	}
	args = append(args, req.Context)
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	res, err := runCommand(ctx, "", append(slices.Clone(env), "DOCKER_CLI_HINTS=false"), false, "docker", args...)
	if err != nil {
		var ce *CommandError
		if ctx.Err() != nil || !errors.As(err, &ce) || ce.ExitCode < 0 {
			return "", fmt.Errorf("building %s: %w", req.Context, err)
		}
		return "", &BuildError{Output: res.combined, Err: err}
	}
	id, err := os.ReadFile(iid)
	if err != nil || len(strings.TrimSpace(string(id))) == 0 {
		return "", fmt.Errorf("docker build of %s reported no image ID: %s", req.Context, LastLines(res.combined, 8))
	}
	return strings.TrimSpace(string(id)), nil
}

// LastLines returns the last n non-empty lines of s joined with " | ",
// which is where a builder or a server puts the reason it stopped.
func LastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "no output"
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// randomSuffix makes names of throwaway objects unique, so two checks that
// run at once never remove each other's.
func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RebuildProbe describes an experiment on the build cache: build a copy of
// a context, change one file, build again, compare the layers.
type RebuildProbe struct {
	// Context is the learner's build context. It is copied; nothing in it
	// is written.
	Context string
	// Dockerfile is the Dockerfile text to build in the copy.
	Dockerfile []byte
	// Change is the context-relative, slash-separated path of the file to
	// change between the builds, and Append what is added to its end.
	Change string
	Append []byte
	// Repository names the throwaway images, e.g. "lab-check/layer-cache".
	// They carry lab.managed=true and are removed before ProbeRebuild
	// returns.
	Repository string
}

// RebuildResult holds the layers of the two builds, base first.
type RebuildResult struct {
	Before, After []string
}

// ProbeRebuild builds the probe's Dockerfile in a copy of its context, then
// again after changing one file, and reports both builds' layers. Layers
// that the change did not touch come from the build cache and keep their
// digests; the first changed layer and all after it are new.
func (e *Engine) ProbeRebuild(ctx context.Context, env []string, p RebuildProbe) (res RebuildResult, err error) {
	cache := newProbeCache()
	key, _ := cache.key(p.Context, "rebuild", e.Endpoint().Host, string(p.Dockerfile), p.Change, string(p.Append))
	if cache.get(key, &res) {
		return res, nil
	}
	defer func() {
		if err == nil {
			cache.put(key, res)
		}
	}()
	tmp, err := os.MkdirTemp("", "lab-rebuild-")
	if err != nil {
		return RebuildResult{}, fmt.Errorf("preparing the rebuild: %w", err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "context")
	if err := CopyTree(p.Context, dir); err != nil {
		return RebuildResult{}, err
	}
	// The Dockerfile to build stays outside the copied context, so the
	// context is exactly the learner's and BuildKit can take even the
	// layers before the change from the learner's own build cache. (The
	// classic builder adds a file named at random to such a context and to
	// its .dockerignore; that never touches the layers of instructions
	// that copy only named files.)
	dockerfile := filepath.Join(tmp, "Dockerfile.lab")
	if err := os.WriteFile(dockerfile, p.Dockerfile, 0o644); err != nil {
		return RebuildResult{}, fmt.Errorf("writing the Dockerfile to build: %w", err)
	}
	suffix, since := randomSuffix(), e.engineNow(ctx)
	for i, stage := range []string{"before", "after"} {
		if i == 1 {
			if err := appendFile(filepath.Join(dir, filepath.FromSlash(p.Change)), p.Append); err != nil {
				return res, err
			}
		}
		tag := p.Repository + ":" + suffix + "-" + stage
		id, err := BuildImage(ctx, env, BuildRequest{
			Context: dir, Dockerfile: dockerfile, Tag: tag,
			Labels: map[string]string{ManagedLabel: "true"},
		})
		if err != nil {
			return res, err
		}
		defer e.removeThrowawayImage(context.WithoutCancel(ctx), tag, since)
		img, err := e.InspectImage(ctx, id)
		if err != nil {
			return res, notLoaded(id, err)
		}
		if i == 0 {
			res.Before = img.Layers
		} else {
			res.After = img.Layers
		}
	}
	return res, nil
}

// notLoaded explains an image a build reported that the engine does not
// have: a buildx builder other than the engine's own keeps its results to
// itself unless told to load them.
func notLoaded(id string, err error) error {
	if IsNotFound(err) {
		return fmt.Errorf("docker build made image %.19s but the engine does not have it: the active buildx builder does not load its images into the engine; switch back to the engine's own builder: docker buildx use default", id)
	}
	return err
}

// engineNow is the time on the engine's own clock, which the images it
// makes are dated by, or the zero time when the engine does not say.
func (e *Engine) engineNow(ctx context.Context) time.Time {
	res, err := e.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return time.Time{}
	}
	return parseTime(res.Info.SystemTime)
}

// removeThrowawayImage removes an image a check built and tagged, and the
// images beneath it that its build made (the classic builder keeps one for
// every instruction) — those dated since, on the engine's clock. Older
// ones are the learner's build cache and stay: the engine may remove an
// image that another is built on, and a learner whose cache a check took
// would wait for every layer again at the next build. With since zero,
// only the tagged image goes.
func (e *Engine) removeThrowawayImage(ctx context.Context, tag string, since time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var beneath []string
	if api, ok := e.api.(imageProbeAPI); ok && !since.IsZero() {
		if hist, err := api.ImageHistory(ctx, tag); err == nil && len(hist.Items) > 1 {
			for _, h := range hist.Items[1:] { // newest first
				if !strings.HasPrefix(h.ID, "sha256:") {
					break
				}
				beneath = append(beneath, h.ID)
			}
		}
	}
	res, err := e.api.ImageRemove(ctx, tag, client.ImageRemoveOptions{})
	if err != nil || !slices.ContainsFunc(res.Items, func(d image.DeleteResponse) bool { return d.Deleted != "" }) {
		return // still there under another tag: what is beneath stays too
	}
	for _, id := range beneath {
		img, err := e.InspectImage(ctx, id)
		if err != nil || len(img.RepoTags) > 0 || img.Created.Before(since) {
			return
		}
		if _, err := e.api.ImageRemove(ctx, id, client.ImageRemoveOptions{}); err != nil {
			return
		}
	}
}

func appendFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("changing the copy of %s: %w", filepath.Base(path), err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("changing the copy of %s: %w", filepath.Base(path), err)
	}
	return f.Close()
}

// CopyTree copies the folder src to dst (which must not exist yet): files
// with their permission bits, folders, and symbolic links as links. Other
// kinds of files (sockets, devices) are left out; no build context needs
// them.
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("copying %s: %w", src, err)
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("copying %s: %w", path, err)
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return fmt.Errorf("copying %s: %w", path, err)
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		}
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	// Files keep their exact bits (umask aside), which COPY records in
	// the layer.
	return os.Chmod(dst, perm)
}

// MarkerName is the file name of the markers ProbeIgnore plants.
const MarkerName = ".lab-marker"

// IgnoreProbe describes an experiment on .dockerignore: plant a marker file
// in some folders of a build context, build it, look for the markers in
// the image.
type IgnoreProbe struct {
	// Context is the build context, built with its own Dockerfile.
	Context string
	// Folders are context-relative, slash-separated folders to plant a
	// marker in ("node_modules", ".git"). A folder that does not exist is
	// created for the probe and removed after it.
	Folders []string
	// Repository names the throwaway image; it carries lab.managed=true and
	// is removed before ProbeIgnore returns.
	Repository string
}

// IgnoreResult says, for each planted folder, where its marker turned up in
// the image; a folder whose marker stayed out has no entry.
type IgnoreResult struct {
	Found map[string][]string
}

// ProbeIgnore plants a marker file named MarkerName in each of the probe's
// folders, builds the context with its own Dockerfile into a throwaway
// image, and searches the image's whole file system (read without running
// it) for the markers. Only what the probe made is removed afterwards: its
// markers, the folders it created for them, the image. Everything else in
// the context is left as it was.
func (e *Engine) ProbeIgnore(ctx context.Context, env []string, p IgnoreProbe) (res IgnoreResult, err error) {
	cache := newProbeCache()
	key, _ := cache.key(p.Context, append([]string{"ignore", e.Endpoint().Host}, p.Folders...)...)
	if cache.get(key, &res) {
		return res, nil
	}
	defer func() {
		if err == nil {
			cache.put(key, res)
		}
	}()
	token := randomSuffix()
	content := map[string]string{} // marker content → folder
	var undo []func()
	defer func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}()
	for _, folder := range p.Folders {
		dir := filepath.Join(p.Context, filepath.FromSlash(folder))
		created, err := mkdirAllTracked(dir)
		if err != nil {
			return IgnoreResult{}, fmt.Errorf("planting a marker in %s: %w", folder, err)
		}
		undo = append(undo, func() {
			for i := len(created) - 1; i >= 0; i-- {
				_ = os.Remove(created[i]) // only if still empty: never the learner's files
			}
		})
		text := fmt.Sprintf("lab marker %s for %s: this file is not in the image when .dockerignore keeps %s out\n", token, folder, folder)
		marker := filepath.Join(dir, MarkerName)
		if err := os.WriteFile(marker, []byte(text), 0o644); err != nil {
			return IgnoreResult{}, fmt.Errorf("planting a marker in %s: %w", folder, err)
		}
		undo = append(undo, func() { _ = os.Remove(marker) })
		content[text] = folder
	}
	tag, since := p.Repository+":"+token, e.engineNow(ctx)
	id, err := BuildImage(ctx, env, BuildRequest{Context: p.Context, Tag: tag, Labels: map[string]string{ManagedLabel: "true"}})
	if err != nil {
		return IgnoreResult{}, err
	}
	defer e.removeThrowawayImage(context.WithoutCancel(ctx), tag, since)
	if _, err := e.InspectImage(ctx, id); err != nil {
		return IgnoreResult{}, notLoaded(id, err)
	}
	res = IgnoreResult{Found: map[string][]string{}}
	err = e.walkImageFiles(ctx, id, func(name string, size int64, read func() ([]byte, error)) error {
		if filepath.Base(name) != MarkerName || size > 4096 {
			return nil
		}
		data, err := read()
		if err != nil {
			return err
		}
		if folder, ok := content[string(data)]; ok {
			res.Found[folder] = append(res.Found[folder], name)
		}
		return nil
	})
	return res, err
}

// mkdirAllTracked creates dir and its missing parents and returns the
// folders it created, outermost first.
func mkdirAllTracked(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append([]string{d}, missing...)
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// maxBuildFile bounds what ReadBuildFile reads: Dockerfiles, pages and
// sources, never an archive.
const maxBuildFile = 16 << 20

// ReadBuildFile reads a file of a learner's build context — a Dockerfile,
// a page, a source file — that a check compares with what the image holds.
// A missing file gives an error for which errors.Is(err, fs.ErrNotExist)
// holds.
func ReadBuildFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s is a folder, not a file", path)
	}
	if info.Size() > maxBuildFile {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d a check reads", path, info.Size(), maxBuildFile)
	}
	return io.ReadAll(f)
}
