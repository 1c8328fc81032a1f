package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The lesson 3 integration tests build only FROM scratch or FROM
// hello-world, so they need no registry and no other stand-in.

// noImagesIn fails the test when any image of repository is left.
func noImagesIn(t *testing.T, repository string) {
	t.Helper()
	out, err := Run(context.Background(), "", nil, "docker image ls -q "+repository)
	if err != nil {
		t.Fatalf("listing %s: %v", repository, err)
	}
	if strings.TrimSpace(out) != "" {
		t.Errorf("throwaway images of %s were left behind: %s", repository, strings.Fields(out))
		_, _ = Run(context.Background(), "", nil, "docker image rm -f "+strings.Join(strings.Fields(out), " "))
	}
}

func TestIntegrationProbeRebuild(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"deps.txt": "the dependency list\n", "app.txt": "the app\n"})
	tests := []struct {
		name       string
		dockerfile string
		keepsFirst bool
	}{
		{"dependencies copied alone first", "FROM scratch\nCOPY deps.txt /\nCOPY . /app/\n", true},
		{"everything copied first", "FROM scratch\nCOPY . /app/\nCOPY deps.txt /\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := "lab-check/test-rebuild-" + randomSuffix()
			res, err := e.ProbeRebuild(ctx, nil, RebuildProbe{
				Context: dir, Dockerfile: []byte(tt.dockerfile),
				Change: "app.txt", Append: []byte("a change\n"), Repository: repo,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Before) != 2 || len(res.After) != 2 {
				t.Fatalf("got %d and %d layers, want 2 each", len(res.Before), len(res.After))
			}
			if kept := res.Before[0] == res.After[0]; kept != tt.keepsFirst {
				t.Errorf("first layer kept: got %v, want %v", kept, tt.keepsFirst)
			}
			// A rebuilt COPY of unchanged files may come out byte for byte
			// the same, so only the layer holding the change must differ.
			if tt.keepsFirst && res.Before[1] == res.After[1] {
				t.Errorf("the second layer did not change, but a file it copies did")
			}
			noImagesIn(t, repo)
		})
	}
	if data, err := os.ReadFile(filepath.Join(dir, "app.txt")); err != nil || string(data) != "the app\n" {
		t.Errorf("the probe changed the context itself: %q, %v", data, err)
	}
}

func TestIntegrationProbeRebuildFails(t *testing.T) {
	e := integrationEngine(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"app.txt": "the app\n"})
	repo := "lab-check/test-rebuild-" + randomSuffix()
	_, err := e.ProbeRebuild(context.Background(), nil, RebuildProbe{
		Context: dir, Dockerfile: []byte("FROM scratch\nCOPY missing.txt /\n"),
		Change: "app.txt", Repository: repo,
	})
	var be *BuildError
	if !errors.As(err, &be) || !strings.Contains(be.Output, "missing.txt") {
		t.Errorf("got %v, want a BuildError naming missing.txt", err)
	}
	noImagesIn(t, repo)

	// A RUN that fails leaves no container behind.
	ctx := context.Background()
	base := "lab-check/test-base-" + randomSuffix() + ":1"
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM hello-world\n"})
	if _, err := BuildImage(ctx, nil, BuildRequest{Context: dir, Tag: base, Labels: map[string]string{ManagedLabel: "true"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.RemoveImage(context.Background(), base) })
	_, err = e.ProbeRebuild(ctx, nil, RebuildProbe{
		Context: dir, Dockerfile: []byte("FROM " + base + "\nRUN [\"/no-such-command\"]\n"),
		Change: "app.txt", Repository: repo,
	})
	if !errors.As(err, &be) {
		t.Errorf("a failing RUN: got %v, want a BuildError", err)
	}
	left, err := e.Containers(ctx, ContainerQuery{All: true, Ancestor: base})
	if err != nil || len(left) != 0 {
		t.Errorf("containers left by the failed build: %+v, %v", left, err)
	}
	noImagesIn(t, repo)
}

func TestIntegrationProbeIgnore(t *testing.T) {
	e := integrationEngine(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Dockerfile":              "FROM scratch\nCOPY . /ctx/\n",
		".dockerignore":           "node_modules\n",
		"app.txt":                 "the app\n",
		"node_modules/m/index.js": "a module\n",
	})
	before := tree(t, dir)
	repo := "lab-check/test-ignore-" + randomSuffix()
	res, err := e.ProbeIgnore(context.Background(), nil, IgnoreProbe{Context: dir, Folders: []string{"node_modules", ".git"}, Repository: repo})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Found["node_modules"]; len(got) != 0 {
		t.Errorf("the node_modules marker is in the image at %q, but .dockerignore leaves node_modules out", got)
	}
	if got := res.Found[".git"]; !slices.Equal(got, []string{"/ctx/.git/.lab-marker"}) {
		t.Errorf("the .git marker: found at %q, want /ctx/.git/.lab-marker", got)
	}
	if after := tree(t, dir); !slices.Equal(after, before) {
		t.Errorf("the probe changed the build context:\nbefore %q\n after %q", before, after)
	}
	noImagesIn(t, repo)
}

func TestIntegrationImageBuildAndRun(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	requireImage(t, e, "hello-world")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM hello-world\nMAINTAINER Alex\nLABEL maintainer=\"Alex <alex@example.com>\"\nEXPOSE 80\nUSER nobody-here\n"})
	tag := "lab-check/test-build-" + randomSuffix() + ":1"
	id, err := BuildImage(ctx, nil, BuildRequest{Context: dir, Tag: tag, Labels: map[string]string{ManagedLabel: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.RemoveImage(context.Background(), tag) })

	img, err := e.InspectImage(ctx, tag)
	if err != nil || img.ID != id || img.Labels[ManagedLabel] != "true" {
		t.Fatalf("inspecting %s: got %+v, %v; want ID %s labelled lab.managed", tag, img, err, id)
	}
	b, err := e.InspectImageBuild(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	base, err := e.InspectImageBuild(ctx, "hello-world")
	if err != nil {
		t.Fatal(err)
	}
	if b.Author != "Alex" {
		t.Errorf("author: got %q, want Alex (MAINTAINER)", b.Author)
	}
	// Some builders record the --label of the build as one more entry.
	if len(b.History) < len(base.History)+4 {
		t.Fatalf("history: got %d entries, want hello-world's %d and at least 4 more", len(b.History), len(base.History))
	}
	if own := b.History[len(base.History)+2].CreatedBy; !strings.Contains(own, "EXPOSE") {
		t.Errorf("the third instruction's history entry is %q, want the EXPOSE", own)
	}
	if _, err := e.InspectImageBuild(ctx, "lab-check/no-such-image:1"); !IsNotFound(err) {
		t.Errorf("a missing image: got %v, want not found", err)
	}

	found, err := e.FindImageFiles(ctx, "hello-world", func(name string) bool { return name == "/hello" })
	if err != nil || !slices.Equal(found, []string{"/hello"}) {
		t.Errorf("FindImageFiles(hello-world, /hello): got %q, %v", found, err)
	}

	res, err := e.RunInImage(ctx, "hello-world", []string{"/hello"})
	if err != nil || res.ExitCode != 0 || !strings.Contains(res.Stdout, "Hello from Docker!") {
		t.Errorf("RunInImage(hello-world, /hello): got %+v, %v", res, err)
	}
	var se *StartError
	if _, err := e.RunInImage(ctx, tag, []string{"/hello"}); !errors.As(err, &se) || !strings.Contains(se.Error(), "nobody-here") {
		t.Errorf("USER nobody-here, who does not exist: got %v, want a StartError naming the user", err)
	}
	if _, err := e.RunInImage(ctx, "hello-world", []string{"/no-such-command"}); !errors.As(err, &se) {
		t.Errorf("a command not in the image: got %v, want a StartError", err)
	}
	left, err := e.Containers(ctx, ContainerQuery{All: true, Ancestor: tag, Labels: map[string]string{ManagedLabel: "true"}})
	if err != nil || len(left) != 0 {
		t.Errorf("throwaway containers left from %s: %+v, %v", tag, left, err)
	}
}

// A check's rebuild leaves the learner's build cache as it was, and none of
// its own images. The classic builder keeps an image for every instruction,
// the learner's cache; removing the check's image with its parents once
// took those too, so the learner's next build started over.
func TestIntegrationProbeRebuildKeepsTheLearnersCache(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"deps.txt":   "the dependency list " + randomSuffix() + "\n",
		"app.txt":    "the app\n",
		"Dockerfile": "FROM scratch\nCOPY deps.txt /\nCOPY . /app/\n",
	})
	learner := "lab-test/learner-" + randomSuffix()
	if _, err := BuildImage(ctx, nil, BuildRequest{Context: dir, Tag: learner}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = Run(context.Background(), "", nil, "docker image rm "+learner) })
	parent, err := Run(ctx, "", nil, "docker image inspect --format '{{.Parent}}' "+learner)
	if err != nil {
		t.Fatal(err)
	}
	parent = strings.TrimSpace(parent)
	before, err := Run(ctx, "", nil, "docker image ls --all --quiet --no-trunc")
	if err != nil {
		t.Fatal(err)
	}
	repo := "lab-check/test-rebuild-" + randomSuffix()
	if _, err := e.ProbeRebuild(ctx, nil, RebuildProbe{
		Context: dir, Dockerfile: []byte("FROM scratch\nCOPY deps.txt /\n"),
		Change: "app.txt", Append: []byte("a change\n"), Repository: repo,
	}); err != nil {
		t.Fatal(err)
	}
	after, err := Run(ctx, "", nil, "docker image ls --all --quiet --no-trunc")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range strings.Fields(after) {
		if !slices.Contains(strings.Fields(before), id) {
			t.Errorf("the rebuild left image %.19s behind", id)
		}
	}
	if parent == "" {
		t.Log("the builder keeps no image per instruction (BuildKit): no cache image to keep")
		return
	}
	if _, err := Run(ctx, "", nil, "docker image inspect "+parent); err != nil {
		t.Errorf("the learner's cache image %.19s (COPY deps.txt) is gone after the rebuild: %v", parent, err)
	}
}
