package lessons

import (
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// sameAsStrict fails t unless decodeYAML, which parses once, gives what
// parsing and then decoding with the strict decoder gives: the same value,
// the same problems in the same order, and the same ok.
func sameAsStrict[T any](t *testing.T, name string, data []byte, offset int) {
	t.Helper()
	var fast, strict T
	_, got, gotOK := decodeYAML(name, data, offset, &fast)
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		if gotOK {
			t.Errorf("%s: YAML that is no mapping decoded as ok", name)
		}
		return
	}
	want, wantOK := decodeStrict(name, data, offset, &strict)
	if wantOK {
		want = append(yamlTextProblems(name, data, root.Content[0], offset), want...)
	}
	if gotOK != wantOK || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: decodeYAML gave ok=%v %q; the strict decoder ok=%v %q", name, gotOK, got, wantOK, want)
	}
	if !reflect.DeepEqual(fast, strict) {
		t.Errorf("%s: decodeYAML filled %+v; the strict decoder %+v", name, fast, strict)
	}
}

// TestDecodeYAMLOnceMatchesStrict holds decoding from the parsed nodes to
// the strict decoder's results, on every file of the built-in and example
// courses and on YAML made to trip it.
func TestDecodeYAMLOnceMatchesStrict(t *testing.T) {
	courses := map[string]fs.FS{"built-in": Content()}
	if dirs, err := os.ReadDir("../examples"); err == nil {
		for _, d := range dirs {
			courses[d.Name()] = os.DirFS(path.Join("../examples", d.Name()))
		}
	}
	files := 0
	for name, fsys := range courses {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			switch {
			case p == courseFile:
				sameAsStrict[courseMeta](t, name+"/"+p, data, 0)
			case path.Base(p) == "lesson.md" || path.Base(p) == "recap.md":
				if front, _, err := splitFrontMatter(data); err == nil {
					sameAsStrict[lessonMeta](t, name+"/"+p, front, 1)
				}
			case strings.HasSuffix(p, ".md"):
				if front, _, err := splitFrontMatter(data); err == nil {
					sameAsStrict[stepMeta](t, name+"/"+p, front, 1)
				}
			default:
				return nil
			}
			files++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 40 {
		t.Fatalf("checked only %d course files", files)
	}

	for name, front := range map[string]string{
		"unknown top key":     "id: x\ntitel: y\n",
		"unknown nested key":  "id: x\nwrong:\n  - id: w\n    setupp: [a]\n",
		"unknown in mapping":  "id: x\nresources:\n  containerz: [a]\n",
		"wrong type":          "id: x\nhints: 3\n",
		"wrong type and key":  "id: x\nhints: {a: 1}\nfoo: 1\n",
		"alias":               "id: &a x\ntitle: *a\n",
		"alias, unknown key":  "id: x\nwrong:\n  - name: a\n    env: &e {bogus: \"1\"}\nunsolved: *e\n",
		"alias, known keys":   "id: x\nunsolved: &u {setup: [a]}\nwrong:\n  - *u\n",
		"alias as a key":      "id: &title tilte\ntitle: x\n*title : oops\n",
		"alias as a map key":  "id: &k a\nwrong:\n  - name: w\n    env: {*k : \"1\"}\n",
		"merge key":           "id: x\nwrong:\n  - &w {id: w, message: m}\n  - <<: *w\n    id: v\n",
		"duplicate key":       "id: x\nid: y\n",
		"key case":            "ID: x\n",
		"empty value":         "id:\n",
		"null list item":      "id: x\nwrong:\n  - \n",
		"field name, no tag":  "id: x\nlesson: y\n",
		"unknown deep":        "id: x\nwrong:\n  - id: w\n    state:\n      nope: 1\n",
		"sequence for struct": "id: x\nresources: [a]\n",
	} {
		sameAsStrict[stepMeta](t, name, []byte(front), 1)
	}
}
