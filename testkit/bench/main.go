// Command bench measures lab on this machine against its targets: start-up
// of `lab list`, `lab show` and `lab hint` beside `docker --version`, the
// binary's size, `lab verify` over lessons 1–4 on a solved machine (and how
// much of that is lab versus waiting on the engine, HTTP and commands), how
// fast a check of an absent object fails, the first check after a change on
// the build-based steps, and peak memory. `make bench` runs
// it; it needs a Docker engine and the images the lessons use, except with
// -startup, which measures start-up alone and needs no engine.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/assets"
	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

func main() {
	lab := flag.String("lab", "bin/lab", "the lab binary to measure")
	runs := flag.Int("runs", 5, "runs of each lab verify measurement")
	listRuns := flag.Int("startup-runs", 30, "runs of each start-up measurement")
	scope := flag.String("scope", "docker-setup,containers,dockerfiles,volumes", "lessons to verify, comma-separated")
	startupOnly := flag.Bool("startup", false, "measure start-up only (no engine needed)")
	flag.Parse()
	if *startupOnly {
		if err := startup(*lab, *listRuns); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := startup(*lab, *listRuns); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if err := run(*lab, strings.Split(*scope, ","), *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type sample struct {
	wall   time.Duration
	rssKiB int64
	timing string
	code   int
	stdout []byte
}

func run(lab string, scopes []string, runs int) error {
	lab, err := filepath.Abs(lab)
	if err != nil {
		return err
	}
	course, err := lessons.Load(lessons.Content(), features.Files())
	if err != nil {
		return err
	}
	var present []string
	for _, s := range scopes {
		if course.Lesson(s) != nil {
			present = append(present, s)
		} else {
			fmt.Printf("note: lesson %q is not in the course yet; measuring without it\n", s)
		}
	}
	steps, err := course.Select(present...)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "lab-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ws := filepath.Join(dir, "ws")
	env := append(os.Environ(), "LAB_HOME="+filepath.Join(dir, "home"), "LAB_WORKSPACE="+ws, "NO_COLOR=1", "LAB_TIMING=1")
	ctx := context.Background()
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return err
	}

	sh := func(cmds []string) error {
		for _, c := range cmds {
			if out, err := sandbox.Run(ctx, ws, env, c); err != nil {
				return fmt.Errorf("%s: %w\n%s", c, err, out)
			}
		}
		return nil
	}
	cleanup := func() {
		for i := len(steps) - 1; i >= 0; i-- {
			_ = sh(steps[i].Cleanup)
		}
	}
	cleanup()
	defer cleanup()

	// 1. A check of an absent object, on the unsolved machine.
	var absent *lessons.Step
	for _, s := range steps {
		if len(s.Resources.Containers)+len(s.Resources.Images) > 0 {
			absent = s
			break
		}
	}
	var absentSamples []sample
	if absent != nil {
		for i := 0; i < runs; i++ {
			absentSamples = append(absentSamples, measure(lab, env, "verify", absent.Key()))
		}
	}

	// 2. Solve every selected step, then verify them all.
	fmt.Fprintf(os.Stderr, "solving %d steps...\n", len(steps))
	for _, s := range steps {
		if len(s.Starter) > 0 {
			if _, _, err := sandbox.CopyStarter(assets.FS(), s.Starter, ws); err != nil {
				return err
			}
		}
		if err := sh(s.Solution); err != nil {
			return fmt.Errorf("solving %s: %w", s.Key(), err)
		}
	}
	var verify []sample
	for i := 0; i < runs; i++ {
		smp := measure(lab, env, append([]string{"verify", "--format", "json"}, present...)...)
		if smp.code != 0 {
			return fmt.Errorf("lab verify on the solved machine exited %d; run it by hand to see why", smp.code)
		}
		verify = append(verify, smp)
	}

	// 3. The first check after a change on the build-based steps: each run
	// edits the build context first, as a learner does, so nothing the lab
	// worked out for the last check still holds.
	changed, err := firstAfterChange(lab, env, ws, steps, runs)
	if err != nil {
		return err
	}

	fmt.Println()
	fmt.Printf("lab bench — %s, %d steps in %s\n", time.Now().UTC().Format(time.RFC3339), len(steps), strings.Join(present, ", "))
	report := func(name string, ss []sample, target time.Duration, rssTarget int64) {
		walls := make([]time.Duration, len(ss))
		var peak int64
		for i, s := range ss {
			walls[i] = s.wall
			peak = max(peak, s.rssKiB)
		}
		slices.Sort(walls)
		med := walls[len(walls)/2]
		verdict := "ok"
		if med > target {
			verdict = "OVER TARGET"
		}
		fmt.Printf("%-34s median %8s  min %8s  max %8s  (target ≤ %s: %s)  peak RSS %.1f MiB\n",
			name, med.Round(100*time.Microsecond), walls[0].Round(100*time.Microsecond), walls[len(walls)-1].Round(100*time.Microsecond),
			target, verdict, float64(peak)/1024)
		if rssTarget > 0 && peak > rssTarget {
			fmt.Printf("%-34s peak RSS %.1f MiB is OVER the %d MiB target\n", "", float64(peak)/1024, rssTarget/1024)
		}
	}
	if absent != nil {
		report("verify "+absent.Key()+" (absent)", absentSamples, 500*time.Millisecond, 80*1024)
	}
	report("verify lessons 1-4 (solved)", verify, 2*time.Second, 80*1024)
	for _, c := range changed {
		report("first check after a change: "+c.step, c.samples, 3*time.Second, 0)
	}
	last := verify[len(verify)-1]
	fmt.Printf("%-34s %s\n", "where verify's time went (last run)", last.timing)
	fmt.Printf("%-34s %s\n", "slowest steps (last run)", slowest(last.stdout, 5))
	return nil
}

// stepTime is one step of a `lab verify --format json` report.
type stepTime struct {
	Step       string `json:"step"`
	DurationMS int64  `json:"duration_ms"`
}

// slowest names the n steps of a `lab verify --format json` report that
// took longest.
func slowest(report []byte, n int) string {
	var rep struct {
		Steps []stepTime `json:"steps"`
	}
	if err := json.Unmarshal(report, &rep); err != nil {
		return "(no JSON report: " + err.Error() + ")"
	}
	slices.SortFunc(rep.Steps, func(a, b stepTime) int { return int(b.DurationMS - a.DurationMS) })
	var parts []string
	for _, st := range rep.Steps[:min(n, len(rep.Steps))] {
		parts = append(parts, fmt.Sprintf("%s %dms", st.Step, st.DurationMS))
	}
	return strings.Join(parts, ", ")
}

var timingLine = regexp.MustCompile(`(?m)^timing: (.*)$`)

// measure runs lab once and records its wall time, peak RSS and timing line.
func measure(lab string, env []string, args ...string) sample {
	cmd := exec.Command(lab, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	s := sample{wall: time.Since(start), stdout: stdout.Bytes()}
	if err != nil {
		s.code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			s.code = ee.ExitCode()
		}
	}
	s.rssKiB = peakRSSKiB(cmd.ProcessState)
	if m := timingLine.FindSubmatch(stderr.Bytes()); m != nil {
		s.timing = string(m[1])
	}
	return s
}

// Start-up targets for the commands a learner runs most and completion calls.
const (
	startupTarget    = 20 * time.Millisecond
	startupRSSTarget = 30 * 1024 // KiB
	binaryTarget     = 60e6      // bytes
)

// startup measures `lab list`, `lab show` and `lab hint` against `docker
// --version`, which the machine's noise affects alike, so the ratio is the
// steadier figure. The runs interleave, so a burst of load hits all alike.
func startup(lab string, runs int) error {
	lab, err := filepath.Abs(lab)
	if err != nil {
		return err
	}
	fi, err := os.Stat(lab)
	if err != nil {
		return fmt.Errorf("no lab binary to measure: %w; run make build", err)
	}
	dir, err := os.MkdirTemp("", "lab-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := append(os.Environ(), "LAB_HOME="+filepath.Join(dir, "home"), "LAB_WORKSPACE="+filepath.Join(dir, "ws"),
		"NO_COLOR=1", "DOCKER_HOST=unix://"+filepath.Join(dir, "no-engine.sock"))
	type probe struct {
		name string
		bin  string
		args []string
		env  []string // nil: env
	}
	probes := []probe{
		{"docker --version", "", []string{"--version"}, nil},
		{"lab list", lab, []string{"list"}, nil},
		{"lab show", lab, []string{"show"}, nil},
		{"lab hint", lab, []string{"hint"}, nil},
	}
	// godog's package init runs "go env GOTOOLDIR" whenever a go command is
	// on PATH; internal/startenv keeps it from finding one. A learner's
	// machine rarely has Go; this run shows lab's start-up there, and that
	// having Go costs nothing.
	if noGo, had := withoutGo(env); had {
		probes = append(probes, probe{"lab list, no Go", lab, []string{"list"}, noGo})
	}
	if docker, err := exec.LookPath("docker"); err == nil {
		probes[0].bin = docker
	} else {
		fmt.Println("note: no docker CLI on PATH; start-up is measured without the comparison")
		probes = probes[1:]
	}
	samples := make([][]sample, len(probes))
	for i := 0; i < runs; i++ {
		for j, p := range probes {
			e := env
			if p.env != nil {
				e = p.env
			}
			s := measure(p.bin, e, p.args...)
			if s.code != 0 {
				return fmt.Errorf("%s exited %d", p.name, s.code)
			}
			samples[j] = append(samples[j], s)
		}
	}
	median := func(ss []sample) (time.Duration, int64) {
		walls := make([]time.Duration, len(ss))
		var peak int64
		for i, s := range ss {
			walls[i] = s.wall
			peak = max(peak, s.rssKiB)
		}
		slices.Sort(walls)
		return walls[len(walls)/2], peak
	}
	var base time.Duration
	if probes[0].bin != lab {
		base, _ = median(samples[0])
	}
	fmt.Printf("start-up, median of %d runs each (targets: ≤ %s, peak RSS ≤ %d MiB)\n", runs, startupTarget, startupRSSTarget/1024)
	for j, p := range probes {
		med, peak := median(samples[j])
		line := fmt.Sprintf("  %-18s median %8s  peak RSS %5.1f MiB", p.name, med.Round(100*time.Microsecond), float64(peak)/1024)
		if p.bin == lab {
			if base > 0 {
				line += fmt.Sprintf("  %.1f× docker", float64(med)/float64(base))
			}
			var over []string
			if med > startupTarget {
				over = append(over, "time")
			}
			if peak > startupRSSTarget {
				over = append(over, "RSS")
			}
			if over != nil {
				line += "  OVER TARGET (" + strings.Join(over, ", ") + ")"
			} else {
				line += "  ok"
			}
		}
		fmt.Println(line)
	}
	verdict := "ok"
	if fi.Size() > binaryTarget {
		verdict = "OVER TARGET"
	}
	fmt.Printf("  %-18s %.1f MB (target ≤ %d MB: %s)\n", "binary size", float64(fi.Size())/1e6, int(binaryTarget/1e6), verdict)
	return initCosts(lab, env, min(runs, 10))
}

// withoutGo returns env with the folders that hold a go command taken out
// of PATH, and whether there were any.
func withoutGo(env []string) ([]string, bool) {
	out := make([]string, 0, len(env))
	had := false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			var keep []string
			for _, dir := range filepath.SplitList(v) {
				if _, err := exec.LookPath(filepath.Join(dir, "go")); err == nil {
					had = true
					continue
				}
				keep = append(keep, dir)
			}
			kv = "PATH=" + strings.Join(keep, string(filepath.ListSeparator))
		}
		out = append(out, kv)
	}
	return out, had
}

// initLine is one line of GODEBUG=inittrace=1:
// "init PKG @T ms, C ms clock, B bytes, A allocs".
var initLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes, ([0-9]+) allocs`)

// initCosts runs `lab list` with GODEBUG=inittrace=1 and prints where
// package initialisation goes, by module: every command pays it before
// main runs, so it is the floor of lab's start-up. Clock times follow the
// machine's load; bytes and allocations do not.
func initCosts(lab string, env []string, runs int) error {
	type cost struct {
		ms            float64
		bytes, allocs int64
	}
	byModule := map[string]*cost{}
	var total cost
	for range runs {
		cmd := exec.Command(lab, "list")
		cmd.Env = append(env, "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("lab list with GODEBUG=inittrace=1: %w", err)
		}
		for _, line := range strings.Split(stderr.String(), "\n") {
			m := initLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			var c cost
			fmt.Sscan(m[2], &c.ms)
			fmt.Sscan(m[3], &c.bytes)
			fmt.Sscan(m[4], &c.allocs)
			mod := moduleOf(m[1])
			if byModule[mod] == nil {
				byModule[mod] = &cost{}
			}
			for _, t := range []*cost{byModule[mod], &total} {
				t.ms += c.ms / float64(runs)
				t.bytes += c.bytes / int64(runs)
				t.allocs += c.allocs / int64(runs)
			}
		}
	}
	mods := make([]string, 0, len(byModule))
	for m := range byModule {
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b string) int { return int(byModule[b].ms*1000 - byModule[a].ms*1000) })
	fmt.Printf("package init of lab list (GODEBUG=inittrace=1, mean of %d runs): %.1f ms, %.1f MiB in %d allocations\n",
		runs, total.ms, float64(total.bytes)/(1<<20), total.allocs)
	for i, m := range mods {
		if i == 10 {
			break
		}
		c := byModule[m]
		fmt.Printf("  %-45s %6.1f ms %7.2f MiB %7d allocs\n", m, c.ms, float64(c.bytes)/(1<<20), c.allocs)
	}
	if own := byModule["github.com/lab-workshop/lab"]; own != nil {
		fmt.Printf("  of which lab's own packages: %.1f ms\n", own.ms)
	}
	return nil
}

// changeSteps are the build-based steps whose first check after a change
// is measured, with the build context a change is made in.
var changeSteps = []struct{ step, context string }{
	{"dockerfiles/layer-cache", "app"},
	{"dockerfiles/dockerignore", "app"},
}

type changedSamples struct {
	step    string
	samples []sample
}

// firstAfterChange measures `lab verify STEP` right after a comment line is
// added to the context's .dockerignore, for each of changeSteps that was
// solved; the file is put back as it was afterwards.
func firstAfterChange(lab string, env []string, ws string, steps []*lessons.Step, runs int) ([]changedSamples, error) {
	var out []changedSamples
	for _, c := range changeSteps {
		if !slices.ContainsFunc(steps, func(s *lessons.Step) bool { return s.Key() == c.step }) {
			continue
		}
		ignore := filepath.Join(ws, c.context, ".dockerignore")
		orig, err := os.ReadFile(ignore)
		if err != nil {
			return nil, fmt.Errorf("measuring %s after a change: %w", c.step, err)
		}
		cs := changedSamples{step: c.step}
		for i := 0; i < runs; i++ {
			edit := append(slices.Clone(orig), fmt.Sprintf("# lab bench change %d %d\n", i, time.Now().UnixNano())...)
			if err := os.WriteFile(ignore, edit, 0o644); err != nil {
				return nil, err
			}
			smp := measure(lab, env, "verify", c.step)
			if smp.code != 0 {
				_ = os.WriteFile(ignore, orig, 0o644)
				return nil, fmt.Errorf("lab verify %s after a change exited %d; run it by hand to see why", c.step, smp.code)
			}
			cs.samples = append(cs.samples, smp)
		}
		if err := os.WriteFile(ignore, orig, 0o644); err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, nil
}

// moduleOf shortens a package path to its module, near enough for a
// report: lab's own packages, the standard library, and the first three
// path elements of the rest (two for golang.org/x and gopkg.in).
func moduleOf(pkg string) string {
	parts := strings.Split(pkg, "/")
	switch {
	case strings.HasPrefix(pkg, "github.com/lab-workshop/lab"):
		return "github.com/lab-workshop/lab"
	case !strings.Contains(parts[0], "."):
		return "std"
	case len(parts) >= 3 && (parts[0] == "golang.org" || parts[0] == "k8s.io" || parts[0] == "sigs.k8s.io" || parts[0] == "google.golang.org" || parts[0] == "modernc.org" || parts[0] == "go.yaml.in"):
		return strings.Join(parts[:2], "/")
	case len(parts) >= 3:
		return strings.Join(parts[:3], "/")
	}
	return pkg
}
