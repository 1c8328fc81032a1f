package features

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lab-workshop/lab/lessons"
)

func TestLint(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		wrong    lessons.WrongState
		want     []string // each must be among the problems; none when empty
	}{
		{"a sentence lab knows", `    Then container "web" runs image "nginx:1.27"`, lessons.WrongState{}, nil},
		{"undefined, with the nearest sentence", `    Then container "web" run image "nginx:1.27"`, lessons.WrongState{},
			[]string{`undefined step "container \"web\" run image \"nginx:1.27\""`, `did you mean container "([^"]+)" runs image "([^"]+)" (for example: container "lab-web" runs image "nginx:1.27")?`}},
		{"undefined, nothing near", `    Then the moon is made of cheese`, lessons.WrongState{},
			[]string{"no step definition matches it; lab lessons steps lists every sentence"}},
		{"its with no subject", `    Then its build exposes port 80`, lessons.WrongState{},
			[]string{`step "its build exposes port 80" needs an earlier step in its scenario`, `the image "lab/profile:v2" is built from the workspace folder "profile"`}},
		{"its after its subject", "    Given the image \"x\" is built from the workspace folder \"x\"\n    Then its build exposes port 80", lessons.WrongState{}, nil},
		{"a chain: needs the step that needs the image", "    Given the image \"x\" is built from the workspace folder \"x\"\n    Then its own layers add less than 5 MB to the base image", lessons.WrongState{},
			[]string{"its own layers add less than 5 MB to the base image\" needs an earlier step", `its layers start with the layers of image`}},
		{"unknown lint rule", `    Then the Dockerfile in the workspace folder "app" passes the lint rules DL3006 and DL9999`, lessons.WrongState{},
			[]string{`lab has no lint rule "DL9999"`}},
		{"known lint rules", `    Then the Dockerfile in the workspace folder "app" passes the lint rules DL3006, DL3007 and LAB001`, lessons.WrongState{}, nil},
		{"wrong state with a code its sentence gives", `    Then container "web" from image "x" keeps running`, lessons.WrongState{Name: "loop", Code: "restart-loop"}, nil},
		{"wrong state with an unknown code", `    Then container "web" from image "x" keeps running`, lessons.WrongState{Name: "loop", Code: "restart-loops"},
			[]string{`wrong state "loop": no check gives the code "restart-loops" (did you mean "restart-loop"?)`}},
		{"wrong state with a code no sentence of its scenario gives", `    Then container "web" from image "x" keeps running`, lessons.WrongState{Name: "port", Code: "port-mismatch"},
			[]string{`wrong state "port": no sentence of the scenarios tagged @s gives the code "port-mismatch"; they give image-differs, not-found, not-running, restart-loop`}},
	}
	for _, tt := range tests {
		course := testCourse(t, map[string]string{"s": tt.scenario}, nil)
		if tt.wrong.Name != "" {
			course.Steps()[0].Wrong = []lessons.WrongState{tt.wrong}
		}
		var got []string
		for _, p := range Lint(course, false) {
			got = append(got, p.String())
		}
		if len(tt.want) == 0 && len(got) > 0 {
			t.Errorf("%s: got problems\n  %s\nwant none", tt.name, strings.Join(got, "\n  "))
		}
		for _, w := range tt.want {
			if !strings.Contains(strings.Join(got, "\n"), w) {
				t.Errorf("%s: got problems\n  %s\nwant one saying %s", tt.name, strings.Join(got, "\n  "), w)
			}
		}
	}
}

// Every name in needsEarlier is the function of a sentence lab knows, so
// a renamed check cannot silently drop out of the lint.
func TestNeedsEarlierNamesKnownSentences(t *testing.T) {
	known := map[string]bool{}
	for _, d := range (&world{}).definitions() {
		known[defName(d)] = true
	}
	if !known[lintRuleSentence] {
		t.Errorf("lintRuleSentence %q is no sentence's function", lintRuleSentence)
	}
	for name, givers := range needsEarlier {
		if !known[name] {
			t.Errorf("needsEarlier names %q, which is no sentence's function", name)
		}
		for _, g := range givers {
			if !known[g] {
				t.Errorf("needsEarlier[%q] names %q, which is no sentence's function", name, g)
			}
		}
	}
}

func TestLintStarter(t *testing.T) {
	course := testCourse(t, map[string]string{"s": `    Then container "web" runs image "nginx:1.27"`}, nil)
	course.Steps()[0].Starter = []string{"app", "web/index.html", "web/missing.css"}
	assets := fstest.MapFS{"app/app.js": {Data: []byte("x")}, "web/index.html": {Data: []byte("x")}}
	problems := LintStarter(course, assets)
	if len(problems) != 1 || !strings.Contains(problems[0].String(), `starter "web/missing.css" is not in the course's assets/ folder`) {
		t.Errorf("got %v, want one problem for web/missing.css", problems)
	}
}

// A sentence whose check fails without an earlier sentence's subject is in
// needsEarlier, so lint reports the missing sentence before any check runs.
func TestNeedsEarlierCoversEveryCheckThatNeedsASubject(t *testing.T) {
	markers := needsMarkers(t)
	if len(markers) == 0 {
		t.Fatal("found no check that needs an earlier sentence: the test reads the wrong files")
	}
	_, reach := staticGraph(t)
	// Checks that find their subject themselves before calling a check
	// that needs one.
	selfContained := map[string]bool{}
	for _, d := range (&world{}).definitions() {
		name := defName(d)
		if selfContained[name] {
			continue
		}
		for called := range reach[name] {
			if !markers[called] {
				continue
			}
			if _, ok := needsEarlier[name]; !ok {
				t.Errorf("%s (%s) fails without an earlier sentence's subject (through %s), but needsEarlier does not name it", d.Expr, name, called)
			}
		}
	}
}
