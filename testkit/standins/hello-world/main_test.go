package main

import (
	"strings"
	"testing"
)

func TestMessageMatchesTheRealImage(t *testing.T) {
	got := message("amd64")
	lines := strings.Split(got, "\n")
	checks := []struct {
		line int
		want string
	}{
		{0, ""},
		{1, "Hello from Docker!"},
		{2, "This message shows that your installation appears to be working correctly."},
		{6, ` 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.`},
		{7, "    (amd64)"},
		{14, " $ docker run -it ubuntu bash"},
		{20, " https://docs.docker.com/get-started/"},
	}
	for _, c := range checks {
		if lines[c.line] != c.want {
			t.Errorf("line %d: got %q, want %q", c.line, lines[c.line], c.want)
		}
	}
	if len(lines) != 23 || !strings.HasSuffix(got, "get-started/\n\n") {
		t.Errorf("got %d lines ending %q, want 23 lines ending with a blank line", len(lines), got[len(got)-20:])
	}
}

func TestMessageNamesTheArchitectureLikeDockerLibrary(t *testing.T) {
	for goarch, want := range map[string]string{"arm64": "(arm64v8)", "386": "(i386)", "loong64": "(loong64)"} {
		if got := message(goarch); !strings.Contains(got, "\n    "+want+"\n") {
			t.Errorf("message(%q) lacks %q", goarch, want)
		}
	}
}
