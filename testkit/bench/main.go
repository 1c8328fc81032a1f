// Command bench measures lab on this machine against its targets: start-up
// of `lab list`, `lab verify` over lessons 1–4 on a solved machine (and how
// much of that is lab versus waiting on the engine, HTTP and commands), how
// fast a check of an absent object fails, and peak memory. `make bench` runs
// it; it needs a Docker engine and the images the lessons use.
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
	"syscall"
	"time"

	"github.com/lab-workshop/lab/assets"
	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

func main() {
	lab := flag.String("lab", "bin/lab", "the lab binary to measure")
	runs := flag.Int("runs", 5, "runs of each lab verify measurement")
	listRuns := flag.Int("list-runs", 30, "runs of the lab list start-up measurement")
	scope := flag.String("scope", "docker-setup,containers,dockerfiles,volumes", "lessons to verify, comma-separated")
	flag.Parse()
	if err := run(*lab, strings.Split(*scope, ","), *runs, *listRuns); err != nil {
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

func run(lab string, scopes []string, runs, listRuns int) error {
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

	// 2. lab list start-up.
	var list []sample
	for i := 0; i < listRuns; i++ {
		list = append(list, measure(lab, env, "list"))
	}

	// 3. Solve every selected step, then verify them all.
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
	report("lab list (start-up)", list, 20*time.Millisecond, 80*1024)
	if absent != nil {
		report("verify "+absent.Key()+" (absent)", absentSamples, 500*time.Millisecond, 80*1024)
	}
	report("verify lessons 1-4 (solved)", verify, 2*time.Second, 80*1024)
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
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.rssKiB = ru.Maxrss
	}
	if m := timingLine.FindSubmatch(stderr.Bytes()); m != nil {
		s.timing = string(m[1])
	}
	return s
}
