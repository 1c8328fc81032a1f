package features

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// composeFileScenario is the compose-file scenario of lesson 5.
const composeFileScenario = `    Given the Compose file "compose/compose.yaml" in the workspace is valid for the project "lab"
    Then its service "app" publishes container port 3000 on host port 3000
    And its service "app" sets DB_HOST to "mongodb:27017/posts"
    And its service "app" depends on the service "mongodb"
    And its service "app" has the restart policy "always"
    And its service "mongodb" runs the pinned image "mongo:7.0"
    And its service "mongodb" keeps /data/db in a named volume`

const composeSolved = `name: lab
services:
  app:
    image: lab/app:v1
    ports:
      - "3000:3000"
    environment:
      DB_HOST: mongodb:27017/posts
    depends_on:
      - mongodb
    restart: always
  mongodb:
    image: mongo:7.0
    volumes:
      - db-data:/data/db
volumes:
  db-data:
`

// TestComposeFileChecks runs the Compose file checks, which need no
// engine, on a solved file and on variants with one mistake each.
func TestComposeFileChecks(t *testing.T) {
	course := testCourse(t, map[string]string{"compose-file": composeFileScenario}, nil)
	tests := []struct {
		name, old, new string // the change to the solved file; "" for none
		want           string // in the failure; "" for a pass
	}{
		{"solved", "", "", ""},
		{"no file", "DELETE", "", "the Compose file compose/compose.yaml does not exist in your workspace"},
		{"other project name", "name: lab", "name: shop", `compose/compose.yaml line 1 names the project "shop", but the lab looks for the project "lab"`},
		{"no name", "name: lab\n", "", ""},
		{"typo", "    ports:", "    port:", `compose/compose.yaml line 5: services.app.port: not a key Compose knows; did you mean "ports"?`},
		{"yaml", "    environment:", "   environment:", "compose/compose.yaml line 7: not valid YAML"},
		{"no ports", "    ports:\n      - \"3000:3000\"\n", "", `compose/compose.yaml line 3: the service "app" publishes no port`},
		{"other container port", `"3000:3000"`, `"3000:8080"`, `the service "app" publishes host port 3000 to its port 8080/tcp, not to its port 3000/tcp`},
		{"other host port", `"3000:3000"`, `"3001:3000"`, `compose/compose.yaml line 5: the service "app" publishes port 3000/tcp on host port 3001, not 3000`},
		{"loopback only", `"3000:3000"`, `"127.0.0.1:3000:3000"`, ""},
		{"localhost", "DB_HOST: mongodb:", "DB_HOST: localhost:", "compose/compose.yaml line 8: the service \"app\": DB_HOST points at localhost, which inside the app container is that container itself"},
		{"url form", "DB_HOST: mongodb:", "DB_HOST: mongodb://mongodb:", ""},
		{"list form", "    environment:\n      DB_HOST: mongodb:27017/posts\n", "    environment:\n      - DB_HOST=mongodb:27017/posts\n", ""},
		{"other database", "27017/posts", "27017/blog", `the service "app" sets DB_HOST to "mongodb:27017/blog", not "mongodb:27017/posts"`},
		{"no DB_HOST", "    environment:\n      DB_HOST: mongodb:27017/posts\n", "", `the service "app" does not set DB_HOST`},
		{"no depends_on", "    depends_on:\n      - mongodb\n", "", `the service "app" does not depend on "mongodb"`},
		{"no restart", "    restart: always\n", "", `compose/compose.yaml line 3: the service "app" has no restart policy, so it stays down when it crashes`},
		{"other restart", "restart: always", "restart: on-failure", `the service "app" has the restart policy "on-failure", not "always"`},
		{"unpinned", "image: mongo:7.0", "image: mongo", `compose/compose.yaml line 13: the service "mongodb" runs "mongo", which is not pinned`},
		{"latest", "image: mongo:7.0", "image: mongo:latest", `runs "mongo:latest", which is not pinned`},
		{"patch version", "image: mongo:7.0", "image: mongo:7.0.14", ""},
		{"digest", "image: mongo:7.0", "image: mongo@sha256:768288cc6d39dc4547e1218b761fc577cf92f74a63511b5b2be7d0afa7705a41", ""},
		{"tag and digest", "image: mongo:7.0", "image: mongo:7.0@sha256:768288cc6d39dc4547e1218b761fc577cf92f74a63511b5b2be7d0afa7705a41", ""},
		{"registry prefix", "image: mongo:7.0", "image: docker.io/library/mongo:7.0", ""},
		{"registry prefix unpinned", "image: mongo:7.0", "image: docker.io/library/mongo", `runs "docker.io/library/mongo", which is not pinned`},
		{"less strict", "image: mongo:7.0", "image: mongo:7", `the service "mongodb" runs "mongo:7", which is not pinned at least as strictly as "mongo:7.0"`},
		{"other release", "image: mongo:7.0", "image: mongo:8.0", `the service "mongodb" runs "mongo:8.0", which is not pinned at least as strictly as "mongo:7.0"`},
		{"other image", "image: mongo:7.0", "image: postgres:16", `the service "mongodb" runs the image "postgres:16", not "mongo:7.0"`},
		{"anonymous volume", "- db-data:/data/db", "- /data/db", `compose/compose.yaml line 15: /data/db of the service "mongodb" is an anonymous volume`},
		{"bind mount", "- db-data:/data/db", "- ./data:/data/db", `/data/db of the service "mongodb" is the host folder`},
		{"no volume", "    volumes:\n      - db-data:/data/db\n", "", `the service "mongodb" keeps nothing at /data/db in a volume`},
		{"no app", "  app:\n    image: lab/app:v1\n", "  web:\n    image: lab/app:v1\n", `compose/compose.yaml declares no service "app"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := t.TempDir()
			if tt.old != "DELETE" {
				text := composeSolved
				if tt.old != "" {
					if !strings.Contains(text, tt.old) {
						t.Fatalf("the solved file has no %q", tt.old)
					}
					text = strings.Replace(text, tt.old, tt.new, 1)
				}
				if err := os.MkdirAll(filepath.Join(ws, "compose"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(ws, "compose", "compose.yaml"), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := Run(context.Background(), course.Steps(), Options{Workspace: ws, Env: []string{"PATH=/usr/bin:/bin"}})
			if err != nil {
				t.Fatal(err)
			}
			res := rep.Results[0]
			if tt.want == "" {
				if res.Status != StatusPassed {
					t.Fatalf("got %s, want a pass: %s", res.Status, res.Message())
				}
				return
			}
			if res.Status != StatusFailed {
				t.Fatalf("got %s, want a failure: %s", res.Status, res.Message())
			}
			if !strings.Contains(res.Message(), tt.want) {
				t.Errorf("got %q, want it to say %q", res.Message(), tt.want)
			}
		})
	}
}

func TestDBHostName(t *testing.T) {
	for in, want := range map[string]string{
		"mongodb:27017/posts":                 "mongodb",
		"localhost:27017/posts":               "localhost",
		"mongodb://127.0.0.1:27017/posts":     "127.0.0.1",
		"mongodb://user:pw@db:27017/x?a=b":    "db",
		"mongodb+srv://cluster.example.com/x": "cluster.example.com",
		"mongodb":                             "mongodb",
		"[::1]:27017/posts":                   "::1",
	} {
		if got := dbHostName(in); got != want {
			t.Errorf("dbHostName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitImageTag(t *testing.T) {
	for in, want := range map[string][2]string{
		"mongo:7.0":                     {"mongo", "7.0"},
		"mongo":                         {"mongo", ""},
		"localhost:5000/mongo":          {"localhost:5000/mongo", ""},
		"localhost:5000/mongo:7":        {"localhost:5000/mongo", "7"},
		"mongo@sha256:abc":              {"mongo", "sha256:abc"},
		"docker.io/library/mongo:7.0.1": {"docker.io/library/mongo", "7.0.1"},
	} {
		repo, tag := splitImageTag(in)
		if repo != want[0] || tag != want[1] {
			t.Errorf("splitImageTag(%q) = %q, %q; want %q, %q", in, repo, tag, want[0], want[1])
		}
	}
}

func TestComposeSharedNetwork(t *testing.T) {
	a := sandbox.ContainerDetails{Networks: map[string]sandbox.NetworkEndpoint{"lab_default": {NetworkID: "n1"}, "extra": {NetworkID: "n2"}}}
	b := sandbox.ContainerDetails{Networks: map[string]sandbox.NetworkEndpoint{"lab_default": {NetworkID: "n1"}, "extra": {NetworkID: "n2"}}}
	if got := composeSharedNetwork(a, b); got != "lab_default" {
		t.Errorf("got %q, want the project's default network", got)
	}
	b.Networks = map[string]sandbox.NetworkEndpoint{"extra": {NetworkID: "n2"}}
	if got := composeSharedNetwork(a, b); got != "extra" {
		t.Errorf("got %q, want extra", got)
	}
	b.Networks = map[string]sandbox.NetworkEndpoint{"lab_default": {NetworkID: "other"}}
	if got := composeSharedNetwork(a, b); got != "" {
		t.Errorf("got %q for networks of the same name but another ID, want none", got)
	}
}

// A volume's creation time is cut to the second; containers the same "up"
// made just after the next second began are still not recreated.
func TestNotRecreatedVolumeTimeToTheSecond(t *testing.T) {
	made := time.Date(2026, 12, 2, 12, 0, 0, 950_000_000, time.UTC) // the volume's real time
	kept := []sandbox.Volume{{Name: "lab_db-data", Created: made.Truncate(time.Second)}}
	for _, tc := range []struct {
		name    string
		created time.Time
		stale   bool
	}{
		{"same up, next second", made.Add(60 * time.Millisecond), true},
		{"same up, busy machine", made.Add(1500 * time.Millisecond), true},
		{"up after down", made.Add(20 * time.Second), false},
	} {
		cs := []sandbox.Container{{Name: "lab-app-1", Created: made.Add(20 * time.Second)}, {Name: "lab-mongodb-1", Created: tc.created}}
		_, c := notRecreated(kept, cs)
		if got := c != nil; got != tc.stale {
			t.Errorf("%s: container %v found not recreated: %v, want %v", tc.name, tc.created, got, tc.stale)
		}
		if c != nil && c.Name != "lab-mongodb-1" {
			t.Errorf("%s: found %s, want lab-mongodb-1", tc.name, c.Name)
		}
	}
}
