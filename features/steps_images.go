package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// inspectImage finds an image by reference, or fails with missing when
// there is none.
func (w *world) inspectImage(ctx context.Context, ref string, missing *Failure) (sandbox.Image, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return sandbox.Image{}, err
	}
	img, err := e.InspectImage(ctx, ref)
	if sandbox.IsNotFound(err) {
		return img, missing
	}
	return img, engineErr(err)
}

// noImage is the failure for an image the check looks up by reference
// and that does not exist.
func noImage(ref, expected string) *Failure {
	repo := ref
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo = ref[:i]
	}
	return &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("image %q does not exist", ref),
		Expected: expected,
		Observed: "no such image",
		Try:      "docker images " + repo,
	}
}

// inspectImagePair inspects two images a check compares.
func (w *world) inspectImagePair(ctx context.Context, ref, other, expected string) (sandbox.Image, sandbox.Image, error) {
	img, err := w.inspectImage(ctx, ref, noImage(ref, expected))
	if err != nil {
		return img, sandbox.Image{}, err
	}
	o, err := w.inspectImage(ctx, other, noImage(other, expected))
	return img, o, err
}

func (w *world) imageExists(ctx context.Context, ref string) error {
	img, err := w.inspectImage(ctx, ref, noImage(ref, "an image "+ref))
	if err == nil {
		w.note("image %s is %.19s, created %s", ref, img.ID, img.Created.Format(time.RFC3339))
	}
	return err
}

func (w *world) imageHoldsWorkspaceFile(ctx context.Context, ref, rel, file string) error {
	want, err := w.workspaceFile(rel)
	if err != nil {
		return err
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	got, err := e.ReadImageFile(ctx, ref, file, maxPage)
	var nf *sandbox.NotFoundError
	expected := fmt.Sprintf("%s in %s is your %s", file, ref, rel)
	switch {
	case errors.As(err, &nf) && nf.Kind == "image":
		return &Failure{Code: "not-found", Message: fmt.Sprintf("image %q does not exist", ref), Expected: expected, Try: "docker images"}
	case errors.As(err, &nf) && nf.Kind == "file":
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("image %q does not contain your page: it has no %s", ref, file),
			Expected: expected,
			Observed: "no such file in the image",
		}
	case err != nil:
		return engineErr(err)
	case bytes.Equal(got, want):
		return nil
	case bytes.Contains(got, []byte(nginxWelcome)):
		return &Failure{
			Code:     "file-differs",
			Message:  fmt.Sprintf("image %q does not contain your page: its %s is still nginx's welcome page", ref, file),
			Expected: expected,
			Observed: fmt.Sprintf("nginx's welcome page (%d bytes)", len(got)),
			Fix:      "copy your page into the running container first, then commit that container",
		}
	default:
		return &Failure{
			Code:     "file-differs",
			Message:  fmt.Sprintf("image %q does not contain your page: its %s is not your workspace file %s", ref, file, rel),
			Expected: expected,
			Observed: diffHint(got, want, "image's", rel),
			Fix:      fmt.Sprintf("copy the current %s into the container, then commit it again", rel),
		}
	}
}

func (w *world) imageOneLayerOver(ctx context.Context, ref, base string) error {
	expected := fmt.Sprintf("the layers of %s and one more: the container's changes", base)
	img, b, err := w.inspectImagePair(ctx, ref, base, expected)
	if err != nil {
		return err
	}
	if msg := layersOver(img.Layers, b.Layers, ref, base); msg != "" {
		return &Failure{
			Code:     "base-differs",
			Message:  msg,
			Expected: expected,
			Observed: fmt.Sprintf("%s has %d layers, %s has %d", ref, len(img.Layers), base, len(b.Layers)),
			Try:      fmt.Sprintf("docker history %s", ref),
		}
	}
	return nil
}

// layersOver says what is wrong when layers are not base's layers plus
// exactly one, the layer `docker commit` adds; empty when they are.
func layersOver(layers, base []string, ref, baseRef string) string {
	shared := 0
	for shared < len(layers) && shared < len(base) && layers[shared] == base[shared] {
		shared++
	}
	switch {
	case shared < len(base):
		return fmt.Sprintf("image %q was not made from %s: its layers do not start with %s's layers", ref, baseRef, baseRef)
	case len(layers) == len(base):
		return fmt.Sprintf("image %q adds no layer to %s: it is %s under another name, not a commit of a changed container", ref, baseRef, baseRef)
	case len(layers) > len(base)+1:
		return fmt.Sprintf("image %q has %d layers on top of %s; committing a container adds exactly one", ref, len(layers)-len(base), baseRef)
	}
	return ""
}

func (w *world) imageRunsCommandOf(ctx context.Context, ref, base string) error {
	expected := "the command of " + base
	img, b, err := w.inspectImagePair(ctx, ref, base, expected)
	if err != nil {
		return err
	}
	got := commandLine(img.Entrypoint, img.Cmd)
	want := commandLine(b.Entrypoint, b.Cmd)
	if got != want {
		return &Failure{
			Code:     "command-differs",
			Message:  fmt.Sprintf("image %q runs %s, not %s's %s", ref, got, base, want),
			Expected: want,
			Observed: got,
			Try:      fmt.Sprintf("docker image inspect --format '{{.Config.Entrypoint}} {{.Config.Cmd}}' %s %s", ref, base),
			Fix:      "commit the container without changing its command (no --change CMD or ENTRYPOINT)",
		}
	}
	return nil
}

// commandLine shows what a container from an image runs: its entrypoint
// followed by its command.
func commandLine(entrypoint, cmd []string) string {
	args := append(slices.Clone(entrypoint), cmd...)
	if len(args) == 0 {
		return "no command"
	}
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(q, " ") + "]"
}

func (w *world) sameImage(ctx context.Context, ref, other string) error {
	expected := fmt.Sprintf("%s and %s name the same image", ref, other)
	img, o, err := w.inspectImagePair(ctx, ref, other, expected)
	if err != nil {
		return err
	}
	if img.ID != o.ID {
		return &Failure{
			Code:     "image-differs",
			Message:  fmt.Sprintf("image %q is not image %q", ref, other),
			Expected: expected,
			Observed: fmt.Sprintf("%s is %.19s, %s is %.19s", ref, img.ID, other, o.ID),
			Try:      fmt.Sprintf("docker images --no-trunc %s %s", ref, other),
			Fix:      fmt.Sprintf("docker tag %s %s, then push it again", other, ref),
		}
	}
	return nil
}
