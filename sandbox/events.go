package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// Event is a change on the machine that can turn a check's verdict: a
// container started or died, an image was tagged, a Deployment changed.
type Event struct {
	// Source is "docker" or "kubernetes".
	Source string
	// Kind is what changed: container, image, volume, network; or
	// deployment, pod, service, configmap, secret.
	Kind string
	// Action is what happened to it: start, die, tag, create, destroy;
	// or added, modified, deleted.
	Action string
	// Name is the object's name (a container's, an image reference).
	Name string
	// At is when the engine says it happened; zero when the source does
	// not say.
	At time.Time
}

func (e Event) String() string {
	if e.Name == "" {
		return e.Kind + " " + e.Action
	}
	return e.Kind + " " + e.Name + " " + e.Action
}

// engineEventActions are the engine events, by type, that change what the
// lessons' checks see. Exec, attach and the like change nothing a check
// looks at and are left out.
var engineEventActions = map[events.Type][]events.Action{
	events.ContainerEventType: {events.ActionCreate, events.ActionStart, events.ActionDie, events.ActionDestroy, events.ActionRename, events.ActionHealthStatus},
	events.ImageEventType:     {events.ActionTag, events.ActionUnTag, events.ActionDelete, events.ActionPull, events.ActionPush, events.ActionLoad, events.ActionImport},
	events.VolumeEventType:    {events.ActionCreate, events.ActionDestroy},
	events.NetworkEventType:   {events.ActionCreate, events.ActionDestroy, events.ActionConnect, events.ActionDisconnect},
}

// eventsAPI names the SDK call that streams engine events. *client.Client
// has it; fakes in tests add it.
type eventsAPI interface {
	Events(ctx context.Context, options client.EventsListOptions) client.EventsResult
}

var _ eventsAPI = (*client.Client)(nil)

// Events streams the engine's events that can change a check's verdict
// (containers started, died or removed, images tagged or removed, volumes
// and networks created or removed) until ctx ends. Events about what lab
// itself made (lab.managed=true: the throwaway containers and images of a
// check) are left out. The error channel receives one error when the stream
// breaks, for example when the engine stops; both channels are closed when
// the stream ends. A non-zero since replays the events from that time on
// first, so none is lost between deciding to watch and the stream starting.
func (e *Engine) Events(ctx context.Context, since time.Time) (<-chan Event, <-chan error) {
	out := make(chan Event)
	errc := make(chan error, 1)
	api, ok := e.api.(eventsAPI)
	if !ok {
		errc <- errors.New("following engine events: this Docker client cannot stream events")
		close(out)
		close(errc)
		return out, errc
	}
	f := make(client.Filters)
	for typ, actions := range engineEventActions {
		f.Add("type", string(typ))
		for _, a := range actions {
			f.Add("event", string(a))
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	opts := client.EventsListOptions{Filters: f}
	if !since.IsZero() {
		opts.Since = fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond())
	}
	res := api.Events(ctx, opts)
	go func() {
		defer cancel()
		defer close(errc)
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case msg, ok := <-res.Messages:
				if !ok {
					return
				}
				ev, keep := engineEvent(msg)
				if keep && !send(ctx, out, ev) {
					return
				}
			case err, ok := <-res.Err:
				if !ok || ctx.Err() != nil {
					return
				}
				if errors.Is(err, io.EOF) {
					err = errors.New("the engine closed the stream")
				}
				errc <- e.wrap(err, "following engine events")
				return
			}
		}
	}()
	return out, errc
}

// engineEvent turns an engine message into an Event, and says whether it
// is one a check may care about.
func engineEvent(m events.Message) (Event, bool) {
	actions, ok := engineEventActions[m.Type]
	if !ok || m.Actor.Attributes[ManagedLabel] == "true" {
		return Event{}, false
	}
	action := m.Action
	// health_status events carry the status after a colon.
	if strings.HasPrefix(string(action), string(events.ActionHealthStatus)+":") {
		action = events.ActionHealthStatus
	}
	if !slices.Contains(actions, action) {
		return Event{}, false
	}
	name := m.Actor.Attributes["name"]
	if name == "" {
		name = m.Actor.ID
	}
	ev := Event{Source: "docker", Kind: string(m.Type), Action: string(m.Action), Name: name}
	if m.TimeNano > 0 {
		ev.At = time.Unix(0, m.TimeNano)
	}
	return ev, true
}

// kubeWatchRetry is how long Events waits before watching a kind of object
// again after its watch ended (API servers end watches every few minutes).
const kubeWatchRetry = 2 * time.Second

// Events streams changes to the lessons' kinds of object (Deployments,
// pods, Services, ConfigMaps, Secrets) in the connection's namespace until
// ctx ends. A watch the API server closes is started again; the error
// channel receives one error when a watch cannot be started at all (the
// cluster is gone), and both channels are then closed. Each watch begins
// with an "added" event for every object that exists.
func (k *Kube) Events(ctx context.Context) (<-chan Event, <-chan error) {
	type starter func(context.Context, metav1.ListOptions) (watch.Interface, error)
	ns := k.namespace
	kinds := []struct {
		kind  string
		start starter
	}{
		{"deployment", k.client.Deployments(ns).Watch},
		{"pod", k.client.Pods(ns).Watch},
		{"service", k.client.Services(ns).Watch},
		{"configmap", k.client.ConfigMaps(ns).Watch},
		{"secret", k.client.Secrets(ns).Watch},
	}
	out := make(chan Event)
	errc := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, len(kinds))
	for _, kd := range kinds {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				w, err := kd.start(ctx, metav1.ListOptions{})
				if err != nil {
					if ctx.Err() == nil {
						select {
						case errc <- k.wrap(err, kd.kind, "", "watching %ss in namespace %s", kd.kind, ns):
						default:
						}
					}
					cancel()
					return
				}
				if !forwardKube(ctx, w, kd.kind, out) {
					return
				}
				select {
				case <-ctx.Done():
				case <-time.After(kubeWatchRetry):
				}
			}
		}()
	}
	go func() {
		for range kinds {
			<-done
		}
		cancel()
		close(out)
		close(errc)
	}()
	return out, errc
}

// forwardKube passes a watch's events on as Events until the watch ends
// (true: start it again) or ctx does (false).
func forwardKube(ctx context.Context, w watch.Interface, kind string, out chan<- Event) bool {
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-w.ResultChan():
			if !ok {
				return true
			}
			if ev.Type == watch.Bookmark || ev.Type == watch.Error {
				continue
			}
			name := ""
			if obj, err := meta.Accessor(ev.Object); err == nil {
				name = obj.GetName()
			}
			e := Event{Source: "kubernetes", Kind: kind, Action: strings.ToLower(string(ev.Type)), Name: name}
			if !send(ctx, out, e) {
				return false
			}
		}
	}
}
