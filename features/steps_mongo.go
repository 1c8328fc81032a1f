package features

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// mongoPort is the port mongod listens on inside its container unless told
// otherwise; the lessons keep it and vary only the host port.
const mongoPort = 27017

// Steps about MongoDB containers: lesson 3's MongoDB image and lesson 4's
// database on a volume.
func (w *world) mongoSteps() []stepDef {
	return []stepDef{
		{`^the MongoDB image "([^"]+)" is built FROM "([^"]+)"$`, w.mongoImageFrom},
		{`^the MongoDB container "([^"]+)" runs from image "([^"]+)"$`, w.mongoContainerRuns},
		{`^the MongoDB container "([^"]+)" publishes container port (\d+) on host port (\d+)$`, w.mongoPublishes},
		{`^MongoDB in container "([^"]+)" answers a ping at "([^"]+)" within (\d+) seconds$`, w.mongoAnswers},
	}
}

// mongoFound is what the MongoDB steps of a scenario found, handed on to the
// steps after them through the context.
type mongoFound struct {
	container string                 // the container MongoDB runs in
	uri       string                 // where MongoDB answered
	oldest    *sandbox.MongoDocument // the first document of the collection read last
}

type mongoFoundKey struct{}

func mongoFoundIn(ctx context.Context) mongoFound {
	f, _ := ctx.Value(mongoFoundKey{}).(mongoFound)
	return f
}

func withMongoFound(ctx context.Context, f mongoFound) context.Context {
	return context.WithValue(ctx, mongoFoundKey{}, f)
}

func (w *world) mongoImageFrom(ctx context.Context, ref, base string) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	img, err := e.InspectImage(ctx, ref)
	if sandbox.IsNotFound(err) {
		return &Failure{
			Message:  fmt.Sprintf("image %q does not exist", ref),
			Expected: fmt.Sprintf("an image %s built FROM %s", ref, base),
			Observed: "no such image",
			Try:      "docker images " + mongoRepo(ref),
			Fix:      fmt.Sprintf("build it: docker build -t %s db", ref),
		}
	}
	if err != nil {
		return err
	}
	bimg, err := e.InspectImage(ctx, base)
	if sandbox.IsNotFound(err) {
		return &Failure{
			Message:  fmt.Sprintf("the base image %q is not on this machine, so %s cannot have been built FROM it", base, ref),
			Expected: fmt.Sprintf("%s present and %s built FROM it", base, ref),
			Observed: "no image " + base,
			Try:      "docker images " + mongoRepo(base),
			Fix:      fmt.Sprintf("docker pull %s, then build %s again", base, ref),
		}
	}
	if err != nil {
		return err
	}
	if !mongoLayersExtend(img.Layers, bimg.Layers) {
		return &Failure{
			Message:  fmt.Sprintf("image %q is not built FROM %q: its layers do not start with the base image's", ref, base),
			Expected: fmt.Sprintf("the %d layers of %s, then the layers your Dockerfile adds", len(bimg.Layers), base),
			Observed: fmt.Sprintf("%s has %d layers; the first %d differ from %s's", ref, len(img.Layers), min(len(img.Layers), len(bimg.Layers)), base),
			Try:      fmt.Sprintf("docker history %s", ref),
			Fix:      fmt.Sprintf("start db/Dockerfile with FROM %s and build again: docker build -t %s db", base, ref),
		}
	}
	w.note("%s is built FROM %s (%d base layers + %d of its own)", ref, base, len(bimg.Layers), len(img.Layers)-len(bimg.Layers))
	return nil
}

// mongoLayersExtend reports whether an image's layers start with all of its
// base's layers, which is what building FROM that base gives.
func mongoLayersExtend(layers, base []string) bool {
	return len(base) > 0 && len(layers) >= len(base) && slices.Equal(layers[:len(base)], base)
}

// mongoRepo is an image reference without its tag, for `docker images REPO`.
func mongoRepo(ref string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}

func (w *world) mongoContainerRuns(ctx context.Context, name, ref string) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	d, err := e.InspectContainer(ctx, name)
	if sandbox.IsNotFound(err) {
		return &Failure{
			Message:  fmt.Sprintf("container %q does not exist", name),
			Expected: fmt.Sprintf("a running container named %s from %s", name, ref),
			Observed: "no container named " + name,
			Try:      "docker ps -a --filter name=" + name,
		}
	}
	if err != nil {
		return err
	}
	img, err := e.InspectImage(ctx, ref)
	switch {
	case sandbox.IsNotFound(err):
		return &Failure{
			Message:  fmt.Sprintf("image %q does not exist, so %s cannot run from it", ref, name),
			Expected: fmt.Sprintf("%s running from %s", name, ref),
			Observed: fmt.Sprintf("%s was created from %s; there is no image %s", name, d.Image, ref),
			Try:      "docker images " + mongoRepo(ref),
		}
	case err != nil:
		return err
	case d.ImageID != img.ID && d.Image == ref:
		return &Failure{
			Message:  fmt.Sprintf("container %q runs an older build of %s", name, ref),
			Expected: fmt.Sprintf("%s running the current %s (%s)", name, ref, mongoShortID(img.ID)),
			Observed: fmt.Sprintf("%s runs image %s; %s was built again since", name, mongoShortID(d.ImageID), ref),
			Try:      fmt.Sprintf("docker inspect --format '{{.Image}}' %s", name),
			Fix:      fmt.Sprintf("remove %s (docker rm -f %s) and run it again from %s", name, name, ref),
		}
	case d.ImageID != img.ID:
		return &Failure{
			Message:  fmt.Sprintf("container %q runs image %s, not %s", name, d.Image, ref),
			Expected: fmt.Sprintf("%s running from %s", name, ref),
			Observed: fmt.Sprintf("%s was created from %s", name, d.Image),
			Try:      fmt.Sprintf("docker ps -a --filter name=%s", name),
			Fix:      fmt.Sprintf("remove %s (docker rm -f %s) and run it again from %s", name, name, ref),
		}
	}
	if !d.State.Running {
		return &Failure{
			Message:  fmt.Sprintf("container %q is %s, not running", name, mongoState(d.State)),
			Expected: name + " running",
			Observed: mongoLogTail(ctx, e, name),
			Try:      "docker logs " + name,
			Fix:      fmt.Sprintf("see why it stopped in its log, then start it: docker start %s", name),
		}
	}
	return nil
}

func mongoState(s sandbox.ContainerState) string {
	switch s.Status {
	case "exited":
		return fmt.Sprintf("exited (code %d)", s.ExitCode)
	case "created":
		return "created but never started"
	case "":
		return "in an unknown state"
	}
	return s.Status
}

func mongoShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// mongoLogTail is the end of a container's log, for a failure's Observed.
func mongoLogTail(ctx context.Context, e *sandbox.Engine, name string) string {
	stdout, stderr, err := e.ContainerLogs(ctx, name)
	if err != nil {
		return "its log could not be read: " + err.Error()
	}
	lines := strings.Split(strings.TrimSpace(stdout+"\n"+stderr), "\n")
	var kept []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return "an empty log"
	}
	if len(kept) > 3 {
		kept = kept[len(kept)-3:]
	}
	return "the log ends: " + strings.Join(kept, " | ")
}

func (w *world) mongoPublishes(ctx context.Context, name string, cport, hport int) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	d, err := e.InspectContainer(ctx, name)
	if sandbox.IsNotFound(err) {
		return &Failure{
			Message:  fmt.Sprintf("container %q does not exist", name),
			Expected: fmt.Sprintf("%s publishing host port %d → container port %d", name, hport, cport),
			Observed: "no container named " + name,
			Try:      "docker ps -a --filter name=" + name,
		}
	}
	if err != nil {
		return err
	}
	key := fmt.Sprintf("%d/tcp", cport)
	try := "docker port " + name
	fix := fmt.Sprintf("remove %s (docker rm -f %s) and run it again with -p %d:%d", name, name, hport, cport)
	for _, b := range d.Ports[key] {
		if b.HostPort == hport {
			return nil
		}
	}
	if bs := d.Ports[key]; len(bs) > 0 {
		return &Failure{
			Message:  fmt.Sprintf("container %q publishes port %d on host port %d, not %d", name, cport, bs[0].HostPort, hport),
			Expected: fmt.Sprintf("host port %d → container port %d", hport, cport),
			Observed: mongoPorts(d.Ports),
			Try:      try,
			Fix:      fix,
		}
	}
	for p, bs := range d.Ports {
		for _, b := range bs {
			if b.HostPort == hport {
				return &Failure{
					Message:  fmt.Sprintf("host port %d goes to port %s of container %q, where mongod does not listen; it listens on %d", hport, p, name, cport),
					Expected: fmt.Sprintf("host port %d → container port %d", hport, cport),
					Observed: mongoPorts(d.Ports),
					Try:      try,
					Fix:      fix,
				}
			}
		}
	}
	return &Failure{
		Message:  fmt.Sprintf("container %q does not publish port %d on host port %d", name, cport, hport),
		Expected: fmt.Sprintf("host port %d → container port %d", hport, cport),
		Observed: mongoPorts(d.Ports),
		Try:      try,
		Fix:      fix,
	}
}

func mongoPorts(ports map[string][]sandbox.PortBinding) string {
	if len(ports) == 0 {
		return "no published ports"
	}
	var out []string
	for p, bs := range ports {
		for _, b := range bs {
			host := strconv.Itoa(b.HostPort)
			if b.HostIP != "" {
				host = b.HostIP + ":" + host
			}
			out = append(out, fmt.Sprintf("%s → %s", host, p))
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// mongoAnswers polls a ping at uri, since mongod takes a moment to start. It
// stops early when waiting cannot help: the container stopped, or mongod
// listens only on the container's loopback address, which the published
// port never reaches.
func (w *world) mongoAnswers(ctx context.Context, name, uri string, secs int) (context.Context, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return ctx, err
	}
	deadline := time.Duration(secs) * time.Second
	start := time.Now()
	err = eventually(ctx, deadline, 500*time.Millisecond, func(pctx context.Context) (bool, error) {
		// The ping runs on ctx, not on the polling deadline, so that the
		// last attempt reports what it saw rather than "deadline exceeded".
		perr := sandbox.MongoPing(ctx, uri)
		if perr == nil {
			return true, nil
		}
		if !sandbox.IsMongoUnreachable(perr) {
			return true, &Failure{
				Message:  fmt.Sprintf("MongoDB at %s answered the ping with an error", uri),
				Expected: "a ping answered with ok",
				Observed: perr.Error(),
				Try:      "docker logs " + name,
			}
		}
		return w.mongoSilent(ctx, e, name, uri, perr, time.Since(start))
	})
	if err != nil {
		return ctx, err
	}
	w.note("MongoDB answered at %s after %s", uri, time.Since(start).Round(100*time.Millisecond))
	f := mongoFoundIn(ctx)
	f.container, f.uri = name, uri
	return withMongoFound(ctx, f), nil
}

// mongoSilent explains why nothing answered at uri, and whether waiting
// longer could change that.
func (w *world) mongoSilent(ctx context.Context, e *sandbox.Engine, name, uri string, perr error, waited time.Duration) (bool, error) {
	d, err := e.InspectContainer(ctx, name)
	if sandbox.IsNotFound(err) {
		return true, &Failure{
			Message:  fmt.Sprintf("container %q does not exist", name),
			Expected: fmt.Sprintf("MongoDB in %s answering at %s", name, uri),
			Observed: "no container named " + name,
			Try:      "docker ps -a --filter name=" + name,
		}
	}
	if err != nil {
		return true, err
	}
	if !d.State.Running {
		return true, &Failure{
			Message:  fmt.Sprintf("container %q stopped before MongoDB answered: it %s", name, mongoState(d.State)),
			Expected: fmt.Sprintf("MongoDB in %s answering at %s", name, uri),
			Observed: mongoLogTail(ctx, e, name),
			Try:      "docker logs " + name,
		}
	}
	listeners, lerr := e.TCPListeners(ctx, name)
	var onPort []string
	loopbackOnly := lerr == nil
	for _, l := range listeners {
		if l.Port == mongoPort {
			onPort = append(onPort, l.String())
			loopbackOnly = loopbackOnly && l.Loopback()
		}
	}
	if len(onPort) > 0 && loopbackOnly {
		return true, &Failure{
			Message:  fmt.Sprintf("mongod in container %q listens only on 127.0.0.1 inside the container (its bind address), so nothing reaches it through the published port", name),
			Expected: fmt.Sprintf("mongod listening on all interfaces (0.0.0.0:%d), so that %s reaches it", mongoPort, uri),
			Observed: fmt.Sprintf("listening on %s; %s: %v", strings.Join(onPort, ", "), uri, mongoCause(perr)),
			Try:      fmt.Sprintf("docker inspect --format '{{json .Config.Cmd}}' %s", name),
			Fix:      `bind mongod to every interface: CMD ["mongod", "--bind_ip_all"] in db/Dockerfile (or bindIp: 0.0.0.0 in its config), then rebuild the image and run the container again`,
		}
	}
	listening := "mongod is not listening on port " + strconv.Itoa(mongoPort) + " yet"
	switch {
	case lerr != nil:
		listening = "its listening sockets could not be read: " + lerr.Error()
	case len(onPort) > 0:
		listening = "mongod listens on " + strings.Join(onPort, ", ")
	}
	return false, &Failure{
		Message:  fmt.Sprintf("nothing answers MongoDB at %s (waited %s)", uri, waited.Round(time.Second)),
		Expected: fmt.Sprintf("MongoDB in %s answering a ping at %s", name, uri),
		Observed: fmt.Sprintf("%v; %s", mongoCause(perr), listening),
		Try:      "docker logs " + name,
	}
}

// mongoCause is the network error behind a *sandbox.MongoUnreachableError.
func mongoCause(err error) error {
	var u *sandbox.MongoUnreachableError
	if errors.As(err, &u) {
		return u.Cause
	}
	return err
}
