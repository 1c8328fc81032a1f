package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// Steps for lesson 5: an app and its database run together with Docker
// Compose. The file checks read the learner's Compose file the way docker
// compose does; the live checks find a project's containers by the labels
// Compose gives them.
func (w *world) composeSteps() []stepDef {
	return []stepDef{
		{`^the Compose file "([^"]+)" in the workspace is valid for the project "([^"]+)"$`, w.composeFileValid,
			`the Compose file "compose/compose.yaml" in the workspace is valid for the project "lab"`, []string{"invalid-file", "name-mismatch", "not-found"}},
		{`^its service "([^"]+)" publishes container port (\d+) on host port (\d+)$`, w.composeFilePublishes,
			`its service "app" publishes container port 3000 on host port 3000`, []string{"not-found", "port-mismatch", "port-not-published"}},
		{`^its service "([^"]+)" sets ([A-Za-z_][A-Za-z0-9_]*) to "([^"]+)"$`, w.composeFileSetsEnv,
			`its service "app" sets DB_HOST to "mongodb:27017/posts"`, []string{"env-mismatch", "not-found"}},
		{`^its service "([^"]+)" depends on the service "([^"]+)"$`, w.composeFileDependsOn,
			`its service "app" depends on the service "mongodb"`, []string{"dependency-missing", "not-found"}},
		{`^its service "([^"]+)" has the restart policy "([^"]+)"$`, w.composeFileRestart,
			`its service "app" has the restart policy "always"`, []string{"not-found", "policy-mismatch"}},
		{`^its service "([^"]+)" runs the pinned image "([^"]+)"$`, w.composeFileImage,
			`its service "mongodb" runs the pinned image "mongo:7.0"`, []string{"image-differs", "not-found"}},
		{`^its service "([^"]+)" keeps (/\S*) in a named volume$`, w.composeFileNamedVolume,
			`its service "mongodb" keeps /data/db in a named volume`, []string{"not-found", "volume-mismatch"}},
		{`^that named volume still exists$`, w.composeVolumeExists,
			`that named volume still exists`, []string{"not-found"}},
		{`^the Compose project "([^"]+)" runs one container for each of the services "([^"]+)" and "([^"]+)"$`, w.composeProjectRuns,
			`the Compose project "lab" runs one container for each of the services "app" and "mongodb"`, []string{"count-mismatch", "not-found", "not-running", "port-taken", "restart-loop"}},
		{`^the containers of the services "([^"]+)" and "([^"]+)" share a network$`, w.composeShareNetwork,
			`the containers of the services "app" and "mongodb" share a network`, []string{"no-network"}},
		{`^the container of the service "([^"]+)" publishes container port (\d+) on host port (\d+)$`, w.composeContainerPublishes,
			`the container of the service "app" publishes container port 3000 on host port 3000`, []string{"port-not-published"}},
		{`^(http://\S+) answers with the home page served by the container of the service "([^"]+)"$`, w.composeHomePage,
			`http://localhost:3000/ answers with the home page served by the container of the service "app"`, []string{"no-answer", "page-differs", "port-taken"}},
		{`^the lab reads the collection "([^"]+)" of the database "([^"]+)" of the service "([^"]+)"$`, w.composeReadPosts,
			`the lab reads the collection "posts" of the database "posts" of the service "mongodb"`, []string{"no-answer", "no-network", "not-found"}},
		{`^it holds at least (\d+) documents?$`, w.composePostsAtLeast,
			`it holds at least 1 document`, []string{"data-missing"}},
		{`^(http://\S+) lists exactly those documents$`, w.composeListsPosts,
			`http://localhost:3000/posts?format=json lists exactly those documents`, []string{"page-differs"}},
		{`^the container of the service "([^"]+)" has the restart policy "([^"]+)"$`, w.composeContainerRestart,
			`the container of the service "app" has the restart policy "always"`, []string{"policy-mismatch"}},
		{`^the lab crashes the container of the service "([^"]+)"$`, w.composeCrash,
			`the lab crashes the container of the service "app"`, []string{"not-running"}},
		{`^it runs again within (\d+) seconds of the crash$`, w.composeBackWithin,
			`it runs again within 20 seconds of the crash`, []string{"not-healed"}},
		{`^(http://\S+) answers with its home page again within (\d+) seconds of the crash$`, w.composeAnswersAgain,
			`http://localhost:3000/ answers with its home page again within 20 seconds of the crash`, []string{"no-answer", "page-differs", "port-taken"}},
		{`^no container of the Compose project "([^"]+)" is left from before "docker compose down"$`, w.composeTakenDown,
			`no container of the Compose project "lab" is left from before "docker compose down"`, []string{"data-missing", "left-behind", "no-answer", "no-network", "not-found", "not-recreated"}},
	}
}

// composeState is what the steps of one lesson 5 scenario share.
type composeState struct {
	rel     string // the Compose file, relative to the workspace
	file    *sandbox.ComposeFile
	project string
	volume  string // the Docker volume a file check settled on

	// The running container of each service, by service name.
	services map[string]sandbox.ContainerDetails

	// What the lab read from the database: the documents of coll in db, and
	// how many documents the same collection holds in other databases.
	db, coll string
	docs     []sandbox.MongoDocument
	others   map[string]int

	crash *composeCrash
}

// composeCrash is the container the lab crashed, as it was before, and
// the crash.
type composeCrash struct {
	before sandbox.ContainerDetails
	crash  sandbox.Crash
}

// composeOf returns the scenario's compose state, creating it on first use.
func composeOf(ctx context.Context) (context.Context, *composeState) {
	return scenarioState[composeState](ctx)
}

// composeEngineErr turns a lost engine into an environment error; any
// other error stays what it is.
func composeEngineErr(err error) error {
	if sandbox.IsUnreachable(err) {
		return &EnvError{Err: err}
	}
	return err
}

// Settling times: a server that has just started (or restarted) answers
// within these, or the check reports what it saw last.
const (
	composeSettle     = 10 * time.Second
	composePollEvery  = 100 * time.Millisecond
	composeHTTPEvery  = 200 * time.Millisecond
	composeHealWithin = 30 * time.Second
)

// ---- the Compose file ----

func (w *world) composeFileValid(ctx context.Context, rel, project string) (context.Context, error) {
	ctx, st := composeOf(ctx)
	ws := w.run.opts.Workspace
	if ws == "" {
		return ctx, &EnvError{Err: errors.New("no workspace directory is set; use --workspace or LAB_WORKSPACE")}
	}
	path, err := w.workspacePath(rel)
	if err != nil {
		return ctx, err
	}
	try := fmt.Sprintf("docker compose -f %s config", rel)
	f, err := sandbox.LoadComposeFile(ctx, path, project, w.run.opts.Env)
	var ferr *sandbox.ComposeFileError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ctx, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the Compose file %s does not exist in your workspace", rel),
			Expected: "the file " + path,
			Observed: "no such file",
			Try:      "ls " + filepath.Dir(path),
		}
	case errors.As(err, &ferr):
		where := rel
		if ferr.Line > 0 {
			where += " line " + strconv.Itoa(ferr.Line)
		}
		msg := ferr.Msg
		if ferr.Key != "" {
			msg = ferr.Key + ": " + msg
		}
		fail := &Failure{
			Code:     "invalid-file",
			Message:  fmt.Sprintf("%s: %s", where, msg),
			Expected: "a file docker compose accepts",
			Observed: ferr.Error(),
			Try:      try,
		}
		if ferr.Suggest != "" {
			fail.Message += fmt.Sprintf("; did you mean %q?", ferr.Suggest)
			fail.Fix = fmt.Sprintf("rename %s to %s", ferr.Key[strings.LastIndex(ferr.Key, ".")+1:], ferr.Suggest)
		}
		return ctx, fail
	case err != nil:
		return ctx, fmt.Errorf("reading %s: %w", rel, err)
	}
	if f.Name != "" && f.Name != project {
		return ctx, &Failure{
			Code:     "name-mismatch",
			Message:  fmt.Sprintf("%s line %d names the project %q, but the lab looks for the project %q", rel, f.Line("name"), f.Name, project),
			Expected: fmt.Sprintf("name: %s (or no name: and docker compose -p %s)", project, project),
			Observed: "name: " + f.Name,
			Try:      try,
			Fix:      fmt.Sprintf("set name: %s", project),
		}
	}
	for _, warn := range f.Warnings {
		w.note("docker compose would warn: %s", warn)
	}
	st.rel, st.file, st.project = rel, f, project
	return ctx, nil
}

// composeService returns the service the file declares, or a failure
// naming the services it does declare.
func (w *world) composeService(ctx context.Context, name string) (*composeState, sandbox.ComposeService, error) {
	_, st := composeOf(ctx)
	if st.file == nil {
		return st, sandbox.ComposeService{}, errors.New("no Compose file read by an earlier step: put the step that reads it first")
	}
	s, ok := st.file.Services[name]
	if !ok {
		var names []string
		for n := range st.file.Services {
			names = append(names, n)
		}
		slices.Sort(names)
		observed := "no services"
		if len(names) > 0 {
			observed = "services " + strings.Join(names, ", ")
		}
		return st, s, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("%s declares no service %q", st.rel, name),
			Expected: fmt.Sprintf("a service named %s under services:", name),
			Observed: observed,
			Try:      fmt.Sprintf("docker compose -f %s config --services", st.rel),
		}
	}
	return st, s, nil
}

func (st *composeState) at(path ...string) string {
	if line := st.file.Line(path...); line > 0 {
		return fmt.Sprintf("%s line %d", st.rel, line)
	}
	return st.rel
}

func (w *world) composeFilePublishes(ctx context.Context, name string, target, host int) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	hostPort := strconv.Itoa(host)
	expected := fmt.Sprintf(`ports: ["%d:%d"]`, host, target)
	var seen []string
	for _, p := range s.Ports {
		pub := p.Published
		if pub == "" {
			pub = "a random port"
		}
		seen = append(seen, fmt.Sprintf("%s → %d", pub, p.Target))
		if p.Target == target && p.Published == hostPort {
			return nil
		}
	}
	try := fmt.Sprintf("docker compose -f %s config", st.rel)
	for _, p := range s.Ports {
		if p.Published == hostPort {
			return &Failure{
				Code:     "port-mismatch",
				Message:  fmt.Sprintf("%s: the service %q publishes host port %d to container port %d, but the app listens on %d", st.at("services", name, "ports"), name, host, p.Target, target),
				Expected: expected,
				Observed: strings.Join(seen, ", "),
				Try:      try,
			}
		}
	}
	if len(s.Ports) == 0 {
		return &Failure{
			Code:     "port-not-published",
			Message:  fmt.Sprintf("%s: the service %q publishes no port, so nothing outside its network reaches it", st.at("services", name), name),
			Expected: expected,
			Observed: "no ports:",
			Try:      try,
		}
	}
	return &Failure{
		Code:     "port-mismatch",
		Message:  fmt.Sprintf("%s: the service %q does not publish container port %d on host port %d", st.at("services", name, "ports"), name, target, host),
		Expected: expected,
		Observed: strings.Join(seen, ", "),
		Try:      try,
	}
}

func (w *world) composeFileSetsEnv(ctx context.Context, name, key, want string) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("environment: %s: %s", key, want)
	try := fmt.Sprintf("docker compose -f %s config", st.rel)
	got, ok := s.Environment[key]
	if !ok {
		return &Failure{
			Code:     "env-mismatch",
			Message:  fmt.Sprintf("%s: the service %q does not set %s", st.at("services", name, "environment"), name, key),
			Expected: expected,
			Observed: "no " + key + " in its environment",
			Try:      try,
		}
	}
	if got == want || strings.TrimPrefix(got, "mongodb://") == want {
		return nil
	}
	f := &Failure{
		Code:     "env-mismatch",
		Message:  fmt.Sprintf("%s: the service %q sets %s to %q, not %q", st.at("services", name, "environment", key), name, key, got, want),
		Expected: expected,
		Observed: key + "=" + got,
		Try:      try,
	}
	if host := dbHostName(got); host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1" {
		wantHost := dbHostName(want)
		f.Message = fmt.Sprintf("%s: %s points at %s, which inside the %s container is that container itself; use the service name %q", st.at("services", name, "environment", key), key, host, name, wantHost)
		f.Fix = fmt.Sprintf("containers of one project reach each other by service name: %s=%s", key, want)
	}
	return f
}

// dbHostName is the host part of a DB_HOST value like mongodb:27017/posts
// or mongodb://localhost:27017/posts.
func dbHostName(v string) string {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "mongodb+srv://"), "mongodb://")
	if i := strings.IndexAny(v, "/?"); i >= 0 {
		v = v[:i]
	}
	if at := strings.LastIndex(v, "@"); at >= 0 {
		v = v[at+1:]
	}
	if host, _, err := net.SplitHostPort(v); err == nil {
		return host
	}
	return v
}

func (w *world) composeFileDependsOn(ctx context.Context, name, dep string) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	if slices.Contains(s.DependsOn, dep) {
		return nil
	}
	observed := "no depends_on:"
	if len(s.DependsOn) > 0 {
		observed = "depends_on: " + strings.Join(s.DependsOn, ", ")
	}
	return &Failure{
		Code:     "dependency-missing",
		Message:  fmt.Sprintf("%s: the service %q does not depend on %q, so Compose may start it before its database", st.at("services", name, "depends_on"), name, dep),
		Expected: fmt.Sprintf("depends_on: [%s]", dep),
		Observed: observed,
		Try:      fmt.Sprintf("docker compose -f %s config", st.rel),
	}
}

func (w *world) composeFileRestart(ctx context.Context, name, want string) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	if s.Restart == want {
		return nil
	}
	f := &Failure{
		Code:     "policy-mismatch",
		Message:  fmt.Sprintf("%s: the service %q has the restart policy %q, not %q", st.at("services", name, "restart"), name, s.Restart, want),
		Expected: "restart: " + want,
		Observed: "restart: " + s.Restart,
		Try:      fmt.Sprintf("docker compose -f %s config", st.rel),
	}
	if s.Restart == "" || s.Restart == "no" {
		f.Message = fmt.Sprintf("%s: the service %q has no restart policy, so a crashed app stays down", st.at("services", name), name)
		f.Observed = "no restart:"
	}
	return f
}

func (w *world) composeFileImage(ctx context.Context, name, want string) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	if sandbox.PinAtLeast(s.Image, want) {
		if s.Image != want {
			w.note("the service %q runs %s, pinned at least as strictly as %s", name, s.Image, want)
		}
		return nil
	}
	at := st.at("services", name, "image")
	f := &Failure{
		Code:     "image-differs",
		Message:  fmt.Sprintf("%s: the service %q runs the image %q, not %q", at, name, s.Image, want),
		Expected: "image: " + want,
		Observed: "image: " + s.Image,
		Try:      fmt.Sprintf("docker compose -f %s config", st.rel),
	}
	repo, tag := splitImageTag(s.Image)
	wantRepo, _ := splitImageTag(want)
	switch {
	case s.Image == "":
		f.Message = fmt.Sprintf("%s: the service %q names no image", st.at("services", name), name)
		f.Observed = "no image:"
	case sandbox.SameRepository(repo, wantRepo) && (tag == "" || tag == "latest"):
		f.Message = fmt.Sprintf("%s: the service %q runs %q, which is not pinned: whatever is newest when it is pulled", at, name, s.Image)
		f.Fix = "pin the version: image: " + want
	case sandbox.SameRepository(repo, wantRepo):
		f.Message = fmt.Sprintf("%s: the service %q runs %q, which is not pinned at least as strictly as %q", at, name, s.Image, want)
		f.Fix = "pin the version: image: " + want
	}
	return f
}

// splitImageTag splits an image reference into repository and tag; the tag
// is empty when there is none (a digest counts as a tag).
func splitImageTag(ref string) (repo, tag string) {
	if i := strings.Index(ref, "@"); i >= 0 {
		return ref[:i], ref[i+1:]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i], ref[i+1:]
	}
	return ref, ""
}

func (w *world) composeFileNamedVolume(ctx context.Context, name, target string) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("volumes: [\"db-data:%s\"] in the service and db-data: under the top-level volumes:", target)
	try := fmt.Sprintf("docker compose -f %s config", st.rel)
	for i, m := range s.Volumes {
		if m.Target != target {
			continue
		}
		at := st.at("services", name, "volumes", strconv.Itoa(i))
		switch {
		case m.Type == "bind":
			return &Failure{
				Code:     "volume-mismatch",
				Message:  fmt.Sprintf("%s: %s of the service %q is the host folder %s (a bind mount), not a named volume", at, target, name, m.Source),
				Expected: expected,
				Observed: fmt.Sprintf("%s:%s", m.Source, m.Target),
				Try:      try,
			}
		case m.Type != "volume":
			return &Failure{
				Code:     "volume-mismatch",
				Message:  fmt.Sprintf("%s: %s of the service %q is a %s mount, not a named volume", at, target, name, m.Type),
				Expected: expected,
				Observed: m.Type,
				Try:      try,
			}
		case m.Source == "":
			return &Failure{
				Code:     "volume-mismatch",
				Message:  fmt.Sprintf("%s: %s of the service %q is an anonymous volume: Compose cannot find it again by name, and docker compose down -v or rm -v deletes it", at, target, name),
				Expected: expected,
				Observed: "volumes: [" + target + "]",
				Try:      try,
			}
		}
		v, ok := st.file.Volumes[m.Source]
		if !ok {
			return fmt.Errorf("the volume %q of the service %q is not among the file's volumes", m.Source, name)
		}
		st.volume = v.Name
		w.note("the service %s keeps %s in the volume %s (Docker name %s)", name, target, m.Source, v.Name)
		return nil
	}
	return &Failure{
		Code:     "volume-mismatch",
		Message:  fmt.Sprintf("%s: the service %q keeps nothing at %s in a volume, so its data goes with its container", st.at("services", name, "volumes"), name, target),
		Expected: expected,
		Observed: fmt.Sprintf("no volume at %s", target),
		Try:      try,
	}
}

func (w *world) composeVolumeExists(ctx context.Context) error {
	_, st := composeOf(ctx)
	if st.volume == "" {
		return errors.New("no volume named by an earlier step: put the step that finds it first")
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	v, err := e.InspectVolume(ctx, st.volume)
	if sandbox.IsNotFound(err) {
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the volume %s is gone, and the data in it: docker compose down -v removes the project's named volumes", st.volume),
			Expected: "the volume " + st.volume + ", kept by docker compose down",
			Observed: "no such volume",
			Try:      "docker volume ls --filter label=" + sandbox.ComposeProjectLabel + "=" + st.project,
			Fix:      "take the project down without -v; up creates a new, empty volume now",
		}
	}
	if err != nil {
		return composeEngineErr(err)
	}
	w.note("the volume %s exists (created %s)", v.Name, v.Created.Local().Format(time.RFC3339))
	return nil
}

// ---- the running project ----

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
	for _, b := range d.Ports[port] {
		if b.HostPort == host {
			return nil
		}
	}
	var seen []string
	for p, bs := range d.Ports {
		for _, b := range bs {
			seen = append(seen, fmt.Sprintf("%d → %s", b.HostPort, p))
		}
	}
	slices.Sort(seen)
	observed := "no published port"
	if len(seen) > 0 {
		observed = strings.Join(seen, ", ")
	}
	return &Failure{
		Code:     "port-not-published",
		Message:  fmt.Sprintf("the container %s does not publish container port %d on host port %d", d.Name, target, host),
		Expected: fmt.Sprintf("host port %d → %s", host, port),
		Observed: observed,
		Try:      fmt.Sprintf("docker compose -p %s port %s %d", st.project, svc, target),
		Fix:      fmt.Sprintf("publish it in the file (ports: [\"%d:%d\"]) and run docker compose up -d again", host, target),
	}
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
	st, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	e, err := w.engine(ctx)
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

// ---- the posts ----

func (w *world) composeReadPosts(ctx context.Context, coll, db, svc string) error {
	st, dbc, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	via, uri, err := composeDatabaseRoute(st, dbc)
	if err != nil {
		return err
	}
	docs, err := e.MongoIDsThrough(ctx, via.ID, uri, coll)
	switch {
	case errors.Is(err, sandbox.ErrNoMongoDriver):
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the container %s has no mongodb driver where it runs the app, so the lab cannot read the database through it", via.Name),
			Expected: "the sample app's image with its dependencies installed (npm ci) in its working directory",
			Observed: err.Error(),
			Try:      fmt.Sprintf("docker exec %s ls node_modules", via.Name),
		}
	case sandbox.IsMongoUnreachable(err):
		return &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("the database of the service %q does not answer at %s", svc, uri),
			Expected: "a MongoDB server answering on port 27017 of " + dbc.Name,
			Observed: err.Error(),
			Try:      fmt.Sprintf("docker compose -p %s logs %s", st.project, svc),
		}
	case err != nil:
		return composeEngineErr(err)
	}
	st.db, st.coll, st.docs = db, coll, docs[db]
	st.others = map[string]int{}
	for name, ds := range docs {
		if name != db {
			st.others[name] = len(ds)
		}
	}
	w.note("the collection %s.%s of %s holds %d documents", db, coll, dbc.Name, len(st.docs))
	return nil
}

// composeDatabaseRoute picks the container the lab reads the database
// through — another service's container on a network the database's
// container is on (the app's, which has the driver) — and the database's
// address on that network, so the lab reads that very server.
func composeDatabaseRoute(st *composeState, dbc sandbox.ContainerDetails) (sandbox.ContainerDetails, string, error) {
	names := make([]string, 0, len(st.services))
	for n := range st.services {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := st.services[n]
		if c.ID == dbc.ID {
			continue
		}
		if shared := composeSharedNetwork(c, dbc); shared != "" {
			if ip := dbc.Networks[shared].IPAddress; ip != "" {
				return c, "mongodb://" + net.JoinHostPort(ip, "27017") + "/", nil
			}
		}
	}
	return sandbox.ContainerDetails{}, "", &Failure{
		Code:     "no-network",
		Message:  fmt.Sprintf("no container shares a network with %s, so nothing can reach its database", dbc.Name),
		Expected: "the app and the database on the project's network",
		Observed: composeNetworks(dbc),
		Try:      "docker network inspect " + st.project + "_default",
	}
}

func (w *world) composePostsAtLeast(ctx context.Context, least int) error {
	_, st := composeOf(ctx)
	if st.coll == "" {
		return errors.New("no collection read by an earlier step: put the step that reads it first")
	}
	if len(st.docs) >= least {
		return nil
	}
	f := &Failure{
		Code:     "data-missing",
		Message:  fmt.Sprintf("the collection %s of the database %s has no documents yet", st.coll, st.db),
		Expected: fmt.Sprintf("at least %d documents in %s.%s", least, st.db, st.coll),
		Observed: fmt.Sprintf("%d", len(st.docs)),
		Try:      fmt.Sprintf("docker compose -p %s ps, then look at the collection %s of the database %s with a MongoDB client", st.project, st.coll, st.db),
		Fix:      fmt.Sprintf("put at least %d documents into the collection %s of the database %s", least, st.coll, st.db),
	}
	if len(st.docs) > 0 {
		f.Message = fmt.Sprintf("the collection %s of the database %s holds %d documents, fewer than %d", st.coll, st.db, len(st.docs), least)
	}
	var others []string
	for name, n := range st.others {
		others = append(others, fmt.Sprintf("database %q holds %d", name, n))
	}
	slices.Sort(others)
	if len(others) > 0 {
		f.Message = fmt.Sprintf("the collection %s of the database %s is empty, but %s: the documents went to another database than %s", st.coll, st.db, strings.Join(others, ", "), st.db)
		f.Observed = strings.Join(others, "; ")
		f.Fix = fmt.Sprintf("write the documents to the database %s, the one the app's settings name", st.db)
	}
	return f
}

// composePost is one post of the app's JSON list.
type composePost struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// listPosts asks url for the app's posts as JSON until it answers, within
// the time given. The app answers 503 while its database is not reachable
// yet (a container or pod that just started, a database still starting):
// that settles; any other answer is final. last is the last answer seen.
func listPosts(ctx context.Context, url string, within time.Duration) (posts []composePost, last sandbox.HTTPResponse, err error) {
	err = eventually(ctx, within, composeHTTPEvery, func(ctx context.Context) (bool, error) {
		r, err := sandbox.GetHTTP(ctx, nil, url)
		if err != nil {
			return false, err
		}
		last = r
		if r.Status == 503 {
			return false, fmt.Errorf("HTTP 503: %s", firstLines(string(r.Body), 2))
		}
		if r.Status != 200 {
			return true, fmt.Errorf("HTTP %d: %s", r.Status, firstLines(string(r.Body), 2))
		}
		if err := json.Unmarshal(r.Body, &posts); err != nil {
			return true, fmt.Errorf("not a JSON list of documents: %v (%s)", err, firstLines(string(r.Body), 2))
		}
		return true, nil
	})
	return posts, last, err
}

// composeMaxPosts is how many posts the sample app lists at most.
const composeMaxPosts = 100

func (w *world) composeListsPosts(ctx context.Context, raw string) error {
	_, st := composeOf(ctx)
	if st.coll == "" {
		return errors.New("no collection read by an earlier step: put the step that reads it first")
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	url, err := sandbox.PublishedURL(e.Endpoint(), raw)
	if err != nil {
		return err
	}
	posts, last, err := listPosts(ctx, url, composeSettle)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := fmt.Sprintf("%s does not list the documents", raw)
		if last.Status == 503 {
			msg = fmt.Sprintf("%s answers 503: the app cannot read its database", raw)
		}
		return &Failure{
			Code:     "page-differs",
			Message:  msg,
			Expected: fmt.Sprintf("HTTP 200 with a JSON list of the documents of %s.%s", st.db, st.coll),
			Observed: err.Error(),
			Try:      "curl -i '" + raw + "'",
		}
	}
	want := st.docs
	if len(want) > composeMaxPosts {
		want = want[:composeMaxPosts]
	}
	var wantIDs, gotIDs []string
	for _, d := range want {
		wantIDs = append(wantIDs, d.ID)
	}
	for _, p := range posts {
		gotIDs = append(gotIDs, p.ID)
	}
	if slices.Equal(wantIDs, gotIDs) {
		w.note("%s lists the %d documents that are in %s.%s", raw, len(posts), st.db, st.coll)
		return nil
	}
	var missing, extra []string
	for _, id := range wantIDs {
		if !slices.Contains(gotIDs, id) {
			missing = append(missing, id)
		}
	}
	for _, id := range gotIDs {
		if !slices.Contains(wantIDs, id) {
			extra = append(extra, id)
		}
	}
	observed := fmt.Sprintf("it lists %d documents, the database holds %d", len(gotIDs), len(st.docs))
	if len(extra) > 0 {
		observed += fmt.Sprintf("; listed but not in the database: %s", composeFirstIDs(extra))
	}
	if len(missing) > 0 {
		observed += fmt.Sprintf("; in the database but not listed: %s", composeFirstIDs(missing))
	}
	return &Failure{
		Code:     "page-differs",
		Message:  fmt.Sprintf("%s does not list the documents that are in %s.%s", raw, st.db, st.coll),
		Expected: fmt.Sprintf("the %d documents of the database, in order", len(wantIDs)),
		Observed: observed,
		Try:      "curl '" + raw + "'",
		Fix:      fmt.Sprintf("the app must read the database %s that the lab read: check the setting that names its database", st.db),
	}
}

func composeFirstIDs(ids []string) string {
	if len(ids) > 3 {
		return strings.Join(ids[:3], ", ") + fmt.Sprintf(" and %d more", len(ids)-3)
	}
	return strings.Join(ids, ", ")
}

// ---- self-healing ----

func (w *world) composeContainerRestart(ctx context.Context, svc, want string) error {
	_, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	rt, err := e.InspectRuntime(ctx, d.ID)
	if err != nil {
		return composeEngineErr(err)
	}
	if rt.RestartPolicy == want {
		return nil
	}
	f := &Failure{
		Code:     "policy-mismatch",
		Message:  fmt.Sprintf("the container %s runs with the restart policy %q, not %q", d.Name, rt.RestartPolicy, want),
		Expected: "restart policy " + want,
		Observed: rt.RestartPolicy,
		Try:      "docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' " + d.Name,
		Fix:      fmt.Sprintf("set restart: %s in the file and run docker compose up -d: Compose recreates the containers whose settings changed", want),
	}
	if rt.RestartPolicy == "no" {
		f.Message = fmt.Sprintf("the container %s runs with the restart policy \"no\": a crash would leave it down, so the lab does not crash it", d.Name)
	}
	return f
}

func (w *world) composeCrash(ctx context.Context, svc string) error {
	st, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	before, err := e.InspectContainer(ctx, d.ID)
	if err != nil {
		return composeEngineErr(err)
	}
	if !before.State.Running {
		return &Failure{Code: "not-running", Message: fmt.Sprintf("the container %s stopped before the lab crashed it: %s", d.Name, composeStateText(before.State)), Try: "docker ps -a"}
	}
	w.announce("killing the main process of container %s (service %s) with SIGKILL, as a crash would, to see its restart policy bring it back; the lab starts it again if nothing else does", d.Name, svc)
	sent := true // whether the signal may have gone out
	w.onCleanup(func(ctx context.Context) { w.composeHeal(ctx, e, before, sent) })
	crash, err := e.CrashContainer(ctx, d.ID)
	if err != nil {
		sent = ctx.Err() != nil
		return composeEngineErr(err)
	}
	st.crash = &composeCrash{before: before, crash: crash}
	return nil
}

// composeHeal leaves a container the lab crashed (or began to) running,
// whatever became of the check: it waits while the engine restarts it, and
// starts it itself when the engine will not. It runs when the scenario
// ends, also after Ctrl-C.
func (w *world) composeHeal(ctx context.Context, e *sandbox.Engine, before sandbox.ContainerDetails, sent bool) {
	ctx, cancel := context.WithTimeout(ctx, composeHealWithin)
	defer cancel()
	wait := composeSettle
	if !sent {
		wait = time.Second // a look: nothing was killed, but something else may have stopped it
	}
	var d sandbox.ContainerDetails
	_ = eventually(ctx, wait, composePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		d, err = e.InspectContainer(ctx, before.ID)
		if err != nil {
			return true, err
		}
		restarted := d.State.Running && !d.State.Restarting && d.State.StartedAt.After(before.State.StartedAt)
		stopped := !d.State.Running && !d.State.Restarting
		// Still running since before: the killed process is on its way out.
		return restarted || stopped, nil
	})
	if d.ID == "" || d.State.Running || d.State.Restarting {
		return
	}
	if err := e.StartContainer(ctx, before.ID); err != nil {
		w.announce("could not start %s again: %v; start it with: docker start %s", before.Name, err, before.Name)
		return
	}
	w.announce("started %s again after the crash", before.Name)
}

func (w *world) composeBackWithin(ctx context.Context, secs int) error {
	_, st := composeOf(ctx)
	c := st.crash
	if c == nil {
		return errors.New("no container crashed by an earlier step: put the step that crashes it first")
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	within := time.Duration(secs)*time.Second - time.Since(c.crash.At)
	var d sandbox.ContainerDetails
	err = eventually(ctx, max(within, 0), composePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		d, err = e.InspectContainer(ctx, c.before.ID)
		if err != nil {
			return true, err
		}
		back := d.State.Running && !d.State.Restarting && d.State.StartedAt.After(c.before.State.StartedAt)
		return back, nil
	})
	if sandbox.IsNotFound(err) {
		return &Failure{
			Code:    "not-healed",
			Message: fmt.Sprintf("the container %s was removed after the crash instead of restarted", c.before.Name),
			Try:     "docker ps -a",
		}
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return composeEngineErr(err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if d.State.Running && !d.State.Restarting && d.State.StartedAt.After(c.before.State.StartedAt) {
		took := d.State.StartedAt.Sub(c.crash.At).Round(10 * time.Millisecond)
		w.note("%s came back %s after the crash; restart count %d → %d", c.before.Name, max(took, 0), c.before.State.RestartCount, d.State.RestartCount)
		return nil
	}
	return &Failure{
		Code:     "not-healed",
		Message:  fmt.Sprintf("the container %s did not come back within %d seconds of the crash", c.before.Name, secs),
		Expected: "running again, restarted by the engine",
		Observed: fmt.Sprintf("%s, restart count %d", composeStateText(d.State), d.State.RestartCount),
		Try:      "docker inspect -f '{{.State.Status}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}' " + c.before.Name,
	}
}

func (w *world) composeAnswersAgain(ctx context.Context, raw string, secs int) error {
	_, st := composeOf(ctx)
	c := st.crash
	if c == nil {
		return errors.New("no container crashed by an earlier step: put the step that crashes it first")
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	within := time.Duration(secs)*time.Second - time.Since(c.crash.At)
	host, err := w.composeHomeAnswer(ctx, e, raw, max(within, time.Second))
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			f.Message = fmt.Sprintf("%s does not answer with the app's home page again within %d seconds of the crash", raw, secs)
		}
		return err
	}
	w.note("%s answered again %s after the crash", raw, time.Since(c.crash.At).Round(10*time.Millisecond))
	return w.composeSameHost(ctx, e, st, c.before, raw, host)
}

// ---- taking the project down ----

func (w *world) composeTakenDown(ctx context.Context, project string) error {
	_, st := composeOf(ctx)
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	cs, err := composeContainers(ctx, e, project)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		w.note("no container of the project %s remains", project)
		return nil
	}
	try := fmt.Sprintf("docker compose -p %s ps -a", project)
	var stopped []sandbox.Container
	for _, c := range cs {
		if c.State != "running" && c.State != "restarting" {
			stopped = append(stopped, c)
		}
	}
	if len(stopped) > 0 {
		return &Failure{
			Code:     "left-behind",
			Message:  fmt.Sprintf("%d containers of the project %q remain, stopped: docker compose stop keeps the containers, docker compose down removes them", len(stopped), project),
			Expected: "no container of the project " + project,
			Observed: composeNames(cs),
			Try:      try,
			Fix:      fmt.Sprintf("docker compose -p %s down", project),
		}
	}
	// The project runs again: that is fine when it was taken down and
	// started again since the posts were written, which the posts' ids
	// (made when they were inserted) and the containers' creation times tell.
	app, db := "", ""
	for _, c := range cs {
		switch c.Labels[sandbox.ComposeServiceLabel] {
		case "app":
			app = c.ID
		case "mongodb":
			db = c.ID
		}
	}
	if app == "" || db == "" {
		return &Failure{
			Code:     "left-behind",
			Message:  fmt.Sprintf("containers of the project %q still run: %s", project, composeNames(cs)),
			Expected: "no container of the project " + project,
			Observed: composeNames(cs),
			Try:      try,
			Fix:      fmt.Sprintf("docker compose -p %s down", project),
		}
	}
	st.project = project
	st.services = map[string]sandbox.ContainerDetails{}
	for svc, id := range map[string]string{"app": app, "mongodb": db} {
		d, err := e.InspectContainer(ctx, id)
		if err != nil {
			return composeEngineErr(err)
		}
		st.services[svc] = d
	}
	if err := w.composeReadPosts(ctx, "posts", "posts", "mongodb"); err != nil {
		return err
	}
	var oldest time.Time
	for _, d := range st.docs {
		if !d.IDTime.IsZero() && (oldest.IsZero() || d.IDTime.Before(oldest)) {
			oldest = d.IDTime
		}
	}
	if oldest.IsZero() {
		return &Failure{
			Code:     "data-missing",
			Message:  fmt.Sprintf("the project %q runs again, but its database has no documents: after docker compose down -v the new volume starts empty", project),
			Expected: "the documents kept in the volume across docker compose down and up",
			Observed: fmt.Sprintf("no documents in %s.%s", st.db, st.coll),
			Try:      fmt.Sprintf("docker compose -p %s ps", project),
			Fix:      fmt.Sprintf("put the documents in again, then take the project down without -v (docker compose -p %s down) and up again", project),
		}
	}
	// An ObjectId keeps whole seconds: a post made at 12:00:00.9 says
	// 12:00:00, so a container is surely newer from one second later.
	newer := oldest.Add(time.Second)
	for _, svc := range []string{"app", "mongodb"} {
		d := st.services[svc]
		if d.Created.Before(newer) {
			return &Failure{
				Code:     "not-recreated",
				Message:  fmt.Sprintf("the container %s has been there since before the documents were written: the project was not taken down", d.Name),
				Expected: "no container of the project (after docker compose down), or only containers made after it",
				Observed: fmt.Sprintf("%s created %s; the first document written %s", d.Name, d.Created.Local().Format(time.TimeOnly), oldest.Local().Format(time.TimeOnly)),
				Try:      try,
				Fix:      fmt.Sprintf("docker compose -p %s down", project),
			}
		}
	}
	w.note("the project %s was taken down and started again: its containers are newer than the %d documents the volume kept", project, len(st.docs))
	return nil
}
