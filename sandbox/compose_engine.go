package sandbox

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// lifecycleAPI names the SDK calls, beyond DockerAPI, that crashing,
// starting and looking into containers take. *client.Client satisfies it.
type lifecycleAPI interface {
	ContainerCreate(ctx context.Context, options client.ContainerCreateOptions) (client.ContainerCreateResult, error)
	ContainerStart(ctx context.Context, containerID string, options client.ContainerStartOptions) (client.ContainerStartResult, error)
	ContainerWait(ctx context.Context, containerID string, options client.ContainerWaitOptions) client.ContainerWaitResult
	ExecCreate(ctx context.Context, containerID string, options client.ExecCreateOptions) (client.ExecCreateResult, error)
	ExecAttach(ctx context.Context, execID string, options client.ExecAttachOptions) (client.ExecAttachResult, error)
	ExecInspect(ctx context.Context, execID string, options client.ExecInspectOptions) (client.ExecInspectResult, error)
}

var _ lifecycleAPI = (*client.Client)(nil)

func (e *Engine) lifecycle(doing string) (lifecycleAPI, error) {
	api, ok := e.api.(lifecycleAPI)
	if !ok {
		return nil, fmt.Errorf("%s: this Docker client cannot create, start or run commands in containers", doing)
	}
	return api, nil
}

// ContainerRuntime is how a container runs, beyond ContainerDetails: what
// a check of its restart policy and of the page it serves needs.
type ContainerRuntime struct {
	Hostname string
	// Pid is the main process on the engine's host; 0 when not running.
	Pid int
	// RestartPolicy is no, always, on-failure or unless-stopped.
	RestartPolicy string
	MaxRetries    int
}

// InspectRuntime reads a container's host name, main process and restart
// policy. A container that does not exist gives an error for which
// IsNotFound is true.
func (e *Engine) InspectRuntime(ctx context.Context, nameOrID string) (ContainerRuntime, error) {
	return inspectAs(ctx, e, nameOrID, containerRuntime)
}

func containerRuntime(r container.InspectResponse) ContainerRuntime {
	var rt ContainerRuntime
	if r.Config != nil {
		rt.Hostname = r.Config.Hostname
	}
	if r.State != nil && r.State.Running {
		rt.Pid = r.State.Pid
	}
	rt.RestartPolicy = "no"
	if r.HostConfig != nil {
		if p := string(r.HostConfig.RestartPolicy.Name); p != "" {
			rt.RestartPolicy = p
		}
		rt.MaxRetries = r.HostConfig.RestartPolicy.MaximumRetryCount
	}
	return rt
}

// Crash says which process CrashContainer ended, and when.
type Crash struct {
	Container string
	Pid       int
	At        time.Time // when the signal was sent
}

// CrashLabel marks the throwaway container CrashContainer sends the signal
// from; its value is the ID of the crashed container.
const CrashLabel = "lab.crash"

// crashTimeout bounds the throwaway container that sends the signal.
const crashTimeout = 30 * time.Second

// CrashContainer ends a running container's main process with SIGKILL, as
// a crash or the kernel's out-of-memory killer would, so that the engine
// applies the container's restart policy. `docker kill` cannot do this:
// the engine takes it as a deliberate stop and does not restart the
// container. The signal comes from a throwaway container made from the
// crashed container's own image (it needs a shell), which shares the engine
// host's process IDs, runs as root without network, is labelled
// lab.managed=true and CrashLabel, and is removed afterwards. Nothing else
// is touched.
func (e *Engine) CrashContainer(ctx context.Context, nameOrID string) (Crash, error) {
	doing := fmt.Sprintf("crashing container %q", nameOrID)
	api, err := e.lifecycle(doing)
	if err != nil {
		return Crash{}, err
	}
	r, err := e.inspectContainer(ctx, nameOrID)
	if err != nil {
		return Crash{}, err
	}
	name := strings.TrimPrefix(r.Name, "/")
	st := r.State
	if st == nil || !st.Running || st.Pid <= 0 {
		return Crash{}, fmt.Errorf("%s: it is not running", doing)
	}
	pid := st.Pid
	ctx, cancel := context.WithTimeout(ctx, crashTimeout)
	defer cancel()
	created, err := api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image:           r.Image,
			User:            "0:0",
			Entrypoint:      []string{"sh", "-c", `kill -KILL "$1"`, "lab-crash", strconv.Itoa(pid)},
			Labels:          e.throwawayLabels(ctx, map[string]string{CrashLabel: r.ID}),
			NetworkDisabled: true,
		},
		HostConfig: &container.HostConfig{PidMode: "host", NetworkMode: "none"},
	})
	if err != nil {
		return Crash{}, e.wrap(err, "%s: creating the container that sends the signal", doing)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), crashTimeout)
		defer cancel()
		_ = e.RemoveContainer(rctx, created.ID, true)
	}()
	wait := api.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	at := time.Now()
	if _, err := api.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return Crash{}, e.wrap(err, "%s: starting the container that sends the signal", doing)
	}
	select {
	case w := <-wait.Result:
		if w.StatusCode != 0 {
			out, errOut, _ := e.ContainerLogs(ctx, created.ID)
			return Crash{}, fmt.Errorf("%s: kill -KILL %d exited with code %d: %s", doing, pid, w.StatusCode, strings.TrimSpace(out+errOut))
		}
	case err := <-wait.Error:
		return Crash{}, e.wrap(err, "%s: waiting for the container that sends the signal", doing)
	case <-ctx.Done():
		return Crash{}, fmt.Errorf("%s: %w", doing, ctx.Err())
	}
	return Crash{Container: name, Pid: pid, At: at}, nil
}

// StartContainer starts a stopped container, as `docker start` does; one
// that runs already is left as it is. A container that does not exist
// gives an error for which IsNotFound is true.
func (e *Engine) StartContainer(ctx context.Context, nameOrID string) error {
	api, err := e.lifecycle("starting container " + strconv.Quote(nameOrID))
	if err != nil {
		return err
	}
	if _, err := api.ContainerStart(ctx, nameOrID, client.ContainerStartOptions{}); err != nil {
		return e.failed(err, "container", nameOrID, "starting container")
	}
	return nil
}

// Volume is a Docker volume as `docker volume inspect` shows it.
type Volume struct {
	Name    string
	Driver  string
	Created time.Time
	Labels  map[string]string
}

// InspectVolume reads a volume. One that does not exist gives a
// *NotFoundError of Kind "volume".
func (e *Engine) InspectVolume(ctx context.Context, name string) (Volume, error) {
	res, err := e.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return Volume{}, e.failed(err, "volume", name, "inspecting volume")
	}
	v := res.Volume
	return Volume{Name: v.Name, Driver: v.Driver, Created: parseTime(v.CreatedAt), Labels: v.Labels}, nil
}

// ExecResult is how a command run in a container ended and what it printed.
type ExecResult struct {
	ExitCode       int
	Stdout, Stderr string
}

// execIn runs cmd in a running container as its own user, in its working
// directory, and collects the output.
func (e *Engine) execIn(ctx context.Context, api lifecycleAPI, nameOrID string, cmd []string) (ExecResult, error) {
	what := fmt.Sprintf("running %s in container %q", cmd[0], nameOrID)
	created, err := api.ExecCreate(ctx, nameOrID, client.ExecCreateOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return ExecResult{}, &NotFoundError{Kind: "container", Name: nameOrID, Err: err}
		}
		return ExecResult{}, e.wrap(err, "%s", what)
	}
	att, err := api.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return ExecResult{}, e.wrap(err, "%s", what)
	}
	defer att.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader); err != nil {
		return ExecResult{}, e.wrap(err, "%s: reading its output", what)
	}
	res, err := api.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
	if err != nil {
		return ExecResult{}, e.wrap(err, "%s", what)
	}
	return ExecResult{ExitCode: res.ExitCode, Stdout: stdout.String(), Stderr: stderr.String()}, nil
}

// mongoIDsScript prints, as JSON, the _ids of a collection's documents in
// every database of a MongoDB server, using the mongodb driver of the Node
// app the container runs.
//
//go:embed compose_mongo_ids.js
var mongoIDsScript string

// exit codes of mongoIDsScript
const (
	mongoScriptNoDriver = 3
)

// ErrNoMongoDriver says a container has no Node.js mongodb driver to read
// the database with.
var ErrNoMongoDriver = errors.New("no mongodb driver for Node.js in the container")

// mongoThroughTimeout bounds reading the database from inside a container.
const mongoThroughTimeout = 20 * time.Second

// MongoIDsThrough reads the documents' ids of collection coll in every
// database of the MongoDB server at uri, from inside a running container
// that has Node.js and the mongodb driver (the lessons' sample app). It
// reaches a database that publishes no port to the host, on a network only
// containers share, with the driver the app itself uses; the container is
// not changed. Only databases whose collection holds documents appear in
// the result; each list is in _id order. A container without the driver
// gives ErrNoMongoDriver; a server that does not answer, a
// *MongoUnreachableError.
func (e *Engine) MongoIDsThrough(ctx context.Context, nameOrID, uri, coll string) (map[string][]MongoDocument, error) {
	api, err := e.lifecycle("reading MongoDB through container " + strconv.Quote(nameOrID))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, mongoThroughTimeout)
	defer cancel()
	res, err := e.execIn(ctx, api, nameOrID, []string{"node", "-e", mongoIDsScript, uri, coll})
	if err != nil {
		return nil, err
	}
	switch res.ExitCode {
	case 0:
	case mongoScriptNoDriver:
		return nil, fmt.Errorf("reading MongoDB through container %q: %w", nameOrID, ErrNoMongoDriver)
	default:
		msg := strings.TrimSpace(res.Stderr)
		if msg == "" {
			msg = fmt.Sprintf("node exited with code %d", res.ExitCode)
		}
		if res.ExitCode == 2 {
			return nil, &MongoUnreachableError{URI: uri, Cause: errors.New(msg)}
		}
		return nil, fmt.Errorf("reading %s of the MongoDB server at %s through container %q: %s", coll, uri, nameOrID, msg)
	}
	return parseMongoIDs(res.Stdout)
}

func parseMongoIDs(out string) (map[string][]MongoDocument, error) {
	var raw map[string][][2]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		return nil, fmt.Errorf("reading the ids the database listed: %w (%q)", err, LastLines(out, 3))
	}
	docs := make(map[string][]MongoDocument, len(raw))
	for db, entries := range raw {
		for _, pair := range entries {
			var id string
			var ms int64
			if err := json.Unmarshal(pair[0], &id); err != nil {
				return nil, fmt.Errorf("reading an id of database %s: %w", db, err)
			}
			if err := json.Unmarshal(pair[1], &ms); err != nil {
				return nil, fmt.Errorf("reading the time of id %s: %w", id, err)
			}
			d := MongoDocument{ID: id}
			if ms > 0 {
				d.IDTime = time.UnixMilli(ms).UTC()
			}
			docs[db] = append(docs[db], d)
		}
	}
	return docs, nil
}
