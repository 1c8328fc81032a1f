package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/grade"
	"github.com/lab-workshop/lab/internal/receipt"
)

const classExportHelp = `Writes a class's results as lab grade does: one row per learner, one
column per step of the course, each learner's total and each step's pass
rate and typical mistakes. Each step shows the learner's latest result; a
result the instructor verified (lab class verify --class) wins over what
the learner's lab reported, as on the class page, and is marked "verified
by the instructor".

   lab class export --class "Docker 101"
   lab class export --format html --output class.html
   lab class export --db postgres://lab@db/classes --class "Docker 101" --format junit -o class.xml

--class may be left out when the store holds one class. An --output that
names the class store itself is refused.

Formats: table (the default), csv, html (one self-contained page) and junit.`

func newClassExportCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "export",
		Usage:       "write a class's results as table, CSV, HTML or JUnit, as lab grade does",
		Description: classExportHelp,
		Flags: []cli.Flag{
			dbFlag,
			&cli.StringFlag{Name: "class", Usage: "export the class `NAME` (default: the store's only class)"},
			&cli.StringFlag{Name: "format", Value: grade.Formats[0], Usage: "`FORMAT` of the class report: " + strings.Join(grade.Formats, ", ")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the class report to `FILE` instead of standard output"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			return runClassExport(ctx, s, cmd)
		},
	}
}

func runClassExport(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	format, output := cmd.String("format"), cmd.String("output")
	if !slices.Contains(grade.Formats, format) {
		return usageErrorf("unknown format %q; use one of %s", format, strings.Join(grade.Formats, ", "))
	}
	dsn, err := classStorePath(s, cmd.String("db"))
	if err != nil {
		return err
	}
	if !class.IsPostgres(dsn) {
		// Exporting reads a store; it never makes an empty one.
		if _, err := os.Stat(dsn); err != nil {
			return usageErrorf("no class store at %s; lab class create NAME makes one, and --db names another", dsn)
		}
	}
	var out *outputFile
	if output != "" {
		var inputs []namedPath
		if !class.IsPostgres(dsn) {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				inputs = append(inputs, namedPath{path: dsn + suffix, name: "the class store " + dsn + suffix})
			}
		}
		if err := checkClobber([]namedPath{{path: output, name: "--output " + output}}, inputs); err != nil {
			return err
		}
		if out, err = openOutput(output, "class report"); err != nil {
			return err
		}
		defer out.discard()
	}
	course, err := loadCourse(cmd.String("lessons"))
	if err != nil {
		return err
	}
	st, err := openClassStore(ctx, s, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := chooseClass(ctx, st, cmd.String("class"))
	if err != nil {
		return err
	}
	ls, err := st.Learners(ctx, c.ID)
	if err != nil {
		return &envError{err: err}
	}
	rs, err := st.Results(ctx, c.ID)
	if err != nil {
		return &envError{err: err}
	}
	entries := class.Receipts(c, receipt.Course{ID: course.ID, Hash: course.Hash}, ls, rs)
	roll := grade.Roll(entries, grade.Options{Course: gradeCourse(course), Origin: class.Origin})
	for _, st := range roll.Students {
		if st.Flag != "" {
			fmt.Fprintf(s.Err, "lab: warning: %s: %s\n", st.Name, st.Flag)
		}
	}
	if err := writeClass(s.Out, out, format, roll); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "exported %d learner(s) of the class %q\n", len(roll.Students), c.Name)
	if output != "" {
		fmt.Fprintf(s.Err, "wrote %s to %s\n", format, output)
	}
	return nil
}

// chooseClass is the class named, or the store's only class.
func chooseClass(ctx context.Context, st *class.Store, name string) (*class.Class, error) {
	if name != "" {
		c, err := st.ClassByName(ctx, name)
		if errors.Is(err, class.ErrNotFound) {
			return nil, usageErrorf("no class named %q in the class store (%s)", name, classNames(ctx, st))
		}
		if err != nil {
			return nil, &envError{err: err}
		}
		return c, nil
	}
	cs, err := st.Classes(ctx)
	if err != nil {
		return nil, &envError{err: err}
	}
	if len(cs) == 1 {
		return cs[0], nil
	}
	return nil, usageErrorf("name the class with --class NAME (%s)", classNames(ctx, st))
}

// classNames says which classes a store holds, for a message.
func classNames(ctx context.Context, st *class.Store) string {
	cs, err := st.Classes(ctx)
	if err != nil || len(cs) == 0 {
		return "it holds no class; lab class create NAME makes one"
	}
	var names []string
	for _, c := range cs {
		names = append(names, fmt.Sprintf("%q", c.Name))
	}
	return "its classes: " + strings.Join(names, ", ")
}
