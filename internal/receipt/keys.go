package receipt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lab-workshop/lab/internal/safetext"
)

// checkKeys walks the JSON tokens of data and refuses an object that holds
// a key twice, or two keys that differ only in case, at any depth. Go's
// encoding/json matches keys without regard to case and lets a later
// duplicate win, so without this check a receipt could show a reader one
// "student" and lab another. Syntax errors are left to the decoder, which
// describes them better.
func checkKeys(data []byte) error {
	type object struct {
		where   string            // "the receipt", `"machine"`, `"steps"`
		seen    map[string]string // folded key -> key as written
		wantKey bool              // the next token is a key, not a value
		last    string            // the last key read
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*object       // nil entries are arrays
	inner := func() *object { // the innermost object
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i] != nil {
				return stack[i]
			}
		}
		return nil
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *object
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil // the first value is complete; the decoder judges the rest
			}
			if parent := stack[len(stack)-1]; parent != nil {
				parent.wantKey = true
			}
			continue
		}
		if top != nil && top.wantKey {
			key, _ := tok.(string)
			folded := foldKey(key)
			if prev, ok := top.seen[folded]; ok {
				if prev == key {
					return fmt.Errorf("the key %q appears twice in %s: a receipt holds each key once; it was edited or is not a lab receipt",
						safetext.Line(key), top.where)
				}
				return fmt.Errorf("the keys %q and %q in %s differ only in case: a receipt spells each key one way; it was edited or is not a lab receipt",
					safetext.Line(prev), safetext.Line(key), top.where)
			}
			if want, ok := knownKeys[folded]; ok && want != key {
				return fmt.Errorf("the key %q in %s is spelled %q in a lab receipt: it was edited or is not a lab receipt",
					safetext.Line(key), top.where, want)
			}
			top.seen[folded] = key
			top.last = key
			top.wantKey = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' {
				w := "the receipt"
				if o := inner(); o != nil {
					w = fmt.Sprintf("%q", safetext.Line(o.last))
				}
				stack = append(stack, &object{where: w, seen: map[string]string{}, wantKey: true})
			} else {
				stack = append(stack, nil)
			}
			continue
		}
		if top == nil && len(stack) == 0 {
			return nil // a scalar, not an object: the decoder says so
		}
		if top != nil {
			top.wantKey = true
		}
	}
}

// knownKeys maps each key a receipt may hold, folded, to its one spelling.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			m[foldKey(name)] = name
			ft := f.Type
			if ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
				walk(ft)
			}
		}
	}
	walk(reflect.TypeOf(Receipt{}))
	return m
}()

// foldKey maps every spelling of a key that encoding/json would take for the
// same field to one string: each rune becomes the smallest rune of its
// Unicode simple case folding orbit (so "K", "k" and the Kelvin sign agree).
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == utf8.RuneError {
			b.WriteRune(r)
			continue
		}
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
