package progress

import (
	"os"
	"reflect"
	"testing"
	"time"
)

func TestLoadMigratesSchema1(t *testing.T) {
	passedAt := time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)
	steps := map[string]*StepState{
		"docker-setup/cli": {Passed: true, PassedAt: passedAt, Attempts: 2, HintsShown: 1},
		"containers/run":   {Skipped: true},
	}
	tests := []struct {
		name    string
		content string
		want    *State
	}{
		{
			name: "names its course",
			content: `{"schema":1,"course":"mini","course_hash":"abc","current":"containers/run",` +
				`"workspace":"/home/ann/ws","steps":{"docker-setup/cli":{"passed":true,"passed_at":"2025-06-01T12:30:00Z",` +
				`"attempts":2,"hints_shown":1},"containers/run":{"skipped":true}}}`,
			want: &State{Schema: Schema, Workspace: "/home/ann/ws", Courses: map[string]*CourseState{
				"mini": {Hash: "abc", Current: "containers/run", Steps: steps},
			}},
		},
		{
			name: "names no course: the built-in one's",
			content: `{"schema":1,"steps":{"docker-setup/cli":{"passed":true,"passed_at":"2025-06-01T12:30:00Z",` +
				`"attempts":2,"hints_shown":1},"containers/run":{"skipped":true}}}`,
			want: &State{Schema: Schema, Courses: map[string]*CourseState{
				"built-in": {Steps: steps},
			}},
		},
		{
			name:    "empty",
			content: `{"schema":1}`,
			want:    &State{Schema: Schema},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Open(t.TempDir(), LegacyCourse("built-in"))
			if err := os.WriteFile(s.Path(), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load()
			if err != nil {
				t.Fatalf("Load: got error %v, want none", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			// The next update writes schema 2 and keeps everything.
			if err := s.Update(func(*State) error { return nil }); err != nil {
				t.Fatalf("Update: got error %v, want none", err)
			}
			again, err := Open(s.dir).Load()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, tt.want) {
				t.Errorf("after Update got %+v, want %+v", again, tt.want)
			}
		})
	}
}

func TestCoursesAreSeparate(t *testing.T) {
	s := Open(t.TempDir())
	if err := s.Update(func(st *State) error {
		st.Course("docker-workshop").Pass("docker-setup/cli", "h", time.Now())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if st.Course("another").Passed("docker-setup/cli") {
		t.Errorf("got docker-setup/cli passed in another course, want it passed only where it was")
	}
	if !st.Course("docker-workshop").Passed("docker-setup/cli") {
		t.Errorf("got docker-setup/cli not passed in its own course, want passed")
	}
}
