package features

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lab-workshop/lab/sandbox"
)

// Steps for lesson 1: the docker CLI, the engine, a first container and
// Compose.
func (w *world) setupSteps() []stepDef {
	return []stepDef{
		{`^the docker CLI reports version (\S+) or newer$`, w.cliVersionAtLeast,
			`the docker CLI reports version 20.10 or newer`, []string{"not-installed", "version-too-old"}},
		{`^the Docker engine answers through the active context$`, w.engineAnswers,
			`the Docker engine answers through the active context`, []string{"no-answer"}},
		{`^the engine API version is (\S+) or newer$`, w.engineAPIAtLeast,
			`the engine API version is 1.41 or newer`, []string{"no-answer", "version-too-old"}},
		{`^a container from image "([^"]+)" exited with code (\d+)$`, w.containerExited,
			`a container from image "hello-world" exited with code 0`, []string{"exit-code-mismatch", "not-found"}},
		{`^its log contains "([^"]+)"$`, w.logContains,
			`its log contains "Hello from Docker!"`, []string{"log-differs"}},
		{`^docker compose reports version (\S+) or newer$`, w.composeVersionAtLeast,
			`docker compose reports version 2.0.0 or newer`, []string{"not-installed", "version-too-old"}},
		{`^no container from image "([^"]+)" remains$`, w.noContainerFrom,
			`no container from image "hello-world" remains`, []string{"left-behind"}},
	}
}

// dockerCLI is the docker command the first lesson checks.
var dockerCLI = cliTool{name: "the docker CLI", command: "docker", try: "docker --version",
	install: "install Docker Desktop or Docker Engine: https://docs.docker.com/get-docker/",
	upgrade: "upgrade Docker: https://docs.docker.com/get-docker/",
	version: sandbox.CLIVersion}

func (w *world) cliVersionAtLeast(ctx context.Context, min string) error {
	return w.toolVersionAtLeast(ctx, dockerCLI, min)
}

// engineAnswers is the one check where an unreachable engine is the
// learner's failure, not an environment error: it is what the step teaches.
func (w *world) engineAnswers(ctx context.Context) error {
	e, err := w.run.dockerEngine(ctx)
	if err != nil {
		return &Failure{
			Code:     "no-answer",
			Message:  "the Docker engine does not answer",
			Expected: "an engine answering through the active docker context",
			Observed: err.Error(),
			Try:      "docker info",
		}
	}
	info, err := e.ServerInfo(ctx)
	if err != nil {
		return &Failure{Code: "no-answer", Message: "the Docker engine did not report its version", Observed: err.Error(), Try: "docker version"}
	}
	ep := e.Endpoint()
	w.note("engine %s (API %s) on %s/%s via context %q (%s)", info.Version, info.APIVersion, info.OS, info.Arch, ep.Context, ep.Host)
	return nil
}

func (w *world) engineAPIAtLeast(ctx context.Context, min string) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	info, err := e.ServerInfo(ctx)
	if err != nil {
		return &Failure{Code: "no-answer", Message: "the Docker engine did not report its API version", Observed: err.Error(), Try: "docker version"}
	}
	if sandbox.CompareVersions(info.APIVersion, min) < 0 {
		return &Failure{
			Code:     "version-too-old",
			Message:  fmt.Sprintf("the engine speaks API %s, older than %s", info.APIVersion, min),
			Expected: "API " + min + " or newer (Docker 20.10+)",
			Observed: "API " + info.APIVersion + " (engine " + info.Version + ")",
			Try:      "docker version",
			Fix:      "upgrade Docker Engine or Docker Desktop",
		}
	}
	return nil
}

func (w *world) containerExited(ctx context.Context, image string, code int) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	try := "docker ps -a --filter ancestor=" + image
	cs, err := e.Containers(ctx, sandbox.ContainerQuery{All: true, Ancestor: image})
	if err != nil {
		return fmt.Errorf("listing containers from %q: %w", image, err)
	}
	if len(cs) == 0 {
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("no container from image %q exists", image),
			Expected: fmt.Sprintf("a container from %s that exited with code %d", image, code),
			Observed: "none",
			Try:      try,
		}
	}
	var seen []string
	for i := range cs {
		c := &cs[i]
		if c.State == "exited" && c.ExitCode == code {
			w.container = c
			return nil
		}
		seen = append(seen, describeContainer(c))
	}
	msg := fmt.Sprintf("no container from image %q exited with code %d", image, code)
	if allCreated(cs) {
		msg = fmt.Sprintf("the container from image %q was created but never started", image)
	}
	return &Failure{
		Code:     "exit-code-mismatch",
		Message:  msg,
		Expected: fmt.Sprintf("a container from %s that exited with code %d", image, code),
		Observed: strings.Join(seen, "; "),
		Try:      try,
	}
}

func allCreated(cs []sandbox.Container) bool {
	for _, c := range cs {
		if c.State != "created" {
			return false
		}
	}
	return true
}

func describeContainer(c *sandbox.Container) string {
	switch c.State {
	case "exited":
		return fmt.Sprintf("%s exited with code %d", c.Name, c.ExitCode)
	case "created":
		return fmt.Sprintf("%s created, never started", c.Name)
	default:
		return fmt.Sprintf("%s is %s", c.Name, c.State)
	}
}

func (w *world) logContains(ctx context.Context, text string) error {
	if w.container == nil {
		return errors.New("no container chosen by an earlier step: put a step that finds a container before this one")
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	stdout, stderr, err := e.ContainerLogs(ctx, w.container.ID)
	if err != nil {
		return fmt.Errorf("reading the log of %s: %w", w.container.Name, err)
	}
	if strings.Contains(stdout, text) || strings.Contains(stderr, text) {
		return nil
	}
	return &Failure{
		Code:     "log-differs",
		Message:  fmt.Sprintf("the log of %s does not contain %q", w.container.Name, text),
		Expected: fmt.Sprintf("%q in the log", text),
		Observed: firstLines(stdout+stderr, 3),
		Try:      "docker logs " + w.container.Name,
	}
}

func firstLines(s string, n int) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "an empty log"
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, " | ")
}

func (w *world) composeVersionAtLeast(ctx context.Context, min string) error {
	v, err := sandbox.ComposeVersion(ctx, w.target().Env)
	var missing *sandbox.NotInstalledError
	switch {
	case errors.As(err, &missing):
		return &Failure{
			Code:     "not-installed",
			Message:  "the docker CLI was not found on PATH, so there is no docker compose",
			Expected: "docker compose v" + min + " or newer",
			Observed: "no docker command",
			Try:      "docker compose version",
			Fix:      "install Docker Desktop, or Docker Engine with the Compose plugin: https://docs.docker.com/compose/install/",
		}
	case err != nil:
		f := &Failure{
			Code:     "not-installed",
			Message:  "docker compose is not available",
			Expected: "docker compose v" + min + " or newer",
			Observed: err.Error(),
			Try:      "docker compose version",
			Fix:      "install the Compose plugin: https://docs.docker.com/compose/install/",
		}
		if v1 := composeV1(ctx, w.target().Env); v1 != "" {
			f.Message = "only the old Compose v1 (docker-compose " + v1 + ") is installed; the lessons need the Compose v2 plugin"
		}
		return f
	}
	w.note("docker compose %s", v)
	f := versionAtLeast("docker compose", v, min, "docker compose version", "install the Compose v2 plugin: https://docs.docker.com/compose/install/")
	if f != nil {
		f.Message += ", the oldest the lessons work with"
	}
	return orNil(f)
}

// composeV1 reports the version of a standalone docker-compose v1, if one is
// on PATH, so the failure can say why `docker compose` is missing.
func composeV1(ctx context.Context, env []string) string {
	out, err := sandbox.Run(ctx, "", env, "docker-compose version --short")
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(out)
	if strings.HasPrefix(strings.TrimPrefix(v, "v"), "1.") {
		return v
	}
	return ""
}

func (w *world) noContainerFrom(ctx context.Context, image string) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	cs, err := e.Containers(ctx, sandbox.ContainerQuery{All: true, Ancestor: image})
	if err != nil {
		return fmt.Errorf("listing containers from %q: %w", image, err)
	}
	if len(cs) == 0 {
		return nil
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return &Failure{
		Code:     "left-behind",
		Message:  fmt.Sprintf("%d container(s) from image %q remain: %s", len(cs), image, strings.Join(names, ", ")),
		Expected: "no container from " + image,
		Observed: fmt.Sprintf("%d: %s", len(cs), strings.Join(names, ", ")),
		Try:      "docker ps -a --filter ancestor=" + image,
		Fix:      "docker rm " + strings.Join(names, " "),
	}
}
