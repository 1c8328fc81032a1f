package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/grade"
	"github.com/lab-workshop/lab/lessons"
)

// completionHelp is the long help of `lab completion`.
const completionHelp = `Print a script that makes your shell complete lab's commands, flags,
step ids, lesson ids and formats. Load it once per session, or save it:

  bash        source <(lab completion bash)          (in ~/.bashrc)
  zsh         source <(lab completion zsh)           (in ~/.zshrc)
  fish        lab completion fish > ~/.config/fish/completions/lab.fish
  powershell  lab completion powershell | Out-String | Invoke-Expression   (in $PROFILE)`

// What a command's positional arguments name, for completion.
const (
	argSteps  = iota + 1 // STEP
	argScopes            // LESSON or STEP
)

// completedArgs maps each command that takes step or lesson ids to what they are.
var completedArgs = map[string]int{
	"show":     argSteps,
	"hint":     argSteps,
	"solution": argSteps,
	"goto":     argSteps,
	"reset":    argScopes,
	"verify":   argScopes,
	"selftest": argScopes,
}

// completedFormats maps each command with a --format flag to its values.
func completedFormats(name string) []string {
	switch name {
	case "verify":
		return verifyFormats
	case "grade":
		return grade.Formats
	}
	return nil
}

// withCompletion turns on shell completion for the whole command tree: the
// `completion` command for four shells, and completion of step ids, lesson
// ids and --format values where commands take them.
func withCompletion(root *cli.Command, s *IOStreams) *cli.Command {
	root.EnableShellCompletion = true
	root.ConfigureShellCompletionCommand = func(c *cli.Command) {
		c.Hidden = false
		c.Usage = "print a shell completion script for bash, zsh, fish or powershell"
		c.Description = completionHelp
		for _, sub := range c.Commands {
			if sub.Name == "pwsh" {
				sub.Name, sub.Aliases = "powershell", []string{"pwsh"}
				sub.Usage = "print the PowerShell completion script"
			}
		}
	}
	for _, cmd := range root.Commands {
		args, formats := completedArgs[cmd.Name], completedFormats(cmd.Name)
		if args == 0 && formats == nil {
			continue
		}
		cmd.ShellComplete = completeCommand(s, args, formats)
	}
	return root
}

// completeCommand prints the candidates for the word being completed, one a
// line as "candidate:description", the form urfave/cli's scripts read.
func completeCommand(s *IOStreams, args int, formats []string) cli.ShellCompleteFunc {
	return func(ctx context.Context, cmd *cli.Command) {
		words := cmd.Args().Slice()
		last := ""
		if len(words) > 0 {
			last = words[len(words)-1]
		}
		switch {
		case (last == "--format" || last == "-format") && formats != nil:
			for _, f := range formats {
				fmt.Fprintln(s.Out, f)
			}
			return
		case strings.HasPrefix(last, "-"):
			cli.DefaultCompleteWithFlags(ctx, cmd)
			return
		case args == 0:
			return
		}
		// Commands that take one STEP complete nothing once it is given.
		if args == argSteps && len(words) > 0 {
			return
		}
		course, err := loadCourse(cmd.String("lessons"))
		if err != nil {
			return // a completion never prints errors into the shell
		}
		for _, c := range courseCandidates(course, args == argScopes) {
			if key, _, _ := strings.Cut(c, ":"); !slices.Contains(words, key) {
				fmt.Fprintln(s.Out, c)
			}
		}
	}
}

// courseCandidates lists every step key ("lesson/step") of the course,
// preceded by the lesson ids when lessons are accepted too.
func courseCandidates(course *lessons.Course, withLessons bool) []string {
	var out []string
	if withLessons {
		for _, l := range course.Lessons {
			out = append(out, l.ID+":"+oneLine(l.Title))
		}
	}
	for _, st := range course.Steps() {
		out = append(out, st.Key()+":"+oneLine(st.Title))
	}
	return out
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
