package grade

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lab-workshop/lab/internal/receipt"
	"github.com/lab-workshop/lab/internal/report"
	"github.com/lab-workshop/lab/internal/report/junitcheck"
)

var classKey = []byte("class-key-0123456789abcdef")

var course = Course{
	ID:   "docker-workshop",
	Hash: strings.Repeat("ab", 32),
	Steps: []Column{
		{Key: "docker-setup/cli", Label: "1.1", Title: "The docker CLI"},
		{Key: "docker-setup/engine", Label: "1.2", Title: "The engine answers"},
		{Key: "containers/run", Label: "2.1", Title: "Run nginx"},
	},
}

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// mk builds a receipt for student with the given statuses, in course
// order ("" leaves the step out).
func mk(student string, at time.Time, statuses ...string) *receipt.Receipt {
	r := &receipt.Receipt{
		Format: receipt.Version, Lab: "v1.0.0", Course: receipt.Course{ID: course.ID, Hash: course.Hash},
		Student: student, Time: at,
		Machine: receipt.Machine{OS: "linux", Arch: "amd64", DockerContext: "default", EngineVersion: "28.2.2"},
	}
	for i, st := range statuses {
		if st == "" {
			continue
		}
		s := receipt.Step{Key: course.Steps[i].Key, Status: st, DurationMS: int64(10 * (i + 1))}
		switch st {
		case receipt.StatusFailed:
			s.Failures = []string{"container lab-web is not running\n  expected: running\n  observed: exited (1)"}
		case receipt.StatusError:
			s.Failures = []string{"the Docker engine does not answer"}
		case receipt.StatusSkipped:
			s.Reason = "disruptive step skipped (--no-disruptive)"
		}
		r.Steps = append(r.Steps, s)
	}
	return r
}

// file signs r with key (nil: unsigned) and encodes it as a receipt file.
func file(t testing.TB, name string, r *receipt.Receipt, key []byte) File {
	t.Helper()
	if key != nil {
		if err := r.Sign(key); err != nil {
			t.Fatal(err)
		}
	}
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return File{Name: name, Data: data}
}

// edited signs r, then changes the student's verdict on the first step as
// someone with a text editor would.
func edited(t *testing.T, name string, r *receipt.Receipt) File {
	f := file(t, name, r, classKey)
	f.Data = bytes.Replace(f.Data, []byte(`"status": "failed"`), []byte(`"status": "passed"`), 1)
	return f
}

func class(t *testing.T) *Class {
	t.Helper()
	other := mk("Dee Old", t0, "passed", "passed", "")
	other.Course.Hash = strings.Repeat("cd", 32)
	other.Steps = append(other.Steps, receipt.Step{Key: "containers/legacy", Status: receipt.StatusPassed})
	otherKey := []byte("another-class-key-0123456789")
	files := []File{
		file(t, "ana.json", mk("Ana Lima", t0, "passed", "passed", "passed"), classKey),
		file(t, "bruno-old.json", mk("Bruno Costa", t0, "passed", "failed", "failed"), classKey),
		file(t, "bruno.json", mk("bruno costa", t0.Add(time.Hour), "passed", "passed", "failed"), classKey),
		file(t, "bruno-older.json", mk("Bruno Costa", t0.Add(-time.Hour), "failed", "failed", "failed"), classKey),
		file(t, "carla.json", mk("Carla <b>Dias</b>", t0, "passed", "error", "skipped"), classKey),
		file(t, "dee.json", other, classKey),
		file(t, "eve.json", mk("Eve", t0, "passed", "passed"), classKey),
		file(t, "unsigned.json", mk("Finn", t0, "passed", "passed", "passed"), nil),
		file(t, "foreign.json", mk("Gus", t0, "passed", "passed", "passed"), otherKey),
		edited(t, "hacked.json", mk("Hal", t0, "passed", "failed", "passed")),
		{Name: "truncated.json", Data: []byte(`{"format": 1, "lab": "v1.0.0", "cour`)},
		{Name: "photo.json", Data: []byte("\x89PNG\r\n")},
	}
	return Grade(files, Options{Key: classKey, Course: course})
}

func TestGradeRejectsByNameAndReason(t *testing.T) {
	c := class(t)
	want := []struct{ file, student, reason string }{
		{"unsigned.json", "Finn", "not signed"},
		{"foreign.json", "Gus", "edited after signing, or signed with another class's key"},
		{"hacked.json", "Hal", "edited after it was signed"},
		{"truncated.json", "", "truncated"},
		{"photo.json", "", "not valid JSON at byte 1"},
	}
	if len(c.Rejected) != len(want) {
		t.Fatalf("got %d rejections %+v, want %d", len(c.Rejected), c.Rejected, len(want))
	}
	for i, w := range want {
		got := c.Rejected[i]
		if got.File != w.file || got.Student != w.student || !strings.Contains(got.Reason, w.reason) {
			t.Errorf("rejection %d: got %+v, want file %s, student %q, reason containing %q", i, got, w.file, w.student, w.reason)
		}
	}
}

func TestGradeMatrix(t *testing.T) {
	c := class(t)
	var names []string
	for _, s := range c.Students {
		names = append(names, s.Name)
	}
	if got, want := strings.Join(names, ","), "Ana Lima,bruno costa,Carla <b>Dias</b>,Dee Old,Eve"; got != want {
		t.Fatalf("got students %s, want %s", got, want)
	}
	tests := []struct {
		student string
		file    string
		cells   string // one symbol per column
		passed  int
		flagged bool
	}{
		{"Ana Lima", "ana.json", "✓✓✓·", 3, false},
		{"bruno costa", "bruno.json", "✓✓✗·", 2, false},
		{"Carla <b>Dias</b>", "carla.json", "✓!-·", 1, false},
		{"Dee Old", "dee.json", "✓✓·✓", 3, true},
		{"Eve", "eve.json", "✓✓··", 2, false},
	}
	for i, tt := range tests {
		s := c.Students[i]
		var cells string
		for _, cell := range s.Cells {
			cells += symbol(cell.Status)
		}
		if s.File != tt.file || cells != tt.cells || s.Passed != tt.passed || (s.Flag != "") != tt.flagged {
			t.Errorf("%s: got file %s cells %s passed %d flag %q; want %s %s %d flagged=%v",
				tt.student, s.File, cells, s.Passed, s.Flag, tt.file, tt.cells, tt.passed, tt.flagged)
		}
	}
	if got := c.Students[3].Flag; !strings.Contains(got, "another version of the course (cdcdcdcdcdcd; this lab's is abababababab)") {
		t.Errorf("flag: got %q", got)
	}
	if got := c.Columns[3]; got.Key != "containers/legacy" || !got.Extra {
		t.Errorf("extra column: got %+v, want containers/legacy marked extra", got)
	}
	rates := []string{}
	for i := range c.Columns {
		rates = append(rates, percent(c.Rate(i)))
	}
	if got, want := strings.Join(rates, " "), "100% 80% 20% 20%"; got != want {
		t.Errorf("pass rates: got %s, want %s", got, want)
	}
	if got, want := percent(c.Overall()), "55%"; got != want {
		t.Errorf("overall: got %s, want %s", got, want)
	}
	wantSup := []Superseded{
		{File: "bruno-old.json", Student: "Bruno Costa", By: "bruno.json"},
		{File: "bruno-older.json", Student: "Bruno Costa", By: "bruno.json"},
	}
	if fmt.Sprint(c.Superseded) != fmt.Sprint(wantSup) {
		t.Errorf("superseded: got %+v, want %+v", c.Superseded, wantSup)
	}
}

func TestGradeDuplicates(t *testing.T) {
	tests := []struct {
		name  string
		times []time.Duration // receipt times of one student, in file order
		kept  int
	}{
		{"newest last", []time.Duration{0, time.Hour}, 1},
		{"newest first", []time.Duration{time.Hour, 0}, 0},
		{"newest in the middle", []time.Duration{0, 2 * time.Hour, time.Hour}, 1},
		{"same time: later file", []time.Duration{time.Hour, time.Hour}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []File
			for i, d := range tt.times {
				files = append(files, file(t, fmt.Sprintf("r%d.json", i), mk("Ana", t0.Add(d), "passed"), classKey))
			}
			c := Grade(files, Options{Key: classKey, Course: course})
			if len(c.Students) != 1 {
				t.Fatalf("got %d students, want 1", len(c.Students))
			}
			if got, want := c.Students[0].File, fmt.Sprintf("r%d.json", tt.kept); got != want {
				t.Errorf("got %s graded, want %s", got, want)
			}
			if got, want := len(c.Superseded), len(tt.times)-1; got != want {
				t.Errorf("got %d superseded, want %d", got, want)
			}
		})
	}
}

func TestGradeWithoutKeyAcceptsUnsigned(t *testing.T) {
	files := []File{
		file(t, "a.json", mk("Ana", t0, "passed"), nil),
		file(t, "b.json", mk("Bo", t0, "failed"), classKey),
	}
	c := Grade(files, Options{Course: course})
	if len(c.Students) != 2 || len(c.Rejected) != 0 || c.Signed {
		t.Errorf("got %d students, %d rejected, signed=%v; want 2, 0, false", len(c.Students), len(c.Rejected), c.Signed)
	}
}

func TestGradeOtherCourse(t *testing.T) {
	r := mk("Ana", t0, "passed")
	r.Course.ID = "k8s-workshop"
	c := Grade([]File{file(t, "a.json", r, classKey)}, Options{Key: classKey, Course: course})
	if got := c.Students[0].Flag; !strings.Contains(got, `another course: "k8s-workshop"`) {
		t.Errorf("got flag %q, want it to name the other course", got)
	}
}

// generated makes n signed receipts with varied verdicts.
func generated(t testing.TB, n int) []File {
	statuses := []string{receipt.StatusPassed, receipt.StatusFailed, receipt.StatusPassed, receipt.StatusError, receipt.StatusSkipped}
	files := make([]File, n)
	for i := range files {
		r := mk(fmt.Sprintf("Student %03d", i), t0.Add(time.Duration(i)*time.Minute),
			statuses[i%5], statuses[(i+1)%5], statuses[(i+2)%5])
		files[i] = file(t, fmt.Sprintf("s%03d.json", i), r, classKey)
	}
	return files
}

// TestGrade200Receipts grades a class of 200 signed receipts; the
// benchmark below measures how long it takes.
func TestGrade200Receipts(t *testing.T) {
	files := generated(t, 200)
	files[17].Data = bytes.Replace(files[17].Data, []byte(`"Student 017"`), []byte(`"Student 999"`), 1)
	c := Grade(files, Options{Key: classKey, Course: course})
	if len(c.Students) != 199 || len(c.Rejected) != 1 || c.Rejected[0].File != "s017.json" {
		t.Fatalf("got %d students and rejections %+v; want 199 and s017.json rejected", len(c.Students), c.Rejected)
	}
	for _, format := range Formats {
		if err := Write(new(bytes.Buffer), format, c); err != nil {
			t.Errorf("writing %s: %v", format, err)
		}
	}
}

// BenchmarkGrade200 grades and renders 200 signed receipts (the target:
// well under a second).
func BenchmarkGrade200(b *testing.B) {
	files := generated(b, 200)
	for b.Loop() {
		c := Grade(files, Options{Key: classKey, Course: course})
		if len(c.Students) != 200 {
			b.Fatalf("got %d students", len(c.Students))
		}
		if err := HTML(new(bytes.Buffer), c); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTable(t *testing.T) {
	var buf bytes.Buffer
	if err := Table(&buf, class(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"docker-workshop (version abababababab): 5 student(s), 4 step(s), 5 receipt(s) rejected; signatures checked",
		"student",
		"Ana Lima           ✓     ✓    ✓    ·    3/4\n",
		"Dee Old (*)",
		"pass rate          100%  80%  20%  20%  55%\n",
		"1.2   docker-setup/engine — The engine answers",
		"x1    containers/legacy (not in this course",
		"hacked.json (Hal): the signature does not match the content",
		"bruno-old.json (Bruno Costa): graded bruno.json instead",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := CSV(&buf, class(t)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	tests := []struct {
		row  int
		want string
	}{
		{0, "student,receipt,time,note,docker-setup/cli,docker-setup/engine,containers/run,containers/legacy,passed,total"},
		{1, "Ana Lima,ana.json,2025-03-14T09:00:00Z,,passed,passed,passed,not checked,3,4"},
		{3, "Carla <b>Dias</b>,carla.json,2025-03-14T09:00:00Z,,passed,could not run,skipped,not checked,1,4"},
		{6, "Finn,unsigned.json,,rejected: not signed: the student ran lab verify without --sign-key,,,,,,"},
		{11, "(pass rate),,,,100%,80%,20%,20%,55%,"},
	}
	if len(rows) != 12 {
		t.Fatalf("got %d rows, want 12 (header, 5 students, 5 rejected, pass rate)", len(rows))
	}
	for _, tt := range tests {
		if got := strings.Join(rows[tt.row], ","); got != tt.want {
			t.Errorf("row %d: got %s, want %s", tt.row, got, tt.want)
		}
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	files := []File{
		file(t, "a.json", mk("=HYPERLINK(\"http://x\")", t0, "passed"), classKey),
		file(t, "b.json", mk("@SUM(A1)", t0, "passed"), classKey),
		file(t, "c.json", mk("Ana", t0, "passed"), classKey),
	}
	var buf bytes.Buffer
	if err := CSV(&buf, Grade(files, Options{Key: classKey, Course: course})); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "Ana"} {
		if got := rows[i+1][0]; got != want {
			t.Errorf("row %d: got student %q, want %q", i+1, got, want)
		}
	}
}

func TestJUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, class(t)); err != nil {
		t.Fatal(err)
	}
	if err := junitcheck.Check(buf.Bytes()); err != nil {
		t.Errorf("structural schema check: %v\n%s", err, buf.String())
	}
	xmllint(t, buf.Bytes(), filepath.Join("..", "report", "testdata", "junit-10.xsd"))

	var doc report.JUnitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		what      string
		got, want any
	}{
		{"suites", len(doc.Suites), 10},
		{"tests", doc.Tests, 5*4 + 5},
		{"first suite", doc.Suites[0].Name, "Ana Lima"},
		{"bruno failures", doc.Suites[1].Failures, 1},
		{"carla errors", doc.Suites[2].Errors, 1},
		{"carla skipped", doc.Suites[2].Skipped, 2},
		{"failure text", doc.Suites[1].Cases[2].Failure.Message, "container lab-web is not running"},
		{"rejected suite", doc.Suites[6].Name, "foreign.json (Gus)"},
		{"rejected error", doc.Suites[6].Cases[0].Error.Type, "rejected"},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.what, tt.got, tt.want)
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(new(bytes.Buffer), "pdf", class(t)); err == nil || !strings.Contains(err.Error(), "table, csv, html, junit") {
		t.Errorf("got %v, want an error listing the formats", err)
	}
}

// Receipts written by json.Marshal without indentation grade the same.
func TestCompactReceipt(t *testing.T) {
	r := mk("Ana", t0, "passed")
	if err := r.Sign(classKey); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	c := Grade([]File{{Name: "a.json", Data: data}}, Options{Key: classKey, Course: course})
	if len(c.Students) != 1 {
		t.Errorf("got rejections %+v, want the receipt graded", c.Rejected)
	}
}

// xmllint validates doc against the schema file with xmllint, skipping
// with a logged reason when xmllint is missing, unless LAB_REQUIRE_XMLLINT
// is set.
func xmllint(t *testing.T, doc []byte, schema string) {
	t.Helper()
	out, valid, ran := lint(t, doc, schema)
	if ran && !valid {
		t.Errorf("xmllint --schema %s rejects the document:\n%s\n%s", schema, out, doc)
	}
}

// lint runs xmllint --schema on doc: what it printed, whether the document
// validates, and whether xmllint ran at all.
func lint(t *testing.T, doc []byte, schema string) (out string, valid, ran bool) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("LAB_REQUIRE_XMLLINT") != "" {
			t.Fatalf("LAB_REQUIRE_XMLLINT is set but xmllint is not installed (apt-get install -y libxml2-utils)")
		}
		t.Logf("skipping the xmllint schema check: xmllint is not installed (apt-get install -y libxml2-utils)")
		return "", false, false
	}
	f := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(bin, "--noout", "--nonet", "--schema", schema, f).CombinedOutput()
	return string(b), err == nil && strings.Contains(string(b), " validates"), true
}
