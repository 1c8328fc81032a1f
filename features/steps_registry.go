package features

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// registry returns a client for the registry a lesson names by its
// published address (localhost:5000), reached on the engine's host.
func (w *world) registry(ctx context.Context, addr string) (*sandbox.Registry, error) {
	_, base, err := w.publishedURL(ctx, "http://"+addr)
	if err != nil {
		return nil, err
	}
	return &sandbox.Registry{Base: base}, nil
}

func (w *world) registryHasTag(ctx context.Context, addr, repo, tag string) error {
	reg, err := w.registry(ctx, addr)
	if err != nil {
		return err
	}
	local := addr + "/" + repo + ":" + tag
	expected := fmt.Sprintf("%s:%s in the registry's catalog (docker push %s)", repo, tag, local)
	// A registry that was just started needs a moment; an answer that is
	// not a registry's is final.
	err = eventually(ctx, settleTime, 200*time.Millisecond, func(ctx context.Context) (bool, error) {
		err := reg.Ping(ctx)
		var re *sandbox.RegistryError
		return err == nil || errors.As(err, &re), err
	})
	// unanswered is the failure for a question the registry did not
	// answer; try asks it the same with curl.
	unanswered := func(code, message, try string, err error) *Failure {
		return &Failure{Code: code, Message: message, Expected: expected, Observed: err.Error(), Try: try}
	}
	var notRegistry *sandbox.RegistryError
	if errors.As(err, &notRegistry) {
		return unanswered("port-taken", fmt.Sprintf("what answers at %s is not a registry", addr), fmt.Sprintf("curl -i http://%s/v2/", addr), err)
	}
	if err != nil {
		return unanswered("no-answer", fmt.Sprintf("no registry answers at %s", addr), fmt.Sprintf("curl -i http://%s/v2/", addr), err)
	}
	repos, err := reg.Catalog(ctx)
	if err != nil {
		return unanswered("no-answer", fmt.Sprintf("the registry at %s did not list its catalog", addr), fmt.Sprintf("curl http://%s/v2/_catalog", addr), err)
	}
	if !slices.Contains(repos, repo) {
		observed := "an empty catalog: nothing was pushed"
		if len(repos) > 0 {
			observed = "catalog: " + strings.Join(repos, ", ")
		}
		if w.imagePresent(ctx, local) {
			observed += fmt.Sprintf("; image %s is on this machine but was not pushed", local)
		}
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("repository %q is not in the catalog of the registry at %s", repo, addr),
			Expected: expected,
			Observed: observed,
			Try:      fmt.Sprintf("curl http://%s/v2/_catalog", addr),
			Fix:      "docker push " + local,
		}
	}
	tags, err := reg.Tags(ctx, repo)
	if err != nil {
		return unanswered("no-answer", fmt.Sprintf("the registry at %s did not list the tags of %q", addr, repo), fmt.Sprintf("curl http://%s/v2/%s/tags/list", addr, repo), err)
	}
	if !slices.Contains(tags, tag) {
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("repository %q in the registry at %s has no tag %q", repo, addr, tag),
			Expected: expected,
			Observed: "tags: " + strings.Join(tags, ", "),
			Try:      fmt.Sprintf("curl http://%s/v2/%s/tags/list", addr, repo),
			Fix:      "docker push " + local,
		}
	}
	return nil
}

func (w *world) imagePresent(ctx context.Context, ref string) bool {
	e, err := w.engine(ctx)
	if err != nil {
		return false
	}
	_, err = e.InspectImage(ctx, ref)
	return err == nil
}

func (w *world) registryServesImage(ctx context.Context, addr, repoTag, ref string) error {
	repo, tag, ok := strings.Cut(repoTag, ":")
	if !ok {
		return fmt.Errorf("%q names no tag: write REPOSITORY:TAG", repoTag)
	}
	reg, err := w.registry(ctx, addr)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("the registry's %s is the image %s on this machine", repoTag, ref)
	m, err := reg.ManifestDigest(ctx, repo, tag)
	if err != nil {
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the registry at %s does not serve %s", addr, repoTag),
			Expected: expected,
			Observed: err.Error(),
			Try:      fmt.Sprintf("curl http://%s/v2/%s/tags/list", addr, repo),
			Fix:      "docker push " + ref,
		}
	}
	img, err := w.inspectImage(ctx, ref, noImage(ref, expected))
	if err != nil {
		return err
	}
	pushed := sandbox.RepoDigests(img, ref)
	if slices.Contains(pushed, m.Digest) {
		w.note("the registry at %s serves %s as %s", addr, repoTag, m.Digest)
		return nil
	}
	// The engine records a digest for the repository when it pushes (and,
	// with the containerd image store, as soon as the image is tagged), so
	// no digest means it was never pushed, and another one means the image
	// changed since.
	observed := fmt.Sprintf("the registry serves %.19s; %s on this machine was never pushed", m.Digest, ref)
	if len(pushed) > 0 {
		observed = fmt.Sprintf("the registry serves %.19s; %s on this machine is %s", m.Digest, ref, shortDigests(pushed))
	}
	return &Failure{
		Code:     "image-differs",
		Message:  fmt.Sprintf("the registry's %s is not the image %s on this machine", repoTag, ref),
		Expected: expected,
		Observed: observed,
		Try:      fmt.Sprintf("docker image inspect --format '{{.RepoDigests}}' %s", ref),
		Fix:      "push it again: docker push " + ref,
	}
}

func shortDigests(ds []string) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%.19s", d)
	}
	return strings.Join(out, ", ")
}
