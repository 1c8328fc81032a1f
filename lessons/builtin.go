package lessons

import (
	_ "embed"
	"encoding/json"
	"io/fs"
)

//go:generate go run ./internal/snapshot

// builtinSnapshot is the built-in course as Load returns it, written by
// `go generate ./lessons`. Parsing and checking the course is most of the
// time lab list, show, hint and next take; reading it back is a fraction.
//
//go:embed builtin.json
var builtinSnapshot []byte

// snapshot is a loaded course written as JSON: the course, and the feature
// text of each lesson (with the course's variables put in), which the
// course's JSON leaves out.
type snapshot struct {
	Course   *Course           `json:"course"`
	Features map[string]string `json:"features"`
}

// LoadBuiltin loads the course built into lab, with the feature files in
// features, as Load does. When the snapshot was made from these same files
// it reads the course from there instead of parsing it again; a snapshot
// made from other files is passed over.
func LoadBuiltin(features fs.FS) (*Course, error) {
	if c := fromSnapshot(builtinSnapshot, Content(), features); c != nil {
		return c, nil
	}
	return Load(Content(), features)
}

// fromSnapshot returns the course in data when its hash is that of content
// and features, and nil otherwise.
func fromSnapshot(data []byte, content, features fs.FS) *Course {
	var s snapshot
	if json.Unmarshal(data, &s) != nil || s.Course == nil {
		return nil
	}
	hash, err := hashContent(content, features)
	if err != nil || hash != s.Course.Hash {
		return nil
	}
	for _, l := range s.Course.Lessons {
		l.Course = s.Course
		if text, ok := s.Features[l.ID]; ok {
			l.Feature = []byte(text)
		}
		for _, step := range l.Steps {
			step.Lesson = l
		}
	}
	return s.Course
}

// Snapshot writes a loaded course as LoadBuiltin reads it.
func Snapshot(c *Course) ([]byte, error) {
	s := snapshot{Course: c, Features: map[string]string{}}
	for _, l := range c.Lessons {
		if l.Feature != nil {
			s.Features[l.ID] = string(l.Feature)
		}
	}
	data, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
