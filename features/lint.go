package features

import (
	"bytes"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/lab-workshop/lab/internal/suggest"
	"github.com/lab-workshop/lab/lessons"
)

// needsEarlier maps each check that works on what an earlier sentence of
// its scenario found ("its ...", "it ...", "that ...") to the checks that
// find it. Without one of them before it, the check could only fail at
// check time; lint says so first.
var needsEarlier = map[string][]string{
	// An image built from a workspace folder.
	"layersStartWith":     {"imageBuiltFrom"},
	"buildSetsMaintainer": {"imageBuiltFrom"},
	"buildExposes":        {"imageBuiltFrom"},
	"imageFileIs":         {"imageBuiltFrom"},
	"workdirHolds":        {"imageBuiltFrom"},
	"configNonRoot":       {"imageBuiltFrom"},
	"idNonZero":           {"imageBuiltFrom"},
	"smallerThan":         {"imageBuiltFrom"},
	"addsLessThan":        {"layersStartWith"},
	"rebuildWithChange":   {"installsDeps"},
	"depLayerKept":        {"rebuildWithChange"},
	"markerNotInImage":    {"plantAndBuild"},
	// A Compose file, its services and the containers of a project.
	"composeFilePublishes":              {"composeFileValid"},
	"composeFileSetsEnv":                {"composeFileValid"},
	"composeFileDependsOn":              {"composeFileValid"},
	"composeFileRestart":                {"composeFileValid"},
	"composeFileImage":                  {"composeFileValid"},
	"composeFileNamedVolume":            {"composeFileValid"},
	"composeVolumeExists":               {"composeFileNamedVolume"},
	"composeShareNetwork":               {"composeProjectRuns"},
	"composeContainerPublishes":         {"composeProjectRuns"},
	"composeHomePage":                   {"composeProjectRuns"},
	"composeReadPosts":                  {"composeProjectRuns"},
	"composeContainerRestart":           {"composeProjectRuns"},
	"composeContainerSetsEnv":           {"composeProjectRuns"},
	"composeContainerRunsImage":         {"composeProjectRuns"},
	"composeContainerHasLabel":          {"composeProjectRuns"},
	"composeContainerMountsNamedVolume": {"composeProjectRuns"},
	"composeContainerRunsAsNonRoot":     {"composeProjectRuns"},
	"composeCrash":                      {"composeProjectRuns"},
	"composePostsAtLeast":               {"composeReadPosts"},
	"composeListsPosts":                 {"composeReadPosts"},
	"composeBackWithin":                 {"composeCrash"},
	"composeAnswersAgain":               {"composeCrash"},
	// A kind configuration.
	"kindConfigMaps": {"kindConfigFor"},
	// A Deployment and a Service.
	"kubePodLabel":         {"kubeDeploymentExists", "kubeDeploymentAvailable", "kubeRolloutOf", "kubeDeploymentEnv"},
	"kubeImageOffline":     {"kubeDeploymentExists", "kubeDeploymentAvailable", "kubeRolloutOf", "kubeDeploymentEnv"},
	"kubeWants":            {"kubeDeploymentExists", "kubeDeploymentAvailable", "kubeRolloutOf", "kubeDeploymentEnv"},
	"kubeRolloutCompletes": {"kubeDeploymentExists", "kubeDeploymentAvailable", "kubeRolloutOf", "kubeDeploymentEnv"},
	"kubeServiceType":      {"kubeServiceExists"},
	"kubeServicePort":      {"kubeServiceExists"},
	"kubeServiceNodePort":  {"kubeServiceExists"},
	"kubeServiceEndpoints": {"kubeServiceExists"},
	"kubeHealed":           {"kubeDeletePod"},
	// A container that exited, a MongoDB server and its documents.
	"logContains":               {"containerExited"},
	"collectionHolds":           {"mongoAnswers"},
	"createdAfterFirstDocument": {"collectionHolds"},
}

// defName is the name of the function a step definition calls, the key of
// needsEarlier.
func defName(d stepDef) string {
	name := runtime.FuncForPC(reflect.ValueOf(d.Fn).Pointer()).Name()
	return strings.TrimSuffix(name[strings.LastIndex(name, ".")+1:], "-fm")
}

// lintRuleSentence is the function of the sentence that names Dockerfile
// lint rules; lint checks the rule ids it names.
const lintRuleSentence = "passesLint"

// Lint finds Gherkin steps no definition matches (undefined, with the
// nearest sentence lab knows), steps more than one definition matches
// (ambiguous), sentences that need an earlier sentence of their scenario
// to give them a subject and have none, unknown lint rule ids, and wrong
// states naming a failure code no check of their step gives. When unused is
// true it also reports definitions no lesson uses.
func Lint(course *lessons.Course, unused bool) []lessons.Problem {
	defs := (&world{}).definitions()
	exprs := make([]*regexp.Regexp, len(defs))
	names := make([]string, len(defs))
	for i, d := range defs {
		exprs[i], names[i] = regexp.MustCompile(d.Expr), defName(d)
	}
	used := make([]bool, len(defs))
	codes := map[string][]string{} // step tag -> codes its scenarios can give
	var problems []lessons.Problem
	for _, l := range course.Lessons {
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(l.Feature), (&messages.Incrementing{}).NewId)
		if err != nil || doc.Feature == nil {
			continue // the loader reports parse errors
		}
		var background []*messages.Step
		for _, child := range doc.Feature.Children {
			if child.Background != nil {
				background = append(background, child.Background.Steps...)
			}
		}
		for _, child := range doc.Feature.Children {
			if child.Scenario == nil {
				continue
			}
			found := map[string]bool{} // functions of the sentences so far
			var given []string
			for _, st := range slices.Concat(background, child.Scenario.Steps) {
				problem := func(format string, args ...any) {
					problems = append(problems, lessons.Problem{File: l.FeaturePath, Line: int(st.Location.Line), Msg: fmt.Sprintf(format, args...)})
				}
				var hits []int
				for i, re := range exprs {
					if re.MatchString(st.Text) {
						hits = append(hits, i)
					}
				}
				switch len(hits) {
				case 0:
					problem("undefined step %q: no step definition matches it%s", st.Text, nearestSentence(defs, st.Text))
					continue
				case 1:
				default:
					problem("ambiguous step %q: %d step definitions match it", st.Text, len(hits))
					continue
				}
				i := hits[0]
				used[i] = true
				if need, ok := needsEarlier[names[i]]; ok && !slices.ContainsFunc(need, func(n string) bool { return found[n] }) {
					problem("step %q needs an earlier step in its scenario that gives it its subject; put one of these before it: %s",
						st.Text, strings.Join(examplesOf(defs, names, need), "; "))
				}
				if names[i] == lintRuleSentence {
					if _, err := ruleList(exprs[i].FindStringSubmatch(st.Text)[2]); err != nil {
						problem("step %q: %v", st.Text, err)
					}
				}
				found[names[i]] = true
				given = append(given, defs[i].Codes...)
			}
			for _, tag := range child.Scenario.Tags {
				codes[tag.Name] = append(codes[tag.Name], given...)
			}
		}
	}
	for _, s := range course.Steps() {
		for _, w := range s.Wrong {
			switch {
			case w.Code == "":
			case !KnownCode(w.Code):
				problems = append(problems, lessons.Problem{File: s.SourcePath,
					Msg: fmt.Sprintf("wrong state %q: no check gives the code %q%s; lab lessons steps lists the codes", w.Name, w.Code, nearestCode(w.Code))})
			case len(codes[s.Tag()]) > 0 && !slices.Contains(codes[s.Tag()], w.Code):
				problems = append(problems, lessons.Problem{File: s.SourcePath,
					Msg: fmt.Sprintf("wrong state %q: no sentence of the scenarios tagged %s gives the code %q; they give %s", w.Name, s.Tag(), w.Code, strings.Join(sortedSet(codes[s.Tag()]), ", "))})
			}
		}
	}
	problems = append(problems, lintPaths(course)...)
	if unused {
		open := openExprs()
		for i, u := range used {
			if !u && !open[defs[i].Expr] {
				problems = append(problems, lessons.Problem{File: "features", Msg: fmt.Sprintf("unused step definition %s", exprs[i])})
			}
		}
	}
	return problems
}

// LintStarter reports starter paths of the course's steps that are not in
// its starter assets: the step would show with files missing.
func LintStarter(course *lessons.Course, assets fs.FS) []lessons.Problem {
	var problems []lessons.Problem
	for _, s := range course.Steps() {
		for _, p := range s.Starter {
			if _, err := fs.Stat(assets, p); err != nil {
				problems = append(problems, lessons.Problem{File: s.SourcePath,
					Msg: fmt.Sprintf("starter %q is not in the course's %s/ folder: add it there or remove it from starter:", p, lessons.AssetsDir)})
			}
		}
	}
	return problems
}

// quoted and number stand for a sentence's arguments when lint compares an
// undefined sentence with the known ones: the words matter, not the values.
var (
	quoted = regexp.MustCompile(`"[^"]*"`)
	number = regexp.MustCompile(`\b\d+(\.\d+)*\b`)
	urlArg = regexp.MustCompile(`\bhttps?://\S+`)
)

func shape(s string) string {
	s = urlArg.ReplaceAllString(s, "URL")
	s = quoted.ReplaceAllString(s, `""`)
	return number.ReplaceAllString(s, "N")
}

// nearestSentence is the "did you mean" part for an undefined sentence: the
// known sentence whose words are nearest, when it is near enough to be the
// one meant.
func nearestSentence(defs []stepDef, text string) string {
	best, bestDist := -1, 0
	want := shape(text)
	for i, d := range defs {
		if dist := suggest.Distance(want, shape(d.Example)); best < 0 || dist < bestDist {
			best, bestDist = i, dist
		}
	}
	if best < 0 || bestDist > len(want)/3+2 {
		return "; lab lessons steps lists every sentence"
	}
	return fmt.Sprintf("; did you mean %s (for example: %s)?",
		strings.TrimSuffix(strings.TrimPrefix(defs[best].Expr, "^"), "$"), defs[best].Example)
}

func nearestCode(code string) string {
	best, bestDist := "", 0
	for _, c := range FailureCodes {
		if d := suggest.Distance(code, c.Code); best == "" || d < bestDist {
			best, bestDist = c.Code, d
		}
	}
	if bestDist > len(code)/2 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// examplesOf gives the example sentences of the definitions with the given
// function names, for a message that says what to write.
func examplesOf(defs []stepDef, names []string, want []string) []string {
	var out []string
	for i, d := range defs {
		if slices.Contains(want, names[i]) {
			out = append(out, d.Example)
		}
	}
	return out
}

func sortedSet(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}
