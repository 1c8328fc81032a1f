package lessons

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

// builtinFeatures holds the feature files of ../features as the binary
// embeds them: only the *.feature files.
func builtinFeatures(t *testing.T) fs.FS {
	t.Helper()
	names, err := filepath.Glob("../features/*.feature")
	if err != nil || len(names) == 0 {
		t.Fatalf("no feature files in ../features (%v)", err)
	}
	m := fstest.MapFS{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(name)] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return m
}

// parsedBuiltin parses the built-in course and snapshots it.
func parsedBuiltin(t *testing.T) (features fs.FS, parsed *Course, snapshot []byte) {
	t.Helper()
	features = builtinFeatures(t)
	parsed, err := Load(Content(), features)
	if err != nil {
		t.Fatal(err)
	}
	snapshot, err = Snapshot(parsed)
	if err != nil {
		t.Fatal(err)
	}
	return features, parsed, snapshot
}

// TestBuiltinSnapshotIsCurrent: builtin.json is the built-in course as Load
// parses it today, byte for byte.
func TestBuiltinSnapshotIsCurrent(t *testing.T) {
	_, _, want := parsedBuiltin(t)
	if !bytes.Equal(builtinSnapshot, want) {
		t.Fatal("builtin.json is not the built-in course as lab parses it: run `go generate ./lessons`")
	}
	if fromSnapshot(builtinSnapshot, Content(), builtinFeatures(t)) == nil {
		t.Fatal("LoadBuiltin passes over builtin.json for the course's own files, and parses them at every start")
	}
}

// TestBuiltinFromSnapshotIsTheParsedCourse: the course read back from the
// snapshot is, value for value, the one Load parses, back references and
// feature text included.
func TestBuiltinFromSnapshotIsTheParsedCourse(t *testing.T) {
	features, parsed, data := parsedBuiltin(t)
	read := fromSnapshot(data, Content(), features)
	if read == nil {
		t.Fatal("the snapshot of the built-in course was passed over for the same files")
	}
	if !reflect.DeepEqual(read, parsed) {
		for i, l := range parsed.Lessons {
			for j, s := range l.Steps {
				if !reflect.DeepEqual(*s, *read.Lessons[i].Steps[j]) {
					t.Errorf("step %s differs:\nparsed %+v\nread   %+v", s.Key(), *s, *read.Lessons[i].Steps[j])
				}
			}
		}
		t.Fatal("the course read from its snapshot differs from the parsed one")
	}
	for _, l := range read.Lessons {
		if l.Course != read || len(l.Feature) == 0 {
			t.Errorf("lesson %s: course %p (want %p), %d bytes of feature", l.ID, l.Course, read, len(l.Feature))
		}
		for _, s := range l.Steps {
			if s.Lesson != l {
				t.Errorf("step %s does not point back at its lesson", s.Key())
			}
		}
	}
}

// TestBuiltinSnapshotOfOtherFiles: a snapshot made from other files than
// the ones given is passed over, so a course changed since its snapshot is
// parsed, not read stale.
func TestBuiltinSnapshotOfOtherFiles(t *testing.T) {
	features, _, data := parsedBuiltin(t)
	changed := fstest.MapFS{}
	err := fs.WalkDir(features, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(features, name)
		changed[name] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	changed["containers.feature"].Data = append(changed["containers.feature"].Data, "\n# changed\n"...)
	if fromSnapshot(data, Content(), changed) != nil {
		t.Error("a snapshot was read for feature files it was not made from")
	}
	if fromSnapshot([]byte("{"), Content(), features) != nil {
		t.Error("a damaged snapshot was read")
	}
}
