package lessons

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// courseFile is the file at the content root that names and orders lessons.
const courseFile = "course.yaml"

// lessonFile is the file in each lesson directory holding its id, title and
// intro.
const lessonFile = "lesson.md"

// RecapFile is the file in each lesson directory holding the lesson's recap:
// plain Markdown, no front matter.
const RecapFile = "recap.md"

var (
	slug = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	// failureCode is the form of a check's failure code; which codes
	// exist is the check vocabulary's business (features.FailureCodes).
	failureCode = regexp.MustCompile(`^[a-z]+(?:-[a-z]+)*$`)
	envName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	stepFile    = regexp.MustCompile(`^([0-9]+)-.+\.md$`)
)

// reservedTags are the scenario tags with a meaning of their own; a step id
// equal to one would make its tag ambiguous.
var reservedTags = []string{"disruptive", "grading", "slow"}

type courseMeta struct {
	ID      string            `yaml:"id"`
	Title   string            `yaml:"title"`
	Lessons []string          `yaml:"lessons"`
	Vars    map[string]string `yaml:"vars"`
	Prefix  string            `yaml:"prefix"`
	Cluster *clusterMeta      `yaml:"cluster"`
	// Tested is read by hand (parseTested): its keys are tools and
	// lesson ids, each checked with a message of its own.
	Tested yaml.Node `yaml:"tested"`
}

type lessonMeta struct {
	ID         string `yaml:"id"`
	Title      string `yaml:"title"`
	OwnCluster bool   `yaml:"own_cluster"`
}

type stepMeta struct {
	ID         string       `yaml:"id"`
	Title      string       `yaml:"title"`
	Disruptive bool         `yaml:"disruptive"`
	Hints      []string     `yaml:"hints"`
	Solution   []string     `yaml:"solution"`
	Wrong      []WrongState `yaml:"wrong"`
	Unsolved   State        `yaml:"unsolved"`
	Cleanup    []string     `yaml:"cleanup"`
	Resources  Resources    `yaml:"resources"`
	Starter    []string     `yaml:"starter"`
	Requires   []string     `yaml:"requires"`
	Superseded []string     `yaml:"superseded_by"`
	Setup      []string     `yaml:"setup"`
	Fix        string       `yaml:"fix"`
}

// Load reads and validates a course: content holds course.yaml and one
// directory per lesson, features holds one "<lesson-id>.feature" per lesson.
// Any problem in the files fails the load with a *ValidationError that lists
// every problem, because a course that is half right checks half the truth.
func Load(content, features fs.FS) (*Course, error) {
	c, problems, err := Parse(content, features)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return c, nil
}

// Parse reads a course as far as it can and reports every problem found, for
// lint and for authors mid-edit. The course is returned even when problems
// were found (lessons and steps that could not be read are left out); the
// error is only for file systems that cannot be read at all.
func Parse(content, features fs.FS) (*Course, []Problem, error) {
	return parse(content, features, nil)
}

func parse(content, features fs.FS, overrides map[string]string) (*Course, []Problem, error) {
	if content == nil || features == nil {
		return nil, nil, errors.New("loading lessons: no content or features file system")
	}
	hash, err := hashContent(content, features)
	if err != nil {
		return nil, nil, fmt.Errorf("loading lessons: %w", err)
	}
	p := &parser{content: content, features: features, course: &Course{Hash: hash}, used: map[string]bool{}, overrides: overrides}
	if err := p.parseCourse(); err != nil {
		return nil, nil, fmt.Errorf("loading lessons: %w", err)
	}
	p.checkRequires()
	for _, s := range p.course.Steps() {
		s.Hash, s.hash = s.hash.sum(), stepHasher{}
	}
	return p.course, p.problems, nil
}

// parser accumulates the course and every problem found on the way.
type parser struct {
	content, features fs.FS
	course            *Course
	problems          []Problem
	used              map[string]bool // course variables some file refers to
	lessonUsed        map[string]bool // those the files of the lesson being read refer to
	overrides         map[string]string
}

func (p *parser) problem(file string, line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parseCourse() error {
	data, ok, err := p.readFile(p.content, courseFile)
	if err != nil {
		return err
	}
	if !ok {
		p.problem(courseFile, 0, "course.yaml is missing: it names the course and lists its lessons in order")
		return nil
	}
	if data == nil {
		return nil // too large: reported
	}
	var meta courseMeta
	doc, problems, ok := decodeYAML(courseFile, data, 0, &meta)
	p.problems = append(p.problems, problems...)
	if !ok {
		return nil
	}
	c := p.course
	c.ID, c.Title = strings.TrimSpace(meta.ID), strings.TrimSpace(meta.Title)
	switch {
	case c.ID == "":
		p.problem(courseFile, doc.line("id"), "course has no id")
	case !slug.MatchString(c.ID):
		p.problem(courseFile, doc.line("id"), "course id %q is not a slug (use a-z, 0-9 and -)", c.ID)
	}
	if c.Title == "" {
		p.problem(courseFile, doc.line("title"), "course has no title")
	}
	if len(meta.Lessons) == 0 {
		p.problem(courseFile, doc.line("lessons"), "course lists no lessons")
	}
	p.checkVars(doc, meta.Vars)
	c.Vars = withOverrides(meta.Vars, p.overrides)
	c.Cluster = p.parseCluster(doc, meta.Cluster, meta.Vars)
	c.Prefix = strings.TrimSpace(meta.Prefix)
	if c.Prefix != "" && !resourcePrefix.MatchString(c.Prefix) {
		p.problem(courseFile, doc.line("prefix"), "prefix %q is not a name prefix (use a-z, 0-9, and - _ . / between them, for example lab)", c.Prefix)
	}

	var listed []string
	for i, id := range meta.Lessons {
		line := doc.line("lessons", i)
		switch {
		case !slug.MatchString(id):
			p.problem(courseFile, line, "lesson id %q is not a slug (use a-z, 0-9 and -)", id)
			continue
		case id == "all":
			p.problem(courseFile, line, `lesson id "all" is reserved: "lab verify all" means every lesson`)
			continue
		case slices.Contains(listed, id):
			p.problem(courseFile, line, "lesson %q is listed twice", id)
			continue
		}
		listed = append(listed, id)
		info, err := fs.Stat(p.content, id)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !info.IsDir()) {
			p.problem(courseFile, line, "lesson %q has no directory %s/", id, id)
			continue
		}
		if err != nil {
			return fmt.Errorf("reading lesson directory %s: %w", id, err)
		}
		if err := p.parseLesson(id); err != nil {
			return err
		}
	}

	if len(meta.Lessons) == 0 {
		return nil // every directory and feature would be "not listed": noise
	}
	var perLesson map[string]Tested
	c.Tested, perLesson = p.parseTested(doc, &meta.Tested, listed)
	for _, l := range c.Lessons {
		l.Tested = c.Tested.Merge(perLesson[l.ID])
	}
	p.checkUnusedVars(doc)
	entries, err := fs.ReadDir(p.content, ".")
	if err != nil {
		return fmt.Errorf("reading lesson directories: %w", err)
	}
	for _, e := range entries {
		// A course on disk keeps its Gherkin in features/ beside the lessons.
		if e.IsDir() && !hidden(e.Name()) && e.Name() != FeaturesDir && e.Name() != AssetsDir && !slices.Contains(meta.Lessons, e.Name()) {
			p.problem(e.Name()+"/", 0, "lesson directory is not listed in course.yaml")
		}
	}
	entries, err = fs.ReadDir(p.features, ".")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading feature files: %w", err)
	}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".feature")
		if ok && !e.IsDir() && !slices.Contains(meta.Lessons, id) {
			p.problem(e.Name(), 0, "feature file for lesson %q, which course.yaml does not list", id)
		}
	}
	return nil
}

// hidden names are skipped like go:embed skips them, so a course reads the
// same from a directory and from the binary.
func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func (p *parser) parseLesson(id string) error {
	l := &Lesson{Course: p.course, ID: id, Index: len(p.course.Lessons) + 1, FeaturePath: id + ".feature"}
	p.lessonUsed = map[string]bool{}
	defer func() {
		for name := range p.lessonUsed {
			l.Vars = append(l.Vars, name)
		}
		sort.Strings(l.Vars)
		p.lessonUsed = nil
	}()
	intro := path.Join(id, lessonFile)
	data, ok, err := p.readFile(p.content, intro)
	if err != nil {
		return err
	}
	if !ok {
		p.problem(intro, 0, "lesson.md is missing: it holds the lesson's id, title and intro")
	} else if data != nil {
		p.parseIntro(l, intro, p.expand(intro, data))
	}
	recap := path.Join(id, RecapFile)
	if data, ok, err = p.readFile(p.content, recap); err != nil {
		return err
	} else if ok && data != nil {
		l.Recap = strings.TrimSpace(string(p.expand(recap, data)))
	}

	entries, err := fs.ReadDir(p.content, id)
	if err != nil {
		return fmt.Errorf("reading lesson directory %s: %w", id, err)
	}
	type stepSource struct {
		name string
		num  int
	}
	var sources []stepSource
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || hidden(name) || name == lessonFile || name == RecapFile || !strings.HasSuffix(name, ".md") {
			continue
		}
		m := stepFile.FindStringSubmatch(name)
		if m == nil {
			p.problem(path.Join(id, name), 0, "not a step file: name step files NN-<name>.md so they sort in order")
			continue
		}
		n, _ := strconv.Atoi(m[1])
		sources = append(sources, stepSource{name, n})
	}
	sort.SliceStable(sources, func(i, j int) bool {
		if sources[i].num != sources[j].num {
			return sources[i].num < sources[j].num
		}
		return sources[i].name < sources[j].name
	})

	complete := true // every step file yielded a step id
	for _, src := range sources {
		file := path.Join(id, src.name)
		data, _, err := p.readFile(p.content, file)
		if err != nil {
			return err
		}
		if data == nil {
			complete = false // too large: reported
			continue
		}
		s, idLine := p.parseStep(l, file, p.expand(file, data))
		if s == nil {
			complete = false
			continue
		}
		if prev := l.Step(s.ID); prev != nil {
			p.problem(file, idLine, "duplicate step id %q: %s has it too", s.ID, prev.SourcePath)
			continue
		}
		s.Index = len(l.Steps) + 1
		l.Steps = append(l.Steps, s)
	}
	if len(sources) == 0 {
		p.problem(intro, 0, "lesson has no steps: add step files NN-<name>.md beside lesson.md")
	}

	data, ok, err = p.readFile(p.features, l.FeaturePath)
	if err != nil {
		return err
	}
	if !ok {
		p.problem(l.FeaturePath, 0, "feature file for lesson %q is missing", id)
	} else if data != nil {
		data = p.expand(l.FeaturePath, data)
		l.Feature = data
		p.parseFeature(l, data, complete)
	}
	p.course.Lessons = append(p.course.Lessons, l)
	return nil
}

func (p *parser) parseIntro(l *Lesson, file string, data []byte) {
	front, body, err := splitFrontMatter(data)
	if err != nil {
		p.problem(file, 1, "%s", err)
		return
	}
	l.Intro = body
	var meta lessonMeta
	doc, problems, ok := decodeYAML(file, front, 1, &meta)
	p.problems = append(p.problems, problems...)
	if !ok {
		return
	}
	l.Title = strings.TrimSpace(meta.Title)
	l.OwnCluster = meta.OwnCluster
	switch id := strings.TrimSpace(meta.ID); {
	case id == "":
		p.problem(file, doc.line("id"), "lesson has no id")
	case id != l.ID:
		p.problem(file, doc.line("id"), "lesson id %q does not match its directory %q", id, l.ID)
	}
	if l.Title == "" {
		p.problem(file, doc.line("title"), "lesson has no title")
	}
}

// parseStep reads one step file. It returns nil when the file yields no
// usable id (the step cannot be referred to), and the line of the id.
func (p *parser) parseStep(l *Lesson, file string, data []byte) (*Step, int) {
	front, body, err := splitFrontMatter(data)
	if err != nil {
		p.problem(file, 1, "%s", err)
		return nil, 0
	}
	var meta stepMeta
	doc, problems, ok := decodeYAML(file, front, 1, &meta)
	p.problems = append(p.problems, problems...)
	if !ok {
		return nil, 0
	}
	s := &Step{
		ID:           strings.TrimSpace(meta.ID),
		Title:        strings.TrimSpace(meta.Title),
		Body:         body,
		Lesson:       l,
		Disruptive:   meta.Disruptive,
		Hints:        meta.Hints,
		Solution:     meta.Solution,
		Cleanup:      meta.Cleanup,
		Wrong:        meta.Wrong,
		Unsolved:     meta.Unsolved,
		Resources:    meta.Resources,
		Starter:      meta.Starter,
		Requires:     meta.Requires,
		SupersededBy: meta.Superseded,
		Setup:        meta.Setup,
		FixAfterHint: meta.Fix == FixAfterHint,
		SourcePath:   file,
		hash:         stepHasher{front: string(front), body: body},
	}
	idLine := doc.line("id")
	switch {
	case s.ID == "":
		p.problem(file, idLine, "step has no id")
		return nil, 0
	case !slug.MatchString(s.ID):
		p.problem(file, idLine, "step id %q is not a slug (use a-z, 0-9 and -)", s.ID)
	case slices.Contains(reservedTags, s.ID):
		p.problem(file, idLine, "step id %q is reserved: @%s is a scenario tag with a meaning of its own", s.ID, s.ID)
		return nil, 0
	}
	if s.Title == "" {
		p.problem(file, doc.line("title"), "step has no title")
	}
	if len(s.Body) == 0 {
		p.problem(file, 0, "step has no instructions: write them below the front matter")
	}
	p.checkList(file, doc, "hints", s.Hints, "step has no hint", "hint")
	p.checkList(file, doc, "solution", s.Solution, "step has no solution: list the commands a learner would type", "solution command")
	p.checkList(file, doc, "cleanup", s.Cleanup, "", "cleanup command")
	p.checkList(file, doc, "setup", s.Setup, "", "setup command")
	switch meta.Fix {
	case "", FixShown, FixAfterHint:
	default:
		p.problem(file, doc.line("fix"), "fix: %q is not a choice: use %s (the default: a failure's fix line is printed) or %s (printed once the learner has asked for a hint)", meta.Fix, FixShown, FixAfterHint)
	}
	for i, name := range s.Starter {
		if !workspacePath(name) {
			p.problem(file, doc.line("starter", i), "starter: %q must be a relative path inside the workspace", name)
		}
	}

	if len(s.Wrong) == 0 {
		p.problem(file, doc.line("wrong"), "step has no wrong state: name at least one mistake the check must reject")
	}
	var names []string
	for i, w := range s.Wrong {
		line := doc.line("wrong", i)
		label := fmt.Sprintf("wrong state %d", i+1)
		switch {
		case w.Name == "":
			p.problem(file, line, "%s has no name", label)
		case !slug.MatchString(w.Name):
			p.problem(file, doc.line("wrong", i, "name"), "wrong state name %q is not a slug (use a-z, 0-9 and -)", w.Name)
		case slices.Contains(names, w.Name):
			p.problem(file, doc.line("wrong", i, "name"), "duplicate wrong state name %q", w.Name)
		}
		if w.Name != "" {
			label = fmt.Sprintf("wrong state %q", w.Name)
			names = append(names, w.Name)
		}
		switch {
		case strings.TrimSpace(w.Expect) == "" && w.Code == "":
			p.problem(file, line, "%s has no code or expect: name the failure code the check must give (lab lessons steps lists them), or the text it must print", label)
		case w.Code != "" && !failureCode.MatchString(w.Code):
			p.problem(file, doc.line("wrong", i, "code"), "%s: code %q is not a failure code (kebab-case, like restart-loop; lab lessons steps lists them)", label, w.Code)
		}
		for j, cmd := range w.Setup {
			if strings.TrimSpace(cmd) == "" {
				p.problem(file, doc.line("wrong", i, "setup", j), "%s: setup command %d is empty", label, j+1)
			}
		}
		p.checkEnv(file, doc.line("wrong", i, "env"), label, w.Env)
	}
	for j, cmd := range s.Unsolved.Setup {
		if strings.TrimSpace(cmd) == "" {
			p.problem(file, doc.line("unsolved", "setup", j), "unsolved: setup command %d is empty", j+1)
		}
	}
	p.checkEnv(file, doc.line("unsolved", "env"), "unsolved", s.Unsolved.Env)
	p.checkResources(file, doc, s.Resources)
	return s, idLine
}

// checkList reports an empty required list (when missing is set) and blank
// entries.
func (p *parser) checkList(file string, doc yamlDoc, key string, items []string, missing, item string) {
	if len(items) == 0 && missing != "" {
		p.problem(file, doc.line(key), "%s", missing)
	}
	for i, it := range items {
		if strings.TrimSpace(it) == "" {
			p.problem(file, doc.line(key, i), "%s %d is empty", item, i+1)
		}
	}
}

func (p *parser) checkEnv(file string, line int, label string, env map[string]string) {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !envName.MatchString(k) {
			p.problem(file, line, "%s: %q is not an environment variable name", label, k)
		}
	}
}

func (p *parser) checkResources(file string, doc yamlDoc, r Resources) {
	for _, kind := range []struct {
		key   string
		names []string
	}{
		{"containers", r.Containers}, {"containers_from", r.ContainersFrom}, {"images", r.Images},
		{"volumes", r.Volumes}, {"networks", r.Networks}, {"files", r.Files}, {"kubernetes", r.Kubernetes},
		{"clusters", r.Clusters},
	} {
		for i, name := range kind.names {
			line := doc.line("resources", kind.key, i)
			switch {
			case strings.TrimSpace(name) == "":
				p.problem(file, line, "resources: %s entry %d is empty", kind.key, i+1)
			case kind.key == "files" && !workspacePath(name):
				p.problem(file, line, "resources: file %q must be a relative path inside the workspace", name)
			case kind.key == "kubernetes":
				if msg := checkKubernetesObject(name); msg != "" {
					p.problem(file, line, "resources: kubernetes %q: %s", name, msg)
				}
			}
		}
	}
}

// kubeName is a Kubernetes object name (a DNS subdomain).
var kubeName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// checkKubernetesObject says what is wrong with a "kind/name" resource, or
// "" when nothing is.
func checkKubernetesObject(ref string) string {
	kind, name, ok := strings.Cut(ref, "/")
	switch {
	case !ok || name == "":
		return "want kind/name, for example deployment/lab-app"
	case !slices.Contains(KubernetesKinds, kind):
		msg := fmt.Sprintf("kind %q is not one lab looks for (%s)", kind, strings.Join(KubernetesKinds, ", "))
		if near := closest(kind, KubernetesKinds); near != "" {
			msg = fmt.Sprintf("kind %q is not one lab looks for; did you mean %q?", kind, near)
		}
		return msg
	case len(name) > 253 || !kubeName.MatchString(name):
		return fmt.Sprintf("%q is not a Kubernetes object name (lower-case letters, digits, - and .)", name)
	}
	return ""
}

// workspacePath reports whether name stays inside the workspace and is not
// the workspace itself, since reset deletes these paths.
func workspacePath(name string) bool {
	clean := path.Clean(name)
	return clean != "." && fs.ValidPath(clean) && !strings.Contains(name, `\`)
}

// checkRequires makes sure every step a step requires exists in an earlier
// lesson: selftest solves those first, so a later one could never be ready.
func (p *parser) checkRequires() {
	for _, l := range p.course.Lessons {
		for _, s := range l.Steps {
			for _, ref := range s.Requires {
				r, err := p.course.Find(ref)
				switch {
				case err != nil:
					p.problem(s.SourcePath, 0, "requires %q: %v", ref, err)
				case r.Lesson.Index >= l.Index:
					p.problem(s.SourcePath, 0, "requires %q: only a step of an earlier lesson can be required (steps of the same lesson are solved in order anyway)", ref)
				}
			}
			for _, ref := range s.SupersededBy {
				r, err := p.course.Find(ref)
				switch {
				case err != nil:
					p.problem(s.SourcePath, 0, "superseded_by %q: %v", ref, err)
				case r.Lesson.Index < l.Index || (r.Lesson == l && r.Index <= s.Index):
					p.problem(s.SourcePath, 0, "superseded_by %q: only a later step can undo this step's outcome", ref)
				}
			}
		}
	}
}
