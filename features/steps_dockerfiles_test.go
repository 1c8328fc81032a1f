package features

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/lab-workshop/lab/sandbox"
)

func TestRuleList(t *testing.T) {
	got, err := ruleList("DL3006, DL3007, DL3020, DL3025 and LAB001")
	if want := []string{"DL3006", "DL3007", "DL3020", "DL3025", "LAB001"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if _, err := ruleList("DL3006 and DL9999"); err == nil {
		t.Error("an unknown rule must be an error")
	}
}

func TestInstructionText(t *testing.T) {
	tests := map[string]string{
		"/bin/sh -c #(nop)  EXPOSE 80":     "EXPOSE 80",
		"EXPOSE map[80/tcp:{}]":            "EXPOSE map[80/tcp:{}]",
		"/bin/sh -c npm ci --omit=dev":     "npm ci --omit=dev",
		"RUN /bin/sh -c npm ci # buildkit": "RUN /bin/sh -c npm ci # buildkit",
		"|1 X=1 /bin/sh -c true":           "|1 X=1 /bin/sh -c true",
	}
	for in, want := range tests {
		if got := instructionText(in); got != want {
			t.Errorf("instructionText(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestInterpreterOnly(t *testing.T) {
	tests := []struct {
		entrypoint, cmd []string
		want            bool
	}{
		{nil, []string{"node"}, true},
		{[]string{"docker-entrypoint.sh"}, []string{"node"}, true},
		{nil, []string{"/bin/bash"}, true},
		{nil, []string{"node", "app.js"}, false},
		{[]string{"docker-entrypoint.sh"}, []string{"mongod"}, false},
		{[]string{"/entry"}, []string{"node"}, false},
		{nil, []string{"nginx", "-g", "daemon off;"}, false},
		{nil, nil, false},
	}
	for _, tt := range tests {
		if got := interpreterOnly(sandbox.Image{Entrypoint: tt.entrypoint, Cmd: tt.cmd}); got != tt.want {
			t.Errorf("interpreterOnly(%q %q): got %v, want %v", tt.entrypoint, tt.cmd, got, tt.want)
		}
	}
}

func TestBuildStateTravelsInTheContext(t *testing.T) {
	ctx, st := buildStateOf(context.Background())
	st.ref = "lab/app:v1"
	if _, again := buildStateOf(ctx); again != st {
		t.Error("a later step must see the state an earlier one made")
	}
	if _, fresh := buildStateOf(context.Background()); fresh == st || fresh.ref != "" {
		t.Error("another scenario must start with its own state")
	}
}

func TestOwnMaintainer(t *testing.T) {
	nginx := map[string]string{"maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"}
	with := func(k, v string) map[string]string {
		m := maps.Clone(nginx)
		m[k] = v
		return m
	}
	tests := []struct {
		name          string
		labels, base  map[string]string
		wantKey, want string
	}{
		{"lower case", with("maintainer", "Alex <alex@example.com>"), nginx, "maintainer", "Alex <alex@example.com>"},
		{"upper case, as the seed writes it", with("MAINTAINER", "Alex <alex@example.com>"), nginx, "MAINTAINER", "Alex <alex@example.com>"},
		{"mixed case", with("Maintainer", "Alex"), nginx, "Maintainer", "Alex"},
		{"OCI authors", with("org.opencontainers.image.authors", "alex@example.com"), nginx, "org.opencontainers.image.authors", "alex@example.com"},
		{"no base labels", map[string]string{"MAINTAINER": "Alex"}, nil, "MAINTAINER", "Alex"},
		{"inherited only", nginx, nginx, "", ""},
		{"no labels", nil, nginx, "", ""},
		{"other label", with("description", "my page"), nginx, "", ""},
		{"empty value", with("MAINTAINER", " "), nginx, "", ""},
		{"authors inherited", map[string]string{"org.opencontainers.image.authors": "x"}, map[string]string{"org.opencontainers.image.authors": "x"}, "", ""},
	}
	for _, tt := range tests {
		k, v, ok := ownMaintainer(tt.labels, tt.base)
		if k != tt.wantKey || v != tt.want || ok != (tt.wantKey != "") {
			t.Errorf("%s: got %q=%q (%v), want %q=%q", tt.name, k, v, ok, tt.wantKey, tt.want)
		}
	}
}
