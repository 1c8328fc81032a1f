package features

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// healthPoll is how often a health check waits between looks at the
// engine's health status of a container.
const healthPoll = 500 * time.Millisecond

// Steps about how a container's main process was started and what the
// engine's own health check of it says. Each check works on a
// containerSubject, so binding it to another kind of container (the
// container of a Compose service) is one more sentence.
func (w *world) healthSteps() []stepDef {
	healthCodes := []string{"no-healthcheck", "not-found", "not-ready", "not-running", "restart-loop", "unhealthy"}
	argsCodes := []string{"command-differs", "not-found"}
	return []stepDef{
		{`^container "([^"]+)" becomes healthy within (\d+) seconds$`, w.containerHealthy,
			`container "lab-mongo" becomes healthy within 30 seconds`, healthCodes},
		{`^container "([^"]+)" runs with the arguments "([^"]+)"$`, w.containerRunsWithArgs,
			`container "lab-mongo" runs with the arguments "--config /etc/mongod.conf"`, argsCodes},
	}
}

// containerSubject is a container a check looks at: how to find it on the
// engine, what to call it in a failure, and how the learner changes what
// it runs.
type containerSubject struct {
	ref      string // name or ID
	name     string // as the learner knows it
	recreate string // how to replace it with one that has the change
}

func containerByName(name string) containerSubject {
	return containerSubject{ref: name, name: name,
		recreate: fmt.Sprintf("build the image again, docker rm -f %s and run it again", name)}
}

func (w *world) containerHealthy(ctx context.Context, name string, secs int) error {
	return w.becomesHealthy(ctx, containerByName(name), time.Duration(secs)*time.Second)
}

// becomesHealthy waits for the engine to call the container healthy: the
// verdict of the container's own health check, run by the engine. It
// fails at once when there is no container, no health check, or the
// engine already calls it unhealthy; on timeout it reports the check's
// last result.
func (w *world) becomesHealthy(ctx context.Context, c containerSubject, within time.Duration) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("container %s running, and healthy by its own health check within %s", c.name, within)
	try := "docker inspect --format '{{json .State.Health}}' " + c.name
	start := time.Now()
	var p sandbox.ContainerProcess
	err = eventually(ctx, within, healthPoll, func(ctx context.Context) (bool, error) {
		var err error
		p, err = inspectProcess(ctx, e, c, expected)
		if err != nil {
			return true, err
		}
		if !p.HasHealthCheck() {
			return true, &Failure{
				Code:     "no-healthcheck",
				Message:  fmt.Sprintf("container %q has no health check, so Docker cannot tell whether the program in it works", c.name),
				Expected: expected,
				Observed: "no health check: neither its image (HEALTHCHECK) nor docker run (--health-cmd) sets one",
				Try:      "docker inspect --format '{{json .Config.Healthcheck}}' " + c.name,
				Fix:      "add a HEALTHCHECK instruction to the image's Dockerfile, a command that succeeds only when the program answers; then " + c.recreate,
			}
		}
		if f := notRunning(c.name, expected, p.State); f != nil {
			f.Observed += "; " + w.logTail(ctx, e, c.ref)
			return true, f
		}
		switch p.State.Health {
		case "healthy":
			return true, nil
		case "unhealthy":
			return true, &Failure{
				Code: "unhealthy",
				Message: fmt.Sprintf("container %q is unhealthy: its health check (%s) failed %d times in a row",
					c.name, healthTestText(p.HealthTest), p.FailingStreak),
				Expected: expected,
				Observed: lastProbeText(p),
				Try:      try,
				Fix:      "run the health check's command by hand in the container until it passes: " + healthExec(c.name, p.HealthTest) + "; then " + c.recreate,
			}
		}
		if last, ok := p.LastProbe(); ok && last.ExitCode != 0 {
			return false, &Failure{
				Code: "unhealthy",
				Message: fmt.Sprintf("container %q did not become healthy within %s: its health check (%s) failed %d times in a row",
					c.name, within, healthTestText(p.HealthTest), p.FailingStreak),
				Expected: expected,
				Observed: lastProbeText(p),
				Try:      try,
				Fix:      "run the health check's command by hand in the container until it passes: " + healthExec(c.name, p.HealthTest) + "; then " + c.recreate,
			}
		}
		return false, &Failure{
			Code:     "not-ready",
			Message:  fmt.Sprintf("container %q did not become healthy within %s: its health check has not passed yet", c.name, within),
			Expected: expected,
			Observed: fmt.Sprintf("health %q; %s", p.State.Health, lastProbeText(p)),
			Try:      try,
			Fix:      "a health check runs first one interval after the container starts (30s unless HEALTHCHECK --interval says otherwise): give it a shorter --interval, or run lab next again a little later",
		}
	})
	if err != nil {
		return err
	}
	if last, ok := p.LastProbe(); ok {
		w.note("%s is healthy after %s: %s", c.name, time.Since(start).Round(100*time.Millisecond), probeOutput(last))
	} else {
		w.note("%s is healthy", c.name)
	}
	return nil
}

// healthTestText is a health check's command as a Dockerfile would write it.
func healthTestText(test []string) string {
	if len(test) == 0 {
		return "none"
	}
	switch strings.ToUpper(test[0]) {
	case "CMD-SHELL", "CMD":
		return strings.Join(test[1:], " ")
	}
	return strings.Join(test, " ")
}

// healthExec is the command that runs a container's health check by hand.
func healthExec(name string, test []string) string {
	if len(test) > 1 && strings.EqualFold(test[0], "CMD-SHELL") {
		// Typed at a shell in the container, it needs no more quoting.
		return fmt.Sprintf("docker exec -it %s sh, then %s", name, strings.Join(test[1:], " "))
	}
	words := []string{"docker", "exec", name}
	if len(test) > 1 {
		for _, a := range test[1:] {
			words = append(words, shellQuote(a))
		}
	}
	return strings.Join(words, " ")
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// lastProbeText says what the newest run of a health check gave.
func lastProbeText(p sandbox.ContainerProcess) string {
	last, ok := p.LastProbe()
	if !ok {
		return "its health check has not finished once yet"
	}
	return fmt.Sprintf("the last check exited with %d: %s", last.ExitCode, probeOutput(last))
}

// probeOutput is a health check's output on one line, shortened.
func probeOutput(h sandbox.HealthProbe) string {
	out := sandbox.LastLines(h.Output, 3)
	if r := []rune(out); len(r) > 300 {
		out = "…" + string(r[len(r)-300:])
	}
	return out
}

func (w *world) containerRunsWithArgs(ctx context.Context, name, args string) error {
	return w.runsWithArgs(ctx, containerByName(name), args)
}

// runsWithArgs checks the command line the engine started the container's
// main process with (its entrypoint and command): the words of want must
// appear in it in order, one after the other. An option written
// "--name=value" counts as "--name value".
func (w *world) runsWithArgs(ctx context.Context, c containerSubject, want string) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("the main process of %s started with %s", c.name, want)
	p, err := inspectProcess(ctx, e, c, expected)
	if err != nil {
		return err
	}
	got := append([]string{p.Path}, p.Args...)
	if hasArgs(got, strings.Fields(want)) {
		w.note("%s started as: %s", c.name, p.CommandLine())
		return nil
	}
	return &Failure{
		Code:     "command-differs",
		Message:  fmt.Sprintf("container %q was started without %s on its command line", c.name, want),
		Expected: expected,
		Observed: "it started: " + p.CommandLine(),
		Try:      "docker inspect --format '{{.Path}} {{join .Args \" \"}}' " + c.name,
		Fix:      fmt.Sprintf("add %s to the command the container starts with (the CMD in its image's Dockerfile, or command: in a Compose file); then %s", want, c.recreate),
	}
}

// hasArgs reports whether want appears in got as a run of consecutive
// words, "--name=value" counting as "--name value" on either side.
func hasArgs(got, want []string) bool {
	got, want = splitOptions(got), splitOptions(want)
	if len(want) == 0 {
		return true
	}
	for i := 0; i+len(want) <= len(got); i++ {
		if slices.Equal(got[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// splitOptions writes each "--name=value" word as "--name" "value".
func splitOptions(words []string) []string {
	var out []string
	for _, w := range words {
		if name, value, ok := strings.Cut(w, "="); ok && strings.HasPrefix(name, "-") {
			out = append(out, name, value)
			continue
		}
		out = append(out, w)
	}
	return out
}

// inspectProcess reads how the container's main process was started and
// its health; a container that does not exist is a not-found failure.
func inspectProcess(ctx context.Context, e *sandbox.Engine, c containerSubject, expected string) (sandbox.ContainerProcess, error) {
	p, err := e.InspectProcess(ctx, c.ref)
	if sandbox.IsNotFound(err) {
		return p, noContainer(c.name, expected, "")
	}
	if err != nil {
		return p, engineErr(err)
	}
	return p, nil
}
