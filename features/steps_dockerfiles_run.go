package features

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// The observation window of "keeps running". A container whose command
// ends at once is still "running" for a moment after `docker run -d`, and
// one whose restart policy brings it back after each crash is "running"
// most of the times anyone looks. So the check looks twice: once at once,
// and again when the container has run for startupGrace and at least
// observeWindow has passed since the first look. Between the two looks it
// must not have been restarted.
var (
	startupGrace  = 2 * time.Second
	observeWindow = 1 * time.Second
	// exitCodeWait bounds how long a check that saw a restart loop looks
	// for the loop's exit code: the engine shows it only between a crash
	// and the next start.
	exitCodeWait = 3 * time.Second
)

func (w *world) containerKeepsRunning(ctx context.Context, name, ref string) (context.Context, error) {
	ctx, st := buildStateOf(ctx)
	expected := fmt.Sprintf("container %s from %s, running", name, ref)
	e, d, err := w.inspectContainer(ctx, name, noContainer(name, expected, fmt.Sprintf("run a container named %s from the image %s", name, ref)))
	if err != nil {
		return ctx, err
	}
	img, err := w.inspectImage(ctx, ref, &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("image %q does not exist, so container %q cannot run it", ref, name),
		Expected: expected,
		Observed: "no image " + ref,
		Try:      "docker images",
	})
	if err != nil {
		return ctx, err
	}
	if d.ImageID != img.ID {
		msg := fmt.Sprintf("container %q was created from image %s, not %s", name, d.Image, ref)
		if d.Image == ref {
			msg = fmt.Sprintf("container %q runs an older build of %s, not the current one", name, ref)
		}
		return ctx, &Failure{
			Code:     "image-differs",
			Message:  msg,
			Expected: expected,
			Observed: fmt.Sprintf("%s from %s (%.19s); %s is %.19s", name, d.Image, d.ImageID, ref, img.ID),
			Try:      fmt.Sprintf("docker ps -a --filter name=^%s$", name),
			Fix:      fmt.Sprintf("a container keeps the image it was created from: docker rm -f %s, then run it again from %s", name, ref),
		}
	}
	if !d.State.Running || d.State.Paused || d.State.Restarting {
		return ctx, w.notRunning(ctx, e, d, img, st)
	}
	first, firstAt := d.State, time.Now()
	wait := max(startupGrace-time.Since(first.StartedAt), observeWindow)
	select {
	case <-time.After(wait):
	case <-ctx.Done():
		return ctx, ctx.Err()
	}
	if d, err = e.InspectContainer(ctx, name); err != nil {
		return ctx, engineErr(err)
	}
	if restarted(first, d.State) {
		exit, ok := w.loopExitCode(ctx, e, name, d.State)
		return ctx, restartLoop(d, first, time.Since(firstAt), exit, ok, w.logTail(ctx, e, d.ID))
	}
	if !d.State.Running || d.State.Paused {
		return ctx, w.notRunning(ctx, e, d, img, st)
	}
	st.container = name
	return ctx, nil
}

// restarted reports whether a container was restarted between two looks
// at it, or is waiting to be restarted at either: its restart count or
// start time changed, or the engine shows it restarting.
func restarted(first, last sandbox.ContainerState) bool {
	return first.Restarting || last.Restarting ||
		last.RestartCount != first.RestartCount || !last.StartedAt.Equal(first.StartedAt)
}

// loopExitCode returns the exit code of a container caught in a restart
// loop. The engine shows it only while the container waits to be started
// again, so the check looks a few more times when it saw it running.
func (w *world) loopExitCode(ctx context.Context, e *sandbox.Engine, name string, s sandbox.ContainerState) (int, bool) {
	if s.Restarting || !s.Running {
		return s.ExitCode, true
	}
	var code int
	found := false
	_ = eventually(ctx, exitCodeWait, 100*time.Millisecond, func(ctx context.Context) (bool, error) {
		d, err := e.InspectContainer(ctx, name)
		if err != nil {
			return true, err
		}
		if d.State.Restarting || !d.State.Running {
			code, found = d.State.ExitCode, true
			return true, nil
		}
		return false, nil
	})
	return code, found
}

// restartLoop is the failure of a container its restart policy keeps
// starting again: how often it was restarted, how often while the lab
// looked, and with which exit code it ends.
func restartLoop(d sandbox.ContainerDetails, first sandbox.ContainerState, watched time.Duration, exit int, exitKnown bool, logTail string) *Failure {
	s := d.State
	during := s.RestartCount - first.RestartCount
	var seen string
	switch {
	case during > 0:
		seen = fmt.Sprintf("%d %s in the %s the lab watched it", during, kubePlural(int32(during), "time", "times"), watched.Round(100*time.Millisecond))
	case s.Restarting || first.Restarting:
		seen = "and was waiting to be started again when the lab looked"
	default:
		seen = fmt.Sprintf("and started again at %s while the lab watched it", s.StartedAt.Format(time.RFC3339Nano))
	}
	exitText := "its exit code went by too fast to see"
	if exitKnown {
		exitText = fmt.Sprintf("it exits with code %d", exit)
	}
	return &Failure{
		Code: "restart-loop",
		Message: fmt.Sprintf("container %q keeps restarting: %s, and its restart policy starts it again (restart count %d)",
			d.Name, exitText, s.RestartCount),
		Expected: fmt.Sprintf("container %s running, not restarted while the lab watched it", d.Name),
		Observed: fmt.Sprintf("%s was restarted %d %s in all, %s; %s", d.Name, s.RestartCount, kubePlural(int32(s.RestartCount), "time", "times"), seen, logTail),
		Try:      fmt.Sprintf("docker inspect --format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' %s; docker logs %s", d.Name, d.Name),
		Fix:      fmt.Sprintf("read why its command ends in its log (docker logs %s), fix the image or the command, then docker rm -f %s and run it again", d.Name, d.Name),
	}
}

// logTail is the last lines of a container's log, for an observation.
func (w *world) logTail(ctx context.Context, e *sandbox.Engine, id string) string {
	stdout, stderr, _ := e.ContainerLogs(ctx, id)
	if strings.TrimSpace(stdout+stderr) == "" {
		return "an empty log"
	}
	return "its log ends: " + sandbox.LastLines(stdout+stderr, 5)
}

// notRunning explains a container that stopped, with its log's last lines
// and, when the image has no command of its own, the missing CMD.
func (w *world) notRunning(ctx context.Context, e *sandbox.Engine, d sandbox.ContainerDetails, img sandbox.Image, st *buildState) error {
	name, s := d.Name, d.State
	logTail := w.logTail(ctx, e, d.ID)
	var msg string
	code := "not-running"
	switch {
	case s.Status == "created":
		msg = fmt.Sprintf("container %q was created but never started", name)
	case s.Paused:
		msg = fmt.Sprintf("container %q is paused", name)
	case s.Restarting:
		msg = fmt.Sprintf("container %q keeps restarting: it exits with code %d, and its restart policy starts it again (restart count %d)", name, s.ExitCode, s.RestartCount)
		code = "restart-loop"
	default:
		msg = fmt.Sprintf("container %q is not running: it exited with code %d", name, s.ExitCode)
	}
	fix := "read why in its log: docker logs " + name
	if interpreterOnly(img) {
		msg += fmt.Sprintf("; its image has no command of its own, only the base image's %s, which ends at once without a terminal", commandLine(img.Entrypoint, img.Cmd))
		fix = fmt.Sprintf(`tell the image what to run: a CMD at the end of %s/Dockerfile that starts your program, like CMD ["%s", "FILE"]; build again (%s), then docker rm -f %s and run it again`,
			st.folder, path.Base(img.Cmd[0]), buildCommand(d.Image, st.folder), name)
	}
	return &Failure{
		Code:     code,
		Message:  msg,
		Expected: fmt.Sprintf("container %s running", name),
		Observed: fmt.Sprintf("%s is %s; %s", name, s.Status, logTail),
		Try:      "docker logs " + name,
		Fix:      fix,
	}
}

// interpreterOnly reports whether an image would start a bare interpreter or
// shell (node, bash, python3): the command base images like node have, which
// exits at once in a container started without a terminal.
func interpreterOnly(img sandbox.Image) bool {
	if len(img.Entrypoint) > 0 && !slices.Equal(img.Entrypoint, []string{"docker-entrypoint.sh"}) || len(img.Cmd) != 1 {
		return false
	}
	switch path.Base(img.Cmd[0]) {
	case "node", "bash", "sh", "python", "python3":
		return true
	}
	return false
}

// appSettle bounds how long a check waits for a server that was just
// started to answer at all; what it then answers is checked at once.
const appSettle = 10 * time.Second

// getFromContainer GETs raw until something answers, for at most
// appSettle. When the scenario found a running container, each failed try
// also looks at it: a server whose container stopped will never answer, so
// the check says so at once.
func (w *world) getFromContainer(ctx context.Context, st *buildState, raw string) (sandbox.HTTPResponse, error) {
	var stopped func(context.Context, *sandbox.Engine) error
	if st.container != "" {
		stopped = func(ctx context.Context, e *sandbox.Engine) error {
			d, err := e.InspectContainer(ctx, st.container)
			if err != nil || d.State.Running {
				return nil
			}
			img, _ := e.InspectImage(ctx, d.ImageID)
			return w.notRunning(ctx, e, d, img, st)
		}
	}
	return w.getUntilAnswer(ctx, raw, appSettle, 250*time.Millisecond, stopped)
}

func (w *world) pageNames(ctx context.Context, raw, text string) error {
	_, st := buildStateOf(ctx)
	resp, err := w.getFromContainer(ctx, st, raw)
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		return &Failure{
			Code:     "status-mismatch",
			Message:  fmt.Sprintf("%s answers %d, not 200", raw, resp.Status),
			Expected: fmt.Sprintf("200 with a page naming %q", text),
			Observed: fmt.Sprintf("%d: %s", resp.Status, firstLines(string(resp.Body), 2)),
			Try:      "curl -i " + raw,
		}
	}
	if !bytes.Contains(resp.Body, []byte(text)) {
		return &Failure{
			Code:     "page-differs",
			Message:  fmt.Sprintf("the page at %s does not name %q", raw, text),
			Expected: fmt.Sprintf("a page naming %q", text),
			Observed: firstLines(string(resp.Body), 3),
			Try:      "curl -i " + raw,
		}
	}
	return nil
}

func (w *world) answersExactly(ctx context.Context, raw, text string) error {
	_, st := buildStateOf(ctx)
	resp, err := w.getFromContainer(ctx, st, raw)
	if err != nil {
		return err
	}
	got := strings.TrimSpace(string(resp.Body))
	if resp.Status == 200 && got == text {
		return nil
	}
	code := "page-differs"
	if resp.Status != 200 {
		code = "status-mismatch"
	}
	return &Failure{
		Code:     code,
		Message:  fmt.Sprintf("%s answers %d %s, not 200 %q", raw, resp.Status, quoteLine(got), text),
		Expected: fmt.Sprintf("200 with %q", text),
		Observed: fmt.Sprintf("%d: %s", resp.Status, firstLines(got, 2)),
		Try:      "curl -i " + raw,
	}
}
