package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestContextCopies(t *testing.T) {
	const marker = "node_modules/.lab-marker"
	tests := []struct {
		name, src string
		want      []string
		followed  bool
	}{
		{"copy all into workdir", "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n", []string{"/app/node_modules/.lab-marker"}, true},
		{"named files only", "FROM node:22\nWORKDIR /app\nCOPY package.json app.js ./\n", nil, true},
		{"the folder itself", "FROM node:22\nCOPY node_modules /opt/mods/\n", []string{"/opt/mods/.lab-marker"}, true},
		{"a pattern matching the folder", "FROM node:22\nCOPY node_* /opt/\n", []string{"/opt/.lab-marker"}, true},
		{"relative workdirs", "FROM node:22\nWORKDIR /srv\nWORKDIR app\nCOPY ./ ./\n", []string{"/srv/app/node_modules/.lab-marker"}, true},
		{"a stage it is built on", "FROM node:22 AS base\nWORKDIR /app\nCOPY . .\nFROM base\nCMD [\"node\"]\n", []string{"/app/node_modules/.lab-marker"}, true},
		{"a stage it is not built on", "FROM node:22 AS other\nCOPY . /x\nFROM node:22\nCOPY app.js /app/\n", nil, true},
		{"copy from a stage", "FROM node:22 AS build\nCOPY . /src\nFROM node:22\nCOPY --from=build /src /app\n", nil, false},
		{"a variable", "FROM node:22\nARG DIR=.\nCOPY $DIR /app\n", nil, false},
		{"a URL", "FROM node:22\nADD https://example.com/x.tgz /x\n", nil, false},
	}
	for _, tt := range tests {
		f, err := ParseDockerfile([]byte(tt.src))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, followed := f.ContextCopies(marker)
		if followed != tt.followed || (followed && !slices.Equal(got, tt.want)) {
			t.Errorf("%s: got %q, %v; want %q, %v", tt.name, got, followed, tt.want, tt.followed)
		}
	}
}

func TestIgnoreWithoutBuild(t *testing.T) {
	const copyAll = "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
	tests := []struct {
		name, ignore, dockerfile string
		extra                    string // another file in the context
		found                    []string
		ok                       bool
	}{
		{"both left out", "node_modules\n.git\nnpm-debug.log*\n", copyAll, "", nil, true},
		{"git only", ".git\n", copyAll, "", []string{"node_modules"}, true},
		{"node_modules only", "node_modules\n", copyAll, "", []string{".git"}, true},
		{"no .dockerignore", "", copyAll, "", []string{"node_modules", ".git"}, true},
		{"leading slash and trailing slash", "/node_modules/\n/.git/\n", copyAll, "", nil, true},
		{"anywhere", "**/node_modules\n**/.git\n", copyAll, "", nil, true},
		{"an exception brings it back", "node_modules\n!node_modules/.lab-marker\n.git\n", copyAll, "", []string{"node_modules"}, true},
		{"comments", "# not node_modules\n.git\n", copyAll, "", []string{"node_modules"}, true},
		{"not copied at all", "", "FROM node:22\nCOPY app.js /app/\n", "", nil, true},
		{"a Dockerfile-specific ignore file", ".git\n", copyAll, "Dockerfile.dockerignore", nil, false},
		{"copies from a stage", "", "FROM node:22 AS b\nCOPY . /s\nFROM node:22\nCOPY --from=b /s /app\n", "", nil, false},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if tt.ignore != "" {
			if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(tt.ignore), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if tt.extra != "" {
			if err := os.WriteFile(filepath.Join(dir, tt.extra), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		f, err := ParseDockerfile([]byte(tt.dockerfile))
		if err != nil {
			t.Fatal(err)
		}
		res, ok, err := IgnoreWithoutBuild(IgnoreProbe{Context: dir, Folders: []string{"node_modules", ".git"}}, f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ok != tt.ok {
			t.Errorf("%s: ok %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		var found []string
		for _, dir := range []string{"node_modules", ".git"} {
			if len(res.Found[dir]) > 0 {
				found = append(found, dir)
			}
		}
		if !slices.Equal(found, tt.found) {
			t.Errorf("%s: found markers of %q, want %q (%v)", tt.name, found, tt.found, res.Found)
		}
	}
}
