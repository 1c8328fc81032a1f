package features

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// composeContainers lists the project's own containers, stopped ones too,
// the way docker compose ps -a does: by the project label, without the
// one-off containers of docker compose run.
func composeContainers(ctx context.Context, e *sandbox.Engine, project string) ([]sandbox.Container, error) {
	cs, err := e.Containers(ctx, sandbox.ContainerQuery{All: true, Labels: map[string]string{sandbox.ComposeProjectLabel: project}})
	if err != nil {
		return nil, composeEngineErr(err)
	}
	return slices.DeleteFunc(cs, func(c sandbox.Container) bool {
		return strings.EqualFold(c.Labels[sandbox.ComposeOneoffLabel], "true")
	}), nil
}

// composeOtherProjects names the Compose projects that have a container of
// one of the services, for a failure that says where the learner's
// containers went.
func composeOtherProjects(ctx context.Context, e *sandbox.Engine, project string, services ...string) []string {
	cs, err := e.Containers(ctx, sandbox.ContainerQuery{All: true, Labels: map[string]string{sandbox.ComposeProjectLabel: ""}})
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range cs {
		p := c.Labels[sandbox.ComposeProjectLabel]
		if p != project && slices.Contains(services, c.Labels[sandbox.ComposeServiceLabel]) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func (w *world) composeProjectRuns(ctx context.Context, project, first, second string) (context.Context, error) {
	ctx, st := composeOf(ctx)
	st.project = project
	e, err := w.engine(ctx)
	if err != nil {
		return ctx, err
	}
	services := []string{first, second}
	try := fmt.Sprintf("docker compose -p %s ps -a", project)
	expected := fmt.Sprintf("one running container of each of the services %s and %s in the project %s", first, second, project)
	cs, err := composeContainers(ctx, e, project)
	if err != nil {
		return ctx, err
	}
	if len(cs) == 0 {
		f := &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("no container of the Compose project %q exists", project),
			Expected: expected,
			Observed: "none",
			Try:      try,
			Fix:      fmt.Sprintf("start it from the folder of your Compose file: docker compose up -d (with name: %s in the file, or docker compose -p %s up -d)", project, project),
		}
		if others := composeOtherProjects(ctx, e, project, services...); len(others) > 0 {
			f.Message = fmt.Sprintf("no container of the Compose project %q exists, but the project %q runs the services: it was started under another project name", project, others[0])
			f.Observed = "projects " + strings.Join(others, ", ")
			f.Fix = fmt.Sprintf("docker compose -p %s down, then start it as the project %s: name: %s in the file, or docker compose -p %s up -d", others[0], project, project, project)
		}
		return ctx, f
	}
	st.services = map[string]sandbox.ContainerDetails{}
	for _, svc := range services {
		d, err := w.composeServiceContainer(ctx, e, project, svc, cs, expected, try)
		if err != nil {
			return ctx, err
		}
		st.services[svc] = d
	}
	return ctx, nil
}

// composeServiceContainer finds the one running container of a service.
// A container the engine is restarting right now is waited for, briefly;
// one that is absent or stopped fails at once.
func (w *world) composeServiceContainer(ctx context.Context, e *sandbox.Engine, project, svc string, cs []sandbox.Container, expected, try string) (sandbox.ContainerDetails, error) {
	var mine []sandbox.Container
	for _, c := range cs {
		if c.Labels[sandbox.ComposeServiceLabel] == svc {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		return sandbox.ContainerDetails{}, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the service %q of the project %q has no container", svc, project),
			Expected: expected,
			Observed: "containers " + composeNames(cs),
			Try:      try,
			Fix:      fmt.Sprintf("docker compose -p %s up -d starts every service of the file", project),
		}
	}
	if len(mine) > 1 {
		return sandbox.ContainerDetails{}, &Failure{
			Code:     "count-mismatch",
			Message:  fmt.Sprintf("the service %q of the project %q has %d containers, not one", svc, project, len(mine)),
			Expected: expected,
			Observed: composeNames(mine),
			Try:      try,
			Fix:      fmt.Sprintf("docker compose -p %s up -d --scale %s=1", project, svc),
		}
	}
	name := mine[0].Name
	var d sandbox.ContainerDetails
	err := eventually(ctx, composeSettle, composePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		d, err = e.InspectContainer(ctx, mine[0].ID)
		if err != nil {
			return true, err
		}
		return !d.State.Restarting, nil
	})
	if sandbox.IsNotFound(err) {
		return d, &Failure{Code: "not-found", Message: fmt.Sprintf("the container %s of the service %q was removed while the lab looked at it", name, svc), Try: try}
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return d, composeEngineErr(err)
	}
	if d.State.Running && !d.State.Restarting {
		return d, nil
	}
	f := &Failure{
		Code:     "not-running",
		Message:  fmt.Sprintf("the container %s of the service %q is %s", name, svc, composeStateText(d.State)),
		Expected: expected,
		Observed: fmt.Sprintf("%s is %s", name, composeStateText(d.State)),
		Try:      try,
		Fix:      fmt.Sprintf("docker compose -p %s up -d; docker compose -p %s logs %s shows why it stopped", project, project, svc),
	}
	if d.State.Restarting {
		f.Code = "restart-loop"
		f.Message = fmt.Sprintf("the container %s of the service %q keeps restarting (restart count %d): it crashes as soon as it starts", name, svc, d.State.RestartCount)
		f.Try = fmt.Sprintf("docker compose -p %s logs %s", project, svc)
		return d, f
	}
	if d.State.Error != "" {
		f.Message = fmt.Sprintf("the container %s of the service %q could not start: %s", name, svc, d.State.Error)
		if strings.Contains(d.State.Error, "port is already allocated") || strings.Contains(d.State.Error, "address already in use") {
			f.Code = "port-taken"
			f.Message = fmt.Sprintf("the container %s of the service %q could not start: a port it publishes is already taken by another container or program", name, svc)
			f.Observed = d.State.Error
			f.Try = "docker ps --format '{{.Names}} {{.Ports}}'"
			f.Fix = fmt.Sprintf("stop or remove the container or program that holds the port (docker ps shows which container), then docker compose -p %s up -d", project)
		}
		return d, f
	}
	rt, err := e.InspectRuntime(ctx, d.ID)
	if err == nil && rt.RestartPolicy == "always" && d.State.ExitCode == 137 && !d.State.OOMKilled {
		// The engine restarts a crashed container, but not one stopped on
		// purpose: docker kill and docker stop count as that.
		f.Message = fmt.Sprintf("the container %s of the service %q is stopped (exit code 137, killed): docker kill (or a docker stop the app did not obey in time) counts as stopping it on purpose, so its restart policy did not bring it back", name, svc)
		f.Fix = fmt.Sprintf("start it again: docker compose -p %s up -d", project)
	}
	return d, f
}

func composeNames(cs []sandbox.Container) string {
	var names []string
	for _, c := range cs {
		names = append(names, fmt.Sprintf("%s (%s)", c.Name, c.State))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func composeStateText(s sandbox.ContainerState) string {
	switch {
	case s.Restarting:
		return "restarting"
	case s.Running:
		return "running"
	case s.Status == "exited":
		return fmt.Sprintf("exited (code %d)", s.ExitCode)
	case s.Status != "":
		return s.Status
	}
	return "not running"
}

// composeServiceOn is the running container an earlier step found for a
// service, and the engine it runs on.
func (w *world) composeServiceOn(ctx context.Context, svc string) (*composeState, sandbox.ContainerDetails, *sandbox.Engine, error) {
	st, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return st, d, nil, err
	}
	e, err := w.engine(ctx)
	return st, d, e, err
}

// composeServiceDetails is the running container an earlier step found
// for a service.
func composeServiceDetails(ctx context.Context, svc string) (*composeState, sandbox.ContainerDetails, error) {
	_, st := composeOf(ctx)
	d, ok := st.services[svc]
	if !ok {
		return st, d, fmt.Errorf("no container of the service %q found by an earlier step: put the step that finds the project's containers first", svc)
	}
	return st, d, nil
}

func (w *world) composeShareNetwork(ctx context.Context, first, second string) error {
	st, a, err := composeServiceDetails(ctx, first)
	if err != nil {
		return err
	}
	_, b, err := composeServiceDetails(ctx, second)
	if err != nil {
		return err
	}
	if net := composeSharedNetwork(a, b); net != "" {
		w.note("%s and %s share the network %s", a.Name, b.Name, net)
		return nil
	}
	return &Failure{
		Code:     "no-network",
		Message:  fmt.Sprintf("the containers %s and %s share no network, so the app cannot reach its database by name", a.Name, b.Name),
		Expected: "both on one network, like the project's default network " + st.project + "_default",
		Observed: fmt.Sprintf("%s on %s; %s on %s", a.Name, composeNetworks(a), b.Name, composeNetworks(b)),
		Try:      fmt.Sprintf("docker inspect -f '{{json .NetworkSettings.Networks}}' %s %s", a.Name, b.Name),
	}
}

// composeSharedNetwork names a network both containers are on, preferring
// the one Compose made for the project.
func composeSharedNetwork(a, b sandbox.ContainerDetails) string {
	var shared []string
	for name, ea := range a.Networks {
		for _, eb := range b.Networks {
			if ea.NetworkID != "" && ea.NetworkID == eb.NetworkID {
				shared = append(shared, name)
			}
		}
	}
	slices.Sort(shared)
	for _, n := range shared {
		if strings.HasSuffix(n, "_default") {
			return n
		}
	}
	if len(shared) > 0 {
		return shared[0]
	}
	return ""
}

func composeNetworks(d sandbox.ContainerDetails) string {
	var names []string
	for n := range d.Networks {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "no network"
	}
	return strings.Join(names, ", ")
}

func (w *world) composeContainerPublishes(ctx context.Context, svc string, target, host int) error {
	st, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	port := fmt.Sprintf("%d/tcp", target)
	s := serviceContainer(d, fmt.Sprintf("docker compose -p %s port %s %d", st.project, svc, target))
	return orNil(s.publishes(d.Ports, port, host, fmt.Sprintf("host port %d → %s", host, port), "", fmt.Sprintf(`ports: ["%d:%d"]`, host, target)))
}

// composeContainerSetsEnv checks the environment the container of a
// service runs with.
func (w *world) composeContainerSetsEnv(ctx context.Context, svc, key, want string) error {
	_, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	got, ok := envValue(d.Env, key)
	s := envSubject{subject: serviceContainer(d, fmt.Sprintf("docker inspect -f '{{json .Config.Env}}' %s", d.Name)),
		inside: fmt.Sprintf("the %s container", svc), itself: "that container", peer: "the service name"}
	f := s.setsEnv(key, got, ok, want, fmt.Sprintf("%s=%s in the environment of %s", key, want, d.Name))
	if f != nil {
		f.Fix = s.change("environment variables", fmt.Sprintf("environment: %s: %s", key, want))
	}
	return orNil(f)
}

// composeHostname reads the host name the sample app's home page names.
var composeHostname = regexp.MustCompile(`id="hostname">([^<]*)<`)

// composeHomeAnswer asks raw until the sample app's home page answers, and
// says which host served it.
func (w *world) composeHomeAnswer(ctx context.Context, e *sandbox.Engine, raw string, within time.Duration) (host string, err error) {
	url, err := sandbox.PublishedURL(e.Endpoint(), raw)
	if err != nil {
		return "", err
	}
	return homePageHost(ctx, url, raw, within, "the sample app's home page", "")
}

// homePageHost asks url (raw as the learner wrote it) until the sample
// app's home page answers within the time given, and returns the host
// name the page says served it. expected describes the page wanted; fix,
// when set, is the advice for a page that never came.
func homePageHost(ctx context.Context, url, raw string, within time.Duration, expected, fix string) (host string, err error) {
	var last sandbox.HTTPResponse
	err = eventually(ctx, within, composeHTTPEvery, func(ctx context.Context) (bool, error) {
		r, err := sandbox.GetHTTP(ctx, nil, url)
		if err != nil {
			return false, err
		}
		last = r
		if r.Status != 200 {
			return false, fmt.Errorf("it answered %d: %s", r.Status, firstLines(string(r.Body), 2))
		}
		m := composeHostname.FindSubmatch(r.Body)
		if m == nil {
			return true, &Failure{
				Code:     "page-differs",
				Message:  fmt.Sprintf("%s answers, but not with the sample app's home page", raw),
				Expected: "the page of the lab sample app, naming the host that served it",
				Observed: firstLines(string(r.Body), 3),
				Try:      "curl " + raw,
			}
		}
		host = string(m[1])
		return true, nil
	})
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			return "", f
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		observed := err.Error()
		if last.Status != 0 && last.Status != 200 {
			observed = fmt.Sprintf("HTTP %d: %s", last.Status, firstLines(string(last.Body), 2))
		}
		return "", &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("%s does not answer with the app's home page within %s", raw, within),
			Expected: "HTTP 200 with " + expected,
			Observed: observed,
			Try:      "curl -i " + raw,
			Fix:      fix,
		}
	}
	return host, nil
}

func (w *world) composeHomePage(ctx context.Context, raw, svc string) error {
	st, d, e, err := w.composeServiceOn(ctx, svc)
	if err != nil {
		return err
	}
	host, err := w.composeHomeAnswer(ctx, e, raw, composeSettle)
	if err != nil {
		return err
	}
	return w.composeSameHost(ctx, e, st, d, raw, host)
}

// composeSameHost proves the page came from the service's container: the
// sample app names the host it runs on, and a container's host name is its
// own unless the file sets one.
func (w *world) composeSameHost(ctx context.Context, e *sandbox.Engine, st *composeState, d sandbox.ContainerDetails, raw, host string) error {
	rt, err := e.InspectRuntime(ctx, d.ID)
	if err != nil {
		return composeEngineErr(err)
	}
	if host == rt.Hostname {
		w.note("%s was served by %s (host %s)", raw, d.Name, host)
		return nil
	}
	return &Failure{
		Code:     "port-taken",
		Message:  fmt.Sprintf("%s was answered by the host %q, not by the container %s (host %q): another container or program answers on that port", raw, host, d.Name, rt.Hostname),
		Expected: "the page served by " + d.Name,
		Observed: "served by " + host,
		Try:      "docker ps --filter publish=" + composePortOf(raw),
		Fix:      fmt.Sprintf("stop what holds the port, then docker compose -p %s up -d", st.project),
	}
}

func composePortOf(raw string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(raw, "http://"), "https://")
	if i := strings.Index(u, "/"); i >= 0 {
		u = u[:i]
	}
	if _, p, err := net.SplitHostPort(u); err == nil {
		return p
	}
	return "80"
}
