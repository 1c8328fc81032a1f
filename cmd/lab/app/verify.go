package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/report"
	"github.com/lab-workshop/lab/sandbox"
)

type verifyOptions struct {
	scopes       []string
	formats      []string // name or name:FILE
	output       string
	noDisruptive bool
}

func newVerifyCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check every selected step, whatever the progress says (for instructors and CI)",
		ArgsUsage: "[LESSON|STEP ...]",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "format", Usage: "report `FORMAT`: pretty, json or junit; FORMAT:FILE writes to a file; repeatable"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of standard output"},
			&cli.BoolFlag{Name: "no-disruptive", Usage: "skip steps that kill containers or delete pods; they are reported as skipped"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			opts := verifyOptions{
				scopes:       cmd.Args().Slice(),
				formats:      cmd.StringSlice("format"),
				output:       cmd.String("output"),
				noDisruptive: cmd.Bool("no-disruptive"),
			}
			return runVerify(ctx, s, cmd, opts)
		},
	}
}

// reportTarget is one report to write: a format and where it goes.
type reportTarget struct {
	format string
	file   string // empty: standard output
}

func parseTargets(formats []string, output string) ([]reportTarget, error) {
	if len(formats) == 0 {
		formats = []string{"pretty"}
	}
	var out []reportTarget
	for _, f := range formats {
		name, file, _ := strings.Cut(f, ":")
		if !slices.Contains(report.Formats, name) {
			return nil, usageErrorf("unknown format %q; use one of %s", name, strings.Join(report.Formats, ", "))
		}
		out = append(out, reportTarget{format: name, file: file})
	}
	if output != "" {
		var onStdout []int
		for i, t := range out {
			if t.file == "" {
				onStdout = append(onStdout, i)
			}
		}
		if len(onStdout) != 1 {
			return nil, usageErrorf("--output needs exactly one --format without a file; write others as FORMAT:FILE")
		}
		out[onStdout[0]].file = output
	}
	return out, nil
}

func runVerify(ctx context.Context, s *IOStreams, cmd *cli.Command, opts verifyOptions) error {
	targets, err := parseTargets(opts.formats, opts.output)
	if err != nil {
		return err
	}
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	steps, err := ss.course.Select(opts.scopes...)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	st, err := ss.load()
	if err != nil {
		return err
	}
	ws, err := ss.workspace(st)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "verifying %d step(s)...\n", len(steps))
	rep, err := features.Run(ctx, steps, features.Options{
		Env: checkEnv(ws), Workspace: ws, Grading: true, NoDisruptive: opts.noDisruptive, Status: s.Err,
	})
	if err != nil {
		return err
	}
	for _, t := range targets {
		if err := writeTarget(s, t, rep); err != nil {
			return err
		}
	}
	if s.Getenv("LAB_TIMING") != "" {
		w := sandbox.Waited()
		fmt.Fprintf(s.Err, "timing: checks %s; waiting on engine %s, http %s, commands %s; lab's own %s\n",
			rep.Duration.Round(time.Millisecond), w.Engine.Round(time.Millisecond), w.HTTP.Round(time.Millisecond),
			w.Commands.Round(time.Millisecond), (rep.Duration - w.Total()).Round(time.Millisecond))
	}
	if err := rep.Err(); err != nil {
		return &silentError{code: exitCode(err)}
	}
	return nil
}

func writeTarget(s *IOStreams, t reportTarget, rep *features.Report) error {
	var w io.Writer = s.Out
	color := s.OutTTY
	if t.file != "" {
		f, err := os.Create(t.file)
		if err != nil {
			return &envError{err: fmt.Errorf("creating report file: %w", err)}
		}
		defer f.Close()
		w, color = f, false
	}
	if err := report.Write(w, t.format, rep, color); err != nil {
		return err
	}
	if t.file != "" {
		fmt.Fprintf(s.Err, "wrote %s report to %s\n", t.format, t.file)
	}
	return nil
}
