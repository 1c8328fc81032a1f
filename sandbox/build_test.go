package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
)

// fakeDocker puts a `docker` script first on a PATH and returns the
// environment to run it with. The script records its arguments, one per
// line, in $FAKE_DOCKER_ARGS, copies the build context (its last argument)
// to $FAKE_DOCKER_SNAPSHOT when that is set, writes "sha256:feed" to the
// --iidfile, and prints $FAKE_DOCKER_OUTPUT; it exits with
// $FAKE_DOCKER_EXIT.
func fakeDocker(t *testing.T, exit int, output string) (env []string, argsFile string) {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
: > "$FAKE_DOCKER_ARGS"
iid=
prev=
for a in "$@"; do
	printf '%s\n' "$a" >> "$FAKE_DOCKER_ARGS"
	[ "$prev" = --iidfile ] && iid=$a
	prev=$a
	last=$a
done
if [ -n "$FAKE_DOCKER_SNAPSHOT" ]; then
	rm -rf "$FAKE_DOCKER_SNAPSHOT"
	cp -R "$last" "$FAKE_DOCKER_SNAPSHOT"
fi
printf '%s\n' "$FAKE_DOCKER_OUTPUT"
[ "$FAKE_DOCKER_EXIT" = 0 ] && [ -n "$iid" ] && printf 'sha256:feed' > "$iid"
exit "$FAKE_DOCKER_EXIT"
`
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	argsFile = filepath.Join(dir, "args")
	env = []string{
		"PATH=" + dir + ":/usr/bin:/bin",
		"FAKE_DOCKER_ARGS=" + argsFile,
		"FAKE_DOCKER_OUTPUT=" + output,
		"FAKE_DOCKER_EXIT=" + strconv.Itoa(exit),
	}
	return env, argsFile
}

func readArgs(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func TestBuildImage(t *testing.T) {
	env, argsFile := fakeDocker(t, 0, "Successfully built feed")
	id, err := BuildImage(context.Background(), env, BuildRequest{
		Context: "/ws/app", Dockerfile: "/tmp/Dockerfile", Tag: "lab-check/x:1",
		Labels: map[string]string{"lab.managed": "true", "b": "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if id != "sha256:feed" {
		t.Errorf("image ID: got %q, want sha256:feed", id)
	}
	args := readArgs(t, argsFile)
	want := []string{"build", "--force-rm", "--iidfile", args[3], "-t", "lab-check/x:1", "--label", "b=2", "--label", "lab.managed=true", "-f", "/tmp/Dockerfile", "/ws/app"}
	if !slices.Equal(args, want) {
		t.Errorf("docker arguments:\n got %q\nwant %q", args, want)
	}
}

func TestBuildImageFailures(t *testing.T) {
	env, _ := fakeDocker(t, 1, "Step 4/6 : RUN npm ci\nnpm ERR! The `npm ci` command can only install with an existing package-lock.json")
	_, err := BuildImage(context.Background(), env, BuildRequest{Context: "/ws/app"})
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("got %v (%T), want a *BuildError", err, err)
	}
	if !strings.Contains(be.Output, "existing package-lock.json") || !strings.Contains(err.Error(), "package-lock.json") {
		t.Errorf("the error must carry the builder's output: %v", err)
	}

	_, err = BuildImage(context.Background(), []string{"PATH=" + t.TempDir()}, BuildRequest{Context: "/ws/app"})
	if !isNotInstalled(err, "docker") {
		t.Errorf("no docker on PATH: got %v, want a NotInstalledError for docker", err)
	}
}

func TestLastLines(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, "no output"},
		{"\n  \n", 3, "no output"},
		{"a\nb\n", 3, "a | b"},
		{"a\n\nb\nc\nd\n", 2, "c | d"},
	}
	for _, tt := range tests {
		if got := LastLines(tt.in, tt.n); got != tt.want {
			t.Errorf("LastLines(%q, %d): got %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tree lists every file, folder and link under root as "name" (folders end
// in /, links show their target), for comparing a folder before and after.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.IsDir():
			out = append(out, rel+"/")
		case d.Type()&fs.ModeSymlink != 0:
			link, _ := os.Readlink(p)
			out = append(out, rel+" -> "+link)
		default:
			data, _ := os.ReadFile(p)
			info, _ := d.Info()
			out = append(out, rel+" "+info.Mode().String()+" "+string(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCopyTree(t *testing.T) {
	src := t.TempDir()
	writeFiles(t, src, map[string]string{"app.js": "x", "lib/util.js": "y", "node_modules/m/index.js": "z"})
	if err := os.Chmod(filepath.Join(src, "lib/util.js"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("app.js", filepath.Join(src, "main.js")); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := CopyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	if got, want := tree(t, dst), tree(t, src); !slices.Equal(got, want) {
		t.Errorf("copy:\n got %q\nwant %q", got, want)
	}
}

func TestMkdirAllTracked(t *testing.T) {
	root := t.TempDir()
	created, err := mkdirAllTracked(filepath.Join(root, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b")}
	if !slices.Equal(created, want) {
		t.Errorf("created %q, want %q", created, want)
	}
	created, err = mkdirAllTracked(filepath.Join(root, "a"))
	if err != nil || len(created) != 0 {
		t.Errorf("an existing folder: created %q, %v; want nothing", created, err)
	}
}

func TestReadBuildFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "<h1>hi</h1>\n"})
	if got, err := ReadBuildFile(filepath.Join(dir, "index.html")); err != nil || string(got) != "<h1>hi</h1>\n" {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := ReadBuildFile(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadBuildFile(dir); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("a folder: got %v", err)
	}
}

// exportAPI adds throwaway containers to fakeAPI, whose export is the
// folder a fake `docker build` snapshotted, under /app as `COPY . /app`
// would put it.
type exportAPI struct {
	*fakeAPI
	snapshot string
	created  []container.Config
}

func (f *exportAPI) ImageHistory(context.Context, string, ...client.ImageHistoryOption) (client.ImageHistoryResult, error) {
	return client.ImageHistoryResult{}, nil
}
func (f *exportAPI) ContainerCreate(_ context.Context, o client.ContainerCreateOptions) (client.ContainerCreateResult, error) {
	f.created = append(f.created, *o.Config)
	if f.inspect == nil {
		f.inspect = map[string]container.InspectResponse{}
	}
	f.inspect["c0ffee"] = container.InspectResponse{ID: "c0ffee", Config: o.Config}
	return client.ContainerCreateResult{ID: "c0ffee"}, nil
}
func (f *exportAPI) ImageRemove(_ context.Context, ref string, _ client.ImageRemoveOptions) (client.ImageRemoveResult, error) {
	f.removed = append(f.removed, ref)
	return client.ImageRemoveResult{}, nil
}
func (f *exportAPI) ContainerStart(context.Context, string, client.ContainerStartOptions) (client.ContainerStartResult, error) {
	return client.ContainerStartResult{}, errors.New("not in this fake")
}
func (f *exportAPI) ContainerWait(context.Context, string, client.ContainerWaitOptions) client.ContainerWaitResult {
	return client.ContainerWaitResult{}
}
func (f *exportAPI) CopyFromContainer(context.Context, string, client.CopyFromContainerOptions) (client.CopyFromContainerResult, error) {
	return client.CopyFromContainerResult{}, errors.New("not in this fake")
}
func (f *exportAPI) ContainerExport(context.Context, string, client.ContainerExportOptions) (client.ContainerExportResult, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(f.snapshot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(f.snapshot, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: "app/" + filepath.ToSlash(rel), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	tw.Close()
	return io.NopCloser(&buf), err
}

func TestProbeIgnore(t *testing.T) {
	ctxDir := t.TempDir()
	// The learner's own node_modules stays exactly as it is; .git does not
	// exist and is made for the probe only.
	writeFiles(t, ctxDir, map[string]string{"Dockerfile": "FROM scratch\nCOPY . /app\n", "app.js": "x", "node_modules/m/index.js": "m"})
	before := tree(t, ctxDir)

	env, argsFile := fakeDocker(t, 0, "built")
	snapshot := filepath.Join(t.TempDir(), "snapshot")
	env = append(env, "FAKE_DOCKER_SNAPSHOT="+snapshot)
	api := &exportAPI{fakeAPI: &fakeAPI{images: map[string]image.InspectResponse{"sha256:feed": {ID: "sha256:feed"}}}, snapshot: snapshot}
	e := newFakeEngine(t, api)
	res, err := e.ProbeIgnore(context.Background(), env, IgnoreProbe{Context: ctxDir, Folders: []string{"node_modules", ".git"}, Repository: "lab-check/dockerignore"})
	if err != nil {
		t.Fatal(err)
	}
	for folder, want := range map[string]string{"node_modules": "/app/node_modules/.lab-marker", ".git": "/app/.git/.lab-marker"} {
		if got := res.Found[folder]; !slices.Equal(got, []string{want}) {
			t.Errorf("marker of %s found at %q, want %q", folder, got, want)
		}
	}
	if after := tree(t, ctxDir); !slices.Equal(after, before) {
		t.Errorf("the probe changed the build context:\nbefore %q\n after %q", before, after)
	}
	args := readArgs(t, argsFile)
	if tag := args[slices.Index(args, "-t")+1]; !strings.HasPrefix(tag, "lab-check/dockerignore:") {
		t.Errorf("throwaway tag %q, want lab-check/dockerignore:...", tag)
	}
	if !slices.Contains(args, "lab.managed=true") {
		t.Errorf("the throwaway image must be labelled lab.managed=true: %q", args)
	}
	if len(api.removed) != 2 || api.removed[0] != "c0ffee" || !strings.HasPrefix(api.removed[1], "lab-check/dockerignore:") {
		t.Errorf("removed %q, want the throwaway container and image", api.removed)
	}
	for _, c := range api.created {
		if c.Labels[ManagedLabel] != "true" || !c.NetworkDisabled {
			t.Errorf("throwaway container config %+v: want lab.managed=true and no network", c)
		}
	}
}

func TestProbeIgnoreImageNotLoaded(t *testing.T) {
	ctxDir := t.TempDir()
	writeFiles(t, ctxDir, map[string]string{"Dockerfile": "FROM scratch\nCOPY . /app\n"})
	env, _ := fakeDocker(t, 0, "built by a builder that keeps its images")
	e := newFakeEngine(t, &exportAPI{fakeAPI: &fakeAPI{}})
	_, err := e.ProbeIgnore(context.Background(), env, IgnoreProbe{Context: ctxDir, Folders: []string{"node_modules"}, Repository: "lab-check/dockerignore"})
	if err == nil || !strings.Contains(err.Error(), "docker buildx use default") {
		t.Errorf("got %v, want an error saying how to load built images", err)
	}
	if _, err := os.Stat(filepath.Join(ctxDir, "node_modules")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the folder made for the marker must be gone again: %v", err)
	}
}
