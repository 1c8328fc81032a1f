package sandbox

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// imageProbeAPI names the SDK calls, beyond DockerAPI, that looking inside
// an image takes: its history, and throwaway containers to read its files
// or run one command. *client.Client satisfies it.
type imageProbeAPI interface {
	ImageHistory(ctx context.Context, imageID string, opts ...client.ImageHistoryOption) (client.ImageHistoryResult, error)
	ContainerCreate(ctx context.Context, options client.ContainerCreateOptions) (client.ContainerCreateResult, error)
	ContainerStart(ctx context.Context, containerID string, options client.ContainerStartOptions) (client.ContainerStartResult, error)
	ContainerWait(ctx context.Context, containerID string, options client.ContainerWaitOptions) client.ContainerWaitResult
	CopyFromContainer(ctx context.Context, containerID string, options client.CopyFromContainerOptions) (client.CopyFromContainerResult, error)
	ContainerExport(ctx context.Context, containerID string, options client.ContainerExportOptions) (client.ContainerExportResult, error)
}

var _ imageProbeAPI = (*client.Client)(nil)

func (e *Engine) probeAPI() (imageProbeAPI, error) {
	api, ok := e.api.(imageProbeAPI)
	if !ok {
		return nil, errors.New("this Docker client cannot create containers or read image history")
	}
	return api, nil
}

// HistoryEntry is one instruction of an image's build history.
type HistoryEntry struct {
	CreatedBy string // the instruction, e.g. "EXPOSE map[80/tcp:{}]" or "/bin/sh -c #(nop)  EXPOSE 80"
	Size      int64
	Comment   string
}

// ImageBuild is what an image's build recorded besides its layers: the
// author a MAINTAINER instruction set, and the history of the instructions
// that made it, oldest first. An image built FROM another starts with that
// image's history.
type ImageBuild struct {
	Author  string
	History []HistoryEntry
}

// InspectImageBuild reads an image's author and build history. An image
// that does not exist gives an error for which IsNotFound is true.
func (e *Engine) InspectImageBuild(ctx context.Context, ref string) (ImageBuild, error) {
	api, err := e.probeAPI()
	if err != nil {
		return ImageBuild{}, err
	}
	insp, err := e.api.ImageInspect(ctx, ref)
	if err != nil {
		return ImageBuild{}, e.failed(err, "image", ref, "inspecting image")
	}
	hist, err := api.ImageHistory(ctx, ref)
	if err != nil {
		return ImageBuild{}, e.failed(err, "image", ref, "reading the history of image")
	}
	b := ImageBuild{Author: insp.InspectResponse.Author}
	// The engine lists the newest instruction first.
	for _, h := range slices.Backward(hist.Items) {
		b.History = append(b.History, HistoryEntry{CreatedBy: h.CreatedBy, Size: h.Size, Comment: h.Comment})
	}
	return b, nil
}

// throwaway creates a container from image that lab removes again: labelled
// lab.managed=true, without network. The returned function removes it.
func (e *Engine) throwaway(ctx context.Context, api imageProbeAPI, image string, cfg container.Config) (string, func(), error) {
	cfg.Image = image
	cfg.Labels = e.throwawayLabels(ctx, nil)
	cfg.NetworkDisabled = true
	created, err := api.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &cfg})
	if err != nil {
		return "", nil, e.failed(err, "image", image, "creating a container from image")
	}
	remove := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = e.RemoveContainer(rctx, created.ID, true)
	}
	return created.ID, remove, nil
}

// neverRuns is the entrypoint of containers lab creates only to read an
// image's files: they are never started, but the engine wants a command.
var neverRuns = []string{"/lab-reads-files-and-never-starts-this"}

// walkImageFiles calls fn for every regular file in an image's file system,
// read through the export of a container that is created and never
// started. read returns the file's content when fn wants it.
func (e *Engine) walkImageFiles(ctx context.Context, image string, fn func(name string, size int64, read func() ([]byte, error)) error) error {
	api, err := e.probeAPI()
	if err != nil {
		return err
	}
	id, remove, err := e.throwaway(ctx, api, image, container.Config{Entrypoint: neverRuns})
	if err != nil {
		return err
	}
	defer remove()
	rc, err := api.ContainerExport(ctx, id, client.ContainerExportOptions{})
	if err != nil {
		return e.wrap(err, "reading the file system of image %q", image)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return e.wrap(err, "reading the file system of image %q", image)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		name := "/" + strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		read := func() ([]byte, error) { return io.ReadAll(io.LimitReader(tr, 16<<20)) }
		if err := fn(name, hdr.Size, read); err != nil {
			return err
		}
	}
}

// FindImageFiles lists the regular files in an image whose absolute path
// match accepts, reading the image's file system without running it.
func (e *Engine) FindImageFiles(ctx context.Context, image string, match func(name string) bool) ([]string, error) {
	var found []string
	err := e.walkImageFiles(ctx, image, func(name string, _ int64, _ func() ([]byte, error)) error {
		if match(name) {
			found = append(found, name)
		}
		return nil
	})
	return found, err
}

// RunResult is how a throwaway container ended and what it printed.
type RunResult struct {
	ExitCode       int
	Stdout, Stderr string
}

// StartError says the engine could not start a container from an image:
// the user it names does not exist, the command is not in the image. The
// engine's reason is in Err.
type StartError struct {
	Image string
	Err   error
}

func (e *StartError) Error() string {
	return fmt.Sprintf("a container from %s cannot start: %v", e.Image, e.Err)
}

func (e *StartError) Unwrap() error { return e.Err }

// runTimeout bounds a throwaway command: the checks run tiny ones like
// `id -u`.
const runTimeout = 30 * time.Second

// RunInImage runs argv in a throwaway container from image, in place of the
// image's entrypoint and command but as the image's own user, and removes
// the container afterwards. The container is labelled lab.managed=true and
// has no network. A container that cannot start gives a *StartError.
func (e *Engine) RunInImage(ctx context.Context, image string, argv []string) (RunResult, error) {
	api, err := e.probeAPI()
	if err != nil {
		return RunResult{}, err
	}
	if len(argv) == 0 {
		return RunResult{}, errors.New("no command to run")
	}
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	id, remove, err := e.throwaway(ctx, api, image, container.Config{Entrypoint: argv[:1], Cmd: argv[1:]})
	if err != nil {
		return RunResult{}, err
	}
	defer remove()
	wait := api.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := api.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		if client.IsErrConnectionFailed(err) || ctx.Err() != nil {
			return RunResult{}, e.wrap(err, "starting a container from %q", image)
		}
		return RunResult{}, &StartError{Image: image, Err: err}
	}
	var res RunResult
	select {
	case w := <-wait.Result:
		res.ExitCode = int(w.StatusCode)
		if w.Error != nil && w.Error.Message != "" {
			return res, &StartError{Image: image, Err: errors.New(w.Error.Message)}
		}
	case err := <-wait.Error:
		return res, e.wrap(err, "waiting for a container from %q", image)
	case <-ctx.Done():
		return res, fmt.Errorf("running %s in a container from %s: %w", strings.Join(argv, " "), image, ctx.Err())
	}
	res.Stdout, res.Stderr, err = e.ContainerLogs(ctx, id)
	return res, err
}
