package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/progress"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// toolVersions are the versions found on the machine of the tools a course
// declares tested ranges for, as each tool prints them ("Client Version:
// v1.37.2" will do); a tool that was not found is absent.
type toolVersions map[lessons.Tool]string

// toolInfo is how the findings name a tool, and what to do about a
// version outside a range (%s is the range).
var toolInfo = map[lessons.Tool]struct{ name, fix string }{
	lessons.ToolEngineAPI:  {"the Docker engine's API", "use a Docker release whose engine API is %s (docker version shows it): https://docs.docker.com/engine/install/ (Docker Desktop: https://docs.docker.com/desktop/release-notes/)"},
	lessons.ToolCompose:    {"docker compose", "install Compose %s: https://docs.docker.com/compose/install/ (Docker Desktop brings it)"},
	lessons.ToolKind:       {"kind", "install kind %s: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"},
	lessons.ToolKubectl:    {"kubectl", "install kubectl %s: https://kubernetes.io/docs/tasks/tools/"},
	lessons.ToolKubernetes: {"the cluster's Kubernetes", "create the cluster again with a node image of Kubernetes %s (kind's release notes list them): lab cluster down, then lab cluster up --image kindest/node:vX.Y.Z"},
}

// testedRange is one range a course declares for a tool, with the lessons
// it holds for ("" for every lesson).
type testedRange struct {
	rng     lessons.VersionRange
	lessons []string
}

// courseRanges gathers each tool's distinct ranges over the course's
// lessons, so doctor reports a range once with the lessons it holds for.
func courseRanges(c *lessons.Course) map[lessons.Tool][]testedRange {
	out := map[lessons.Tool][]testedRange{}
	for _, l := range c.Lessons {
		for _, tool := range lessons.Tools {
			r, ok := l.Tested[tool]
			if !ok {
				continue
			}
			i := slices.IndexFunc(out[tool], func(t testedRange) bool { return t.rng.String() == r.String() })
			if i < 0 {
				out[tool] = append(out[tool], testedRange{rng: r})
				i = len(out[tool]) - 1
			}
			out[tool][i].lessons = append(out[tool][i].lessons, l.ID)
		}
	}
	for tool, rs := range out {
		for i := range rs {
			if len(rs[i].lessons) == len(c.Lessons) {
				rs[i].lessons = nil // every lesson
			}
		}
		out[tool] = rs
	}
	return out
}

// rangeFinding compares the version a tool printed with one tested range.
// who names the lessons the range holds for ("" for the whole course).
func rangeFinding(tool lessons.Tool, have string, r lessons.VersionRange, who string) finding {
	info := toolInfo[tool]
	v := lessons.FindVersion(have)
	fix := fmt.Sprintf(info.fix, r)
	where, ok := r.Where(have)
	scope := "the course was"
	switch {
	case strings.Contains(who, ","):
		scope = "lessons " + who + " were"
	case who != "":
		scope = "the lesson " + who + " was"
	}
	switch {
	case !ok:
		return finding{"warn", fmt.Sprintf("%s: cannot read a version from %q to compare with the versions %s tested with (%s)", info.name, have, scope, r), fix}
	case where < 0:
		return finding{"warn", fmt.Sprintf("%s %s is older than the versions %s tested with (%s)", info.name, v, scope, r), fix}
	case where > 0:
		return finding{"warn", fmt.Sprintf("%s %s is newer than the versions %s tested with (%s)", info.name, v, scope, r),
			"it may well work; if a check fails for no reason you can see, " + fix + ", and tell the course's authors what lab doctor prints"}
	}
	return finding{"ok", fmt.Sprintf("%s %s is in the range %s tested with (%s)", info.name, v, scope, r), ""}
}

// testedFindings compares the tools found with every range the course
// declares; a tool that was not found is left to the doctor's own lines.
func testedFindings(c *lessons.Course, have toolVersions) []finding {
	var fs []finding
	ranges := courseRanges(c)
	for _, tool := range lessons.Tools {
		v, ok := have[tool]
		if !ok {
			continue
		}
		for _, r := range ranges[tool] {
			fs = append(fs, rangeFinding(tool, v, r.rng, strings.Join(r.lessons, ", ")))
		}
	}
	return append(fs, skewFindings(have)...)
}

// lessonFindings are the warnings for one lesson: each of its tools found
// outside the lesson's range, and kubectl too far from the cluster. A
// range the lesson shares with the whole course is only compared when
// withCourse is set, so that a warning about it comes once a course, not
// once a lesson.
func lessonFindings(l *lessons.Lesson, have toolVersions, withCourse bool) []finding {
	var fs []finding
	for _, tool := range lessons.Tools {
		r, declared := l.Tested[tool]
		v, found := have[tool]
		if !declared || !found {
			continue
		}
		who := l.ID
		if cr, ok := l.Course.Tested[tool]; ok && cr.String() == r.String() {
			if !withCourse {
				continue
			}
			who = ""
		}
		if f := rangeFinding(tool, v, r, who); f.level != "ok" {
			fs = append(fs, f)
		}
	}
	for _, f := range skewFindings(have) {
		if f.level != "ok" {
			fs = append(fs, f)
		}
	}
	return fs
}

// skewFindings applies kubectl's version-skew policy: kubectl is supported
// within one minor version of the API server, older or newer.
func skewFindings(have toolVersions) []finding {
	client, server := have[lessons.ToolKubectl], have[lessons.ToolKubernetes]
	if client == "" || server == "" {
		return nil
	}
	cv, sv := lessons.FindVersion(client), lessons.FindVersion(server)
	cmaj, cmin, ok1 := majorMinor(cv)
	smaj, smin, ok2 := majorMinor(sv)
	if !ok1 || !ok2 {
		return nil
	}
	if cmaj == smaj && cmin >= smin-1 && cmin <= smin+1 {
		return []finding{{"ok", fmt.Sprintf("kubectl %s is within one minor version of the cluster's Kubernetes %s", cv, sv), ""}}
	}
	want := fmt.Sprintf("%d.%d", smaj, smin)
	if smin > 0 {
		want = fmt.Sprintf("%d.%d to %d.%d", smaj, smin-1, smaj, smin+1)
	}
	return []finding{{"warn", fmt.Sprintf("kubectl %s is more than one minor version from the cluster's Kubernetes %s; kubectl supports one minor version older or newer than its API server", cv, sv),
		"install kubectl " + want + ": https://kubernetes.io/docs/tasks/tools/"}}
}

func majorMinor(v string) (major, minor int, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// checksKubeContext is the kubeconfig context the checks of course use.
func checksKubeContext(getenv func(string) string, course *lessons.Course) string {
	if c := getenv("LAB_KUBE_CONTEXT"); c != "" {
		return c
	}
	return features.KubeContext(course)
}

// kubeServerVersion asks the cluster the checks of course use for its
// Kubernetes version. absent is set when no such cluster is configured at
// all.
func kubeServerVersion(ctx context.Context, getenv func(string) string, course *lessons.Course) (version, contextName string, absent bool, err error) {
	contextName = checksKubeContext(getenv, course)
	k, err := sandbox.ConnectKube(ctx, getenv, contextName, "")
	if err != nil && course != nil && course.Cluster != nil {
		err = sandbox.WithKindConfig(err, course.Cluster.Config)
	}
	if err != nil {
		return "", contextName, sandbox.IsKubeAbsent(err), err
	}
	v, err := k.ServerVersion()
	return v, contextName, false, err
}

// probeTools asks the machine for the versions of the given tools, for
// lab next's check on entering a lesson. A tool that cannot be asked is
// left out: lab doctor says why. The cluster asked is the one the checks
// of course use.
func probeTools(ctx context.Context, getenv func(string) string, env []string, tools lessons.Tested, course *lessons.Course) toolVersions {
	have := toolVersions{}
	if _, ok := tools[lessons.ToolEngineAPI]; ok {
		if ep, err := sandbox.ResolveEndpoint(getenv); err == nil {
			if e, err := sandbox.Connect(ctx, ep); err == nil {
				if info, err := e.ServerInfo(ctx); err == nil && info.MaxAPIVersion != "" {
					have[lessons.ToolEngineAPI] = info.MaxAPIVersion
				}
				e.Close()
			}
		}
	}
	if _, ok := tools[lessons.ToolCompose]; ok {
		if v, err := sandbox.ComposeVersion(ctx, env); err == nil {
			have[lessons.ToolCompose] = v
		}
	}
	for _, t := range []struct {
		tool lessons.Tool
		args []string
	}{{lessons.ToolKind, []string{"version"}}, {lessons.ToolKubectl, []string{"version", "--client"}}} {
		_, declared := tools[t.tool]
		_, server := tools[lessons.ToolKubernetes]
		if !declared && !(t.tool == lessons.ToolKubectl && server) {
			continue
		}
		if v, err := sandbox.ToolVersion(ctx, env, string(t.tool), t.args...); err == nil {
			have[t.tool] = v
		}
	}
	_, kubectl := tools[lessons.ToolKubectl]
	if _, ok := tools[lessons.ToolKubernetes]; ok || kubectl {
		if v, _, _, err := kubeServerVersion(ctx, getenv, course); err == nil {
			have[lessons.ToolKubernetes] = v
		}
	}
	return have
}

// warnUntested warns, once per lesson, about the learner's tools that are
// outside the versions the lesson was tested with, and about kubectl too
// far from the cluster. It is advice on stderr: it never stops the check,
// and a tool that cannot be asked is left to lab doctor. st is progress as
// last read; which lessons were checked is decided under the lock.
func (ss *session) warnUntested(ctx context.Context, st *progress.State, l *lessons.Lesson, ws string) error {
	if l == nil || len(l.Tested) == 0 || slices.Contains(ss.progress(st).ToolsChecked, l.ID) {
		return nil
	}
	first, withCourse := false, false
	if err := ss.update(func(st *progress.State) error {
		cs := ss.progress(st)
		withCourse = len(cs.ToolsChecked) == 0
		first = cs.CheckTools(l.ID)
		return nil
	}); err != nil || !first {
		return err
	}
	fs := lessonFindings(l, probeTools(ctx, ss.s.Getenv, checkEnv(ws), l.Tested, ss.course), withCourse)
	if len(fs) == 0 {
		return nil
	}
	w := ss.s.Err
	fmt.Fprintf(w, "\nSome of your tools are not the versions the lesson %q was tested with:\n", l.ID)
	for _, f := range fs {
		fmt.Fprintf(w, "! %s\n    fix: %s\n", f.what, f.fix)
	}
	fmt.Fprintln(w, "This comes once; `lab doctor` shows every tool.")
	return nil
}
