package sandbox

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// readFilePurpose marks the container ReadImageFile makes as one: it
// carries lab.managed=true, which every object lab makes for itself carries
// so lab can tell it from the learner's, ThrowawayLabel and what it is for.
var readFilePurpose = map[string]string{"lab.purpose": "read-image-file"}

// maxLinks bounds how many symbolic links ReadImageFile follows.
const maxLinks = 8

// containerFilesAPI names the SDK calls that reading a file out of an image
// makes beyond DockerAPI. *client.Client has them; fakes in tests add them
// to reproduce what a real engine answers.
type containerFilesAPI interface {
	ContainerCreate(ctx context.Context, options client.ContainerCreateOptions) (client.ContainerCreateResult, error)
	CopyFromContainer(ctx context.Context, containerID string, options client.CopyFromContainerOptions) (client.CopyFromContainerResult, error)
}

var _ containerFilesAPI = (*client.Client)(nil)

// ReadImageFile reads the regular file at path (absolute, symbolic links
// followed) in image ref's file system, at most limit bytes, without running
// anything from the image: it creates a container that is never started,
// labelled lab.managed=true, copies the file out of it and removes it.
//
// An image that does not exist gives a *NotFoundError of Kind "image"; a
// path that does not exist in it gives one of Kind "file". A directory or
// a file longer than limit is an error too.
func (e *Engine) ReadImageFile(ctx context.Context, ref, file string, limit int64) ([]byte, error) {
	// An image's files never change under its ID, so what was read once is
	// kept by ID, path and limit.
	cache := newProbeCache()
	var key string
	if img, err := e.InspectImage(ctx, ref); err == nil {
		key = cache.keyOf("image file", img.ID, file, strconv.FormatInt(limit, 10))
	}
	var kept struct {
		Data    []byte
		Missing bool
	}
	if cache.get(key, &kept) {
		if kept.Missing {
			return nil, fmt.Errorf("reading %s from image %q: %w", file, ref, &NotFoundError{Kind: "file", Name: file})
		}
		return kept.Data, nil
	}
	data, err := e.readImageFile(ctx, ref, file, limit)
	var nf *NotFoundError
	switch {
	case err == nil:
		kept.Data = data
		cache.put(key, kept)
	case errors.As(err, &nf) && nf.Kind == "file":
		kept.Missing = true
		cache.put(key, kept)
	}
	return data, err
}

func (e *Engine) readImageFile(ctx context.Context, ref, file string, limit int64) ([]byte, error) {
	api, ok := e.api.(containerFilesAPI)
	if !ok {
		return nil, fmt.Errorf("reading %s from image %q: this Docker client cannot create containers", file, ref)
	}
	if !path.IsAbs(file) {
		return nil, fmt.Errorf("reading %s from image %q: the path must be absolute", file, ref)
	}
	created, err := api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image: ref,
			// Never started; a command is set only because the engine
			// refuses to create a container from an image without one.
			Entrypoint: []string{"/lab-never-started"},
			Labels:     e.throwawayLabels(ctx, readFilePurpose),
		},
		HostConfig: &container.HostConfig{NetworkMode: network.NetworkNone},
	})
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil, &NotFoundError{Kind: "image", Name: ref, Err: err}
		}
		return nil, e.wrap(err, "creating a container to read %s from image %q", file, ref)
	}
	defer func() {
		// Removal must happen even when ctx was cancelled mid-copy, and
		// takes the anonymous volumes an image's VOLUME lines gave the
		// container along.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = e.api.ContainerRemove(rctx, created.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	}()

	for range maxLinks {
		data, link, err := e.copyFile(ctx, api, created.ID, file, limit)
		if err != nil {
			return nil, fmt.Errorf("reading %s from image %q: %w", file, ref, err)
		}
		if link == "" {
			return data, nil
		}
		file = link
	}
	return nil, fmt.Errorf("reading %s from image %q: more than %d symbolic links", file, ref, maxLinks)
}

// copyFile copies one path out of a container. It returns the file's
// content, or for a symbolic link the absolute path it points to.
func (e *Engine) copyFile(ctx context.Context, api containerFilesAPI, id, file string, limit int64) (data []byte, link string, err error) {
	res, err := api.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: file})
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil, "", &NotFoundError{Kind: "file", Name: file, Err: err}
		}
		return nil, "", e.wrap(err, "copying %s out of container %.12s", file, id)
	}
	defer res.Content.Close()
	return readArchivedFile(res.Content, file, limit)
}

// readArchivedFile reads the one entry of the tar stream the engine's
// archive endpoint sends for a path.
func readArchivedFile(r io.Reader, file string, limit int64) (data []byte, link string, err error) {
	tr := tar.NewReader(r)
	hdr, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("the engine sent an empty archive for %s", file)
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading the archive of %s: %w", file, err)
	}
	switch hdr.Typeflag {
	case tar.TypeReg:
		if hdr.Size > limit {
			return nil, "", fmt.Errorf("%s is %d bytes, more than the %d this check reads", file, hdr.Size, limit)
		}
		data, err := io.ReadAll(io.LimitReader(tr, limit))
		if err != nil {
			return nil, "", fmt.Errorf("reading the archive of %s: %w", file, err)
		}
		return data, "", nil
	case tar.TypeSymlink:
		target := hdr.Linkname
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(file), target)
		}
		return nil, target, nil
	case tar.TypeDir:
		return nil, "", fmt.Errorf("%s is a directory, not a file", file)
	default:
		return nil, "", fmt.Errorf("%s is not a regular file (tar type %q)", file, hdr.Typeflag)
	}
}
