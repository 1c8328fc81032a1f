package features

// What selftest leaves of the engine: the images and volumes a lesson made
// without naming them, found by what the engine held before and during it.

import (
	"context"
	"slices"
	"strings"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// lessonImages are the image tags the lesson's steps name in resources.
func lessonImages(lesson *lessons.Lesson) []string {
	var tags []string
	for _, step := range lesson.Steps {
		for _, ref := range step.Resources.Images {
			if !slices.Contains(tags, ref) {
				tags = append(tags, ref)
			}
		}
	}
	return tags
}

// noteHeld adds the IDs the lesson's image tags point at now to t.held.
func (t *selftest) noteHeld(ctx context.Context) {
	if len(t.tags) == 0 || t.held == nil {
		return
	}
	// Reference filters are or'd, and a tag that does not exist (yet)
	// matches nothing rather than failing the listing.
	cmd := "docker images --quiet --no-trunc"
	for _, tag := range t.tags {
		cmd += " --filter " + shellQuote("reference="+tag)
	}
	for id := range t.listed(ctx, cmd) {
		if t.held[id] {
			continue
		}
		t.held[id] = true
		// Newest first; an ancestor the engine no longer has is <missing>.
		out, err := sandbox.Run(ctx, t.opts.Workspace, t.env, "docker history --quiet --no-trunc "+shellQuote(id))
		if err != nil {
			continue
		}
		for _, a := range strings.Fields(out) {
			if strings.HasPrefix(a, "sha256:") && a != id && !t.existed[a] && !slices.Contains(t.ancestors, a) {
				t.ancestors = append(t.ancestors, a)
			}
		}
	}
}

// untaggedImages lists the IDs of the engine's untagged images, or nil when
// the docker CLI cannot say.
func (t *selftest) untaggedImages(ctx context.Context) map[string]bool {
	return t.listed(ctx, "docker images --quiet --no-trunc --filter dangling=true")
}

// volumes lists the names of the engine's volumes that match filter (a
// `docker volume ls --filter` value, "" for all), or nil when the docker CLI
// cannot say.
func (t *selftest) volumes(ctx context.Context, filter string) map[string]bool {
	cmd := "docker volume ls --quiet"
	if filter != "" {
		cmd += " --filter " + filter
	}
	return t.listed(ctx, cmd)
}

// listed runs a docker CLI listing and returns the words it printed, or nil
// when it fails.
func (t *selftest) listed(ctx context.Context, cmd string) map[string]bool {
	out, err := sandbox.Run(ctx, t.opts.Workspace, t.env, cmd)
	if err != nil {
		return nil
	}
	words := map[string]bool{}
	for _, w := range strings.Fields(out) {
		words[w] = true
	}
	return words
}

// removeUntaggedSince removes the untagged images that appeared since
// before was listed and that once carried one of the lesson's image tags:
// the older builds of a tag the lesson's solutions and wrong states built
// again, which no cleanup command can name. An untagged image anything else
// made meanwhile (another build's intermediate image, say) is not touched,
// nor one a container still uses.
func (t *selftest) removeUntaggedSince(ctx context.Context, before map[string]bool) {
	now := t.untaggedImages(ctx)
	for id := range now {
		if !t.held[id] {
			delete(now, id)
		}
	}
	t.removeNew(ctx, before, now, "docker image rm ", "untagged image(s) left by rebuilding the lesson's images")
	t.removeAncestors(ctx)
}

// removeAncestors removes the images the lesson's builds left beneath their
// results, newest first, once nothing is built on them and no tag names
// them: the untagged images with no children are what `dangling=true`
// lists. An image from before the lesson is never among them; one that a
// container uses, the engine refuses to remove.
func (t *selftest) removeAncestors(ctx context.Context) {
	if t.existed == nil {
		return
	}
	left, removed := slices.Clone(t.ancestors), 0
	for len(left) > 0 {
		dangling := t.untaggedImages(ctx)
		var next []string
		progress := false
		for _, id := range left {
			if !dangling[id] {
				next = append(next, id)
				continue
			}
			if _, err := sandbox.Run(ctx, t.opts.Workspace, t.env, "docker image rm "+id); err == nil {
				removed++
				progress = true
			}
		}
		if !progress {
			break
		}
		left = next
	}
	if removed > 0 {
		t.logf("  removed %d untagged image(s) the lesson's builds left beneath their results", removed)
	}
}

// removeAnonymousVolumesSince removes the anonymous volumes that appeared
// since before was listed and that no container uses: what a lesson's
// containers left when they were removed without -v (an image's VOLUME, a
// Compose orphan). A volume that existed before the lesson is never
// touched, in use or not.
func (t *selftest) removeAnonymousVolumesSince(ctx context.Context, before map[string]bool) {
	t.removeNew(ctx, before, t.volumes(ctx, "dangling=true --filter label=com.docker.volume.anonymous"), "docker volume rm ", "anonymous volume(s) left by the lesson's containers")
}

// removeNew runs rm with each of now that is not in before, and says how
// many went. Nothing is removed when before could not be listed.
func (t *selftest) removeNew(ctx context.Context, before, now map[string]bool, rm, what string) {
	if before == nil {
		return
	}
	var removed int
	for id := range now {
		if before[id] {
			continue
		}
		if _, err := sandbox.Run(ctx, t.opts.Workspace, t.env, rm+id); err == nil {
			removed++
		}
	}
	if removed > 0 {
		t.logf("  removed %d %s", removed, what)
	}
}
