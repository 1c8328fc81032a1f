package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// inspectContainer finds a container by name, or fails as a check does
// when there is none: with what was expected and how to look.
func inspectContainer(ctx context.Context, e *sandbox.Engine, name, expected, fix string) (sandbox.ContainerDetails, error) {
	d, err := e.InspectContainer(ctx, name)
	if sandbox.IsNotFound(err) {
		return d, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("no container named %q exists", name),
			Expected: expected,
			Observed: "no such container",
			Try:      "docker ps -a",
			Fix:      fix,
		}
	}
	if err != nil {
		return d, engineErr(err)
	}
	return d, nil
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
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("a running container %s from %s", name, image)
	d, err := inspectContainer(ctx, e, name, expected, "")
	if err != nil {
		return err
	}
	img, err := e.InspectImage(ctx, image)
	stricter := d.Image != image && sandbox.PinAtLeast(d.Image, image)
	switch {
	case stricter:
		// A patch version, a digest or a registry prefix pins the image
		// at least as strictly as the text does.
		w.note("%s runs %s, pinned at least as strictly as %s", name, d.Image, image)
	case sandbox.IsNotFound(err):
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("image %q is not on this machine, so container %q cannot be from it", image, name),
			Expected: expected,
			Observed: fmt.Sprintf("%s runs %s; no image %s", name, d.Image, image),
			Try:      "docker images",
			Fix:      "docker pull " + image,
		}
	case err != nil:
		return engineErr(err)
	case d.ImageID != img.ID:
		if !sandbox.SameReference(d.Image, image) {
			return &Failure{
				Code:     "image-differs",
				Message:  fmt.Sprintf("container %q was created from image %s, not %s", name, d.Image, image),
				Expected: expected,
				Observed: fmt.Sprintf("%s from %s (%.19s)", name, d.Image, d.ImageID),
				Try:      fmt.Sprintf("docker ps -a --filter name=^%s$", name),
				Fix:      fmt.Sprintf("remove it (docker rm -f %s) and run it again from %s", name, image),
			}
		}
		// The tag has moved on since (a newer pull, a rebuilt image); the
		// container still runs what the learner was told to run.
		w.note("%s was created from an earlier %s (%.19s); %s now names %.19s", name, image, d.ImageID, image, img.ID)
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
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("a running container %s published on host port %d", name, hostPort)
	d, err := inspectContainer(ctx, e, name, expected, "")
	if err != nil {
		return err
	}
	if f := notRunning(name, expected, d.State); f != nil {
		return f
	}
	ports := slices.Sorted(maps.Keys(d.Ports))
	for _, port := range ports {
		for _, b := range d.Ports[port] {
			if b.HostPort == hostPort {
				w.note("%s runs %s and publishes its port %s on host port %d", name, d.Image, port, hostPort)
				return nil
			}
		}
	}
	fix := fmt.Sprintf("a container's ports are fixed when it is created: remove it (docker rm -f %s) and run it again with -p %d:PORT, PORT being the one its server listens on", name, hostPort)
	for _, port := range ports {
		if bindings := d.Ports[port]; len(bindings) > 0 {
			return &Failure{
				Code:     "port-mismatch",
				Message:  fmt.Sprintf("container %q publishes port %s on host port %s, not %d", name, port, hostPorts(bindings), hostPort),
				Expected: expected,
				Observed: describePorts(d.Ports),
				Try:      "docker port " + name,
				Fix:      fix,
			}
		}
	}
	return &Failure{
		Code:     "port-not-published",
		Message:  fmt.Sprintf("container %q publishes no port on host port %d", name, hostPort),
		Expected: expected,
		Observed: describePorts(d.Ports),
		Try:      "docker port " + name,
		Fix:      fix,
	}
}

func (w *world) containerPublishes(ctx context.Context, name, port string, hostPort int) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	d, err := e.InspectContainer(ctx, name)
	if sandbox.IsNotFound(err) {
		return &Failure{Code: "not-found", Message: fmt.Sprintf("no container named %q exists", name), Try: "docker ps -a"}
	}
	if err != nil {
		return engineErr(err)
	}
	number, _, _ := strings.Cut(port, "/")
	publish := fmt.Sprintf("-p %d:%s", hostPort, number)
	expected := fmt.Sprintf("port %s of %s published on host port %d (%s)", port, name, hostPort, publish)
	fix := fmt.Sprintf("a container's ports are fixed when it is created: remove it (docker rm -f %s) and run it again with %s", name, publish)
	bindings := d.Ports[port]
	for _, b := range bindings {
		if b.HostPort == hostPort {
			return nil
		}
	}
	if len(bindings) > 0 {
		return &Failure{
			Code:     "port-mismatch",
			Message:  fmt.Sprintf("container %q publishes port %s on host port %s, not %d", name, port, hostPorts(bindings), hostPort),
			Expected: expected,
			Observed: describePorts(d.Ports),
			Try:      "docker port " + name,
			Fix:      fix,
		}
	}
	return &Failure{
		Code:     "port-not-published",
		Message:  fmt.Sprintf("container %q does not publish its port %s", name, port),
		Expected: expected,
		Observed: describePorts(d.Ports),
		Try:      "docker port " + name,
		Fix:      fix + " (-p HOST:CONTAINER: the second number is the port the server listens on inside the container)",
	}
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

// getPage GETs raw (a lesson's localhost address, moved to the engine's
// host for a remote engine) until something answers, for at most
// settleTime: a server that was just started needs a moment. What answers
// is returned as is.
func (w *world) getPage(ctx context.Context, raw string) (sandbox.HTTPResponse, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return sandbox.HTTPResponse{}, err
	}
	url, err := sandbox.PublishedURL(e.Endpoint(), raw)
	if err != nil {
		return sandbox.HTTPResponse{}, err
	}
	var resp sandbox.HTTPResponse
	err = eventually(ctx, settleTime, 200*time.Millisecond, func(ctx context.Context) (bool, error) {
		r, err := sandbox.GetHTTP(ctx, nil, url)
		if err != nil {
			return false, err
		}
		resp = r
		return true, nil
	})
	if err != nil {
		return resp, noAnswer(raw, settleTime, err)
	}
	return resp, nil
}

// workspaceFile reads a file of the learner's workspace.
func (w *world) workspaceFile(rel string) ([]byte, error) {
	ws := w.run.opts.Workspace
	if ws == "" {
		return nil, &EnvError{Err: errors.New("no workspace directory is set; use --workspace or LAB_WORKSPACE")}
	}
	p, err := w.workspacePath(rel)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("your workspace has no %s", rel),
			Expected: "the file " + p,
			Observed: "no such file",
			Try:      "ls " + filepath.Dir(p),
			Fix:      w.missingFileFix(rel),
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return data, nil
}

func (w *world) pageContainsOrIs(ctx context.Context, raw string, status int, text, rel string) error {
	resp, err := w.getPage(ctx, raw)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("%d with a page containing %q", status, text)
	if resp.Status != status {
		return &Failure{
			Code:     "status-mismatch",
			Message:  fmt.Sprintf("%s answers %d, not %d", raw, resp.Status, status),
			Expected: expected,
			Observed: fmt.Sprintf("%d: %s", resp.Status, firstLines(string(resp.Body), 2)),
			Try:      "curl -i " + raw,
		}
	}
	if bytes.Contains(resp.Body, []byte(text)) {
		return nil
	}
	// The next step of the lesson replaces the page with the learner's;
	// that still proves the server answers, so a later `lab verify` passes.
	if ws, err := w.workspaceFile(rel); err == nil && bytes.Equal(ws, resp.Body) {
		w.note("%s serves your %s", raw, rel)
		return nil
	}
	return &Failure{
		Code:     "page-differs",
		Message:  fmt.Sprintf("the page at %s does not contain %q", raw, text),
		Expected: expected,
		Observed: firstLines(string(resp.Body), 3),
		Try:      "curl -i " + raw,
	}
}

func (w *world) servesWorkspaceFile(ctx context.Context, raw, rel string) error {
	want, err := w.workspaceFile(rel)
	if err != nil {
		return err
	}
	resp, err := w.getPage(ctx, raw)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("the exact content of your %s (%d bytes)", rel, len(want))
	switch {
	case resp.Status != 200:
		return &Failure{
			Code:     "status-mismatch",
			Message:  fmt.Sprintf("%s answers %d, not 200", raw, resp.Status),
			Expected: expected,
			Observed: fmt.Sprintf("%d: %s", resp.Status, firstLines(string(resp.Body), 2)),
			Try:      "curl -i " + raw,
		}
	case bytes.Equal(resp.Body, want):
		return nil
	case bytes.Contains(resp.Body, []byte(nginxWelcome)):
		return &Failure{
			Code:     "page-differs",
			Message:  fmt.Sprintf("%s still serves nginx's welcome page, not your workspace file %s", raw, rel),
			Expected: expected,
			Observed: fmt.Sprintf("nginx's welcome page (%d bytes)", len(resp.Body)),
			Try:      "curl " + raw,
			Fix:      fmt.Sprintf("copy %s over the page nginx serves, /usr/share/nginx/html/index.html in the container, with docker cp", rel),
		}
	default:
		return &Failure{
			Code:     "page-differs",
			Message:  fmt.Sprintf("the page served at %s is not your workspace file %s", raw, rel),
			Expected: expected,
			Observed: diffHint(resp.Body, want, "served", rel),
			Try:      "curl " + raw,
			Fix:      fmt.Sprintf("after you change %s, copy it into the container again", rel),
		}
	}
}

// diffHint says briefly where two texts first differ, line by line, so a
// learner sees which edit the other side is missing.
func diffHint(got, want []byte, gotName, wantName string) string {
	a, b := lines(got), lines(want)
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case len(a) == 0:
			return fmt.Sprintf("the %s page is empty", gotName)
		case i >= len(a):
			return fmt.Sprintf("the %s page ends after line %d; %s goes on with %s", gotName, len(a), wantName, quoteLine(b[i]))
		case i >= len(b):
			return fmt.Sprintf("%s ends after line %d; the %s page goes on with %s", wantName, len(b), gotName, quoteLine(a[i]))
		case a[i] == b[i]:
		case strings.TrimSpace(a[i]) == strings.TrimSpace(b[i]):
			return fmt.Sprintf("line %d differs only in spaces or line endings", i+1)
		default:
			return fmt.Sprintf("line %d differs: %s has %s, %s has %s", i+1, gotName, quoteLine(a[i]), wantName, quoteLine(b[i]))
		}
	}
	return "they differ only in the newline at the end"
}

// lines splits a text into its lines; a final newline ends the last line
// rather than starting an empty one.
func lines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// quoteLine quotes a line for a message, trimmed of indentation and cut
// to a readable length on a character boundary.
func quoteLine(s string) string {
	s = strings.TrimSpace(s)
	const max = 60
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strconv.Quote(s)
}

func (w *world) inspectImage(ctx context.Context, ref, expected string) (sandbox.Image, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return sandbox.Image{}, err
	}
	img, err := e.InspectImage(ctx, ref)
	if sandbox.IsNotFound(err) {
		repo := ref
		if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
			repo = ref[:i]
		}
		return img, &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("image %q does not exist", ref),
			Expected: expected,
			Observed: "no such image",
			Try:      "docker images " + repo,
		}
	}
	return img, engineErr(err)
}

func (w *world) imageExists(ctx context.Context, ref string) error {
	img, err := w.inspectImage(ctx, ref, "an image "+ref)
	if err == nil {
		w.note("image %s is %.19s, created %s", ref, img.ID, img.Created.Format(time.RFC3339))
	}
	return err
}

func (w *world) imageHoldsWorkspaceFile(ctx context.Context, ref, rel, file string) error {
	want, err := w.workspaceFile(rel)
	if err != nil {
		return err
	}
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	got, err := e.ReadImageFile(ctx, ref, file, maxPage)
	var nf *sandbox.NotFoundError
	expected := fmt.Sprintf("%s in %s is your %s", file, ref, rel)
	switch {
	case errors.As(err, &nf) && nf.Kind == "image":
		return &Failure{Code: "not-found", Message: fmt.Sprintf("image %q does not exist", ref), Expected: expected, Try: "docker images"}
	case errors.As(err, &nf) && nf.Kind == "file":
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("image %q does not contain your page: it has no %s", ref, file),
			Expected: expected,
			Observed: "no such file in the image",
		}
	case err != nil:
		return engineErr(err)
	case bytes.Equal(got, want):
		return nil
	case bytes.Contains(got, []byte(nginxWelcome)):
		return &Failure{
			Code:     "file-differs",
			Message:  fmt.Sprintf("image %q does not contain your page: its %s is still nginx's welcome page", ref, file),
			Expected: expected,
			Observed: fmt.Sprintf("nginx's welcome page (%d bytes)", len(got)),
			Fix:      "copy your page into the running container first, then commit that container",
		}
	default:
		return &Failure{
			Code:     "file-differs",
			Message:  fmt.Sprintf("image %q does not contain your page: its %s is not your workspace file %s", ref, file, rel),
			Expected: expected,
			Observed: diffHint(got, want, "image's", rel),
			Fix:      fmt.Sprintf("copy the current %s into the container, then commit it again", rel),
		}
	}
}

func (w *world) imageOneLayerOver(ctx context.Context, ref, base string) error {
	expected := fmt.Sprintf("the layers of %s and one more: the container's changes", base)
	img, err := w.inspectImage(ctx, ref, expected)
	if err != nil {
		return err
	}
	b, err := w.inspectImage(ctx, base, expected)
	if err != nil {
		return err
	}
	if msg := layersOver(img.Layers, b.Layers, ref, base); msg != "" {
		return &Failure{
			Code:     "base-differs",
			Message:  msg,
			Expected: expected,
			Observed: fmt.Sprintf("%s has %d layers, %s has %d", ref, len(img.Layers), base, len(b.Layers)),
			Try:      fmt.Sprintf("docker history %s", ref),
		}
	}
	return nil
}

// layersOver says what is wrong when layers are not base's layers plus
// exactly one, the layer `docker commit` adds; empty when they are.
func layersOver(layers, base []string, ref, baseRef string) string {
	shared := 0
	for shared < len(layers) && shared < len(base) && layers[shared] == base[shared] {
		shared++
	}
	switch {
	case shared < len(base):
		return fmt.Sprintf("image %q was not made from %s: its layers do not start with %s's layers", ref, baseRef, baseRef)
	case len(layers) == len(base):
		return fmt.Sprintf("image %q adds no layer to %s: it is %s under another name, not a commit of a changed container", ref, baseRef, baseRef)
	case len(layers) > len(base)+1:
		return fmt.Sprintf("image %q has %d layers on top of %s; committing a container adds exactly one", ref, len(layers)-len(base), baseRef)
	}
	return ""
}

func (w *world) imageRunsCommandOf(ctx context.Context, ref, base string) error {
	expected := "the command of " + base
	img, err := w.inspectImage(ctx, ref, expected)
	if err != nil {
		return err
	}
	b, err := w.inspectImage(ctx, base, expected)
	if err != nil {
		return err
	}
	got := commandLine(img.Entrypoint, img.Cmd)
	want := commandLine(b.Entrypoint, b.Cmd)
	if got != want {
		return &Failure{
			Code:     "command-differs",
			Message:  fmt.Sprintf("image %q runs %s, not %s's %s", ref, got, base, want),
			Expected: want,
			Observed: got,
			Try:      fmt.Sprintf("docker image inspect --format '{{.Config.Entrypoint}} {{.Config.Cmd}}' %s %s", ref, base),
			Fix:      "commit the container without changing its command (no --change CMD or ENTRYPOINT)",
		}
	}
	return nil
}

// commandLine shows what a container from an image runs: its entrypoint
// followed by its command.
func commandLine(entrypoint, cmd []string) string {
	args := append(slices.Clone(entrypoint), cmd...)
	if len(args) == 0 {
		return "no command"
	}
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(q, " ") + "]"
}

func (w *world) sameImage(ctx context.Context, ref, other string) error {
	expected := fmt.Sprintf("%s and %s name the same image", ref, other)
	img, err := w.inspectImage(ctx, ref, expected)
	if err != nil {
		return err
	}
	o, err := w.inspectImage(ctx, other, expected)
	if err != nil {
		return err
	}
	if img.ID != o.ID {
		return &Failure{
			Code:     "image-differs",
			Message:  fmt.Sprintf("image %q is not image %q", ref, other),
			Expected: expected,
			Observed: fmt.Sprintf("%s is %.19s, %s is %.19s", ref, img.ID, other, o.ID),
			Try:      fmt.Sprintf("docker images --no-trunc %s %s", ref, other),
			Fix:      fmt.Sprintf("docker tag %s %s, then push it again", other, ref),
		}
	}
	return nil
}

// registry returns a client for the registry a lesson names by its
// published address (localhost:5000), reached on the engine's host.
func (w *world) registry(ctx context.Context, addr string) (*sandbox.Registry, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return nil, err
	}
	base, err := sandbox.PublishedURL(e.Endpoint(), "http://"+addr)
	if err != nil {
		return nil, err
	}
	return &sandbox.Registry{Base: base}, nil
}

func (w *world) registryHasTag(ctx context.Context, addr, repo, tag string) error {
	reg, err := w.registry(ctx, addr)
	if err != nil {
		return err
	}
	local := addr + "/" + repo + ":" + tag
	expected := fmt.Sprintf("%s:%s in the registry's catalog (docker push %s)", repo, tag, local)
	// A registry that was just started needs a moment; an answer that is
	// not a registry's is final.
	err = eventually(ctx, settleTime, 200*time.Millisecond, func(ctx context.Context) (bool, error) {
		err := reg.Ping(ctx)
		var re *sandbox.RegistryError
		return err == nil || errors.As(err, &re), err
	})
	var notRegistry *sandbox.RegistryError
	if errors.As(err, &notRegistry) {
		return &Failure{
			Code:     "port-taken",
			Message:  fmt.Sprintf("what answers at %s is not a registry", addr),
			Expected: expected,
			Observed: err.Error(),
			Try:      fmt.Sprintf("curl -i http://%s/v2/", addr),
		}
	}
	if err != nil {
		return &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("no registry answers at %s", addr),
			Expected: expected,
			Observed: err.Error(),
			Try:      fmt.Sprintf("curl -i http://%s/v2/", addr),
		}
	}
	repos, err := reg.Catalog(ctx)
	if err != nil {
		return &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("the registry at %s did not list its catalog", addr),
			Expected: expected,
			Observed: err.Error(),
			Try:      fmt.Sprintf("curl http://%s/v2/_catalog", addr),
		}
	}
	if !slices.Contains(repos, repo) {
		observed := "an empty catalog: nothing was pushed"
		if len(repos) > 0 {
			observed = "catalog: " + strings.Join(repos, ", ")
		}
		if w.imagePresent(ctx, local) {
			observed += fmt.Sprintf("; image %s is on this machine but was not pushed", local)
		}
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("repository %q is not in the catalog of the registry at %s", repo, addr),
			Expected: expected,
			Observed: observed,
			Try:      fmt.Sprintf("curl http://%s/v2/_catalog", addr),
			Fix:      "docker push " + local,
		}
	}
	tags, err := reg.Tags(ctx, repo)
	if err != nil {
		return &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("the registry at %s did not list the tags of %q", addr, repo),
			Expected: expected,
			Observed: err.Error(),
			Try:      fmt.Sprintf("curl http://%s/v2/%s/tags/list", addr, repo),
		}
	}
	if !slices.Contains(tags, tag) {
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("repository %q in the registry at %s has no tag %q", repo, addr, tag),
			Expected: expected,
			Observed: "tags: " + strings.Join(tags, ", "),
			Try:      fmt.Sprintf("curl http://%s/v2/%s/tags/list", addr, repo),
			Fix:      "docker push " + local,
		}
	}
	return nil
}

func (w *world) imagePresent(ctx context.Context, ref string) bool {
	e, err := w.engine(ctx)
	if err != nil {
		return false
	}
	_, err = e.InspectImage(ctx, ref)
	return err == nil
}

func (w *world) registryServesImage(ctx context.Context, addr, repoTag, ref string) error {
	repo, tag, ok := strings.Cut(repoTag, ":")
	if !ok {
		return fmt.Errorf("%q names no tag: write REPOSITORY:TAG", repoTag)
	}
	reg, err := w.registry(ctx, addr)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("the registry's %s is the image %s on this machine", repoTag, ref)
	m, err := reg.ManifestDigest(ctx, repo, tag)
	if err != nil {
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the registry at %s does not serve %s", addr, repoTag),
			Expected: expected,
			Observed: err.Error(),
			Try:      fmt.Sprintf("curl http://%s/v2/%s/tags/list", addr, repo),
			Fix:      "docker push " + ref,
		}
	}
	img, err := w.inspectImage(ctx, ref, expected)
	if err != nil {
		return err
	}
	pushed := sandbox.RepoDigests(img, ref)
	if slices.Contains(pushed, m.Digest) {
		w.note("the registry at %s serves %s as %s", addr, repoTag, m.Digest)
		return nil
	}
	// The engine records a digest for the repository when it pushes (and,
	// with the containerd image store, as soon as the image is tagged), so
	// no digest means it was never pushed, and another one means the image
	// changed since.
	observed := fmt.Sprintf("the registry serves %.19s; %s on this machine was never pushed", m.Digest, ref)
	if len(pushed) > 0 {
		observed = fmt.Sprintf("the registry serves %.19s; %s on this machine is %s", m.Digest, ref, shortDigests(pushed))
	}
	return &Failure{
		Code:     "image-differs",
		Message:  fmt.Sprintf("the registry's %s is not the image %s on this machine", repoTag, ref),
		Expected: expected,
		Observed: observed,
		Try:      fmt.Sprintf("docker image inspect --format '{{.RepoDigests}}' %s", ref),
		Fix:      "push it again: docker push " + ref,
	}
}

func shortDigests(ds []string) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%.19s", d)
	}
	return strings.Join(out, ", ")
}

// noAnswer is the failure of a server that did not answer HTTP before its
// settle deadline.
func noAnswer(raw string, within time.Duration, err error) *Failure {
	return &Failure{
		Code:     "no-answer",
		Message:  fmt.Sprintf("nothing answers at %s", raw),
		Expected: "an HTTP answer within " + within.String(),
		Observed: err.Error(),
		Try:      "curl -i " + raw,
	}
}
