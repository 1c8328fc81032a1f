package dockerfile

import (
	"slices"
	"strings"
	"testing"
)

func TestImageRef(t *testing.T) {
	tests := []struct{ ref, name, tag, digest string }{
		{"node", "node", "", ""},
		{"node:18-bookworm-slim", "node", "18-bookworm-slim", ""},
		{"docker.io/library/node:latest", "docker.io/library/node", "latest", ""},
		{"localhost:5000/profile", "localhost:5000/profile", "", ""},
		{"localhost:5000/profile:v1", "localhost:5000/profile", "v1", ""},
		{"node@sha256:abc", "node", "", "sha256:abc"},
		{"node:18@sha256:abc", "node", "18", "sha256:abc"},
	}
	for _, tt := range tests {
		name, tag, digest := ImageRef(tt.ref)
		if name != tt.name || tag != tt.tag || digest != tt.digest {
			t.Errorf("ImageRef(%q): got %q %q %q, want %q %q %q", tt.ref, name, tag, digest, tt.name, tt.tag, tt.digest)
		}
	}
}

func TestIsRootUser(t *testing.T) {
	for user, want := range map[string]bool{
		"": true, "root": true, "0": true, "00": true, "root:root": true, "0:1000": true,
		"node": false, "1000": false, "1000:0": false, "node:root": false, "10": false, "$APP_USER": false,
	} {
		if got := IsRootUser(user); got != want {
			t.Errorf("IsRootUser(%q): got %v, want %v", user, got, want)
		}
	}
}

func TestSourceCovers(t *testing.T) {
	tests := []struct {
		src, name string
		want      bool
	}{
		{".", "app.js", true},
		{"./", "app.js", true},
		{"/", "app.js", true},
		{"app.js", "app.js", true},
		{"./app.js", "app.js", true},
		{"*.js", "app.js", true},
		{"package*.json", "app.js", false},
		{"package.json", "app.js", false},
		{"src", "src/app.js", true},
		{"src/", "src/app.js", true},
		{"sr?", "src/app.js", true},
		{"lib", "src/app.js", false},
		{"src/app.js", "app.js", false},
	}
	for _, tt := range tests {
		if got := sourceCovers(tt.src, tt.name); got != tt.want {
			t.Errorf("sourceCovers(%q, %q): got %v, want %v", tt.src, tt.name, got, tt.want)
		}
	}
}

func TestInstallsNodeDeps(t *testing.T) {
	for cmd, want := range map[string]bool{
		"npm ci --omit=dev":                      true,
		"npm install":                            true,
		"npm i --production":                     true,
		"cd /app && npm ci && npm cache clean":   true,
		"set -e; npm clean-install":              true,
		`["npm","ci"]`:                           true,
		"npm test":                               false,
		"echo npm":                               false,
		"npm run build":                          false,
		"apt-get install -y npm":                 false,
		"npm --version && echo install finished": false,
	} {
		if got := installsNodeDeps(cmd); got != want {
			t.Errorf("installsNodeDeps(%q): got %v, want %v", cmd, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	src := []byte("FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n  --omit=dev\nCMD [\"node\"]")
	tests := []struct {
		line int
		want string
	}{
		{1, "FROM node:18\n"},
		{5, "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n  --omit=dev\n"},
		{6, string(src) + "\n"},
		{99, string(src) + "\n"},
	}
	for _, tt := range tests {
		if got := string(Truncate(src, tt.line)); got != tt.want {
			t.Errorf("Truncate(%d): got %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestResolveBase(t *testing.T) {
	arg := func(args ...string) Instruction { return Instruction{Cmd: "arg", Args: args} }
	tests := []struct {
		args []Instruction
		base string
		want string
		ok   bool
	}{
		{nil, "node:18", "node:18", true},
		{[]Instruction{arg("V=18")}, "node:${V}-slim", "node:18-slim", true},
		{[]Instruction{arg(`V="20"`)}, "node:$V", "node:20", true},
		{[]Instruction{arg("V")}, "node:${V}", "node:", false},
		{nil, "node:${V:-18}", "node:18", true},
		{[]Instruction{arg("REG=localhost:5000", "TAG=v1")}, "$REG/app:$TAG", "localhost:5000/app:v1", true},
	}
	for _, tt := range tests {
		f := &File{GlobalArgs: tt.args, Stages: []Stage{{Base: tt.base}}}
		got, ok := f.ResolveBase(0)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ResolveBase(%q with %v): got %q, %v; want %q, %v", tt.base, tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRulesHaveTitles(t *testing.T) {
	var ids []string
	for _, r := range Rules {
		if r.ID == "" || r.Title == "" || RuleTitle(r.ID) != r.Title {
			t.Errorf("rule %+v: id and title must be set and found", r)
		}
		ids = append(ids, r.ID)
	}
	for _, want := range []string{"DL3006", "DL3007", "DL3020", "DL3025", "LAB001"} {
		if !slices.Contains(ids, want) {
			t.Errorf("rule %s is missing", want)
		}
	}
	if RuleTitle("DL9999") != "" {
		t.Error("RuleTitle of an unknown rule must be empty")
	}
}

func TestDescribe(t *testing.T) {
	in := Instruction{Original: "COPY   package*.json ./", Line: 3}
	if got := Describe(in); got != "COPY package*.json ./ (line 3)" {
		t.Errorf("got %q", got)
	}
	long := Instruction{Original: "RUN " + strings.Repeat("x", 100), Line: 9}
	if got := Describe(long); !strings.HasSuffix(got, "... (line 9)") || len(got) > 80 {
		t.Errorf("long instruction: got %q", got)
	}
}
