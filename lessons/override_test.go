package lessons

import "testing"

// Given values replace the declared variables' values everywhere the
// course uses them; undeclared names are ignored; the hash stays.
func TestLoadWithVarsOverrides(t *testing.T) {
	c, f := withVars(t)
	plain, err := Load(c, f)
	if err != nil {
		t.Fatal(err)
	}
	course, err := LoadWithVars(c, f, map[string]string{"web_port": "30105", "not_declared": "x", "nginx_image": "", "registry": "a\nb"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := course.Find("containers/run-nginx")
	if want := "Run nginx:1.28 on port 30105."; s.Body != want {
		t.Errorf("body: got %q, want %q", s.Body, want)
	}
	if want := "docker run -d -p 30105:80 nginx:1.28"; s.Solution[0] != want {
		t.Errorf("solution: got %q, want %q", s.Solution[0], want)
	}
	if _, ok := course.Vars["not_declared"]; ok || course.Vars["web_port"] != "30105" {
		t.Errorf("vars %v", course.Vars)
	}
	if course.Hash != plain.Hash {
		t.Errorf("the hash changed with the values: %s, was %s", course.Hash, plain.Hash)
	}
	if plain.Vars["web_port"] != "8080" {
		t.Errorf("the plain course's vars changed: %v", plain.Vars)
	}
}

func TestLessonOwnCluster(t *testing.T) {
	c, f := fixture()
	edit(t, c, "containers/lesson.md", "title:", "own_cluster: true\ntitle:")
	course, err := Load(c, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range course.Lessons {
		if l.OwnCluster != (l.ID == "containers") {
			t.Errorf("lesson %s: OwnCluster %v", l.ID, l.OwnCluster)
		}
	}
}
