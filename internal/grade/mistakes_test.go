package grade

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/lab-workshop/lab/internal/receipt"
)

// withCodes gives the failed steps of r the codes, in step order.
func withCodes(r *receipt.Receipt, codes ...[]string) *receipt.Receipt {
	for i := range r.Steps {
		if i < len(codes) {
			r.Steps[i].Codes = codes[i]
		}
	}
	return r
}

func mistakesClass(t *testing.T) *Class {
	t.Helper()
	files := []File{
		file(t, "a.json", withCodes(mk("Ana", t0, "passed", "failed"), nil, []string{"port-mismatch"}), classKey),
		file(t, "b.json", withCodes(mk("Bo", t0, "passed", "failed"), nil, []string{"port-mismatch", "not-running"}), classKey),
		file(t, "c.json", withCodes(mk("Cy", t0, "failed", "failed"), []string{"no-cli"}, []string{"image-differs"}), classKey),
		file(t, "d.json", withCodes(mk("Di", t0, "passed", "failed"), nil, []string{"port-mismatch", "a-first"}), classKey),
	}
	return Grade(files, Options{Key: classKey, Course: course})
}

func TestGradeCountsTypicalMistakes(t *testing.T) {
	c := mistakesClass(t)
	if len(c.Rejected) > 0 {
		t.Fatalf("rejected: %+v", c.Rejected)
	}
	if got, want := c.Columns[1].MistakeText(), "port-mismatch (3), a-first (1), image-differs (1)"; got != want {
		t.Errorf("step 1.2 mistakes: got %q, want %q (most common first, then by code, at most %d)", got, want, MaxMistakes)
	}
	if got, want := c.Columns[0].MistakeText(), "no-cli (1)"; got != want {
		t.Errorf("step 1.1 mistakes: got %q, want %q", got, want)
	}
	if len(c.Columns[2].Mistakes) != 0 {
		t.Errorf("step 2.1 has mistakes %v, want none", c.Columns[2].Mistakes)
	}
}

func TestTypicalMistakesInEveryFormat(t *testing.T) {
	c := mistakesClass(t)
	var table, html, sheet bytes.Buffer
	if err := Table(&table, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "typical mistakes (failure code, students who got it):\n  1.1   no-cli (1)\n  1.2   port-mismatch (3), a-first (1), image-differs (1)\n") {
		t.Errorf("table lacks the typical mistakes:\n%s", table.String())
	}
	if err := HTML(&html, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<h2>Typical mistakes</h2>`, `<td><code>port-mismatch</code></td><td>3</td>`} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if err := CSV(&sheet, c); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&sheet).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	last := strings.Join(rows[len(rows)-1], "|")
	if want := "(typical mistakes)||||no-cli (1)|port-mismatch (3), a-first (1), image-differs (1)|||"; last != want {
		t.Errorf("last CSV row: got %s, want %s", last, want)
	}

	// Without codes there is no mistakes section.
	var plain bytes.Buffer
	if err := Table(&plain, Grade([]File{file(t, "a.json", mk("Ana", t0, "passed"), classKey)}, Options{Key: classKey, Course: course})); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "typical mistakes") {
		t.Errorf("a class without codes shows a mistakes section:\n%s", plain.String())
	}
}

// TestUntrustedTextIsMadeSafe: a receipt's step key, failure text, code
// and file name reach the table, CSV and rejections with escapes shown,
// never acted on, and a key cannot become a spreadsheet formula.
func TestUntrustedTextIsMadeSafe(t *testing.T) {
	evil := mk("Ana", t0, "passed", "failed")
	evil.Steps[0].Key = "=HYPERLINK(\"http://evil\",\"x\")"
	evil.Steps[1].Failures = []string{"observed \x1b]8;;http://evil\x07click\x1b]8;;\x07"}
	evil.Steps[1].Codes = []string{"code\x1b[2J"}
	bad := mk("Bo", t0, "passed")
	bad.Steps[0].Key = "x\x1b[31m/y"
	files := []File{
		file(t, "ana\x1b[2J.json", evil, nil),
		file(t, "bo.json", bad, classKey),
	}
	c := Grade(files, Options{Key: classKey, Course: course})
	var table, sheet bytes.Buffer
	if err := Table(&table, c); err != nil {
		t.Fatal(err)
	}
	if err := CSV(&sheet, c); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"table": table.String(), "csv": sheet.String()} {
		if strings.ContainsRune(out, 0x1b) {
			t.Errorf("%s holds a raw escape:\n%q", name, out)
		}
	}
	if !strings.Contains(table.String(), `ana\x1b[2J.json (Ana): not signed`) {
		t.Errorf("table does not show the file name escaped:\n%s", table.String())
	}
	if !strings.Contains(table.String(), `bo.json: step 1 has the key "x\x1b[31m/y", with characters no step key has`) {
		t.Errorf("an edited key is not reported as an edit:\n%s", table.String())
	}
	// Unsigned receipts are graded without a key: their keys reach the CSV header.
	c = Grade(files[:1], Options{Course: course})
	sheet.Reset()
	if err := CSV(&sheet, c); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&sheet).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range rows[0] {
		if strings.HasPrefix(h, "=") {
			t.Errorf("CSV header cell %q is a formula", h)
		}
	}
	if !strings.Contains(strings.Join(rows[0], ","), `'=HYPERLINK(`) {
		t.Errorf("CSV header: %q", rows[0])
	}
	for _, cl := range c.Students[0].Cells {
		for _, f := range cl.Failures {
			if strings.ContainsRune(f, 0x1b) {
				t.Errorf("failure text holds a raw escape: %q", f)
			}
		}
	}
}
