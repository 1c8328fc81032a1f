package receipt

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef-class-key")

func sample() *Receipt {
	return &Receipt{
		Format:  Version,
		Lab:     "v1.2.3",
		Course:  Course{ID: "docker-workshop", Hash: strings.Repeat("ab", 32)},
		Student: "Ana Lima",
		Time:    time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC),
		Machine: Machine{
			OS: "linux", Arch: "amd64", DockerContext: "default",
			EngineVersion: "28.2.2", EngineAPI: "1.50", EngineOS: "linux", EngineArch: "amd64",
			EngineSystem: "Debian GNU/Linux 12 (bookworm)",
		},
		Steps: []Step{
			{Key: "docker-setup/cli", Status: StatusPassed, DurationMS: 12},
			{Key: "docker-setup/engine", Status: StatusFailed, DurationMS: 340,
				Failures: []string{"the engine does not answer\n  expected: an engine\n  observed: no socket"},
				Codes:    []string{"no-engine"}},
			{Key: "containers/kill", Status: StatusSkipped, Reason: "disruptive step skipped (--no-disruptive)"},
		},
	}
}

// signedJSON is a signed sample receipt as a generic JSON tree, ready to
// be edited the way someone with a text editor would.
func signedJSON(t *testing.T) map[string]any {
	t.Helper()
	r := sample()
	if err := r.Sign(testKey); err != nil {
		t.Fatal(err)
	}
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// set changes the value at a dotted path ("steps.1.failures.0") in a JSON
// tree, creating the last element when it does not exist.
func set(t *testing.T, doc any, path string, value any) {
	t.Helper()
	parts := strings.Split(path, ".")
	cur := doc
	for i, p := range parts {
		last := i == len(parts)-1
		switch node := cur.(type) {
		case map[string]any:
			if last {
				node[p] = value
				return
			}
			cur = node[p]
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n >= len(node) {
				t.Fatalf("path %s: no element %s", path, p)
			}
			if last {
				node[n] = value
				return
			}
			cur = node[n]
		default:
			t.Fatalf("path %s: cannot descend into %T", path, cur)
		}
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	r := sample()
	if err := r.Sign(testKey); err != nil {
		t.Fatal(err)
	}
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatalf("parsing a receipt lab wrote: %v", err)
	}
	if err := got.Verify(testKey); err != nil {
		t.Errorf("verifying an untouched receipt: got %v, want nil", err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("round trip: got %+v, want %+v", got, r)
	}
	// Formatting is not content: the compact form verifies too.
	compact, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(compact)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Verify(testKey); err != nil {
		t.Errorf("verifying the compact form: got %v, want nil", err)
	}
}

// tamper lists an edit for every field of a receipt, nested ones included.
// TestTamperCoversEveryField keeps it complete.
var tamper = []struct {
	path  string
	value any
}{
	{"format", 1.0},
	{"lab", "v9.9.9"},
	{"course.id", "another-course"},
	{"course.hash", strings.Repeat("cd", 32)},
	{"student", "Bruno Costa"},
	{"time", "2025-03-15T09:26:53.589Z"},
	{"machine.os", "darwin"},
	{"machine.arch", "arm64"},
	{"machine.docker_context", "desktop-linux"},
	{"machine.engine_version", "29.0.0"},
	{"machine.engine_api", "1.51"},
	{"machine.engine_os", "windows"},
	{"machine.engine_arch", "arm64"},
	{"machine.engine_system", "Docker Desktop"},
	{"steps.1.key", "docker-setup/hello-world"},
	{"steps.1.status", "passed"},
	{"steps.1.duration_ms", 1.0},
	{"steps.1.failures", []any{}},
	{"steps.1.failures.0", "all good"},
	{"steps.2.reason", ""},
	{"steps.1.codes", []any{}},
	{"steps.1.codes.0", "not-running"},
	{"steps", []any{}},
}

func TestTamperIsDetected(t *testing.T) {
	for _, tt := range tamper {
		t.Run(tt.path, func(t *testing.T) {
			doc := signedJSON(t)
			set(t, doc, tt.path, tt.value)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(data)
			if err != nil {
				return // refused outright: detected
			}
			if err := r.Verify(testKey); err == nil {
				t.Errorf("editing %s to %v: got a valid signature, want it rejected", tt.path, tt.value)
			} else if !strings.Contains(err.Error(), "edited") {
				t.Errorf("editing %s: got %q, want it to say the receipt was edited", tt.path, err)
			}
		})
	}
}

// TestTamperCoversEveryField walks the Receipt type and demands an edit in
// the tamper table for every field, so a new field cannot go untested.
func TestTamperCoversEveryField(t *testing.T) {
	covered := map[string]bool{}
	for _, tt := range tamper {
		p := strings.Split(tt.path, ".")
		for i, part := range p {
			if _, err := strconv.Atoi(part); err == nil {
				p[i] = "N"
			}
		}
		covered[strings.Join(p, ".")] = true
	}
	for _, field := range jsonFields(reflect.TypeOf(Receipt{}), "") {
		if field == "signature" {
			continue
		}
		if !covered[field] {
			t.Errorf("field %s has no tampering case", field)
		}
	}
}

func jsonFields(typ reflect.Type, prefix string) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		path := prefix + name
		ft := f.Type
		switch {
		case ft == reflect.TypeOf(time.Time{}):
			out = append(out, path)
		case ft.Kind() == reflect.Struct:
			out = append(out, jsonFields(ft, path+".")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, path)
			out = append(out, jsonFields(ft.Elem(), path+".N.")...)
		case ft.Kind() == reflect.Slice:
			out = append(out, path, path+".N")
		default:
			out = append(out, path)
		}
	}
	return out
}

func TestAddedOrRemovedContentIsDetected(t *testing.T) {
	tests := []struct {
		name string
		edit func(doc map[string]any)
	}{
		{"added top-level field", func(doc map[string]any) { doc["grade"] = "A" }},
		{"added machine field", func(doc map[string]any) { doc["machine"].(map[string]any)["hostname"] = "x" }},
		{"added course field", func(doc map[string]any) { doc["course"].(map[string]any)["title"] = "x" }},
		{"added step field", func(doc map[string]any) { doc["steps"].([]any)[0].(map[string]any)["note"] = "x" }},
		{"removed step", func(doc map[string]any) { doc["steps"] = doc["steps"].([]any)[1:] }},
		{"added step", func(doc map[string]any) {
			doc["steps"] = append(doc["steps"].([]any), map[string]any{"key": "x/y", "status": "passed", "duration_ms": 1})
		}},
		{"swapped steps", func(doc map[string]any) {
			s := doc["steps"].([]any)
			s[0], s[1] = s[1], s[0]
		}},
		{"removed field", func(doc map[string]any) { delete(doc, "lab") }},
		{"removed failure list", func(doc map[string]any) { delete(doc["steps"].([]any)[1].(map[string]any), "failures") }},
		{"removed signature", func(doc map[string]any) { delete(doc, "signature") }},
		{"signature of another receipt", func(doc map[string]any) {
			other := sample()
			other.Student = "Someone Else"
			if err := other.Sign(testKey); err != nil {
				panic(err)
			}
			doc["signature"] = other.Signature
		}},
		{"garbled signature", func(doc map[string]any) { doc["signature"] = "hmac-sha256:zz:zz" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := signedJSON(t)
			tt.edit(doc)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(data)
			if err != nil {
				return
			}
			if err := r.Verify(testKey); err == nil {
				t.Errorf("got a valid signature, want it rejected")
			}
		})
	}
}

func TestVerifyReasons(t *testing.T) {
	signed := sample()
	if err := signed.Sign(testKey); err != nil {
		t.Fatal(err)
	}
	otherKey := []byte("another-class-key-0123456789")
	tests := []struct {
		name string
		r    *Receipt
		key  []byte
		want string
	}{
		{"unsigned", sample(), testKey, "not signed"},
		{"wrong key", signed, otherKey, "edited after signing, or signed with another class's key (key id "},
		{"right key", signed, testKey, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Verify(tt.key)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if err := sample().Verify(testKey); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned: got %v, want ErrUnsigned", err)
	}
}

func TestParseErrors(t *testing.T) {
	good, err := sample().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	withFormat := func(v string) []byte {
		return []byte(strings.Replace(string(good), `"format": 2`, `"format": `+v, 1))
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"blank", []byte("  \n"), "empty file"},
		{"truncated", good[:len(good)/2], "truncated"},
		{"truncated at the end", good[:len(good)-3], "truncated"},
		{"truncated in a string, newline added", append(append([]byte{}, good[:30]...), '\n'), "truncated"},
		{"not JSON", []byte("PK\x03\x04 zip bytes"), "not valid JSON at byte 1"},
		{"garbage inside", []byte(strings.Replace(string(good), `"v1.2.3"`, `@@@`, 1)), "not valid JSON at byte"},
		{"an array", []byte(`[1, 2]`), "not an object"},
		{"wrong type", []byte(strings.Replace(string(good), `"student": "Ana Lima"`, `"student": 7`, 1)), `field "student"`},
		{"trailing data", append(append([]byte{}, good...), []byte(`{"format": 1}`)...), "more data after"},
		{"unknown field", []byte(strings.Replace(string(good), `"lab":`, `"bonus": 10, "lab":`, 1)), `"bonus"`},
		{"newer format", withFormat("3"), "newer than this lab reads"},
		{"newer format with new fields", []byte(strings.Replace(string(withFormat("3")), `"lab":`, `"x": 1, "lab":`, 1)), "upgrade lab"},
		{"format missing", []byte(strings.Replace(string(good), `"format": 2,`, ``, 1)), "format version is missing"},
		{"older format", withFormat("-1"), "not one this lab reads"},
		{"no student", []byte(strings.Replace(string(good), `"Ana Lima"`, `""`, 1)), "student name is empty"},
		{"no time", []byte(strings.Replace(string(good), `"2025-03-14T09:26:53.589Z"`, `"0001-01-01T00:00:00Z"`, 1)), "time is missing"},
		{"bad status", []byte(strings.Replace(string(good), `"status": "passed"`, `"status": "great"`, 1)), `status "great"`},
		{"escape in a step key", []byte(strings.Replace(string(good), `"docker-setup/cli"`, `"docker-setup/\u001b[2Jcli"`, 1)), `step 1 has the key "docker-setup/\x1b[2Jcli"`},
		{"duplicate step", []byte(strings.Replace(string(good), `"docker-setup/engine"`, `"docker-setup/cli"`, 1)), "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // the key, or "" for an error
	}{
		{"raw", "0123456789abcdef", "0123456789abcdef"},
		{"trailing newline", "0123456789abcdef\n", "0123456789abcdef"},
		{"trailing CRLF", "0123456789abcdef\r\n", "0123456789abcdef"},
		{"only one newline trimmed", "0123456789abcdef\n\n", "0123456789abcdef\n"},
		{"too short", "short\n", ""},
		{"newline does not count", "0123456789abcde\n", ""},
		{"empty", "", ""},
	}
	big := make([]byte, MaxKeySize+1)
	for i := range big {
		big[i] = 'k'
	}
	if _, err := ParseKey("/dev/zero", big); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Errorf("an oversized key file: got %v, want the limit named", err)
	}
	if data, err := ReadKeyFile("/dev/zero"); err == nil && len(data) != MaxKeySize+1 {
		t.Errorf("ReadKeyFile(/dev/zero) read %d bytes, want %d", len(data), MaxKeySize+1)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey("class.key", []byte(tt.data))
			if tt.want == "" {
				var ke *KeyError
				if !errors.As(err, &ke) || !strings.Contains(err.Error(), "at least 16") || !strings.Contains(err.Error(), "class.key") {
					t.Errorf("got %q, %v; want a KeyError naming the file and the minimum", got, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCheckStudent(t *testing.T) {
	tests := []struct {
		name, student string
		ok            bool
	}{
		{"plain", "Ana Lima", true},
		{"unicode", "José Ñúñez 李", true},
		{"empty", "", false},
		{"spaces around", " ana ", false},
		{"newline", "ana\nbob", false},
		{"escape", "ana\x1b[31m", false},
		{"right-to-left override", "Ana \u202eamiL", false},
		{"left-to-right embedding", "\u202aAna", false},
		{"isolate", "Ana\u2066 Lima\u2069", false},
		{"invalid UTF-8", "Ana \xff", false},
		{"right-to-left script", "مريم", true},
		{"long", strings.Repeat("a", 101), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckStudent(tt.student); (err == nil) != tt.ok {
				t.Errorf("CheckStudent(%q): got %v, want ok=%v", tt.student, err, tt.ok)
			}
		})
	}
}

func TestCanonicalIsCompactAndUnsigned(t *testing.T) {
	r := sample()
	if err := r.Sign(testKey); err != nil {
		t.Fatal(err)
	}
	c, err := r.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(c), "signature") {
		t.Errorf("canonical bytes hold the signature: %s", c)
	}
	if strings.ContainsAny(string(c), "\n\t") || strings.Contains(string(c), `": `) {
		t.Errorf("canonical bytes hold whitespace: %s", c)
	}
	if !strings.HasPrefix(string(c), `{"format":2,"lab":"v1.2.3","course":{"id":`) {
		t.Errorf("canonical bytes are not in struct order: %s", c)
	}
}
