package features

import (
	"strings"
	"testing"

	"github.com/lab-workshop/lab/sandbox"
)

func TestDiffHint(t *testing.T) {
	page := "<html>\n<h1>Hello, I'm Alex</h1>\n</html>\n"
	tests := []struct {
		name, got, want, hint string
	}{
		{"changed line", page, strings.Replace(page, "Alex", "Sam", 1),
			`line 2 differs: served has "<h1>Hello, I'm Alex</h1>", web/index.html has "<h1>Hello, I'm Sam</h1>"`},
		{"served is shorter", "<html>\n", page,
			`the served page ends after line 1; web/index.html goes on with "<h1>Hello, I'm Alex</h1>"`},
		{"served is longer", page + "<p>extra</p>\n", page,
			`web/index.html ends after line 3; the served page goes on with "<p>extra</p>"`},
		{"final newline", strings.TrimSuffix(page, "\n"), page, "they differ only in the newline at the end"},
		{"line endings", strings.ReplaceAll(page, "\n", "\r\n"), page, "line 1 differs only in spaces or line endings"},
		{"empty", "", page, "the served page is empty"},
		{"indentation does not show", "  <p>a</p>\n", "\t<p>b</p>\n",
			`line 1 differs: served has "<p>a</p>", web/index.html has "<p>b</p>"`},
	}
	for _, tt := range tests {
		if got := diffHint([]byte(tt.got), []byte(tt.want), "served", "web/index.html"); got != tt.hint {
			t.Errorf("%s: got\n  %s\nwant\n  %s", tt.name, got, tt.hint)
		}
	}
}

func TestQuoteLine(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes, 2 per character
	got := quoteLine(long)
	if !strings.HasSuffix(got, `..."`) || len(got) > 70 {
		t.Errorf("got %s, want at most 60 bytes of it and an ellipsis", got)
	}
	if strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("got %s, cut inside a character", got)
	}
}

func TestLayersOver(t *testing.T) {
	base := []string{"a", "b"}
	tests := []struct {
		name   string
		layers []string
		want   string // part of the message; empty means accepted
	}{
		{"one more", []string{"a", "b", "c"}, ""},
		{"the base itself", []string{"a", "b"}, "adds no layer to nginx:1.27"},
		{"two more", []string{"a", "b", "c", "d"}, "has 2 layers on top of nginx:1.27"},
		{"another base", []string{"x", "b", "c"}, "was not made from nginx:1.27"},
		{"shorter", []string{"a"}, "was not made from nginx:1.27"},
	}
	for _, tt := range tests {
		got := layersOver(tt.layers, base, "lab/profile:v1", "nginx:1.27")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		entrypoint, cmd []string
		want            string
	}{
		{[]string{"/docker-entrypoint.sh"}, []string{"nginx", "-g", "daemon off;"}, `["/docker-entrypoint.sh" "nginx" "-g" "daemon off;"]`},
		{nil, []string{"sh"}, `["sh"]`},
		{nil, nil, "no command"},
	}
	for _, tt := range tests {
		if got := commandLine(tt.entrypoint, tt.cmd); got != tt.want {
			t.Errorf("commandLine(%q, %q): got %s, want %s", tt.entrypoint, tt.cmd, got, tt.want)
		}
	}
}

func TestDescribePorts(t *testing.T) {
	ports := map[string][]sandbox.PortBinding{
		"80/tcp":  {{HostIP: "0.0.0.0", HostPort: 8081}, {HostIP: "::", HostPort: 8081}},
		"443/tcp": {{HostIP: "127.0.0.1", HostPort: 8443}},
	}
	if got, want := describePorts(ports), "443/tcp -> host port 8443; 80/tcp -> host port 8081"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := describePorts(nil); got != "no port published" {
		t.Errorf("no ports: got %q", got)
	}
}
