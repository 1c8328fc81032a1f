package features

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// settleTime bounds how long a check waits for a server that was just
// started to answer at all; what it then answers is checked at once.
const settleTime = 5 * time.Second

// maxPage bounds the page and file sizes the lesson 2 checks compare.
const maxPage = 4 << 20

// nginxWelcome is the title of nginx's default page, which the image serves
// until the learner replaces it.
const nginxWelcome = "Welcome to nginx!"

// Steps for Lesson 2: containers — run one, look inside, change it, save it
// as an image and push that to a registry on this machine. Every step names
// the object it checks, so steps do not depend on each other's state.
func (w *world) containerSteps() []stepDef {
	return []stepDef{
		{`^container "([^"]+)" runs image "([^"]+)"$`, w.containerRunsImage,
			`container "lab-web" runs image "nginx:1.27"`, []string{"image-differs", "not-found", "not-running", "restart-loop"}},
		{`^container "([^"]+)" runs and publishes host port (\d+)$`, w.containerRunsOnHostPort,
			`container "lab-registry" runs and publishes host port 5000`, []string{"not-found", "not-running", "port-mismatch", "port-not-published", "restart-loop"}},
		{`^container "([^"]+)" publishes port (\d+/(?:tcp|udp)) on host port (\d+)$`, w.containerPublishes,
			`container "lab-web" publishes port 80/tcp on host port 8080`, []string{"not-found", "port-mismatch", "port-not-published"}},
		{`^(http://\S+) answers (\d+) with a page containing "([^"]+)", or the workspace file "([^"]+)"$`, w.pageContainsOrIs,
			`http://localhost:8080/ answers 200 with a page containing "Welcome to nginx!", or the workspace file "web/index.html"`, []string{"no-answer", "not-found", "page-differs", "status-mismatch"}},
		{`^(http://\S+) serves the workspace file "([^"]+)"$`, w.servesWorkspaceFile,
			`http://localhost:8080/ serves the workspace file "web/index.html"`, []string{"no-answer", "not-found", "page-differs", "status-mismatch"}},
		{`^image "([^"]+)" exists$`, w.imageExists,
			`image "lab/profile:v1" exists`, []string{"not-found"}},
		{`^image "([^"]+)" holds the workspace file "([^"]+)" at "([^"]+)"$`, w.imageHoldsWorkspaceFile,
			`image "lab/profile:v1" holds the workspace file "web/index.html" at "/usr/share/nginx/html/index.html"`, []string{"file-differs", "not-found"}},
		{`^image "([^"]+)" has the layers of image "([^"]+)" and one more$`, w.imageOneLayerOver,
			`image "lab/profile:v1" has the layers of image "nginx:1.27" and one more`, []string{"base-differs", "not-found"}},
		{`^image "([^"]+)" runs the command of image "([^"]+)"$`, w.imageRunsCommandOf,
			`image "lab/profile:v1" runs the command of image "nginx:1.27"`, []string{"command-differs", "not-found"}},
		{`^image "([^"]+)" is image "([^"]+)"$`, w.sameImage,
			`image "localhost:5000/profile:v1" is image "lab/profile:v1"`, []string{"image-differs", "not-found"}},
		{`^the registry at (\S+) lists repository "([^"]+)" with tag "([^"]+)"$`, w.registryHasTag,
			`the registry at localhost:5000 lists repository "profile" with tag "v1"`, []string{"no-answer", "not-found", "port-taken"}},
		{`^the registry at (\S+) serves "([^"]+)" with the digest of image "([^"]+)"$`, w.registryServesImage,
			`the registry at localhost:5000 serves "profile:v1" with the digest of image "localhost:5000/profile:v1"`, []string{"image-differs", "not-found"}},
	}
}

// inspectContainer finds a container by name, or fails with missing when
// there is none. It returns the engine too, for the check's further
// questions.
func (w *world) inspectContainer(ctx context.Context, name string, missing *Failure) (*sandbox.Engine, sandbox.ContainerDetails, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return nil, sandbox.ContainerDetails{}, err
	}
	d, err := e.InspectContainer(ctx, name)
	if sandbox.IsNotFound(err) {
		return e, d, missing
	}
	if err != nil {
		return e, d, engineErr(err)
	}
	return e, d, nil
}

// noContainer is the failure for a container the check looks up by name
// and that does not exist: with what was expected and how to look.
func noContainer(name, expected, fix string) *Failure {
	return &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("no container named %q exists", name),
		Expected: expected,
		Observed: "no such container",
		Try:      "docker ps -a",
		Fix:      fix,
	}
}

// containerGone is noContainer in the words of the volume and database
// checks.
func containerGone(name, expected string) *Failure {
	return &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("container %q does not exist", name),
		Expected: expected,
		Observed: "no container named " + name,
		Try:      "docker ps -a --filter name=" + name,
	}
}

// engineErr marks an engine that stopped answering mid-check as an
// environment problem rather than the learner's failure.
func engineErr(err error) error {
	if sandbox.IsUnreachable(err) {
		return &EnvError{Err: err}
	}
	return err
}

func (w *world) containerRunsImage(ctx context.Context, name, image string) error {
	expected := fmt.Sprintf("a running container %s from %s", name, image)
	e, d, err := w.inspectContainer(ctx, name, noContainer(name, expected, ""))
	if err != nil {
		return err
	}
	s := namedContainer(d, fmt.Sprintf("docker ps -a --filter name=^%s$", name))
	if err := w.runsImage(ctx, e, s, d, image, expected, fmt.Sprintf("remove it (docker rm -f %s) and run it again from %s", name, image)); err != nil {
		return err
	}
	if f := notRunning(name, expected, d.State); f != nil {
		return f
	}
	w.note("%s runs %s since %s", name, image, d.State.StartedAt.Format(time.RFC3339))
	return nil
}

// notRunning is the failure for a container that exists but does not run
// (created, paused, restarting, exited), or nil when it runs.
func notRunning(name, expected string, s sandbox.ContainerState) *Failure {
	var msg, fix string
	code := "not-running"
	switch {
	case s.Running && !s.Paused && !s.Restarting:
		return nil
	case s.Status == "created":
		msg, fix = fmt.Sprintf("container %q was created but never started", name), "docker start "+name
	case s.Paused:
		msg, fix = fmt.Sprintf("container %q is paused", name), "docker unpause "+name
	case s.Restarting:
		msg, fix = fmt.Sprintf("container %q keeps restarting: it exits with code %d", name, s.ExitCode), "read its log: docker logs "+name
		code = "restart-loop"
	case s.Status == "exited":
		msg, fix = fmt.Sprintf("container %q is not running: it exited with code %d", name, s.ExitCode), "docker start "+name
	default:
		msg, fix = fmt.Sprintf("container %q is not running: it is %s", name, s.Status), "docker start "+name
	}
	return &Failure{
		Code:     code,
		Message:  msg,
		Expected: expected,
		Observed: fmt.Sprintf("%s is %s", name, s.Status),
		Try:      "docker logs " + name,
		Fix:      fix,
	}
}

// containerRunsOnHostPort checks that the container runs, from any image,
// and publishes some port of its own on hostPort: what serves there is for
// the steps that follow to judge.
func (w *world) containerRunsOnHostPort(ctx context.Context, name string, hostPort int) error {
	expected := fmt.Sprintf("a running container %s published on host port %d", name, hostPort)
	_, d, err := w.inspectContainer(ctx, name, noContainer(name, expected, ""))
	if err != nil {
		return err
	}
	if f := notRunning(name, expected, d.State); f != nil {
		return f
	}
	option := fmt.Sprintf("-p %d:PORT, PORT being the one its server listens on", hostPort)
	if f := namedContainer(d, "docker port "+name).publishes(d.Ports, "", hostPort, expected, option, ""); f != nil {
		return f
	}
	w.note("%s runs %s and publishes host port %d", name, d.Image, hostPort)
	return nil
}

func (w *world) containerPublishes(ctx context.Context, name, port string, hostPort int) error {
	number, _, _ := strings.Cut(port, "/")
	publish := fmt.Sprintf("-p %d:%s", hostPort, number)
	expected := fmt.Sprintf("port %s of %s published on host port %d (%s)", port, name, hostPort, publish)
	_, d, err := w.inspectContainer(ctx, name, noContainer(name, expected, ""))
	if err != nil {
		return err
	}
	if f := namedContainer(d, "docker port "+name).publishes(d.Ports, port, hostPort, expected, publish, ""); f != nil {
		return f
	}
	return nil
}

// containerSetsEnv checks the environment a container was created with.
func (w *world) containerSetsEnv(ctx context.Context, name, key, want string) error {
	expected := fmt.Sprintf("%s=%s in the environment of %s (-e %s=%s)", key, want, name, key, want)
	_, d, err := w.inspectContainer(ctx, name, noContainer(name, expected, ""))
	if err != nil {
		return err
	}
	got, ok := envValue(d.Env, key)
	s := envSubject{subject: namedContainer(d, fmt.Sprintf("docker inspect -f '{{json .Config.Env}}' %s", name)),
		inside: "a container", itself: "that container", peer: "the name of the container it should reach"}
	if f := s.setsEnv(key, got, ok, want, expected); f != nil {
		f.Fix = s.change("environment variables", fmt.Sprintf("-e %s=%s", key, want))
		return f
	}
	return nil
}

// containerRestartPolicy checks the restart policy a container was created
// with.
func (w *world) containerRestartPolicy(ctx context.Context, name, want string) error {
	e, d, err := w.inspectContainer(ctx, name, noContainer(name, "restart policy "+want, ""))
	if err != nil {
		return err
	}
	rt, err := e.InspectRuntime(ctx, d.ID)
	if err != nil {
		return engineErr(err)
	}
	s := namedContainer(d, "docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' "+name)
	if f := s.restartPolicy(rt.RestartPolicy, want, "--restart "+want, ""); f != nil {
		f.Fix = fmt.Sprintf("docker update --restart %s %s changes it in place", want, name)
		return f
	}
	return nil
}

// hostPorts lists the distinct host ports of bindings ("8081", "8081, 9090").
func hostPorts(bindings []sandbox.PortBinding) string {
	var ports []string
	for _, b := range bindings {
		p := strconv.Itoa(b.HostPort)
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	return strings.Join(ports, ", ")
}

// describePorts says what a container publishes, the way `docker port`
// shows it, in a stable order.
func describePorts(ports map[string][]sandbox.PortBinding) string {
	if len(ports) == 0 {
		return "no port published"
	}
	keys := make([]string, 0, len(ports))
	for k := range ports {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s -> host port %s", k, hostPorts(ports[k])))
	}
	return strings.Join(parts, "; ")
}
