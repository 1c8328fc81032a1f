// Package receipt is the record a student hands in after `lab verify`: which
// course was checked, on what machine, when, and what each step's checks
// found. Signed with a class key, a receipt cannot be edited without `lab
// grade` noticing: the signature is an HMAC-SHA256 over the signing key's
// id and the receipt's canonical bytes, and verification recomputes those
// bytes from the parsed receipt, so a change to any field, or an added one,
// breaks it. Parsing is strict, so that the receipt lab verifies is the one
// a person reads: a key given twice, or in two spellings that differ only in
// case, is refused rather than resolved.
//
// A receipt proves what a lab binary on the learner's machine observed, not
// who ran it: anyone holding the class key, or a lab binary changed to lie,
// can write one.
//
// The package is pure: bytes in, bytes out, no files, no engine.
package receipt

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lab-workshop/lab/internal/safetext"
)

// Version is the receipt format this lab writes. It reads this one and every
// earlier one; a receipt with a larger number is reported as needing a newer
// lab instead of being guessed at.
//
// Format 2 added each step's failure codes and binds the signing key's id
// into the signed bytes.
const Version = 2

// MaxSize is the largest receipt lab reads, in bytes. A real one is a few
// kilobytes; the limit keeps a huge or endless file (/dev/zero) from
// exhausting memory.
const MaxSize = 4 << 20

// Receipt is one student's verified run. Field order is part of the
// canonical form: do not reorder fields, add new ones at the end and raise
// Version.
type Receipt struct {
	// Format is the receipt format version (Version).
	Format int `json:"format"`
	// Lab is the version of lab that ran the checks.
	Lab string `json:"lab"`
	// Course names the exact course content the checks came from.
	Course Course `json:"course"`
	// Student is who ran the checks, as given to --student.
	Student string `json:"student"`
	// Time is when the checks started, in UTC.
	Time time.Time `json:"time"`
	// Machine says where the checks ran, without secrets.
	Machine Machine `json:"machine"`
	// Steps holds one entry per checked step, in course order.
	Steps []Step `json:"steps"`
	// Signature is "hmac-sha256:KEYID:MAC" (hex), empty when unsigned. It
	// is not part of the canonical bytes it signs.
	Signature string `json:"signature,omitempty"`
}

// Course identifies course content: its id and the hash of every file it
// was loaded from (lessons.Course.Hash).
type Course struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
}

// Machine is a fingerprint of the machine the checks ran on: versions,
// platforms and the docker context's name. It never holds addresses,
// credentials or environment variables.
type Machine struct {
	// OS and Arch are the platform lab ran on.
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// DockerContext is the docker context in use ("default" when none).
	DockerContext string `json:"docker_context"`
	// The engine's answers; empty when no engine answered.
	EngineVersion string `json:"engine_version"`
	EngineAPI     string `json:"engine_api"`
	EngineOS      string `json:"engine_os"`
	EngineArch    string `json:"engine_arch"`
	// EngineSystem is the engine host's operating system description
	// ("Docker Desktop", "Debian GNU/Linux 12 (bookworm)").
	EngineSystem string `json:"engine_system"`
}

// Step is one step's verdict.
type Step struct {
	// Key is "lesson/step".
	Key string `json:"key"`
	// Status is passed, failed, error or skipped.
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	// Failures are the failed expectations, each with what was expected and
	// what was observed.
	Failures []string `json:"failures,omitempty"`
	// Reason says why a step was skipped or could not run.
	Reason string `json:"reason,omitempty"`
	// Codes are the stable codes of the failed checks ("port-mismatch"),
	// in order and without repeats, so grading can count the class's
	// typical mistakes without matching prose. Format 2 and later.
	Codes []string `json:"codes,omitempty"`
}

// The statuses a step may carry.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusError   = "error"
	StatusSkipped = "skipped"
)

// Canonical is what the signature covers: the receipt as encoding/json
// writes it with Signature empty (and so left out), fields in struct order,
// no whitespace between tokens. Two receipts with the same field values have
// the same canonical bytes whatever their file looked like.
func (r *Receipt) Canonical() ([]byte, error) {
	c := *r
	c.Signature = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encoding receipt: %w", err)
	}
	return b, nil
}

// Marshal encodes the receipt as it is written to a file: indented for
// people, which does not matter to the signature.
func (r *Receipt) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding receipt: %w", err)
	}
	return append(b, '\n'), nil
}

const sigScheme = "hmac-sha256"

// Sign sets the receipt's signature under key.
func (r *Receipt) Sign(key []byte) error {
	id := KeyID(key)
	mac, err := r.mac(key, id)
	if err != nil {
		return err
	}
	r.Signature = sigScheme + ":" + id + ":" + hex.EncodeToString(mac)
	return nil
}

// mac is the HMAC over what the signature covers. From format 2 on that is
// the key id the signature names, then the canonical bytes, so a key id
// edited into the signature breaks it like any other edit.
func (r *Receipt) mac(key []byte, id string) ([]byte, error) {
	data, err := r.Canonical()
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, key)
	if r.Format >= 2 {
		h.Write([]byte("lab receipt\x00key " + id + "\x00"))
	}
	h.Write(data)
	return h.Sum(nil), nil
}

// KeyID names a key without revealing it, so that a receipt signed with
// another class's key is reported as such rather than as edited.
func KeyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("lab receipt key\x00"), key...))
	return hex.EncodeToString(sum[:4])
}

// ErrUnsigned means the receipt carries no signature.
var ErrUnsigned = errors.New("not signed: the student ran lab verify without --sign-key")

// Verify checks the signature against key. Any change to any field since
// signing makes it fail. The key id the signature names can be edited like
// anything else in the file, so a mismatch is reported as an edit first,
// and another class's key only as the other possibility.
func (r *Receipt) Verify(key []byte) error {
	if r.Signature == "" {
		return ErrUnsigned
	}
	scheme, rest, _ := strings.Cut(r.Signature, ":")
	id, sig, ok := strings.Cut(rest, ":")
	if scheme != sigScheme || !ok {
		return fmt.Errorf("signature %q is not %s:KEYID:MAC", abbrev(r.Signature), sigScheme)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("signature %q is not %s:KEYID:MAC", abbrev(r.Signature), sigScheme)
	}
	want, err := r.mac(key, id)
	if err != nil {
		return err
	}
	if hmac.Equal(got, want) {
		return nil
	}
	if id != KeyID(key) {
		return fmt.Errorf("the signature does not match: edited after signing, or signed with another class's key (key id %s, this key is %s)",
			abbrev(id), KeyID(key))
	}
	return errors.New("the signature does not match the content: the receipt was edited after it was signed")
}

func abbrev(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// ReadFile reads a receipt file, at most MaxSize+1 bytes of it, so that
// Parse can refuse an oversized one by its size without lab reading it all.
func ReadFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxSize+1))
}

// Parse reads a receipt strictly: one JSON object of at most MaxSize bytes,
// every key spelled exactly as lab writes it and given once, no field lab
// does not write, no trailing data, and every required field set. Its
// errors say what is wrong in words a person can act on.
func Parse(data []byte) (*Receipt, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("larger than %d MiB, the most a receipt may be: not a lab receipt (a real one is a few kilobytes)", MaxSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file: not a lab receipt")
	}
	if err := checkKeys(data); err != nil {
		return nil, err
	}
	// Read the format version first, so that a newer receipt is reported
	// as newer rather than as having unknown fields.
	var head struct {
		Format json.RawMessage `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err == nil && len(head.Format) > 0 {
		var v int
		if json.Unmarshal(head.Format, &v) == nil && v > Version {
			return nil, fmt.Errorf("receipt format %d is newer than this lab reads (%d): upgrade lab", v, Version)
		}
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Receipt
	if err := dec.Decode(&r); err != nil {
		return nil, describeJSONError(err, data)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("not a lab receipt: more data after the receipt's closing brace (at byte %d)", dec.InputOffset())
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func describeJSONError(err error, data []byte) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("truncated: the JSON ends after %d bytes, before the receipt is complete", len(data))
	case errors.As(err, &syntax) && int(syntax.Offset) > len(bytes.TrimRight(data, " \t\r\n")):
		// The error is past the last token: the file stops mid-way (a
		// string cut at the end of a line, say).
		return fmt.Errorf("truncated: the JSON ends after %d bytes, before the receipt is complete", len(data))
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Errorf("not a lab receipt: the file holds a JSON %s, not an object", typ.Value)
		}
		return fmt.Errorf("field %q holds a JSON %s where the receipt has a %s", field, typ.Value, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("has a field lab does not write (%s): the receipt was edited or is not a lab receipt",
			strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("not a lab receipt: %w", err)
}

// Validate checks that every field a grader relies on is there and sane.
func (r *Receipt) Validate() error {
	switch {
	case r.Format == 0:
		return errors.New("the format version is missing: not a lab receipt")
	case r.Format < 1 || r.Format > Version:
		return fmt.Errorf("receipt format %d is not one this lab reads (1 to %d)", r.Format, Version)
	case r.Course.ID == "" || r.Course.Hash == "":
		return errors.New("the course id or hash is missing")
	case r.Time.IsZero():
		return errors.New("the time is missing")
	}
	if err := CheckStudent(r.Student); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, s := range r.Steps {
		switch {
		case s.Key == "":
			return fmt.Errorf("step %d has no key", i+1)
		case !safetext.Clean(s.Key) || strings.ContainsAny(s.Key, "\n\t"):
			return fmt.Errorf("step %d has the key \"%s\", with characters no step key has: the receipt was edited or is not a lab receipt", i+1, safetext.Line(s.Key))
		case seen[s.Key]:
			return fmt.Errorf("step %s appears twice", safetext.Line(s.Key))
		}
		seen[s.Key] = true
		if r.Format < 2 && len(s.Codes) > 0 {
			return fmt.Errorf("step %s has failure codes, which a format %d receipt does not carry", safetext.Line(s.Key), r.Format)
		}
		switch s.Status {
		case StatusPassed, StatusFailed, StatusError, StatusSkipped:
		default:
			return fmt.Errorf("step %s has status %q (want passed, failed, error or skipped)", safetext.Line(s.Key), s.Status)
		}
	}
	return nil
}

// CheckStudent accepts a student name fit for a receipt and a class table:
// not empty, at most 100 characters, valid UTF-8, no control characters, no
// bidirectional overrides or isolates (which make a name display as
// another), no leading or trailing space.
func CheckStudent(name string) error {
	switch {
	case name == "":
		return errors.New("the student name is empty")
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("the student name %q has leading or trailing spaces", name)
	case len([]rune(name)) > 100:
		return errors.New("the student name is longer than 100 characters")
	case !utf8.ValidString(name):
		return fmt.Errorf("the student name %q is not valid UTF-8", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("the student name %q holds control characters", name)
	case strings.IndexFunc(name, safetext.IsBidi) >= 0:
		return fmt.Errorf("the student name %q holds a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), which makes it display as another name", name)
	}
	return nil
}

// MinKeyLen is the shortest signing key accepted, in bytes.
const MinKeyLen = 16

// MaxKeySize is the largest key file lab reads, in bytes: far more than any
// key, little enough that a wrong path (/dev/zero, a disk image) is refused
// at once.
const MaxKeySize = 64 << 10

// ReadKeyFile reads a key file, at most MaxKeySize+1 bytes of it; ParseKey
// refuses a larger one.
func ReadKeyFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxKeySize+1))
}

// KeyError is a key file that holds no usable key.
type KeyError struct {
	Path string
	Len  int
}

func (e *KeyError) Error() string {
	if e.Len > MaxKeySize {
		return fmt.Sprintf("key file %s is larger than %d KiB, far more than a signing key: is it the right file? (make a key with: head -c 32 /dev/urandom | base64 > KEYFILE)",
			e.Path, MaxKeySize>>10)
	}
	return fmt.Sprintf("key file %s holds %d byte(s); a signing key needs at least %d (make one with: head -c 32 /dev/urandom | base64 > %s)",
		e.Path, e.Len, MinKeyLen, e.Path)
}

// ParseKey turns a key file's bytes into a key: the bytes as they are, less
// one trailing newline (LF or CRLF) that editors and `echo` add. path is for
// the error only.
func ParseKey(path string, data []byte) ([]byte, error) {
	key := data
	switch {
	case bytes.HasSuffix(key, []byte("\r\n")):
		key = key[:len(key)-2]
	case bytes.HasSuffix(key, []byte("\n")):
		key = key[:len(key)-1]
	}
	if len(data) > MaxKeySize {
		return nil, &KeyError{Path: path, Len: len(data)}
	}
	if len(key) < MinKeyLen {
		return nil, &KeyError{Path: path, Len: len(key)}
	}
	return key, nil
}
