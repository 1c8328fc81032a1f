package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// imageFS is one image's file system as the engine's archive endpoint
// would send it: path -> a tar entry.
type imageFS map[string]tar.Header

// filesAPI adds creating containers and copying files out of them to
// fakeAPI, for images given as imageFS.
type filesAPI struct {
	*fakeAPI
	imageFiles map[string]imageFS // image ref -> files
	contents   map[string]string  // path -> content of a regular file
	created    []client.ContainerCreateOptions
	copyErr    error
}

func (f *filesAPI) ContainerCreate(_ context.Context, o client.ContainerCreateOptions) (client.ContainerCreateResult, error) {
	if _, err := lookup(f.imageFiles, "image", o.Config.Image); err != nil {
		return client.ContainerCreateResult{}, err
	}
	f.created = append(f.created, o)
	id := "c0ffee" + o.Config.Image
	if f.inspect == nil {
		f.inspect = map[string]container.InspectResponse{}
	}
	f.inspect[id] = container.InspectResponse{ID: id, Config: o.Config}
	return client.ContainerCreateResult{ID: id}, nil
}

func (f *filesAPI) ContainerRemove(ctx context.Context, id string, o client.ContainerRemoveOptions) (client.ContainerRemoveResult, error) {
	if !o.Force || !o.RemoveVolumes {
		return client.ContainerRemoveResult{}, errors.New("the throwaway container must be removed with force and its anonymous volumes")
	}
	return f.fakeAPI.ContainerRemove(ctx, id, o)
}

func (f *filesAPI) CopyFromContainer(_ context.Context, id string, o client.CopyFromContainerOptions) (client.CopyFromContainerResult, error) {
	if f.copyErr != nil {
		return client.CopyFromContainerResult{}, f.copyErr
	}
	c, err := lookup(f.inspect, "container", id)
	if err != nil {
		return client.CopyFromContainerResult{}, err
	}
	hdr, err := lookup(f.imageFiles[c.Config.Image], "file", o.SourcePath)
	if err != nil {
		return client.CopyFromContainerResult{}, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := f.contents[o.SourcePath]
	hdr.Name = o.SourcePath[strings.LastIndex(o.SourcePath, "/")+1:]
	if hdr.Typeflag == tar.TypeReg {
		hdr.Size = int64(len(body))
	}
	if err := tw.WriteHeader(&hdr); err != nil {
		return client.CopyFromContainerResult{}, err
	}
	io.WriteString(tw, body)
	tw.Close()
	return client.CopyFromContainerResult{Content: io.NopCloser(&buf)}, nil
}

func newFilesEngine(t *testing.T) (*Engine, *filesAPI) {
	t.Helper()
	api := &filesAPI{
		fakeAPI: &fakeAPI{},
		imageFiles: map[string]imageFS{
			"lab/profile:v1": {
				"/usr/share/nginx/html/index.html": {Typeflag: tar.TypeReg, Mode: 0o644},
				"/usr/share/nginx/html/page.html":  {Typeflag: tar.TypeSymlink, Linkname: "index.html"},
				"/srv/page":                        {Typeflag: tar.TypeSymlink, Linkname: "/usr/share/nginx/html/page.html"},
				"/loop":                            {Typeflag: tar.TypeSymlink, Linkname: "/loop"},
				"/usr/share/nginx/html":            {Typeflag: tar.TypeDir, Mode: 0o755},
				"/big":                             {Typeflag: tar.TypeReg},
			},
		},
		contents: map[string]string{
			"/usr/share/nginx/html/index.html": "<h1>Hello, I'm Alex</h1>\n",
			"/big":                             strings.Repeat("x", 100),
		},
	}
	return newFakeEngine(t, api), api
}

func TestReadImageFile(t *testing.T) {
	for _, path := range []string{"/usr/share/nginx/html/index.html", "/usr/share/nginx/html/page.html", "/srv/page"} {
		e, api := newFilesEngine(t)
		got, err := e.ReadImageFile(context.Background(), "lab/profile:v1", path, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if want := "<h1>Hello, I'm Alex</h1>\n"; string(got) != want {
			t.Errorf("%s: got %q, want %q", path, got, want)
		}
		if len(api.created) != 1 {
			t.Fatalf("%s: created %d containers, want 1", path, len(api.created))
		}
		cfg := api.created[0].Config
		if cfg.Labels["lab.managed"] != "true" {
			t.Errorf("%s: the throwaway container has labels %v, want lab.managed=true", path, cfg.Labels)
		}
		if len(api.removed) != 1 || api.removed[0] != "c0ffeelab/profile:v1" {
			t.Errorf("%s: removed %v, want the throwaway container", path, api.removed)
		}
	}
}

func TestReadImageFileFailures(t *testing.T) {
	tests := []struct {
		name, ref, path string
		limit           int64
		copyErr         error
		want            string
		notFound        string // the NotFoundError kind, if any
	}{
		{name: "no image", ref: "lab/none:v1", path: "/x", want: `image "lab/none:v1" not found`, notFound: "image"},
		{name: "no file", ref: "lab/profile:v1", path: "/nope", want: `file "/nope" not found`, notFound: "file"},
		{name: "directory", ref: "lab/profile:v1", path: "/usr/share/nginx/html", want: "is a directory"},
		{name: "too big", ref: "lab/profile:v1", path: "/big", limit: 10, want: "100 bytes, more than the 10"},
		{name: "link loop", ref: "lab/profile:v1", path: "/loop", want: "more than 8 symbolic links"},
		{name: "relative", ref: "lab/profile:v1", path: "index.html", want: "must be absolute"},
		{name: "engine error", ref: "lab/profile:v1", path: "/big", copyErr: errors.New("boom"), want: "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, api := newFilesEngine(t)
			api.copyErr = tt.copyErr
			if tt.limit == 0 {
				tt.limit = 1 << 20
			}
			_, err := e.ReadImageFile(context.Background(), tt.ref, tt.path, tt.limit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
			var nf *NotFoundError
			if gotNF := errors.As(err, &nf); gotNF != (tt.notFound != "") || (gotNF && nf.Kind != tt.notFound) {
				t.Errorf("got not-found %v (%+v), want kind %q", gotNF, nf, tt.notFound)
			}
			if len(api.created) != len(api.removed) {
				t.Errorf("created %d containers, removed %v: the throwaway container must always go", len(api.created), api.removed)
			}
		})
	}
}
