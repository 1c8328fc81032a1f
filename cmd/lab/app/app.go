// Package app wires lab's commands. Each command lives in its own file as an
// options struct, a constructor and a run function; none of them talks to
// Docker directly.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v3"
)

// Exit codes, the contract scripts and graders rely on.
const (
	exitOK       = 0
	exitNotPass  = 1
	exitUsage    = 2
	exitEnvError = 3
)

// IOStreams are the program's standard streams, injectable for tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer // results
	Err    io.Writer // status, progress, warnings
	OutTTY bool      // Out is a terminal that takes colour
	InTTY  bool
	ErrTTY bool // Err is a terminal: progress may redraw a line in place
	Getenv func(string) string
}

// System returns the process's real streams.
func System() *IOStreams {
	noColor := os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"
	return &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		Err:    os.Stderr,
		OutTTY: !noColor && isatty.IsTerminal(os.Stdout.Fd()),
		InTTY:  isatty.IsTerminal(os.Stdin.Fd()),
		ErrTTY: os.Getenv("TERM") != "dumb" && isatty.IsTerminal(os.Stderr.Fd()),
		Getenv: os.Getenv,
	}
}

// Main runs lab with the process's arguments and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args, System())
}

// Run is the testable entry point: it parses args, runs the command and maps
// its error to an exit code, printing "lab: " and the error once.
func Run(ctx context.Context, args []string, streams *IOStreams) int {
	// A failed write to standard output (a full disk behind a
	// redirection) fails the command instead of passing unnoticed.
	out := &stickyWriter{w: streams.Out}
	s := *streams
	s.Out = out
	root := withCompletion(newRootCmd(&s), &s)
	var g usageGuard
	g.apply(root)
	err := root.Run(ctx, args)
	if err == nil {
		err = g.err()
	}
	if err == nil && out.err != nil {
		err = &envError{err: fmt.Errorf("writing to standard output: %w", out.err)}
	}
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	var silent *silentError
	if !errors.As(err, &silent) {
		fmt.Fprintf(streams.Err, "lab: %v\n", err)
	}
	return code
}

func newRootCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:      "lab",
		Usage:     "a hands-on container workshop: run `lab next` to begin",
		Version:   labVersion(),
		Writer:    s.Out,
		ErrWriter: s.Err,
		Reader:    s.In,
		// Errors go back to Run, which alone decides the exit code.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		Suggest:        true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "lessons", Usage: "load the course from `DIR` instead of the built-in one", Sources: cli.EnvVars("LAB_LESSONS")},
			&cli.StringFlag{Name: "workspace", Usage: "the `DIR` where you write Dockerfiles, compose files and manifests", Sources: cli.EnvVars("LAB_WORKSPACE")},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return usageErrorf("unknown command %q (see: lab --help)", cmd.Args().First())
			}
			return runStatus(ctx, s, cmd)
		},
		Commands: []*cli.Command{
			newNextCmd(s),
			newShowCmd(s),
			newHintCmd(s),
			newSolutionCmd(s),
			newListCmd(s),
			newGotoCmd(s),
			newSkipCmd(s),
			newWatchCmd(s),
			newResetCmd(s),
			newDoctorCmd(s),
			newClusterCmd(s),
			newBundleCmd(s),
			newVerifyCmd(s),
			newGradeCmd(s),
			newSelftestCmd(s),
			newLessonsCmd(s),
			newVersionCmd(s),
			newClassCmd(s), newJoinCmd(s), newLeaveCmd(s),
		},
	}
}

// maxArgs rejects stray arguments beyond the n a command takes.
func maxArgs(cmd *cli.Command, n int) error {
	if cmd.Args().Len() > n {
		return usageErrorf("%s takes at most %d argument(s), got %q (see: %s --help)", cmd.FullName(), n, cmd.Args().Slice(), cmd.FullName())
	}
	return nil
}

// usageGuard makes every command, however deep, treat a mistake in how it
// was called as a usage error: exit 2, one message on stderr, and no help
// text on stdout, where a script may expect a report.
type usageGuard struct {
	// unknown is the command `help NAME` or a command group was asked
	// for and does not have, with the group it was asked of.
	unknown, group string
}

// apply sets the guard's handlers on cmd and all its subcommands.
func (g *usageGuard) apply(cmd *cli.Command) {
	cmd.OnUsageError = func(_ context.Context, cmd *cli.Command, err error, _ bool) error {
		msg := err.Error()
		// Go's flag package names --bogus as "-bogus"; say it as typed.
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			dashes := "--"
			if len(name) == 1 {
				dashes = "-"
			}
			msg = "unknown flag " + dashes + name
		}
		return usageErrorf("%s (see: %s --help)", msg, cmd.FullName())
	}
	// urfave/cli calls this only when showing help for a name that is not
	// a command: `lab help bogus`, or `lab lessons frob` on a group
	// without an action of its own.
	cmd.CommandNotFound = func(_ context.Context, cmd *cli.Command, name string) {
		if g.unknown == "" {
			g.unknown, g.group = name, cmd.FullName()
		}
	}
	for _, sub := range cmd.Commands {
		g.apply(sub)
	}
}

// err is the usage error for an unknown command met while showing help.
func (g *usageGuard) err() error {
	if g.unknown == "" {
		return nil
	}
	return usageErrorf("unknown command %q (see: %s --help)", g.unknown, g.group)
}
