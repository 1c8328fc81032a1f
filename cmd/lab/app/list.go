package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v3"
)

func newListCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "the course map with your progress",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON for scripts"}},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			return runList(s, cmd)
		},
	}
}

type listStep struct {
	Key        string `json:"key"`
	Title      string `json:"title"`
	Status     string `json:"status"` // passed, current, skipped, todo
	Disruptive bool   `json:"disruptive,omitempty"`
	// Changed is set on a passed step whose content changed since.
	Changed bool `json:"changed,omitempty"`
}

type listLesson struct {
	ID    string     `json:"id"`
	Title string     `json:"title"`
	Steps []listStep `json:"steps"`
}

func runList(s *IOStreams, cmd *cli.Command) error {
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	st, err := ss.load()
	if err != nil {
		return err
	}
	cur := ss.current(st)
	cs := ss.progress(st)
	var out []listLesson
	for _, l := range ss.course.Lessons {
		ll := listLesson{ID: l.ID, Title: l.Title}
		for _, step := range l.Steps {
			status := "todo"
			switch {
			case cs.Passed(step.Key()):
				status = "passed"
			case step == cur && cs.Started():
				status = "current"
			case cs.Skipped(step.Key()):
				status = "skipped"
			}
			ll.Steps = append(ll.Steps, listStep{Key: step.Key(), Title: step.Title, Status: status,
				Disruptive: step.Disruptive, Changed: ss.changed(st, step)})
		}
		out = append(out, ll)
	}
	if cmd.Bool("json") {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"course": ss.course.ID, "title": ss.course.Title, "lessons": out})
	}
	marks := map[string]string{"passed": "✓", "current": "→", "skipped": "»", "todo": " "}
	for i, l := range out {
		fmt.Fprintf(s.Out, "%d. %s — %s\n", i+1, l.ID, l.Title)
		for j, step := range l.Steps {
			extra := ""
			if step.Disruptive {
				extra = " (disruptive)"
			}
			if step.Changed {
				extra += " (" + changedMark + ")"
			}
			fmt.Fprintf(s.Out, "  %s %d.%d %s — %s%s\n", marks[step.Status], i+1, j+1, step.Key, step.Title, extra)
		}
	}
	return nil
}
