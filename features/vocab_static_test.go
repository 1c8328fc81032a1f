package features

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// staticCodes reads the package's source and returns, for every function
// and method, the failure codes it or anything it calls in the package can
// give. It over-approximates: a code written anywhere in a function counts.
func staticCodes(t *testing.T) map[string][]string {
	codes, _ := staticGraph(t)
	return codes
}

// staticGraph returns staticCodes and, for every function, the functions
// of the package it calls, directly or through others.
func staticGraph(t *testing.T) (map[string][]string, map[string]map[string]bool) {
	t.Helper()
	direct := map[string]map[string]bool{}
	refs := map[string]map[string]bool{}
	for _, fn := range packageFuncs(t) {
		key := fn.Name.Name
		if direct[key] == nil {
			direct[key], refs[key] = map[string]bool{}, map[string]bool{}
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Code" {
					if s, ok := stringLit(n.Value); ok {
						direct[key][s] = true
					}
				}
			case *ast.AssignStmt:
				for _, rhs := range assignedCodes(n) {
					if s, ok := stringLit(rhs); ok {
						direct[key][s] = true
					}
				}
			case *ast.CallExpr:
				switch fun := n.Fun.(type) {
				case *ast.Ident:
					refs[key][fun.Name] = true
				case *ast.SelectorExpr:
					refs[key][fun.Sel.Name] = true
				case *ast.IndexExpr:
					if id, ok := fun.X.(*ast.Ident); ok {
						refs[key][id.Name] = true
					}
				}
			}
			return true
		})
	}
	out := map[string][]string{}
	reach := map[string]map[string]bool{}
	for name := range direct {
		seen := map[string]bool{name: true}
		reach[name] = seen
		queue := []string{name}
		codes := map[string]bool{}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for c := range direct[n] {
				codes[c] = true
			}
			for r := range refs[n] {
				if _, ok := direct[r]; ok && !seen[r] {
					seen[r] = true
					queue = append(queue, r)
				}
			}
		}
		var list []string
		for c := range codes {
			list = append(list, c)
		}
		slices.Sort(list)
		out[name] = list
	}
	return out, reach
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// needsMarkers returns the functions of the package that fail when no
// earlier sentence of the scenario found their subject: their source says
// "by an earlier step" or "by earlier steps", or returns errNoImage.
func needsMarkers(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, fn := range packageFuncs(t) {
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, ok := stringLit(n); ok && (strings.Contains(s, "by an earlier step") || strings.Contains(s, "by earlier steps")) {
					out[fn.Name.Name] = true
				}
			case *ast.Ident:
				if n.Name == "errNoImage" {
					out[fn.Name.Name] = true
				}
			}
			return true
		})
	}
	return out
}

// sourceFile is one parsed non-test file of the package.
type sourceFile struct {
	name string
	file *ast.File
}

// packageSource parses the package's non-test files, for the tests that
// read what the checks' source says.
func packageSource(t *testing.T) (*token.FileSet, []sourceFile) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []sourceFile
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sourceFile{name, f})
	}
	return fset, out
}

// assignedCodes returns the values an assignment gives a variable or field
// named code or Code.
func assignedCodes(n *ast.AssignStmt) []ast.Expr {
	var out []ast.Expr
	for i, lhs := range n.Lhs {
		if i >= len(n.Rhs) {
			break
		}
		var name string
		switch l := lhs.(type) {
		case *ast.Ident:
			name = l.Name
		case *ast.SelectorExpr:
			name = l.Sel.Name
		}
		if name == "code" || name == "Code" {
			out = append(out, n.Rhs[i])
		}
	}
	return out
}

// packageFuncs returns the functions and methods with a body in the
// package's non-test files.
func packageFuncs(t *testing.T) []*ast.FuncDecl {
	t.Helper()
	_, files := packageSource(t)
	var out []*ast.FuncDecl
	for _, sf := range files {
		for _, decl := range sf.file.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Body != nil {
				out = append(out, fn)
			}
		}
	}
	return out
}
