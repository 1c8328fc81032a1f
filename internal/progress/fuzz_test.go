package progress

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the progress file decoder that Load
// uses. Whatever the bytes, it must not panic and must give either a usable
// state, a newer-schema refusal or a damaged-file verdict; a usable state
// must survive being written and read again unchanged. The file handling
// around it (locks, keeping damaged files aside) has its own tests.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		`{"schema":2,"workspace":"/w","courses":{"c":{"course_hash":"h","current":"a/b","steps":{"a/b":{"passed":true,"passed_at":"2025-06-01T12:30:00Z","step_hash":"s","attempts":2,"hints_shown":1}}}}}`,
		`{"schema":2,"courses":{"c":null,"d":{"steps":{"x/y":null}}}}`,
		`{"schema":1,"course":"c","course_hash":"h","current":"a/b","workspace":"/w","steps":{"a/b":{"passed":true}}}`,
		`{"schema":1,"steps":{"docker-setup/cli":{"hints_shown":3}}}`,
		`{"schema":1}`,
		`{"schema":3}`,
		`{"schema":0}`,
		`{"schema":-1,"steps":{}}`,
		`{"schema":"2"}`,
		`{"schema":2,"courses":[]}`,
		`{"schema":2,"courses":{"c":{"steps":{"a/b":{"attempts":"three"}}}}}`,
		`{"schema":1,"course":"c"}}`,
		`null`,
		`[]`,
		``,
		"\x00\xff",
		`{"schema":2,"schema":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decode("progress.json", data, "built-in")
		var (
			damaged *damagedError
			newer   *NewerSchemaError
		)
		switch {
		case errors.As(err, &newer), errors.As(err, &damaged):
			if st != nil {
				t.Fatalf("got state %+v with error %v, want nil", st, err)
			}
			return
		case err != nil:
			t.Fatalf("got error %v, want a state, a damaged verdict or a newer-schema refusal", err)
		}
		if st == nil || st.Schema != Schema {
			t.Fatalf("got state %+v, want one with schema %d", st, Schema)
		}
		for id, c := range st.Courses {
			if c == nil {
				t.Fatalf("got a nil course %q", id)
			}
			for k, step := range c.Steps {
				if step == nil {
					t.Fatalf("got a nil step %q in course %q", k, id)
				}
			}
		}
		a, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			t.Fatalf("encoding a decoded state: %v", err)
		}
		again, err := decode("progress.json", a, "built-in")
		if err != nil {
			t.Fatalf("decoding an encoded state: %v\n%s", err, a)
		}
		b, _ := json.MarshalIndent(again, "", "  ")
		if !bytes.Equal(a, b) {
			t.Fatalf("state changed by a write and a read:\n%s\n%s", a, b)
		}
	})
}
