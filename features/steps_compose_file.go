package features

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

func (w *world) composeFileValid(ctx context.Context, rel, project string) (context.Context, error) {
	ctx, st := composeOf(ctx)
	path, err := w.workspacePath(rel)
	if err != nil {
		return ctx, err
	}
	try := fmt.Sprintf("docker compose -f %s config", rel)
	f, err := sandbox.LoadComposeFile(ctx, path, project, w.target().Env)
	var ferr *sandbox.ComposeFileError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ctx, noSuchFile(fmt.Sprintf("the Compose file %s does not exist in your workspace", rel), path, "")
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

// fileService is a service of the Compose file: a setting of it changes
// in the file.
func (st *composeState) fileService(name string, path ...string) subject {
	return subject{
		who: fmt.Sprintf("%s: the service %q", st.at(append([]string{"services", name}, path...)...), name),
		try: fmt.Sprintf("docker compose -f %s config", st.rel),
		change: func(_, setting string) string {
			return fmt.Sprintf("set %s for the service %s in %s", setting, name, st.rel)
		},
	}
}

func (w *world) composeFilePublishes(ctx context.Context, name string, target, host int) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	if len(s.Ports) == 0 {
		return &Failure{
			Code:     "port-not-published",
			Message:  fmt.Sprintf("%s publishes no port, so nothing outside its network reaches it", st.fileService(name).who),
			Expected: fmt.Sprintf(`ports: ["%d:%d"]`, host, target),
			Observed: "no ports:",
			Try:      st.fileService(name).try,
		}
	}
	ports := map[string][]sandbox.PortBinding{}
	var seen []string
	for _, p := range s.Ports {
		pub := p.Published
		if pub == "" {
			pub = "a random port"
		}
		seen = append(seen, fmt.Sprintf("%s → %d", pub, p.Target))
		hp, _ := strconv.Atoi(p.Published)
		key := fmt.Sprintf("%d/tcp", p.Target)
		ports[key] = append(ports[key], sandbox.PortBinding{HostPort: hp})
	}
	setting := fmt.Sprintf(`ports: ["%d:%d"]`, host, target)
	f := st.fileService(name, "ports").publishes(ports, fmt.Sprintf("%d/tcp", target), host, setting, "", setting)
	if f != nil {
		f.Observed = strings.Join(seen, ", ")
	}
	return orNil(f)
}

func (w *world) composeFileSetsEnv(ctx context.Context, name, key, want string) error {
	st, s, err := w.composeService(ctx, name)
	if err != nil {
		return err
	}
	got, ok := s.Environment[key]
	path := []string{"environment", key}
	if !ok {
		path = path[:1]
	}
	es := envSubject{subject: st.fileService(name, path...), inside: fmt.Sprintf("the %s container", name), itself: "that container", peer: "the service name"}
	f := es.setsEnv(key, got, ok, want, fmt.Sprintf("environment: %s: %s", key, want))
	if f != nil && ok && isLoopback(dbHostName(got)) {
		f.Fix = fmt.Sprintf("containers of one project reach each other by service name: %s=%s", key, want)
	}
	return orNil(f)
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
	var path []string
	if s.Restart != "" {
		path = []string{"restart"}
	}
	return orNil(st.fileService(name, path...).restartPolicy(s.Restart, want, "", "restart: "+want))
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
