package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/grade"
	"github.com/lab-workshop/lab/internal/receipt"
	"github.com/lab-workshop/lab/internal/safetext"
	"github.com/lab-workshop/lab/lessons"
)

type gradeOptions struct {
	files  []string
	key    string // --key, else LAB_SIGN_KEY_FILE
	format string
	output string
}

const gradeHelp = `grade reads the receipts students wrote with lab verify --student NAME and
shows the class: one row per student, one column per step of the course lab
loads (the built-in one, or --lessons DIR), each student's total and each
step's pass rate.

With --key FILE (or LAB_SIGN_KEY_FILE) only receipts signed with that key and
unchanged since are graded. A receipt that is unsigned, signed with another
key or edited, and a file that is not a whole receipt (truncated, corrupted),
is rejected by name with the reason, on standard error and in the report, and
the rest are still graded. Of several receipts of one student
(names match without regard to case) the newest is graded. A receipt checked
against another course or another version of this one is graded but marked.

   lab grade *.json --key class.key --format html --output class.html

An --output that names one of the receipts or the key is refused.

Formats: table (the default), csv, html (one self-contained page) and junit.

Exit codes: 0 graded, whatever the students' results; 1 graded, but some
receipt was rejected; 2 usage; 3 a file could not be read or written (then
nothing is graded), or the key file or the lessons are unusable.`

func newGradeCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "grade",
		Usage:       "roll students' receipts up into a class table: steps passed per student, pass rate per step (for instructors)",
		ArgsUsage:   "RECEIPT...",
		Description: gradeHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "accept only receipts signed with the class key in `FILE` (default: $LAB_SIGN_KEY_FILE)"},
			&cli.StringFlag{Name: "format", Value: grade.Formats[0], Usage: "`FORMAT` of the class report: " + strings.Join(grade.Formats, ", ")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the class report to `FILE` instead of standard output"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			opts := gradeOptions{
				files:  cmd.Args().Slice(),
				key:    cmd.String("key"),
				format: cmd.String("format"),
				output: cmd.String("output"),
			}
			if opts.key == "" {
				opts.key = s.Getenv("LAB_SIGN_KEY_FILE")
			}
			return runGrade(s, cmd, opts)
		},
	}
}

func runGrade(s *IOStreams, cmd *cli.Command, opts gradeOptions) error {
	if len(opts.files) == 0 {
		return usageErrorf("grade needs at least one RECEIPT file (see: lab grade --help)")
	}
	if !slices.Contains(grade.Formats, opts.format) {
		return usageErrorf("unknown format %q; use one of %s", opts.format, strings.Join(grade.Formats, ", "))
	}
	if err := checkReceiptFiles(opts.files); err != nil {
		return err
	}
	// The class report must not replace a receipt or the key it grades.
	var out *outputFile
	if opts.output != "" {
		var inputs []namedPath
		for _, name := range opts.files {
			inputs = append(inputs, namedPath{path: name, name: "the receipt " + name})
		}
		if opts.key != "" {
			inputs = append(inputs, namedPath{path: opts.key, name: "the class key " + opts.key})
		}
		if err := checkClobber([]namedPath{{path: opts.output, name: "--output " + opts.output}}, inputs); err != nil {
			return err
		}
		var err error
		if out, err = openOutput(opts.output, "class report"); err != nil {
			return err
		}
		defer out.discard()
	}
	var key []byte
	if opts.key != "" {
		data, err := receipt.ReadKeyFile(opts.key)
		if err != nil {
			return &envError{err: fmt.Errorf("reading the class key: %w", err)}
		}
		if key, err = receipt.ParseKey(opts.key, data); err != nil {
			return &envError{err: err}
		}
	}
	course, err := loadCourse(cmd.String("lessons"))
	if err != nil {
		return err
	}

	var files []grade.File
	unreadable := 0
	for _, name := range opts.files {
		data, err := receipt.ReadFile(name) // at most receipt.MaxSize+1 bytes
		if err != nil {
			fmt.Fprintf(s.Err, "lab: reading receipt: %s\n", safetext.Line(err.Error()))
			unreadable++
			continue
		}
		files = append(files, grade.File{Name: name, Data: data})
	}
	if unreadable > 0 {
		return &envError{err: fmt.Errorf("%d receipt file(s) could not be read; nothing was graded", unreadable)}
	}

	class := grade.Grade(files, grade.Options{Key: key, Course: gradeCourse(course)})

	for _, r := range class.Rejected {
		who := ""
		if r.Student != "" {
			who = " (" + r.Student + ")"
		}
		fmt.Fprintf(s.Err, "lab: rejected %s%s: %s\n", r.File, who, r.Reason)
	}
	for _, st := range class.Students {
		if st.Flag != "" {
			fmt.Fprintf(s.Err, "lab: warning: %s (%s): %s\n", st.File, st.Name, st.Flag)
		}
	}
	if key == nil {
		fmt.Fprintln(s.Err, "note: signatures not checked (no --key): any receipt could have been edited")
	}

	if err := writeClass(s.Out, out, opts.format, class); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "graded %d student(s) from %d receipt(s); %d rejected\n", len(class.Students), len(files), len(class.Rejected))
	if opts.output != "" {
		fmt.Fprintf(s.Err, "wrote %s to %s\n", opts.format, opts.output)
	}
	if len(class.Rejected) > 0 {
		return &silentError{code: exitNotPass}
	}
	return nil
}

// checkReceiptFiles refuses, before anything is read, a receipt that is not
// a regular file: a FIFO would block grading until someone writes to it,
// and a device such as /dev/zero never ends. A file that does not exist is
// left to the read, which reports it with the others that cannot be read.
func checkReceiptFiles(names []string) error {
	for _, name := range names {
		fi, err := os.Stat(name)
		if err != nil {
			continue
		}
		if !fi.Mode().IsRegular() {
			what := "not a regular file"
			switch {
			case fi.IsDir():
				what = "a directory"
			case fi.Mode()&fs.ModeNamedPipe != 0:
				what = "a named pipe (FIFO)"
			case fi.Mode()&fs.ModeDevice != 0:
				what = "a device"
			case fi.Mode()&fs.ModeSocket != 0:
				what = "a socket"
			}
			return usageErrorf("receipt %s is %s, not a file lab verify wrote; nothing was graded: "+
				"give the receipt files themselves (lab grade *.json)", safetext.Line(name), what)
		}
	}
	return nil
}

// writeClass writes the class report to standard output, or to out when
// --output named a file.
func writeClass(stdout io.Writer, out *outputFile, format string, class *grade.Class) error {
	if out != nil {
		return out.write(func(w io.Writer) error { return grade.Write(w, format, class) })
	}
	w := &stickyWriter{w: stdout}
	err := grade.Write(w, format, class)
	if err == nil {
		err = w.err
	}
	if err != nil {
		return &envError{err: fmt.Errorf("writing the class report to standard output: %w", err)}
	}
	return nil
}

// gradeCourse is the course a class report's columns come from: every
// step, numbered lesson.step.
func gradeCourse(course *lessons.Course) grade.Course {
	want := grade.Course{ID: course.ID, Hash: course.Hash}
	for _, st := range course.Steps() {
		want.Steps = append(want.Steps, grade.Column{
			Key: st.Key(), Label: fmt.Sprintf("%d.%d", st.Lesson.Index, st.Index), Title: st.Title,
		})
	}
	return want
}
