package sandbox

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/internal/dockerfile"
)

func mustParse(t *testing.T, src string) *dockerfile.File {
	t.Helper()
	f, err := ParseDockerfile([]byte(src))
	if err != nil {
		t.Fatalf("ParseDockerfile(%q): %v", src, err)
	}
	return f
}

func TestParseDockerfile(t *testing.T) {
	src := `# syntax=docker/dockerfile:1
ARG NODE=18
FROM node:${NODE}-bookworm-slim AS deps
WORKDIR /app
COPY --chown=node package*.json ./
RUN npm ci \
      --omit=dev
FROM deps
RUN <<EOF
echo hi
EOF
COPY ["a b", "./"]
CMD node app.js
`
	f := mustParse(t, src)
	if len(f.GlobalArgs) != 1 || f.GlobalArgs[0].Args[0] != "NODE=18" {
		t.Errorf("global args: got %+v, want ARG NODE=18", f.GlobalArgs)
	}
	if len(f.Stages) != 2 {
		t.Fatalf("stages: got %d, want 2", len(f.Stages))
	}
	if s := f.Stages[0]; s.Base != "node:${NODE}-bookworm-slim" || s.Name != "deps" || s.From.Line != 3 {
		t.Errorf("stage 1: got base %q name %q line %d", s.Base, s.Name, s.From.Line)
	}
	run := f.Stages[0].Instructions[2]
	if run.Cmd != "run" || run.Line != 6 || run.EndLine != 7 || run.JSON {
		t.Errorf("RUN: got %+v, want run on lines 6-7 in shell form", run)
	}
	cp := f.Stages[0].Instructions[1]
	if !slices.Equal(cp.Flags, []string{"--chown=node"}) || !slices.Equal(cp.Args, []string{"package*.json", "./"}) {
		t.Errorf("COPY: got flags %q args %q", cp.Flags, cp.Args)
	}
	here := f.Stages[1].Instructions[0]
	if !here.Heredoc || here.EndLine != 11 || !strings.Contains(here.Body, "echo hi") {
		t.Errorf("heredoc RUN: got %+v", here)
	}
	if js := f.Stages[1].Instructions[1]; !js.JSON || !slices.Equal(js.Args, []string{"a b", "./"}) {
		t.Errorf("JSON COPY: got %+v", js)
	}
	if image, ok := f.ResolveBase(0); !ok || image != "node:18-bookworm-slim" {
		t.Errorf("ResolveBase(0): got %q, %v; want node:18-bookworm-slim", image, ok)
	}
}

func TestParseDockerfileErrors(t *testing.T) {
	for _, src := range []string{
		"",
		"# only a comment\n",
		"RUN echo hi\nFROM node:18\n",
	} {
		if _, err := ParseDockerfile([]byte(src)); err == nil {
			t.Errorf("ParseDockerfile(%q): got no error", src)
		}
	}
}

func TestLint(t *testing.T) {
	const good = `FROM node:18-bookworm-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
USER node
EXPOSE 3000
CMD ["node", "app.js"]
`
	tests := []struct {
		name string
		src  string
		want []string // "RULE:LINE"
	}{
		{"hardened", good, nil},
		{"untagged base", strings.Replace(good, "node:18-bookworm-slim", "node", 1), []string{"DL3006:1"}},
		{"latest", strings.Replace(good, "node:18-bookworm-slim", "node:latest", 1), []string{"DL3007:1"}},
		{"digest pins", strings.Replace(good, "node:18-bookworm-slim", "node@sha256:0123", 1), nil},
		{"latest with digest pins", strings.Replace(good, "node:18-bookworm-slim", "node:latest@sha256:0123", 1), nil},
		{"registry port is not a tag", strings.Replace(good, "node:18-bookworm-slim", "localhost:5000/node", 1), []string{"DL3006:1"}},
		{"arg with default", "ARG V=18\n" + strings.Replace(good, "node:18-bookworm-slim", "node:${V}", 1), nil},
		{"arg without default", "ARG V\n" + strings.Replace(good, "node:18-bookworm-slim", "node:$V", 1), []string{"DL3006:2"}},
		{"ADD of files", strings.Replace(good, "COPY . .", "ADD . .", 1), []string{"DL3020:5"}},
		{"ADD of a URL", strings.Replace(good, "COPY . .", "COPY . .\nADD https://example.com/x.txt /x.txt", 1), nil},
		{"ADD of an archive", strings.Replace(good, "COPY . .", "COPY . .\nADD vendor.tar.gz /opt/", 1), nil},
		{"shell-form CMD", strings.Replace(good, `CMD ["node", "app.js"]`, "CMD node app.js", 1), []string{"DL3025:8"}},
		{"shell-form ENTRYPOINT", good + "ENTRYPOINT node\n", []string{"DL3025:9"}},
		{"no USER", strings.Replace(good, "USER node\n", "", 1), []string{"LAB001:1"}},
		{"USER root", strings.Replace(good, "USER node", "USER root", 1), []string{"LAB001:6"}},
		{"USER 0:0", strings.Replace(good, "USER node", "USER 0:0", 1), []string{"LAB001:6"}},
		{"back to root last", good + "USER root\n", []string{"LAB001:9"}},
		{"USER by uid", strings.Replace(good, "USER node", "USER 1000:1000", 1), nil},
		{"user set in the stage the final one builds on",
			"FROM node:18-bookworm-slim AS base\nUSER node\nFROM base\nCMD [\"node\"]\n", nil},
		{"user only in an earlier unrelated stage",
			"FROM node:18-bookworm-slim AS build\nUSER node\nFROM node:18-bookworm-slim\nCMD [\"node\"]\n", []string{"LAB001:3"}},
		{"stage names and scratch are not images",
			"FROM node:18-bookworm-slim AS build\nFROM scratch AS empty\nFROM BUILD\nUSER node\n", nil},
		{"several findings in line order",
			"FROM node:latest\nADD . .\nCMD node app.js\n", []string{"DL3007:1", "LAB001:1", "DL3020:2", "DL3025:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range dockerfile.Lint(mustParse(t, tt.src)) {
				got = append(got, f.Rule+":"+strconv.Itoa(f.Line))
				if !strings.HasPrefix(f.String(), f.Rule+" (line ") || f.Detail == "" {
					t.Errorf("finding %+v renders as %q", f, f.String())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDependencyInstallAndCopiesBefore(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantLine int      // 0: no install found
		copies   []string // instructions that copy app.js before the install
	}{
		{"copy all first", "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\n", 4, []string{"COPY . ."}},
		{"package files first", "FROM node:18\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n", 4, nil},
		{"app.js by name", "FROM node:18\nCOPY package.json app.js ./\nRUN npm install\n", 3, []string{"COPY package.json app.js ./"}},
		{"pattern", "FROM node:18\nCOPY *.js ./\nRUN npm i\n", 3, []string{"COPY *.js ./"}},
		{"ADD counts", "FROM node:18\nADD ./ /app\nRUN cd /app && npm ci\n", 3, []string{"ADD ./ /app"}},
		{"from another stage is not the context", "FROM node:18 AS src\nFROM node:18\nCOPY --from=src / /\nRUN npm ci\n", 4, nil},
		{"copy in the stage it builds on",
			"FROM node:18 AS base\nCOPY . .\nFROM base\nRUN npm ci\n", 4, []string{"COPY . ."}},
		{"heredoc script", "FROM node:18\nRUN <<EOF\nset -e\nnpm ci --omit=dev\nEOF\n", 2, nil},
		{"json form", "FROM node:18\nRUN [\"npm\", \"ci\"]\n", 2, nil},
		{"no install", "FROM node:18\nRUN echo npm\nRUN npm test\n", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			stage, index, ok := f.DependencyInstall()
			if !ok {
				if tt.wantLine != 0 {
					t.Fatalf("no install found, want one on line %d", tt.wantLine)
				}
				return
			}
			if line := f.Stages[stage].Instructions[index].Line; line != tt.wantLine {
				t.Fatalf("install on line %d, want %d", line, tt.wantLine)
			}
			var got []string
			for _, in := range f.CopiesBefore(stage, index, "app.js") {
				got = append(got, in.Original)
			}
			if !slices.Equal(got, tt.copies) {
				t.Errorf("copies of app.js before the install: got %q, want %q", got, tt.copies)
			}
		})
	}
}

func TestReadDockerfile(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := ReadDockerfile(filepath.Join(dir, "Dockerfile")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}
	p := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(p, []byte("FROM nginx:1.27\nEXPOSE 80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, src, err := ReadDockerfile(p)
	if err != nil || len(f.Stages) != 1 || !strings.HasPrefix(string(src), "FROM nginx") {
		t.Errorf("got %+v, %q, %v", f, src, err)
	}
	if err := os.WriteFile(p, []byte("EXPOSE 80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadDockerfile(p); err == nil || !strings.Contains(err.Error(), "before the first FROM") {
		t.Errorf("no FROM: got %v", err)
	}
}
