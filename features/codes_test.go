package features

import (
	"go/ast"
	"go/token"
	"regexp"
	"strings"
	"testing"
)

// codeUse is a failure code written in the package's source.
type codeUse struct {
	code string
	at   token.Position
}

// failureLiterals parses the package's non-test files and returns every
// Failure literal missing a Code field, and every code string the source
// gives a failure (Code: "x", f.Code = "x", code := "x").
func failureLiterals(t *testing.T) (missing []token.Position, uses []codeUse) {
	t.Helper()
	fset, files := packageSource(t)
	for _, sf := range files {
		f := sf.file
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				id, ok := n.Type.(*ast.Ident)
				if !ok || id.Name != "Failure" {
					return true
				}
				has := false
				for _, e := range n.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" {
						has = true
						if s, ok := stringLit(kv.Value); ok {
							uses = append(uses, codeUse{s, fset.Position(kv.Pos())})
						}
					}
				}
				if !has {
					missing = append(missing, fset.Position(n.Pos()))
				}
			case *ast.AssignStmt:
				for _, rhs := range assignedCodes(n) {
					if s, ok := stringLit(rhs); ok {
						uses = append(uses, codeUse{s, fset.Position(n.Pos())})
					}
				}
			}
			return true
		})
	}
	return missing, uses
}

// Every failure a check returns names its kind of mistake with a code from
// the table, so wrong states, receipts and grading never match prose.
func TestEveryFailureHasAKnownCode(t *testing.T) {
	missing, uses := failureLiterals(t)
	for _, at := range missing {
		t.Errorf("%s: Failure without a Code; give it one from FailureCodes (codes.go)", at)
	}
	used := map[string]bool{}
	for _, u := range uses {
		used[u.code] = true
		if !KnownCode(u.code) {
			t.Errorf("%s: code %q is not in FailureCodes (codes.go)", u.at, u.code)
		}
	}
	if len(uses) == 0 {
		t.Fatal("found no failure codes in the source: the test reads the wrong files")
	}
	for _, c := range FailureCodes {
		if !used[c.Code] {
			t.Errorf("code %q is in FailureCodes but no check gives it: remove it", c.Code)
		}
	}
}

var kebab = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)

func TestFailureCodesAreKebabCaseOnceEachWithAMeaning(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range FailureCodes {
		if !kebab.MatchString(c.Code) {
			t.Errorf("code %q is not kebab-case", c.Code)
		}
		if seen[c.Code] {
			t.Errorf("code %q is listed twice", c.Code)
		}
		seen[c.Code] = true
		if strings.TrimSpace(c.Meaning) == "" || strings.Contains(c.Meaning, "\n") {
			t.Errorf("code %q needs a one-line meaning", c.Code)
		}
	}
}
