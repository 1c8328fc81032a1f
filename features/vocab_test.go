package features

import (
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Every sentence an author can look up has an example that lab reads as
// that sentence and no other, and lists only codes from the table.
func TestVocabularyExamplesMatchTheirOwnSentence(t *testing.T) {
	defs := (&world{}).definitions()
	exprs := make([]*regexp.Regexp, len(defs))
	for i, d := range defs {
		exprs[i] = regexp.MustCompile(d.Expr)
	}
	for i, d := range defs {
		if d.Example == "" {
			t.Errorf("%s: no example", d.Expr)
			continue
		}
		if !exprs[i].MatchString(d.Example) {
			t.Errorf("%s: its example %q does not match it", d.Expr, d.Example)
		}
		for j, re := range exprs {
			if j != i && re.MatchString(d.Example) {
				t.Errorf("%s: its example %q also matches %s", d.Expr, d.Example, defs[j].Expr)
			}
		}
		if len(d.Codes) == 0 {
			t.Errorf("%s: lists no failure code", d.Expr)
		}
		for _, c := range d.Codes {
			if !KnownCode(c) {
				t.Errorf("%s: code %q is not in FailureCodes (codes.go)", d.Expr, c)
			}
		}
	}
}

// The codes a sentence lists include every code its check, or anything it
// calls, can give: an author who names a code in a wrong state can trust
// the list.
func TestVocabularyListsEveryCodeItsCheckGives(t *testing.T) {
	static := staticCodes(t)
	for _, d := range (&world{}).definitions() {
		name := runtime.FuncForPC(reflect.ValueOf(d.Fn).Pointer()).Name()
		name = strings.TrimSuffix(name[strings.LastIndex(name, ".")+1:], "-fm")
		gives, ok := static[name]
		if !ok {
			t.Errorf("%s: found no source for its function %s", d.Expr, name)
			continue
		}
		for _, c := range gives {
			if !slices.Contains(d.Codes, c) {
				t.Errorf("%s: its check %s can give %q, which it does not list", d.Expr, name, c)
			}
		}
	}
}

func TestVocabularyPatternsHaveNoAnchors(t *testing.T) {
	v := Vocabulary()
	if len(v) != len((&world{}).definitions()) {
		t.Fatalf("got %d sentences, want one per definition", len(v))
	}
	for _, s := range v {
		if strings.HasPrefix(s.Pattern, "^") || strings.HasSuffix(s.Pattern, "$") {
			t.Errorf("pattern %q keeps an anchor", s.Pattern)
		}
	}
}
