package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/receipt"
	"github.com/lab-workshop/lab/internal/report"
	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

type verifyOptions struct {
	scopes       []string
	formats      []string // name or name:FILE
	output       string
	student      string
	signKey      string // key file from --sign-key
	envKey       string // key file from LAB_SIGN_KEY_FILE
	noDisruptive bool
}

// verifyFormats are the formats lab verify writes: the report package's,
// godog's cucumber JSON, and the receipt a student hands in.
var verifyFormats = append(slices.Clone(report.Formats), "cucumber", "receipt")

const verifyHelp = `Formats: pretty (the default), json, junit (JUnit XML for CI and LMS imports),
cucumber (godog's cucumber JSON) and receipt (what a student hands in for lab grade).
FORMAT:FILE writes that format to FILE, and --output FILE takes the one format
without a file of its own, so several formats go out at once:

   lab verify --format pretty --format junit:report.xml

Receipts: with --student NAME and no --format, lab verify writes a receipt, to
--output FILE (the report still goes to the terminal) or to standard output.
--sign-key FILE, or LAB_SIGN_KEY_FILE, signs it with the class key so that
lab grade --key FILE rejects a receipt that was edited:

   lab verify --student "Ana Lima" --sign-key class.key --output ana.json

A receipt holds lab's version, the course id and content hash, the student, the
time (UTC), the machine (OS/arch, docker context name, engine version; no
addresses, no environment) and each step's status, duration and failures.

Output files are opened before any check runs. An output that names the
signing key or another output (however spelled, symlinks included) is
refused, so nothing is overwritten by a slip in the command line.

Exit codes: 0 every step passed (or was skipped on purpose); 1 a step failed;
2 usage; 3 a check could not run, the lessons or the key file are unusable,
or a report could not be written. The report and the receipt are written
whatever the verdict.`

func newVerifyCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "verify",
		Usage:       "check every selected step, whatever the progress says (for instructors, CI and receipts)",
		ArgsUsage:   "[LESSON|STEP ...]",
		Description: verifyHelp,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "format", Usage: "report `FORMAT`: " + strings.Join(verifyFormats, ", ") + "; FORMAT:FILE writes to a file; repeatable"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the format that has no FILE of its own to `FILE` instead of standard output"},
			&cli.StringFlag{Name: "student", Usage: "record who ran the checks as `NAME`; with no --format, write a receipt"},
			&cli.StringFlag{Name: "sign-key", Usage: "sign the receipt with the class key in `FILE` (default: $LAB_SIGN_KEY_FILE)"},
			&cli.BoolFlag{Name: "no-disruptive", Usage: "skip steps that kill containers or delete pods; they are reported as skipped"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			opts := verifyOptions{
				scopes:       cmd.Args().Slice(),
				formats:      cmd.StringSlice("format"),
				output:       cmd.String("output"),
				student:      cmd.String("student"),
				signKey:      cmd.String("sign-key"),
				envKey:       s.Getenv("LAB_SIGN_KEY_FILE"),
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
	flag   string // the flag that named file, for messages
	out    *outputFile
}

// parseTargets turns --format and --output into the reports to write.
//
// A receipt is a format like the others (--format receipt:ana.json), so
// every combination follows one rule: --output FILE takes the one format
// that has no file of its own. What changes with --student is only the
// default when no --format is given: the receipt instead of pretty, since a
// student naming themselves is handing something in. The command an
// instructor hands out, `lab verify --student NAME --sign-key class.key
// --output NAME.json`, then writes the receipt to the file, and the pretty
// report still goes to the terminal so the student sees what failed.
func parseTargets(formats []string, output string, student bool) ([]reportTarget, error) {
	if len(formats) == 0 {
		if !student {
			return []reportTarget{{format: "pretty", file: output, flag: "--output " + output}}, nil
		}
		if output == "" {
			return []reportTarget{{format: "receipt"}}, nil
		}
		return []reportTarget{{format: "receipt", file: output, flag: "--output " + output}, {format: "pretty"}}, nil
	}
	var out []reportTarget
	for _, f := range formats {
		name, file, _ := strings.Cut(f, ":")
		if !slices.Contains(verifyFormats, name) {
			return nil, usageErrorf("unknown format %q; use one of %s", name, strings.Join(verifyFormats, ", "))
		}
		out = append(out, reportTarget{format: name, file: file, flag: "--format " + f})
	}
	var onStdout []int
	for i, t := range out {
		if t.file == "" {
			onStdout = append(onStdout, i)
		}
	}
	if output != "" {
		if len(onStdout) != 1 {
			return nil, usageErrorf("--output needs exactly one --format without a file; write others as FORMAT:FILE")
		}
		out[onStdout[0]].file = output
		out[onStdout[0]].flag = "--output " + output
	} else if len(onStdout) > 1 {
		return nil, usageErrorf("only one format can go to standard output; write others as FORMAT:FILE")
	}
	return out, nil
}

// signing works out the receipt's student and key before any check runs,
// so a mistake costs nothing.
func signing(s *IOStreams, targets []reportTarget, opts verifyOptions) (key []byte, err error) {
	wantsReceipt := slices.ContainsFunc(targets, func(t reportTarget) bool { return t.format == "receipt" })
	if opts.student != "" {
		if err := receipt.CheckStudent(opts.student); err != nil {
			return nil, usageErrorf("--student: %v", err)
		}
	}
	if !wantsReceipt {
		if opts.signKey != "" {
			return nil, usageErrorf("--sign-key signs a receipt: add --student NAME (or --format receipt)")
		}
		return nil, nil // LAB_SIGN_KEY_FILE alone does not ask for a receipt
	}
	if opts.student == "" {
		return nil, usageErrorf("a receipt names its student: add --student NAME")
	}
	path := opts.signKey
	if path == "" {
		path = opts.envKey
	}
	if path == "" {
		fmt.Fprintln(s.Err, "note: the receipt is not signed (no --sign-key); lab grade --key rejects unsigned receipts")
		return nil, nil
	}
	data, err := receipt.ReadKeyFile(path)
	if err != nil {
		return nil, &envError{err: fmt.Errorf("reading the signing key: %w", err)}
	}
	key, err = receipt.ParseKey(path, data)
	if err != nil {
		return nil, &envError{err: err}
	}
	return key, nil
}

func runVerify(ctx context.Context, s *IOStreams, cmd *cli.Command, opts verifyOptions) error {
	targets, err := parseTargets(opts.formats, opts.output, opts.student != "")
	if err != nil {
		return err
	}
	key, err := signing(s, targets, opts)
	if err != nil {
		return err
	}
	// Files opened but never written are closed, and removed if new.
	defer func() {
		for _, t := range targets {
			t.out.discard()
		}
	}()
	if err := openTargets(targets, opts); err != nil {
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
	runOpts := ss.checkOptions(ws)
	runOpts.Grading, runOpts.NoDisruptive = true, opts.noDisruptive
	var cucumber bytes.Buffer
	if slices.ContainsFunc(targets, func(t reportTarget) bool { return t.format == "cucumber" }) {
		runOpts.Cucumber = &cucumber
	}
	fmt.Fprintf(s.Err, "verifying %d step(s)...\n", len(steps))
	rep, err := features.Run(ctx, steps, runOpts)
	if ctxErr := ctx.Err(); ctxErr != nil {
		// What a disruptive step broke is healed by now: its cleanup ran.
		return &envError{err: fmt.Errorf("verifying was interrupted, so no report was written; run lab verify again: %w", ctxErr)}
	}
	if err != nil {
		return err
	}
	defer reportToClass(s, ss, rep)()
	out := verifyOutput{
		rep:      rep,
		info:     report.Info{Student: opts.student, Course: ss.course.ID, CourseHash: ss.course.Hash, Lab: labVersion()},
		cucumber: cucumber.Bytes(),
	}
	for _, t := range targets {
		if t.format == "receipt" && out.receipt == nil {
			r := newReceipt(rep, ss.course, opts.student, machineFingerprint(ctx, s.Getenv), s.Getenv)
			if key != nil {
				if err := r.Sign(key); err != nil {
					return err
				}
			}
			if out.receipt, err = r.Marshal(); err != nil {
				return err
			}
		}
		if err := writeTarget(s, t, out); err != nil {
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

// verifyOutput is everything the targets are written from.
type verifyOutput struct {
	rep      *result.Report
	info     report.Info
	cucumber []byte // godog's cucumber JSON, when a target asked for it
	receipt  []byte // the encoded receipt, when a target asked for it
}

// openTargets refuses targets that would overwrite the signing key or each
// other, then opens every target file, all before any check runs.
func openTargets(targets []reportTarget, opts verifyOptions) error {
	var outputs, inputs []namedPath
	for _, t := range targets {
		if t.file != "" {
			outputs = append(outputs, namedPath{path: t.file, name: t.flag})
		}
	}
	if opts.signKey != "" {
		inputs = append(inputs, namedPath{path: opts.signKey, name: "the signing key --sign-key " + opts.signKey})
	}
	if opts.envKey != "" {
		inputs = append(inputs, namedPath{path: opts.envKey, name: "the signing key LAB_SIGN_KEY_FILE=" + opts.envKey})
	}
	if err := checkClobber(outputs, inputs); err != nil {
		return err
	}
	for i := range targets {
		if targets[i].file == "" {
			continue
		}
		what := targets[i].format + " report"
		if targets[i].format == "receipt" {
			what = "receipt"
		}
		out, err := openOutput(targets[i].file, what)
		if err != nil {
			return err
		}
		targets[i].out = out
	}
	return nil
}

func writeTarget(s *IOStreams, t reportTarget, out verifyOutput) error {
	write := func(w io.Writer, color bool) error {
		switch t.format {
		case "receipt":
			_, err := w.Write(out.receipt)
			return err
		case "cucumber":
			_, err := w.Write(out.cucumber)
			return err
		}
		return report.Write(w, t.format, out.rep, out.info, color)
	}
	if t.out != nil {
		if err := t.out.write(func(w io.Writer) error { return write(w, false) }); err != nil {
			return err
		}
	} else {
		w := &stickyWriter{w: s.Out}
		err := write(w, s.OutTTY)
		if err == nil {
			err = w.err
		}
		if err != nil {
			return &envError{err: fmt.Errorf("writing the %s report to standard output: %w", t.format, err)}
		}
	}
	switch {
	case t.file == "":
	case t.format == "receipt":
		fmt.Fprintf(s.Err, "wrote the receipt to %s\n", t.file)
	default:
		fmt.Fprintf(s.Err, "wrote %s report to %s\n", t.format, t.file)
	}
	return nil
}

// newReceipt records a run for the student. Failure text is redacted here,
// before it enters the receipt: DOCKER_HOST's value, credentials in URLs and
// the home directory never leave the machine in a receipt.
func newReceipt(rep *result.Report, course *lessons.Course, student string, m receipt.Machine, getenv func(string) string) *receipt.Receipt {
	redact := receipt.NewRedactor(getenv)
	r := &receipt.Receipt{
		Format:  receipt.Version,
		Lab:     labVersion(),
		Course:  receipt.Course{ID: course.ID, Hash: course.Hash},
		Student: student,
		Time:    rep.Started.UTC().Truncate(time.Millisecond),
		Machine: m,
	}
	for _, res := range rep.Results {
		step := receipt.Step{Key: res.Step.Key(), Status: string(res.Status), DurationMS: res.Duration.Milliseconds(), Codes: res.Codes()}
		if res.Status == result.StatusSkipped {
			step.Reason = redact.Redact(res.Reason)
		} else {
			step.Failures = redact.RedactAll(res.Failures())
		}
		r.Steps = append(r.Steps, step)
	}
	return r
}

// machineFingerprint describes where the checks ran: lab's platform, the
// docker context's name and what the engine says of itself. Whatever cannot
// be learned stays empty; it never fails the run.
func machineFingerprint(ctx context.Context, getenv func(string) string) receipt.Machine {
	m := receipt.Machine{OS: runtime.GOOS, Arch: runtime.GOARCH}
	ep, err := sandbox.ResolveEndpoint(getenv)
	if err != nil {
		return m
	}
	m.DockerContext = ep.Context
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	eng, err := sandbox.Connect(ctx, ep)
	if err != nil {
		return m
	}
	defer eng.Close()
	info, err := eng.ServerInfo(ctx)
	if err != nil {
		return m
	}
	m.EngineVersion, m.EngineAPI = info.Version, info.APIVersion
	m.EngineOS, m.EngineArch, m.EngineSystem = info.OS, info.Arch, info.OperatingSystem
	return m
}
