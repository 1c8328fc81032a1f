package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/lab-workshop/lab/sandbox/kubeclient/kubefake"
)

func TestEngineEvent(t *testing.T) {
	msg := func(typ events.Type, action events.Action, attrs map[string]string) events.Message {
		return events.Message{Type: typ, Action: action, Actor: events.Actor{ID: "abc123", Attributes: attrs}}
	}
	tests := []struct {
		name string
		msg  events.Message
		want string // "" when the event is dropped
	}{
		{"container start", msg(events.ContainerEventType, events.ActionStart, map[string]string{"name": "lab-web"}), "container lab-web start"},
		{"container die", msg(events.ContainerEventType, events.ActionDie, map[string]string{"name": "lab-web"}), "container lab-web die"},
		{"health", msg(events.ContainerEventType, "health_status: healthy", map[string]string{"name": "lab-mongo"}), "container lab-mongo health_status: healthy"},
		{"image tag", msg(events.ImageEventType, events.ActionTag, map[string]string{"name": "lab/profile:v1"}), "image lab/profile:v1 tag"},
		{"volume create", msg(events.VolumeEventType, events.ActionCreate, nil), "volume abc123 create"},
		{"network destroy", msg(events.NetworkEventType, events.ActionDestroy, map[string]string{"name": "lab-net"}), "network lab-net destroy"},
		{"exec", msg(events.ContainerEventType, "exec_start: ls", map[string]string{"name": "lab-web"}), ""},
		{"attach", msg(events.ContainerEventType, events.ActionAttach, map[string]string{"name": "lab-web"}), ""},
		{"lab's own", msg(events.ContainerEventType, events.ActionStart, map[string]string{"name": "x", ManagedLabel: "true"}), ""},
		{"plugin", msg(events.PluginEventType, events.ActionEnable, nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, keep := engineEvent(tt.msg)
			got := ""
			if keep {
				got = ev.String()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// eventsFake streams the messages and then the error it is given.
type eventsFake struct {
	DockerAPI
	msgs []events.Message
	err  error
	got  client.EventsListOptions
}

func (f *eventsFake) Events(ctx context.Context, opts client.EventsListOptions) client.EventsResult {
	f.got = opts
	msgs, errc := make(chan events.Message), make(chan error, 1)
	go func() {
		for _, m := range f.msgs {
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
		if f.err != nil {
			errc <- f.err
		}
	}()
	return client.EventsResult{Messages: msgs, Err: errc}
}

func TestEngineEvents(t *testing.T) {
	f := &eventsFake{
		msgs: []events.Message{
			{Type: events.ContainerEventType, Action: "exec_start: ls", Actor: events.Actor{Attributes: map[string]string{"name": "lab-web"}}},
			{Type: events.ContainerEventType, Action: events.ActionStart, Actor: events.Actor{Attributes: map[string]string{"name": "lab-web"}}},
		},
		err: errors.New("connection reset"),
	}
	e := &Engine{api: f, endpoint: Endpoint{Host: "unix:///fake.sock"}}
	evs, errc := e.Events(context.Background(), time.Time{})
	var got []string
	for ev := range evs {
		got = append(got, ev.String())
	}
	if len(got) != 1 || got[0] != "container lab-web start" {
		t.Errorf("got events %q, want [container lab-web start]", got)
	}
	if err := <-errc; err == nil {
		t.Error("got no error when the stream broke, want one")
	}
	if !f.got.Filters["type"]["container"] || !f.got.Filters["event"]["die"] || f.got.Filters["event"]["exec_start"] {
		t.Errorf("got filters %v, want container events with die and without exec_start", f.got.Filters)
	}
	if f.got.Since != "" {
		t.Errorf("got since %q with no start time, want none", f.got.Since)
	}

	// A start time replays the events since then: the engine reads
	// seconds.nanoseconds.
	f = &eventsFake{}
	e = &Engine{api: f, endpoint: Endpoint{Host: "unix:///fake.sock"}}
	ctx, cancel := context.WithCancel(context.Background())
	evs, _ = e.Events(ctx, time.Unix(1764669600, 5000))
	cancel()
	for range evs {
	}
	if f.got.Since != "1764669600.000005000" {
		t.Errorf("got since %q, want 1764669600.000005000", f.got.Since)
	}
}

func TestKubeEvents(t *testing.T) {
	cs := kubefake.New()
	k := NewKube(cs.Client, "kind-lab", "default")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, errc := k.Events(ctx)
	want := map[string]bool{"deployment lab-app added": false, "configmap lab-config added": false}
	deadline := time.After(5 * time.Second)
	created := false
	for {
		if !created {
			// The fake's watches start as the goroutines run; create until seen.
			time.Sleep(50 * time.Millisecond)
			_, _ = cs.Deployments("default").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "lab-app"}}, metav1.CreateOptions{})
			_, _ = cs.ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "lab-config"}}, metav1.CreateOptions{})
			_, _ = cs.ConfigMaps("other").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere"}}, metav1.CreateOptions{})
			created = true
		}
		select {
		case ev := <-evs:
			if ev.Name == "elsewhere" {
				t.Fatalf("got %s from another namespace", ev)
			}
			want[ev.String()] = true
		case err := <-errc:
			t.Fatalf("watch failed: %v", err)
		case <-deadline:
			t.Fatalf("got events %v, want all true", want)
		}
		if want["deployment lab-app added"] && want["configmap lab-config added"] {
			break
		}
	}
	cancel()
	for range evs {
	}
}

// TestIntegrationEngineEvents creates and removes a volume of its own and
// sees both in the engine's event stream.
func TestIntegrationEngineEvents(t *testing.T) {
	e := integrationEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	evs, errc := e.Events(ctx, time.Time{})
	api := e.api.(*client.Client)
	name := testName(t)
	// The stream is open once Events returns; the volume comes after.
	if _, err := api.VolumeCreate(ctx, client.VolumeCreateOptions{Name: name}); err != nil {
		t.Fatalf("creating volume %s: %v", name, err)
	}
	removed := false
	t.Cleanup(func() {
		if !removed {
			_, _ = api.VolumeRemove(context.Background(), name, client.VolumeRemoveOptions{Force: true})
		}
	})
	want := []string{"volume " + name + " create", "volume " + name + " destroy"}
	for len(want) > 0 {
		select {
		case ev, ok := <-evs:
			if !ok {
				t.Fatalf("the event stream ended: %v", <-errc)
			}
			if ev.String() != want[0] {
				continue
			}
			want = want[1:]
			if len(want) == 1 {
				if _, err := api.VolumeRemove(ctx, name, client.VolumeRemoveOptions{}); err != nil {
					t.Fatalf("removing volume %s: %v", name, err)
				}
				removed = true
			}
		case <-ctx.Done():
			t.Fatalf("still waiting for %q", want)
		}
	}
}
