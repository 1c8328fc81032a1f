package receipt

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestParseRefusesDuplicateAndCaseVariantKeys: encoding/json would let the
// later of two keys win and would take "STUDENT" for "student", so a receipt
// could show a reader one value and lab another. Both are refused at every
// depth, whether or not the signature would hold.
func TestParseRefusesDuplicateAndCaseVariantKeys(t *testing.T) {
	r := sample()
	if err := r.Sign(testKey); err != nil {
		t.Fatal(err)
	}
	good, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(good); err != nil {
		t.Fatalf("the untouched receipt: %v", err)
	}
	edit := func(old, new string) []byte {
		t.Helper()
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("sample has no %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"duplicate student before the real one", edit(`"student":`, `"student": "Bruno Costa", "student":`),
			`the key "student" appears twice in the receipt`},
		{"duplicate student after the real one", edit(`"time":`, `"student": "Bruno Costa", "time":`),
			`the key "student" appears twice in the receipt`},
		{"case variant beside the real one", edit(`"student":`, `"STUDENT": "Bruno Costa", "student":`),
			`the key "STUDENT" in the receipt is spelled "student"`},
		{"case variant alone", edit(`"student":`, `"Student":`),
			`"Student"`},
		{"Kelvin sign for k", edit(`"key": "docker-setup/cli"`, `"key": "docker-setup/cli", "\u212aey": "x/y"`),
			`differ only in case`},
		{"duplicate in machine", edit(`"os": "linux"`, `"os": "linux", "os": "darwin"`),
			`the key "os" appears twice in "machine"`},
		{"case variant in course", edit(`"id": "docker-workshop"`, `"id": "docker-workshop", "ID": "other"`),
			`the keys "id" and "ID" in "course" differ only in case`},
		{"duplicate status in a step", edit(`"status": "failed"`, `"status": "failed", "status": "passed"`),
			`the key "status" appears twice in "steps"`},
		{"case variant signature", edit(`"signature":`, `"Signature": "x", "signature":`),
			`is spelled "signature"`},
		{"unknown keys differing in case", edit(`"lab":`, `"extra": 1, "EXTRA": 2, "lab":`),
			`the keys "extra" and "EXTRA" in the receipt differ only in case`},
		{"escape sequence in a duplicate key is shown escaped", edit(`"lab":`, `"\u001b[2J": 1, "\u001b[2J": 2, "lab":`),
			`\x1b[2J`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("the error holds a raw escape: %q", err)
			}
		})
	}
}

// TestForgedKeyIDReadsAsEdited: changing the key id in the signature of an
// edited receipt must not turn "edited" into "signed with another key"
// alone; the edit is named first.
func TestForgedKeyIDReadsAsEdited(t *testing.T) {
	r := sample()
	if err := r.Sign(testKey); err != nil {
		t.Fatal(err)
	}
	r.Steps[1].Status = StatusPassed
	parts := strings.SplitN(r.Signature, ":", 3)
	r.Signature = parts[0] + ":deadbeef:" + parts[2]
	err := r.Verify(testKey)
	if err == nil || !strings.HasPrefix(err.Error(), "the signature does not match: edited after signing") {
		t.Fatalf("got %v, want the edit named first", err)
	}

	// The key id is signed too: forging only the id breaks the signature.
	r = sample()
	if err := r.Sign(testKey); err != nil {
		t.Fatal(err)
	}
	parts = strings.SplitN(r.Signature, ":", 3)
	r.Signature = parts[0] + ":deadbeef:" + parts[2]
	if err := r.Verify(testKey); err == nil {
		t.Fatalf("a signature with a forged key id verified")
	}
}

// TestReadsFormat1: receipts written before failure codes were added still
// parse and verify.
func TestReadsFormat1(t *testing.T) {
	data, err := os.ReadFile("testdata/format1.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(data)
	if err != nil {
		t.Fatalf("parsing a format 1 receipt: %v", err)
	}
	if r.Format != 1 {
		t.Fatalf("format = %d, want 1", r.Format)
	}
	if err := r.Verify(testKey); err != nil {
		t.Errorf("verifying a format 1 receipt: %v", err)
	}
	r.Student = "Bruno Costa"
	if err := r.Verify(testKey); err == nil || !strings.Contains(err.Error(), "edited") {
		t.Errorf("an edited format 1 receipt: got %v, want edited", err)
	}
	// Codes belong to format 2: a format 1 receipt holding them was edited.
	codes := bytes.Replace(data, []byte(`"status": "failed",`), []byte(`"status": "failed", "codes": ["x"],`), 1)
	if _, err := Parse(codes); err == nil || !strings.Contains(err.Error(), "format 1 receipt does not carry") {
		t.Errorf("format 1 with codes: got %v", err)
	}
}

func TestCodesRoundTrip(t *testing.T) {
	r := sample()
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"codes": [`)) {
		t.Fatalf("no codes in %s", data)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Steps[1].Codes; len(c) != 1 || c[0] != "no-engine" {
		t.Errorf("codes = %q, want [no-engine]", c)
	}
}

func TestSizeLimit(t *testing.T) {
	big := make([]byte, 100<<20)
	start := time.Now()
	_, err := Parse(big)
	if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB, the most a receipt may be") {
		t.Fatalf("a 100 MB receipt: got %v, want the limit named", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing a 100 MB receipt took %s", d)
	}

	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	data, err := ReadFile("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != MaxSize+1 {
		t.Fatalf("ReadFile(/dev/zero) read %d bytes, want %d", len(data), MaxSize+1)
	}
	if _, err := Parse(data); err == nil || !strings.Contains(err.Error(), "4 MiB") {
		t.Errorf("parsing /dev/zero: got %v", err)
	}
}
