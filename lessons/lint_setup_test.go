package lessons

import (
	"slices"
	"strings"
	"testing"
)

func TestLintSetup(t *testing.T) {
	tests := []struct {
		name      string
		setup     []string
		resources Resources
		want      []string // parts of each problem, in order
	}{
		{"named container listed", []string{"docker run -d --name drill-web nginx"}, Resources{Containers: []string{"drill-web"}}, nil},
		{"named container missing", []string{"docker rm -f drill-web || true", "docker run -d --name drill-web nginx"}, Resources{},
			[]string{`setup command 2 makes the container "drill-web", which resources does not name: add it to resources: {containers: [drill-web]}`}},
		{"--name= and create", []string{"docker create --name=drill-shop nginx && docker start drill-shop || true"}, Resources{},
			[]string{`the container "drill-shop"`}},
		{"volume and network", []string{"docker volume create drill-notes >/dev/null; docker network create --driver bridge drill-net"},
			Resources{Volumes: []string{"drill-notes"}}, []string{`the network "drill-net"`}},
		{"quoted and in a pipeline", []string{`echo x | docker run -i --name "drill-cat" busybox cat`}, Resources{},
			[]string{`the container "drill-cat"`}},
		{"a name from the shell is skipped", []string{"docker run --name $NAME nginx"}, Resources{}, nil},
		{"other commands are not read", []string{"docker start drill-web", "echo --name drill-x"}, Resources{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Step{SourcePath: "drills/01-x.md", Setup: tt.setup, Resources: tt.resources}
			got := lintSetup(s)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems %v, want %d", len(got), got, len(tt.want))
			}
			for i, p := range got {
				if !strings.Contains(p.Msg, tt.want[i]) || p.File != "drills/01-x.md" {
					t.Errorf("problem %d: got %q, want it to say %q", i, p, tt.want[i])
				}
			}
		})
	}
	// Lint reports them for the whole course.
	c := mustLoad(t)
	heal := c.Lesson("containers").Step("self-heal")
	heal.Resources = Resources{}
	var msgs []string
	for _, p := range Lint(c) {
		msgs = append(msgs, p.String())
	}
	if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, `makes the container "lab-heal"`) }) {
		t.Errorf("Lint: got %v, want the unnamed container of %s's setup", msgs, heal.Key())
	}
}
