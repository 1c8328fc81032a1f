package features

import (
	"go/ast"
	"go/token"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/lessons"
)

// failureTexts returns every string literal the package's checks put into
// a failure's text: the fields of Failure literals, assignments to those
// fields, and the lint fix table.
func failureTexts(t *testing.T) map[token.Position]string {
	t.Helper()
	fields := map[string]bool{"Message": true, "Expected": true, "Observed": true, "Try": true, "Fix": true}
	fset, files := packageSource(t)
	out := map[token.Position]string{}
	collect := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				out[fset.Position(lit.Pos())] = lit.Value
			}
			return true
		})
	}
	for _, sf := range files {
		f := sf.file
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Failure" {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && fields[k.Name] {
								collect(kv.Value)
							}
						}
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && fields[sel.Sel.Name] && i < len(n.Rhs) {
						collect(n.Rhs[i])
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if (id.Name == "lintFixes" || id.Name == "fix" || id.Name == "msg") && i < len(n.Values) {
						collect(n.Values[i])
					}
				}
			case *ast.CallExpr:
				// A missing workspace file's fix is passed in.
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "readBuildFile" || sel.Sel.Name == "readImageFile") {
					for _, a := range n.Args[1:] {
						collect(a)
					}
				}
			}
			return true
		})
	}
	return out
}

// A check's failure must read right in any course: it is built from the
// sentence's subject and values, never from the built-in course's folders,
// images, resources or steps.
func TestFailureTextsNameNoBuiltInCourseFact(t *testing.T) {
	course, err := lessons.Load(lessons.Content(), Files())
	if err != nil {
		t.Fatal(err)
	}
	facts := []string{"k8s/", "kind/cluster.yaml", "seed.js", "app.js", "web/index.html", " /Dockerfile", "db/Dockerfile", "app/Dockerfile", "profile/", "lesson 3", "the lesson runs", "posts", "mongo-service", "node:18", "USER node"}
	for _, s := range course.Steps() {
		facts = append(facts, "lab show "+s.ID, "lab show "+s.Key())
		facts = append(facts, s.Resources.Containers...)
		facts = append(facts, s.Resources.Images...)
		facts = append(facts, s.Resources.Volumes...)
	}
	texts := failureTexts(t)
	if len(texts) < 100 {
		t.Fatalf("found %d failure texts: the test reads the wrong files", len(texts))
	}
	for at, text := range texts {
		for _, fact := range facts {
			if fact != "" && strings.Contains(text, fact) {
				t.Errorf("%s: failure text %s names the built-in course's %q; build it from the sentence's arguments", at, text, fact)
			}
		}
	}
}
