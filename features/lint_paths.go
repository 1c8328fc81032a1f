package features

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// workspaceArg matches the words of a step expression that come right before
// a quoted argument naming a path in the learner's workspace.
var workspaceArg = regexp.MustCompile(`(?:workspace file|workspace folder|the Compose file) "$`)

// workspaceArgs returns, for each step expression, the numbers of its
// capture groups that name workspace paths.
func workspaceArgs(exprs []*regexp.Regexp) [][]int {
	out := make([][]int, len(exprs))
	for i, re := range exprs {
		src := re.String()
		group := 0
		for j := 0; j < len(src); j++ {
			switch {
			case src[j] == '\\':
				j++
			case src[j] == '(' && !strings.HasPrefix(src[j:], "(?"):
				group++
				if workspaceArg.MatchString(src[:j]) {
					out[i] = append(out[i], group)
				}
			}
		}
	}
	return out
}

// lintPaths reports Gherkin steps whose workspace path leaves the workspace
// ("..", an absolute path): checks refuse them when they run, and a course
// should not get that far. Arguments filled in from an Examples table
// ("<name>") are checked row by row.
func lintPaths(course *lessons.Course) []lessons.Problem {
	exprs := Expressions()
	args := workspaceArgs(exprs)
	var problems []lessons.Problem
	check := func(file string, st *messages.Step, rows []map[string]string) {
		for i, re := range exprs {
			m := re.FindStringSubmatch(st.Text)
			if m == nil {
				continue
			}
			for _, g := range args[i] {
				for _, value := range expand(m[g], rows) {
					if why := sandbox.ValidWorkspacePath(value); why != "" {
						problems = append(problems, lessons.Problem{File: file, Line: int(st.Location.Line),
							Msg: fmt.Sprintf("workspace path %q %s: checks read only files inside the learner's workspace", value, why)})
					}
				}
			}
		}
	}
	for _, l := range course.Lessons {
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(l.Feature), (&messages.Incrementing{}).NewId)
		if err != nil || doc.Feature == nil {
			continue // the loader reports parse errors
		}
		// visit checks the steps of a Background or a Scenario, of the
		// feature itself or of one of its rules.
		visit := func(bg *messages.Background, sc *messages.Scenario) {
			var sts []*messages.Step
			var rows []map[string]string
			switch {
			case bg != nil:
				sts = bg.Steps
			case sc != nil:
				sts, rows = sc.Steps, exampleRows(sc)
			}
			for _, st := range sts {
				check(l.FeaturePath, st, rows)
			}
		}
		for _, c := range doc.Feature.Children {
			switch {
			case c.Background != nil || c.Scenario != nil:
				visit(c.Background, c.Scenario)
			case c.Rule != nil:
				for _, rc := range c.Rule.Children {
					visit(rc.Background, rc.Scenario)
				}
			}
		}
	}
	return problems
}

// exampleRows returns a scenario outline's Examples rows by column name.
func exampleRows(sc *messages.Scenario) []map[string]string {
	var rows []map[string]string
	for _, ex := range sc.Examples {
		if ex.TableHeader == nil {
			continue
		}
		for _, r := range ex.TableBody {
			row := map[string]string{}
			for i, c := range r.Cells {
				if i < len(ex.TableHeader.Cells) {
					row[ex.TableHeader.Cells[i].Value] = c.Value
				}
			}
			rows = append(rows, row)
		}
	}
	return rows
}

var placeholder = regexp.MustCompile(`<([^<>]+)>`)

// expand fills a step argument's <placeholders> from each row; an argument
// without any is returned as is.
func expand(arg string, rows []map[string]string) []string {
	if !placeholder.MatchString(arg) || len(rows) == 0 {
		return []string{arg}
	}
	var out []string
	for _, row := range rows {
		out = append(out, placeholder.ReplaceAllStringFunc(arg, func(p string) string {
			if v, ok := row[p[1:len(p)-1]]; ok {
				return v
			}
			return p
		}))
	}
	return out
}

// LintStarterLinks reports starter files, in the course's assets, that lab would
// refuse to copy into a workspace: symbolic links (which could point at any
// file of the author's or learner's machine) and anything but regular files
// and folders. assets is the course's assets folder; missing starter paths
// are left to other checks.
func LintStarterLinks(course *lessons.Course, assets fs.FS) []lessons.Problem {
	rl, ok := assets.(fs.ReadLinkFS)
	if !ok || course == nil {
		return nil // embedded assets hold neither links nor special files
	}
	var problems []lessons.Problem
	seen := map[string]bool{}
	report := func(s *lessons.Step, name string, mode fs.FileMode) {
		if seen[name] {
			return
		}
		seen[name] = true
		what := "is a symbolic link"
		if mode&fs.ModeSymlink == 0 {
			what = fmt.Sprintf("is not a regular file (%s)", mode.Type())
		}
		problems = append(problems, lessons.Problem{File: s.SourcePath,
			Msg: fmt.Sprintf("starter: %s/%s %s; lab copies only regular files and folders: put the file itself there",
				lessons.AssetsDir, name, what)})
	}
	bad := func(mode fs.FileMode) bool { return !mode.IsDir() && !mode.IsRegular() }
	for _, s := range course.Steps() {
		for _, p := range s.Starter {
			if sandbox.ValidWorkspacePath(p) != "" {
				continue // the loader reports it
			}
			root := path.Clean(p)
			broken := false
			for prefix := root; ; prefix = path.Dir(prefix) {
				if fi, err := rl.Lstat(prefix); err == nil && bad(fi.Mode()) {
					report(s, prefix, fi.Mode())
					broken = true
				}
				if !strings.Contains(prefix, "/") {
					break
				}
			}
			if broken {
				continue
			}
			err := fs.WalkDir(assets, root, func(name string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if bad(d.Type()) {
					report(s, name, d.Type())
				}
				return nil
			})
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				problems = append(problems, lessons.Problem{File: s.SourcePath,
					Msg: fmt.Sprintf("starter: reading %s/%s: %v", lessons.AssetsDir, root, err)})
			}
		}
	}
	return problems
}
