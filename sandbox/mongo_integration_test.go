package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// mongoImage is the MongoDB image the lessons pin; on a machine without a
// registry, testkit builds a stand-in under this name.
const mongoImage = "mongo:7.0"

// startMongo runs a labelled container from mongoImage with cmd (nil: the
// image's own) that publishes 27017 on a free loopback port, removes it and
// its anonymous volumes when the test ends, and returns the host port.
func startMongo(t *testing.T, e *Engine, cmd []string) (name string, hostPort int) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test with a MongoDB container: skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	requireImage(t, e, mongoImage)
	port := network.MustParsePort("27017/tcp")
	id, name := createTestContainer(ctx, t, e,
		container.Config{Image: mongoImage, Cmd: cmd, ExposedPorts: network.PortSet{port: {}}},
		&container.HostConfig{PortBindings: network.PortMap{port: {{HostIP: netip.MustParseAddr("127.0.0.1")}}}})
	if _, err := e.api.(*client.Client).ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	d, err := e.InspectContainer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	bs := d.Ports["27017/tcp"]
	if len(bs) == 0 || bs[0].HostPort == 0 {
		t.Fatalf("%s publishes %v, want 27017/tcp on a host port", name, d.Ports)
	}
	return name, bs[0].HostPort
}

// mongoWait polls fn every 200ms until it succeeds or limit passes.
func mongoWait(t *testing.T, limit time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s within %s: %v", what, limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestIntegrationMongo(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	name, port := startMongo(t, e, nil)
	uri := fmt.Sprintf("mongodb://127.0.0.1:%d", port)
	mongoWait(t, 30*time.Second, "MongoDB answering a ping", func() error { return MongoPing(ctx, uri) })

	before := time.Now().Add(-2 * time.Second)
	ids, err := MongoInsert(ctx, uri, "labtest", "posts",
		map[string]any{"title": "first", "tags": []string{"a", "b"}},
		map[string]any{"title": "second"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("got ids %v, want two different ones", ids)
	}
	n, err := MongoCount(ctx, uri, "labtest", "posts")
	if err != nil || n != 2 {
		t.Fatalf("count: got %d, %v; want 2", n, err)
	}
	docs, err := MongoFind(ctx, uri, "labtest", "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].ID != ids[0] || docs[1].ID != ids[1] {
		t.Fatalf("got %+v, want the two documents in insertion order with ids %v", docs, ids)
	}
	if got := docs[0].Fields["title"]; got != "first" {
		t.Errorf("title: got %v, want first", got)
	}
	if got, ok := docs[0].Fields["tags"].([]any); !ok || !slices.Equal(got, []any{"a", "b"}) {
		t.Errorf("tags: got %#v, want [a b]", docs[0].Fields["tags"])
	}
	if at := docs[0].IDTime; at.Before(before) || at.After(time.Now().Add(2*time.Second)) {
		t.Errorf("IDTime: got %s, want about now", at)
	}
	first, err := MongoFind(ctx, uri, "labtest", "posts", 1)
	if err != nil || len(first) != 1 || first[0].ID != ids[0] {
		t.Errorf("limit 1: got %+v, %v; want the first document", first, err)
	}
	if n, err := MongoCount(ctx, uri, "labtest", "nothing-here"); err != nil || n != 0 {
		t.Errorf("count of a missing collection: got %d, %v; want 0", n, err)
	}

	ls, err := e.TCPListeners(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ls, func(l TCPListener) bool { return l.Port == 27017 && !l.Loopback() }) {
		t.Errorf("listeners: got %v, want 27017 on every interface", ls)
	}
}

// TestIntegrationMongoLoopbackOnly is the mistake lesson 3 teaches: mongod
// bound to 127.0.0.1 inside its container cannot be reached through the
// published port, and TCPListeners shows why.
func TestIntegrationMongoLoopbackOnly(t *testing.T) {
	e := integrationEngine(t)
	ctx := context.Background()
	name, port := startMongo(t, e, []string{"mongod", "--bind_ip", "127.0.0.1"})
	var ls []TCPListener
	mongoWait(t, 30*time.Second, "mongod listening on 27017", func() error {
		var err error
		if ls, err = e.TCPListeners(ctx, name); err != nil {
			return err
		}
		if !slices.ContainsFunc(ls, func(l TCPListener) bool { return l.Port == 27017 }) {
			return fmt.Errorf("listening on %v", ls)
		}
		return nil
	})
	for _, l := range ls {
		if l.Port == 27017 && !l.Loopback() {
			t.Errorf("got %v listening, want 27017 on loopback addresses only", l)
		}
	}
	start := time.Now()
	err := MongoPing(ctx, fmt.Sprintf("mongodb://127.0.0.1:%d", port))
	if !IsMongoUnreachable(err) {
		t.Fatalf("got %v, want a *MongoUnreachableError through the published port", err)
	}
	if d := time.Since(start); d > MongoSelectTimeout+2*time.Second {
		t.Errorf("took %s, want at most about %s", d, MongoSelectTimeout)
	}
	t.Logf("through the published port: %v", err)

	if _, err := e.TCPListeners(ctx, "lab-test-no-such-container"); !IsNotFound(err) {
		t.Errorf("got %v for a missing container, want not found", err)
	}
}

// TestIntegrationTCPListenersStopped covers a container that is not running:
// nothing can be run in it, and the error says so rather than returning no
// listeners.
func TestIntegrationTCPListenersStopped(t *testing.T) {
	e := integrationEngine(t)
	name := runHelloWorld(t, e)
	_, err := e.TCPListeners(context.Background(), name)
	if err == nil {
		t.Fatal("got no error for a stopped container, want one")
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		t.Errorf("got %v, want an error saying it is not running, not that it is missing", err)
	}
}
