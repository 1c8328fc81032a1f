package receipt

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// FuzzParse holds Parse to its promises on any input: it never panics, and
// whatever it accepts survives Marshal and Parse again unchanged, with the
// same canonical bytes, so a signature made over one form verifies on the
// other.
func FuzzParse(f *testing.F) {
	r := sample()
	if err := r.Sign(testKey); err != nil {
		f.Fatal(err)
	}
	good, err := r.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	if old, err := os.ReadFile("testdata/format1.json"); err == nil {
		f.Add(old)
	}
	f.Add([]byte(`{"format":2,"student":"a","STUDENT":"b"}`))
	f.Add(bytes.Replace(good, []byte(`"student":`), []byte(`"student": "x", "student":`), 1))
	f.Add([]byte(`[{"a":1},{"a":1}]`))
	f.Add([]byte(`{"format": 2, "steps": [{"key": "\u001b[2J", "status": "passed"}]}`))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte(`{}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		if err != nil {
			return
		}
		out, err := got.Marshal()
		if err != nil {
			t.Fatalf("marshalling a parsed receipt: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("parsing what Marshal wrote: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("round trip changed the receipt:\n%+v\n%+v", got, again)
		}
		c1, err1 := got.Canonical()
		c2, err2 := again.Canonical()
		if err1 != nil || err2 != nil || !bytes.Equal(c1, c2) {
			t.Fatalf("canonical bytes differ after a round trip")
		}
	})
}
