package dockerfile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Rule is one lint rule the lessons teach. The DL ids are hadolint's, so a
// learner can look them up and meet them again in real projects; lab's own
// rules use the LAB prefix.
type Rule struct {
	ID    string
	Title string
}

// Rules are the lint rules lab checks, by id.
var Rules = []Rule{
	{"DL3006", "Always tag the version of an image explicitly"},
	{"DL3007", "Using latest is prone to errors if the image will ever update; pin the version explicitly to a release tag"},
	{"DL3020", "Use COPY instead of ADD for files and folders"},
	{"DL3025", "Use JSON notation for CMD and ENTRYPOINT arguments"},
	{"LAB001", "The final stage must set a non-root USER"},
}

// RuleTitle returns the title of the rule with the given id, or "" when lab
// has no such rule.
func RuleTitle(id string) string {
	for _, r := range Rules {
		if r.ID == id {
			return r.Title
		}
	}
	return ""
}

// Finding is one place where a Dockerfile breaks a rule.
type Finding struct {
	Rule string
	// Line is the instruction's first line, 1-based.
	Line int
	// Detail says what in the file breaks the rule, e.g. "FROM node:latest".
	Detail string
}

// String renders the finding the way hadolint does: rule id, line, title,
// then what was found.
func (f Finding) String() string {
	return fmt.Sprintf("%s (line %d) %s: %s", f.Rule, f.Line, RuleTitle(f.Rule), f.Detail)
}

// Lint checks the file against every rule in Rules and returns the
// findings in line order, rule by rule within a line.
func Lint(f *File) []Finding {
	var out []Finding
	out = append(out, lintFrom(f)...)
	for _, s := range f.Stages {
		for _, in := range s.Instructions {
			switch in.Cmd {
			case "add":
				if d, bad := addOfLocalFiles(in); bad {
					out = append(out, Finding{Rule: "DL3020", Line: in.Line, Detail: d})
				}
			case "cmd", "entrypoint":
				if !in.JSON {
					out = append(out, Finding{Rule: "DL3025", Line: in.Line,
						Detail: fmt.Sprintf("%s is in shell form; write %s", oneLine(in.Original), jsonForm(in))})
				}
			}
		}
	}
	out = append(out, lintUser(f)...)
	sortFindings(out)
	return out
}

// lintFrom applies DL3006 and DL3007 to every FROM that names an image
// (not scratch, not an earlier stage).
func lintFrom(f *File) []Finding {
	var out []Finding
	for i, s := range f.Stages {
		if strings.EqualFold(s.Base, "scratch") || f.stageIndex(s.Base, i) >= 0 {
			continue
		}
		image, known := f.ResolveBase(i)
		if !known {
			out = append(out, Finding{Rule: "DL3006", Line: s.From.Line,
				Detail: fmt.Sprintf("FROM %s depends on a build argument with no default, so the image is not pinned", s.Base)})
			continue
		}
		if strings.EqualFold(image, "scratch") || f.stageIndex(image, i) >= 0 {
			continue
		}
		name, tag, digest := ImageRef(image)
		switch {
		case tag == "" && digest == "":
			out = append(out, Finding{Rule: "DL3006", Line: s.From.Line,
				Detail: fmt.Sprintf("FROM %s has no tag, so it means %s:latest", image, name)})
		case tag == "latest" && digest == "":
			out = append(out, Finding{Rule: "DL3007", Line: s.From.Line,
				Detail: fmt.Sprintf("FROM %s", image)})
		}
	}
	return out
}

// archiveSuffixes are the archives ADD unpacks, the one thing ADD does for
// local files that COPY does not (hadolint's list).
var archiveSuffixes = []string{".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz", ".xz"}

// addOfLocalFiles reports an ADD that copies plain files or folders, which
// COPY does more predictably: no URL download, no archive unpacking.
func addOfLocalFiles(in Instruction) (detail string, bad bool) {
	if in.Heredoc || len(in.Args) < 2 {
		return "", false
	}
	for _, src := range in.Args[:len(in.Args)-1] {
		if isURL(src) || isArchive(src) {
			continue
		}
		return fmt.Sprintf("%s copies %s; write COPY instead of ADD", oneLine(in.Original), src), true
	}
	return "", false
}

func isURL(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@")
}

func isArchive(s string) bool {
	for _, suf := range archiveSuffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

// jsonForm suggests the exec form of a shell-form CMD or ENTRYPOINT.
func jsonForm(in Instruction) string {
	words := strings.Fields(strings.Join(in.Args, " "))
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = fmt.Sprintf("%q", w)
	}
	return strings.ToUpper(in.Cmd) + " [" + strings.Join(quoted, ", ") + "]"
}

// lintUser applies LAB001: the final stage, with the stages it is built
// on, must end with a USER that is not root.
func lintUser(f *File) []Finding {
	final := f.Final()
	if final == nil {
		return nil
	}
	var last *Instruction
	for _, si := range f.lineage(len(f.Stages) - 1) {
		for i := range f.Stages[si].Instructions {
			if in := &f.Stages[si].Instructions[i]; in.Cmd == "user" {
				last = in
			}
		}
	}
	if last == nil {
		return []Finding{{Rule: "LAB001", Line: final.From.Line,
			Detail: fmt.Sprintf("the final stage (%s) sets no USER, so its containers run as root", oneLine(final.From.Original))}}
	}
	if len(last.Args) > 0 && IsRootUser(last.Args[0]) {
		return []Finding{{Rule: "LAB001", Line: last.Line,
			Detail: fmt.Sprintf("%s is the last USER of the final stage, so its containers run as root", oneLine(last.Original))}}
	}
	return nil
}

// IsRootUser reports whether a USER value (user[:group], by name or id) is
// root. An empty value means the default user, root.
func IsRootUser(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "" || u == "root" || strings.Trim(u, "0") == ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// sortFindings orders findings by line, keeping the rule order within a
// line, so a message lists them as a learner reads the file.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return cmp.Compare(a.Line, b.Line) })
}
