package sandbox

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
)

const composeGood = `name: lab
services:
  app:
    image: lab/app:v1
    ports:
      - "127.0.0.1:3000:3000"
    environment:
      - DB_HOST=${DB_NAME_FROM_ENV}:27017/posts
      - UNSET_HERE
    depends_on: [mongodb]
    restart: always
  mongodb:
    image: mongo:7.0
    volumes:
      - db-data:/data/db
      - ./init:/docker-entrypoint-initdb.d:ro
volumes:
  db-data:
`

func writeCompose(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadComposeFile(t *testing.T) {
	path := writeCompose(t, composeGood)
	f, err := LoadComposeFile(context.Background(), path, "lab", []string{"DB_NAME_FROM_ENV=mongodb"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "lab" {
		t.Errorf("got name %q, want lab", f.Name)
	}
	app := f.Services["app"]
	if want := []ComposePort{{HostIP: "127.0.0.1", Published: "3000", Target: 3000, Protocol: "tcp"}}; !slices.Equal(app.Ports, want) {
		t.Errorf("got ports %+v, want %+v", app.Ports, want)
	}
	if got := app.Environment["DB_HOST"]; got != "mongodb:27017/posts" {
		t.Errorf("got DB_HOST %q, want the variable interpolated: mongodb:27017/posts", got)
	}
	if _, ok := app.Environment["UNSET_HERE"]; ok {
		t.Errorf("a variable listed without a value and not set must have no entry: %v", app.Environment)
	}
	if !slices.Equal(app.DependsOn, []string{"mongodb"}) || app.Restart != "always" || app.Image != "lab/app:v1" {
		t.Errorf("got depends_on %v, restart %q, image %q", app.DependsOn, app.Restart, app.Image)
	}
	db := f.Services["mongodb"]
	if len(db.Volumes) != 2 || db.Volumes[0] != (ComposeMount{Type: "volume", Source: "db-data", Target: "/data/db"}) {
		t.Errorf("got volumes %+v, want db-data at /data/db first", db.Volumes)
	}
	if m := db.Volumes[1]; m.Type != "bind" || !m.ReadOnly || m.Source != filepath.Join(filepath.Dir(path), "init") {
		t.Errorf("got bind mount %+v, want the resolved host folder, read-only", m)
	}
	if v := f.Volumes["db-data"]; v.Name != "lab_db-data" || v.External {
		t.Errorf("got volume %+v, want Docker name lab_db-data", v)
	}
	if got := f.Line("services", "app", "environment"); got != 7 {
		t.Errorf("got line %d for services.app.environment, want 7", got)
	}
	if got := f.Line("services", "mongodb", "volumes", "1"); got != 16 {
		t.Errorf("got line %d for the second volume of mongodb, want 16", got)
	}
	if got := f.Line("services", "app", "no-such-key"); got != 3 {
		t.Errorf("got line %d for a missing key, want the line of its parent (3)", got)
	}
}

func TestLoadComposeFileProject(t *testing.T) {
	// Without name: the project is the one lab asks for, and so are the
	// volume names; a .env beside the file fills variables, as in docker
	// compose, and the process environment wins over it.
	path := writeCompose(t, "services:\n  db:\n    image: mongo:${TAG}\n    volumes: [data:/data/db]\nvolumes:\n  data:\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), ".env"), []byte("TAG=7.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadComposeFile(context.Background(), path, "lab", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "" || f.Volumes["data"].Name != "lab_data" || f.Services["db"].Image != "mongo:7.0" {
		t.Errorf("got name %q, volume %q, image %q; want no name, lab_data, mongo:7.0", f.Name, f.Volumes["data"].Name, f.Services["db"].Image)
	}
	f, err = LoadComposeFile(context.Background(), path, "lab", []string{"TAG=6.0"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Services["db"].Image; got != "mongo:6.0" {
		t.Errorf("got image %q, want the environment's mongo:6.0", got)
	}
}

func TestLoadComposeFileWarnings(t *testing.T) {
	path := writeCompose(t, "services:\n  app:\n    image: app:${NOT_SET_ANYWHERE}\n")
	f, err := LoadComposeFile(context.Background(), path, "lab", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "NOT_SET_ANYWHERE") {
		t.Errorf("got warnings %q, want one about NOT_SET_ANYWHERE", f.Warnings)
	}
}

func TestLoadComposeFileErrors(t *testing.T) {
	tests := []struct {
		name, text    string
		line          int
		key, msg, sug string
	}{
		{"unknown service key", "services:\n  app:\n    image: a\n    port:\n      - 3000:3000\n", 4, "services.app.port", "not a key Compose knows", "ports"},
		{"unknown top-level key", "servces:\n  app:\n    image: a\n", 1, "servces", "not a key Compose knows", "services"},
		{"misspelt environment", "services:\n  app:\n    image: a\n    enviroment: {A: b}\n", 4, "services.app.enviroment", "not a key Compose knows", "environment"},
		{"unknown key far from any", "services:\n  app:\n    image: a\n    zzzzzzzz: 1\n", 4, "services.app.zzzzzzzz", "not a key Compose knows", ""},
		{"wrong type", "services:\n  app:\n    image: a\n    ports: 3000\n", 4, "services.app.ports", "must be a array", ""},
		{"indentation", "services:\n  app:\n    image: a\n    ports:\n      - 3000:3000\n   environment:\n      A: b\n", 6, "", "not valid YAML: did not find expected key", ""},
		{"unclosed quote", "services:\n  app:\n    image: \"a\n", 4, "", "not valid YAML: found unexpected end of stream", ""},
		{"unclosed list", "services:\n  app:\n    image: a\n    ports: [\"3000:3000\"\n    restart: always\n", 5, "", "not valid YAML: did not find expected ',' or ']'", ""},
		{"tab", "services:\n  app:\n\timage: a\n", 3, "", "not valid YAML: found character that cannot start any token", ""},
		{"undefined dependency", "services:\n  app:\n    image: a\n    depends_on: [db]\n", 2, "", `service "app" depends on undefined service "db"`, ""},
		{"not a mapping", "- a\n- b\n", 0, "", "top-level object must be a mapping", ""},
		{"empty", "", 0, "", "empty compose file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCompose(t, tt.text)
			_, err := LoadComposeFile(context.Background(), path, "lab", nil)
			var ferr *ComposeFileError
			if !errors.As(err, &ferr) {
				t.Fatalf("got %v, want a *ComposeFileError", err)
			}
			if ferr.Line != tt.line || ferr.Key != tt.key || ferr.Msg != tt.msg || ferr.Suggest != tt.sug {
				t.Errorf("got line %d key %q msg %q suggest %q; want line %d key %q msg %q suggest %q",
					ferr.Line, ferr.Key, ferr.Msg, ferr.Suggest, tt.line, tt.key, tt.msg, tt.sug)
			}
			if !strings.HasPrefix(ferr.Error(), path) {
				t.Errorf("got %q, want it to start with the file", ferr.Error())
			}
		})
	}
}

func TestLoadComposeFileMissing(t *testing.T) {
	_, err := LoadComposeFile(context.Background(), filepath.Join(t.TempDir(), "compose.yaml"), "lab", nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want fs.ErrNotExist", err)
	}
}

func TestComposeFileErrorText(t *testing.T) {
	e := &ComposeFileError{Path: "compose/compose.yaml", Line: 5, Key: "services.app.port", Msg: "not a key Compose knows", Suggest: "ports"}
	want := `compose/compose.yaml line 5: services.app.port: not a key Compose knows; did you mean "ports"?`
	if got := e.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestClosestWord(t *testing.T) {
	keys := []string{"depends_on", "environment", "image", "ports", "restart", "volumes"}
	for word, want := range map[string]string{
		"port": "ports", "Ports": "ports", "volume": "volumes", "restrat": "restart",
		"depends-on": "depends_on", "imgae": "image", "networks": "", "x": "",
	} {
		if got := closestWord(word, keys); got != want {
			t.Errorf("closestWord(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestContainerRuntime(t *testing.T) {
	r := container.InspectResponse{
		Config:     &container.Config{Hostname: "abc123"},
		State:      &container.State{Running: true, Pid: 42},
		HostConfig: &container.HostConfig{RestartPolicy: container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}},
	}
	if got, want := containerRuntime(r), (ContainerRuntime{Hostname: "abc123", Pid: 42, RestartPolicy: "on-failure", MaxRetries: 3}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// A stopped container has no process; no policy reads as "no".
	r = container.InspectResponse{State: &container.State{Pid: 0}, HostConfig: &container.HostConfig{}}
	if got := containerRuntime(r); got.Pid != 0 || got.RestartPolicy != "no" {
		t.Errorf("got %+v, want no process and policy no", got)
	}
}

func TestParseMongoIDs(t *testing.T) {
	got, err := parseMongoIDs(`{"posts":[["6b084e7cd76e3af96032aaf9",1795706492000],["plain-id",0]],"blog":[["x",0]]}`)
	if err != nil {
		t.Fatal(err)
	}
	posts := got["posts"]
	if len(posts) != 2 || posts[0].ID != "6b084e7cd76e3af96032aaf9" || !posts[0].IDTime.Equal(time.UnixMilli(1795706492000)) {
		t.Errorf("got %+v", posts)
	}
	if !posts[1].IDTime.IsZero() || len(got["blog"]) != 1 {
		t.Errorf("an id that is not an ObjectId has no time: got %+v, blog %+v", posts[1], got["blog"])
	}
	if _, err := parseMongoIDs("Error: something\n"); err == nil {
		t.Error("got no error for output that is not JSON")
	}
}
