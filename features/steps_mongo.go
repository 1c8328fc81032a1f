package features

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// mongoPort is the port mongod listens on inside its container unless told
// otherwise; the lessons keep it and vary only the host port.
const mongoPort = 27017

// Steps about MongoDB in a container, used by lesson 3's MongoDB image and
// lesson 4's database on a volume. The container itself (it runs, it
// publishes a port) is checked with the container steps of lessons 2 and 3.
func (w *world) mongoSteps() []stepDef {
	return []stepDef{
		{`^MongoDB in container "([^"]+)" answers a ping at "([^"]+)" within (\d+) seconds$`, w.mongoAnswers,
			`MongoDB in container "lab-mongo" answers a ping at "mongodb://127.0.0.1:27017" within 15 seconds`, []string{"no-answer", "not-found", "not-running"}},
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

// mongoState says what a container that is not running does, to follow
// "it": "exited with code 2".
func mongoState(s sandbox.ContainerState) string {
	switch s.Status {
	case "exited":
		return fmt.Sprintf("exited with code %d", s.ExitCode)
	case "created":
		return "was created but never started"
	case "":
		return "is in an unknown state"
	}
	return "is " + s.Status
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
	err = eventually(ctx, deadline, 500*time.Millisecond, func(context.Context) (bool, error) {
		// The ping runs on ctx, not on the polling deadline, so that the
		// last attempt reports what it saw rather than "deadline exceeded".
		perr := sandbox.MongoPing(ctx, uri)
		if perr == nil {
			return true, nil
		}
		if !sandbox.IsMongoUnreachable(perr) {
			return true, &Failure{
				Code:     "no-answer",
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
	if waited := time.Since(start); waited > time.Second {
		w.note("MongoDB answered at %s after %s", uri, waited.Round(100*time.Millisecond))
	} else {
		w.note("MongoDB answered at %s", uri)
	}
	f := mongoFoundIn(ctx)
	f.container, f.uri = name, uri
	return withMongoFound(ctx, f), nil
}

// mongoSilent explains why nothing answered at uri, and whether waiting
// longer could change that.
func (w *world) mongoSilent(ctx context.Context, e *sandbox.Engine, name, uri string, perr error, waited time.Duration) (bool, error) {
	d, err := e.InspectContainer(ctx, name)
	if sandbox.IsNotFound(err) {
		return true, containerGone(name, fmt.Sprintf("MongoDB in %s answering at %s", name, uri))
	}
	if err != nil {
		return true, engineErr(err)
	}
	if !d.State.Running {
		return true, &Failure{
			Code:     "not-running",
			Message:  fmt.Sprintf("container %q stopped before MongoDB answered: it %s", name, mongoState(d.State)),
			Expected: fmt.Sprintf("MongoDB in %s answering at %s", name, uri),
			Observed: mongoLogTail(ctx, e, name),
			Try:      "docker logs " + name,
		}
	}
	listeners, lerr := e.TCPListeners(ctx, name)
	if sandbox.IsUnreachable(lerr) {
		return true, engineErr(lerr)
	}
	var onPort, hosts []string
	loopbackOnly := lerr == nil
	for _, l := range listeners {
		if l.Port == mongoPort {
			onPort = append(onPort, l.String())
			hosts = append(hosts, l.Addr)
			loopbackOnly = loopbackOnly && l.Loopback()
		}
	}
	if len(onPort) > 0 && loopbackOnly {
		return true, &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("mongod in container %q listens only on %s inside the container (its bind address), so nothing reaches it through the published port", name, strings.Join(hosts, " and ")),
			Expected: fmt.Sprintf("mongod listening on all interfaces (0.0.0.0:%d), so that %s reaches it", mongoPort, uri),
			Observed: fmt.Sprintf("listening on %s; %s: %v", strings.Join(onPort, ", "), uri, mongoCause(perr)),
			Try:      fmt.Sprintf("docker inspect --format '{{json .Config.Cmd}}' %s", name),
			Fix:      "bind mongod to every interface: bindIp: 0.0.0.0 in the configuration file it is started with (or --bind_ip_all on its command line), then rebuild the image, docker rm -f " + name + " and run it again",
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
		Code:     "no-answer",
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
