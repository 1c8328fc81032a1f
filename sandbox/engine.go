package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/go-connections/sockets"
	"github.com/docker/go-connections/tlsconfig"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/versions"
)

// MinAPIVersion is the oldest engine API lab works with: Docker 20.10.
const MinAPIVersion = "1.41"

// pingTimeout bounds the first contact with the engine, so a missing or hung
// engine is reported at once instead of after a long network timeout.
const pingTimeout = 3 * time.Second

// ErrEngineTooOld marks an engine whose API is older than MinAPIVersion; the
// learner has to upgrade Docker, nothing else helps.
var ErrEngineTooOld = errors.New("docker engine too old")

// DockerAPI names the Docker SDK calls the Engine makes. *client.Client
// satisfies it; tests hand the Engine a fake to produce failures a real engine
// cannot be made to produce on demand.
type DockerAPI interface {
	Ping(ctx context.Context, options client.PingOptions) (client.PingResult, error)
	ClientVersion() string
	ServerVersion(ctx context.Context, options client.ServerVersionOptions) (client.ServerVersionResult, error)
	Info(ctx context.Context, options client.InfoOptions) (client.SystemInfoResult, error)
	ContainerList(ctx context.Context, options client.ContainerListOptions) (client.ContainerListResult, error)
	ContainerInspect(ctx context.Context, containerID string, options client.ContainerInspectOptions) (client.ContainerInspectResult, error)
	ContainerLogs(ctx context.Context, containerID string, options client.ContainerLogsOptions) (client.ContainerLogsResult, error)
	ContainerRemove(ctx context.Context, containerID string, options client.ContainerRemoveOptions) (client.ContainerRemoveResult, error)
	ImageInspect(ctx context.Context, imageID string, options ...client.ImageInspectOption) (client.ImageInspectResult, error)
	ImageRemove(ctx context.Context, imageID string, options client.ImageRemoveOptions) (client.ImageRemoveResult, error)
	VolumeInspect(ctx context.Context, volumeID string, options client.VolumeInspectOptions) (client.VolumeInspectResult, error)
	VolumeRemove(ctx context.Context, volumeID string, options client.VolumeRemoveOptions) (client.VolumeRemoveResult, error)
	NetworkInspect(ctx context.Context, networkID string, options client.NetworkInspectOptions) (client.NetworkInspectResult, error)
	NetworkRemove(ctx context.Context, networkID string, options client.NetworkRemoveOptions) (client.NetworkRemoveResult, error)
	ImageSave(ctx context.Context, imageIDs []string, options ...client.ImageSaveOption) (client.ImageSaveResult, error)
	ImageLoad(ctx context.Context, input io.Reader, options ...client.ImageLoadOption) (client.ImageLoadResult, error)
	Close() error
}

var _ DockerAPI = (*client.Client)(nil)

// Engine is a connection to a Docker engine that answered a ping with an API
// version lab supports. Its methods return sandbox types, not SDK types.
type Engine struct {
	api      DockerAPI
	endpoint Endpoint
	strays   sync.Once // the throwaway containers earlier labs left are removed
}

// Connect opens a client for ep, negotiates the API version and pings the
// engine within a few seconds. An engine that does not answer gives an
// *UnreachableError that says how to fix it.
func Connect(ctx context.Context, ep Endpoint) (*Engine, error) {
	api, dials, err := newClient(ep)
	if err != nil {
		return nil, fmt.Errorf("creating a Docker client for %s (%s): %w", ep.Host, ep.Origin(), err)
	}
	e, err := connect(ctx, ep, api, dials)
	if err != nil {
		_ = api.Close()
		return nil, err
	}
	return e, nil
}

// ConnectWith pings the engine behind api as Connect does. It lets tests and
// tools drive an Engine through their own DockerAPI.
func ConnectWith(ctx context.Context, ep Endpoint, api DockerAPI) (*Engine, error) {
	return connect(ctx, ep, api, nil)
}

func connect(ctx context.Context, ep Endpoint, api DockerAPI, dials *dialRecorder) (*Engine, error) {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	ping, err := api.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
	if ping.APIVersion != "" && versions.LessThan(ping.APIVersion, MinAPIVersion) {
		return nil, tooOld(ep, ping.APIVersion)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connecting to the Docker engine at %s: %w", ep.Host, ctx.Err())
		}
		cause := err
		if dials != nil {
			if derr := dials.last(); derr != nil {
				cause = derr
			}
		}
		return nil, &UnreachableError{Endpoint: ep, Cause: cause}
	}
	if v := api.ClientVersion(); v != "" && versions.LessThan(v, MinAPIVersion) {
		return nil, tooOld(ep, v)
	}
	return &Engine{api: api, endpoint: ep}, nil
}

func tooOld(ep Endpoint, apiVersion string) error {
	return fmt.Errorf("%w: the engine at %s speaks API %s, and lab needs API %s (Docker 20.10) or newer; upgrade Docker: https://docs.docker.com/engine/install/",
		ErrEngineTooOld, ep.Host, apiVersion, MinAPIVersion)
}

// newClient builds an SDK client for ep whose dialer remembers the last dial
// error, because the SDK replaces "permission denied" and "connection
// refused" with generic text and lab's advice depends on which it was.
func newClient(ep Endpoint) (*client.Client, *dialRecorder, error) {
	u, err := client.ParseHostURL(ep.Host)
	if err != nil {
		return nil, nil, err
	}
	tr := &http.Transport{MaxIdleConns: 6, IdleConnTimeout: 30 * time.Second}
	host := ep.Host
	if u.Scheme == "ssh" {
		dial, err := sshDialer(ep.Host)
		if err != nil {
			return nil, nil, err
		}
		tr.DialContext = dial
		// The ssh tunnel ignores the address; the name only fills the
		// request's Host header, as in the docker CLI.
		host = "http://docker.example.com"
	} else if err := sockets.ConfigureTransport(tr, u.Scheme, u.Host); err != nil {
		return nil, nil, err
	}
	if ep.TLS != nil && u.Scheme == "tcp" {
		cfg, err := tlsconfig.Client(tlsconfig.Options{
			CAFile:             ep.TLS.CAFile,
			CertFile:           ep.TLS.CertFile,
			KeyFile:            ep.TLS.KeyFile,
			InsecureSkipVerify: ep.SkipTLSVerify,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("loading TLS certificates: %w", err)
		}
		tr.TLSClientConfig = cfg
	}
	dials := &dialRecorder{}
	tr.DialContext = dials.wrap(tr.DialContext)
	c, err := client.New(
		client.WithHost(host),
		client.WithHTTPClient(&http.Client{Transport: timedTransport{base: tr, counter: &waitedEngine}, CheckRedirect: client.CheckRedirect}),
	)
	if err != nil {
		return nil, nil, err
	}
	return c, dials, nil
}

// dialRecorder keeps the error of the most recent dial.
type dialRecorder struct {
	mu  sync.Mutex
	err error
}

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

func (r *dialRecorder) wrap(dial dialFunc) dialFunc {
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		return conn, err
	}
}

func (r *dialRecorder) last() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close releases the engine's connections.
func (e *Engine) Close() error {
	return e.api.Close()
}

// Endpoint reports which engine this is and which setting chose it, so
// messages can name it.
func (e *Engine) Endpoint() Endpoint {
	return e.endpoint
}

// wrap adds what was being done to err and turns a lost connection into an
// *UnreachableError, so an engine that stops mid-check is reported as an
// environment problem, not as a failed check.
func (e *Engine) wrap(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if client.IsErrConnectionFailed(err) {
		return fmt.Errorf("%s: %w", what, &UnreachableError{Endpoint: e.endpoint, Cause: err})
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ServerInfo describes the engine, for `lab doctor` and the lesson 1 checks.
type ServerInfo struct {
	Version         string // engine version, e.g. 28.2.2
	Platform        string // product name, e.g. "Docker Engine - Community"
	APIVersion      string // API version lab and the engine agreed on
	MaxAPIVersion   string // newest API version the engine speaks
	MinAPIVersion   string // oldest API version the engine speaks
	OS              string // e.g. linux
	Arch            string // e.g. amd64
	KernelVersion   string
	OperatingSystem string // e.g. "Debian GNU/Linux 12 (bookworm)", "Docker Desktop"
	Name            string // the engine host's name
	MemTotal        int64  // memory the engine's host (or VM) has, in bytes
	NCPU            int
	// ContainerdStore is set when the engine keeps images in containerd's
	// image store (the default of new Docker Desktop and Engine installs)
	// rather than in a classic storage driver. kind load docker-image has
	// known trouble there with multi-platform images.
	ContainerdStore bool
}

// containerdSnapshotter is the driver type docker info reports for the
// containerd image store.
const containerdSnapshotter = "io.containerd.snapshotter.v1"

// usesContainerdStore reads docker info's driver status the way the docker
// CLI does to print "driver-type: io.containerd.snapshotter.v1".
func usesContainerdStore(status [][2]string) bool {
	for _, kv := range status {
		if kv[0] == "driver-type" && kv[1] == containerdSnapshotter {
			return true
		}
	}
	return false
}

// ServerInfo asks the engine for its version and host description.
func (e *Engine) ServerInfo(ctx context.Context) (ServerInfo, error) {
	v, err := e.api.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return ServerInfo{}, e.wrap(err, "reading the Docker engine version")
	}
	info, err := e.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return ServerInfo{}, e.wrap(err, "reading Docker engine information")
	}
	return ServerInfo{
		Version:         v.Version,
		Platform:        v.Platform.Name,
		APIVersion:      e.api.ClientVersion(),
		MaxAPIVersion:   v.APIVersion,
		MinAPIVersion:   v.MinAPIVersion,
		OS:              v.Os,
		Arch:            v.Arch,
		KernelVersion:   info.Info.KernelVersion,
		OperatingSystem: info.Info.OperatingSystem,
		Name:            info.Info.Name,
		MemTotal:        info.Info.MemTotal,
		NCPU:            info.Info.NCPU,
		ContainerdStore: usesContainerdStore(info.Info.DriverStatus),
	}, nil
}

// ContainerQuery selects containers. Every field set must match.
type ContainerQuery struct {
	All      bool              // include stopped containers, as docker ps -a
	Name     string            // exact container name, not a substring
	Ancestor string            // image the container was created from, or an ancestor of it
	Labels   map[string]string // label values; an empty value matches any value
}

// Container is one container as listed, with the exact exit code and times
// from inspecting it (the list API only gives them as text).
type Container struct {
	ID         string
	Name       string // without the leading slash
	Image      string // the image reference it was created with
	ImageID    string
	State      string // created, running, paused, restarting, removing, exited or dead
	Status     string // human text, e.g. "Exited (0) 5 seconds ago"
	ExitCode   int
	Created    time.Time
	StartedAt  time.Time // zero when never started
	FinishedAt time.Time // zero when it has not stopped
	Labels     map[string]string
}

// Containers lists the containers matching q, newest first.
func (e *Engine) Containers(ctx context.Context, q ContainerQuery) ([]Container, error) {
	f := make(client.Filters)
	if q.Name != "" {
		f.Add("name", "^/"+regexp.QuoteMeta(q.Name)+"$")
	}
	if q.Ancestor != "" {
		f.Add("ancestor", q.Ancestor)
	}
	for _, k := range sortedKeys(q.Labels) {
		if v := q.Labels[k]; v != "" {
			f.Add("label", k+"="+v)
		} else {
			f.Add("label", k)
		}
	}
	list, err := e.api.ContainerList(ctx, client.ContainerListOptions{All: q.All, Filters: f})
	if err != nil {
		return nil, e.wrap(err, "listing containers")
	}
	out := make([]Container, 0, len(list.Items))
	for _, s := range list.Items {
		name := containerName(s.Names)
		if q.Name != "" && name != q.Name {
			continue
		}
		c := Container{
			ID:      s.ID,
			Name:    name,
			Image:   s.Image,
			ImageID: s.ImageID,
			State:   string(s.State),
			Status:  s.Status,
			Created: time.Unix(s.Created, 0),
			Labels:  s.Labels,
		}
		res, err := e.api.ContainerInspect(ctx, s.ID, client.ContainerInspectOptions{})
		if cerrdefs.IsNotFound(err) {
			continue // removed since it was listed
		}
		if err != nil {
			return nil, e.wrap(err, "inspecting container %q", name)
		}
		// The list gives the creation time to the second; inspect to the
		// nanosecond, which reset compares with when a step began.
		if t := parseTime(res.Container.Created); !t.IsZero() {
			c.Created = t
		}
		if st := res.Container.State; st != nil {
			c.State = string(st.Status)
			c.ExitCode = st.ExitCode
			c.StartedAt = parseTime(st.StartedAt)
			c.FinishedAt = parseTime(st.FinishedAt)
		}
		out = append(out, c)
	}
	return out, nil
}

// containerName picks the container's own name from the list API's names,
// which also hold link aliases like /other/alias.
func containerName(names []string) string {
	for _, n := range names {
		n = strings.TrimPrefix(n, "/")
		if !strings.Contains(n, "/") {
			return n
		}
	}
	if len(names) > 0 {
		return strings.TrimPrefix(names[0], "/")
	}
	return ""
}

// ContainerDetails is what `docker inspect` shows of a container that lesson
// checks look at.
type ContainerDetails struct {
	ID         string
	Name       string // without the leading slash
	Image      string // the image reference it was created with
	ImageID    string
	Created    time.Time
	State      ContainerState
	Labels     map[string]string
	Env        []string
	User       string
	Cmd        []string
	Entrypoint []string
	WorkingDir string
	Tty        bool
	// Ports maps a container port like "80/tcp" to the host addresses it is
	// published on; only ports with at least one binding appear.
	Ports    map[string][]PortBinding
	Mounts   []Mount
	Networks map[string]NetworkEndpoint // by network name
}

// ContainerState is the run state of a container.
type ContainerState struct {
	Status       string // created, running, paused, restarting, removing, exited or dead
	Running      bool
	Paused       bool
	Restarting   bool
	OOMKilled    bool
	ExitCode     int
	Error        string
	StartedAt    time.Time // zero when never started
	FinishedAt   time.Time // zero when it has not stopped
	RestartCount int
	Health       string // healthy, unhealthy, starting; empty without a health check
}

// PortBinding is one host address a container port is published on.
type PortBinding struct {
	HostIP   string // "0.0.0.0", "::", "127.0.0.1"; empty when the engine gave none
	HostPort int
}

// Mount is a volume, bind mount or tmpfs in a container.
type Mount struct {
	Type        string // volume, bind, tmpfs, npipe, image
	Name        string // volume name
	Source      string
	Destination string
	RW          bool
}

// NetworkEndpoint is a container's attachment to one network.
type NetworkEndpoint struct {
	NetworkID string
	IPAddress string
	Gateway   string
	Aliases   []string
	DNSNames  []string
}

// InspectContainer reads a container's state and configuration. A container
// that does not exist gives an error for which IsNotFound is true.
func (e *Engine) InspectContainer(ctx context.Context, nameOrID string) (ContainerDetails, error) {
	return inspectAs(ctx, e, nameOrID, containerDetails)
}

// inspectContainer is the engine's own answer about a container, for the
// methods that read part of it. A container that does not exist gives a
// *NotFoundError.
func (e *Engine) inspectContainer(ctx context.Context, nameOrID string) (container.InspectResponse, error) {
	res, err := e.api.ContainerInspect(ctx, nameOrID, client.ContainerInspectOptions{})
	if err != nil {
		return container.InspectResponse{}, e.failed(err, "container", nameOrID, "inspecting container")
	}
	return res.Container, nil
}

// inspectAs reads a container and gives what convert makes of it. A
// container that does not exist gives a *NotFoundError.
func inspectAs[T any](ctx context.Context, e *Engine, nameOrID string, convert func(container.InspectResponse) T) (T, error) {
	r, err := e.inspectContainer(ctx, nameOrID)
	if err != nil {
		var zero T
		return zero, err
	}
	return convert(r), nil
}

func containerDetails(r container.InspectResponse) ContainerDetails {
	d := ContainerDetails{
		ID:      r.ID,
		Name:    strings.TrimPrefix(r.Name, "/"),
		ImageID: r.Image,
		Created: parseTime(r.Created),
		State:   ContainerState{RestartCount: r.RestartCount},
	}
	if st := r.State; st != nil {
		d.State.Status = string(st.Status)
		d.State.Running = st.Running
		d.State.Paused = st.Paused
		d.State.Restarting = st.Restarting
		d.State.OOMKilled = st.OOMKilled
		d.State.ExitCode = st.ExitCode
		d.State.Error = st.Error
		d.State.StartedAt = parseTime(st.StartedAt)
		d.State.FinishedAt = parseTime(st.FinishedAt)
		if st.Health != nil {
			d.State.Health = string(st.Health.Status)
		}
	}
	if c := r.Config; c != nil {
		d.Image = c.Image
		d.Labels = c.Labels
		d.Env = c.Env
		d.User = c.User
		d.Cmd = c.Cmd
		d.Entrypoint = c.Entrypoint
		d.WorkingDir = c.WorkingDir
		d.Tty = c.Tty
	}
	for _, m := range r.Mounts {
		d.Mounts = append(d.Mounts, Mount{
			Type:        string(m.Type),
			Name:        m.Name,
			Source:      m.Source,
			Destination: m.Destination,
			RW:          m.RW,
		})
	}
	if ns := r.NetworkSettings; ns != nil {
		for port, bindings := range ns.Ports {
			if len(bindings) == 0 {
				continue
			}
			if d.Ports == nil {
				d.Ports = make(map[string][]PortBinding)
			}
			for _, b := range bindings {
				hostPort, _ := strconv.Atoi(b.HostPort)
				d.Ports[port.String()] = append(d.Ports[port.String()], PortBinding{HostIP: addrString(b.HostIP), HostPort: hostPort})
			}
		}
		for name, n := range ns.Networks {
			if n == nil {
				continue
			}
			if d.Networks == nil {
				d.Networks = make(map[string]NetworkEndpoint)
			}
			d.Networks[name] = NetworkEndpoint{
				NetworkID: n.NetworkID,
				IPAddress: addrString(n.IPAddress),
				Gateway:   addrString(n.Gateway),
				Aliases:   n.Aliases,
				DNSNames:  n.DNSNames,
			}
		}
	}
	return d
}

// ContainerLogs reads everything a container wrote so far, stdout and stderr
// apart. A container with a TTY has one stream; it is returned as stdout.
func (e *Engine) ContainerLogs(ctx context.Context, id string) (stdout, stderr string, err error) {
	r, err := e.inspectContainer(ctx, id)
	if err != nil {
		return "", "", err
	}
	tty := r.Config != nil && r.Config.Tty
	rc, err := e.api.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return "", "", e.wrap(err, "reading the log of container %q", id)
	}
	defer rc.Close()
	var out, errOut bytes.Buffer
	if tty {
		_, err = io.Copy(&out, rc)
	} else {
		_, err = stdcopy.StdCopy(&out, &errOut, rc)
	}
	if err != nil {
		return out.String(), errOut.String(), e.wrap(err, "reading the log of container %q", id)
	}
	return out.String(), errOut.String(), nil
}

// RemoveContainer deletes a container; force stops it first if it runs.
// Its anonymous volumes go with it (named volumes stay), as with
// `docker rm -v`, so nothing unnamed is left behind. A container that does not exist gives an
// error for which IsNotFound is true.
func (e *Engine) RemoveContainer(ctx context.Context, id string, force bool) error {
	_, err := e.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: force, RemoveVolumes: true})
	if err != nil {
		return e.failed(err, "container", id, "removing container")
	}
	return nil
}

// Image is what lesson checks look at in an image: its layers (a base image's
// layers are a prefix of a derived image's), labels and run configuration.
type Image struct {
	ID           string
	RepoTags     []string
	RepoDigests  []string
	Labels       map[string]string
	Layers       []string // RootFS layer digests, base first
	User         string
	ExposedPorts []string // like "80/tcp", sorted
	Env          []string
	Cmd          []string
	Entrypoint   []string
	WorkingDir   string
	Size         int64
	Created      time.Time
	OS           string
	Architecture string
}

// InspectImage reads an image by reference or ID. An image that does not
// exist gives an error for which IsNotFound is true.
func (e *Engine) InspectImage(ctx context.Context, ref string) (Image, error) {
	res, err := e.api.ImageInspect(ctx, ref)
	if err != nil {
		return Image{}, e.failed(err, "image", ref, "inspecting image")
	}
	r := res.InspectResponse
	img := Image{
		ID:           r.ID,
		RepoTags:     r.RepoTags,
		RepoDigests:  r.RepoDigests,
		Layers:       r.RootFS.Layers,
		Size:         r.Size,
		Created:      parseTime(r.Created),
		OS:           r.Os,
		Architecture: r.Architecture,
	}
	if c := r.Config; c != nil {
		img.Labels = c.Labels
		img.User = c.User
		img.Env = c.Env
		img.Cmd = c.Cmd
		img.Entrypoint = c.Entrypoint
		img.WorkingDir = c.WorkingDir
		for p := range c.ExposedPorts {
			img.ExposedPorts = append(img.ExposedPorts, p)
		}
		slices.Sort(img.ExposedPorts)
	}
	return img, nil
}

// RemoveImage untags and deletes an image as `docker rmi` does, with its
// untagged parents. An image that does not exist gives an error for which
// IsNotFound is true.
func (e *Engine) RemoveImage(ctx context.Context, ref string) error {
	_, err := e.api.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true})
	if err != nil {
		return e.failed(err, "image", ref, "removing image")
	}
	return nil
}

// failed is the error of an API call about one object: a *NotFoundError
// when the engine has no such object, else the call's error with what lab
// was doing ("inspecting container").
func (e *Engine) failed(err error, kind, name, doing string) error {
	if cerrdefs.IsNotFound(err) {
		return &NotFoundError{Kind: kind, Name: name, Err: err}
	}
	return e.wrap(err, "%s %q", doing, name)
}

// NotFoundError says a container or image lab looked for does not exist, so
// a check can fail at once with the name the learner was told to use.
type NotFoundError struct {
	Kind string // "container" or "image"
	Name string
	Err  error
}

// Error names what is missing and how to list what exists.
func (e *NotFoundError) Error() string {
	switch e.Kind {
	case "container":
		return fmt.Sprintf("container %q not found; list containers with: docker ps -a", e.Name)
	case "image":
		return fmt.Sprintf("image %q not found; list images with: docker images", e.Name)
	}
	return fmt.Sprintf("%s %q not found", e.Kind, e.Name)
}

// Unwrap gives the engine's error.
func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err says a container or image does not exist.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf) || cerrdefs.IsNotFound(err)
}

// parseTime reads the engine's RFC 3339 times; the engine's "never" (year 1)
// and anything unreadable become the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
