package sandbox

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestMongoPingNothingListening(t *testing.T) {
	uri := "mongodb://" + closedPort(t)
	start := time.Now()
	err := MongoPing(context.Background(), uri)
	if err == nil {
		t.Fatal("got no error, want one: nothing listens there")
	}
	if !IsMongoUnreachable(err) {
		t.Errorf("got %T %v, want a *MongoUnreachableError", err, err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("got %q, want it to say the connection was refused", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s; an absent server must fail at once", d)
	}
}

// TestMongoPingNotMongo covers a port that accepts connections and closes
// them, as a published port does when the server in the container only
// listens on its loopback address.
func TestMongoPingNotMongo(t *testing.T) {
	l := serveConns(t, "tcp", "127.0.0.1:0", func(c net.Conn) { c.Close() })
	start := time.Now()
	err := MongoPing(context.Background(), "mongodb://"+l.Addr().String())
	if !IsMongoUnreachable(err) {
		t.Fatalf("got %v, want a *MongoUnreachableError", err)
	}
	if strings.Contains(err.Error(), "current topology") {
		t.Errorf("got %q, want the last network error without the driver's topology dump", err)
	}
	if d := time.Since(start); d > MongoSelectTimeout+2*time.Second {
		t.Errorf("took %s, want at most about %s", d, MongoSelectTimeout)
	}
}

func TestMongoBadURI(t *testing.T) {
	err := MongoPing(context.Background(), "http://127.0.0.1:27017")
	if err == nil || IsMongoUnreachable(err) {
		t.Fatalf("got %v, want an error about the URI", err)
	}
	if !strings.Contains(err.Error(), "URI") {
		t.Errorf("got %q, want it to name the URI", err)
	}
}

func TestMongoDocument(t *testing.T) {
	when := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	oid := bson.NewObjectIDFromTimestamp(when)
	child := bson.NewObjectIDFromTimestamp(when)
	d := mongoDocument(bson.M{
		"_id":   oid,
		"title": "Hello",
		"at":    bson.NewDateTimeFromTime(when),
		"tags":  bson.A{"a", bson.M{"ref": child}},
		"meta":  bson.D{{Key: "n", Value: int32(3)}},
	})
	if d.ID != oid.Hex() {
		t.Errorf("ID: got %q, want %q", d.ID, oid.Hex())
	}
	if !d.IDTime.Equal(when) {
		t.Errorf("IDTime: got %s, want %s", d.IDTime, when)
	}
	if _, ok := d.Fields["_id"]; ok {
		t.Error("Fields holds _id; want it only in ID")
	}
	if got := d.Fields["title"]; got != "Hello" {
		t.Errorf("title: got %v, want Hello", got)
	}
	if got, ok := d.Fields["at"].(time.Time); !ok || !got.Equal(when) {
		t.Errorf("at: got %#v, want %s", d.Fields["at"], when)
	}
	tags, ok := d.Fields["tags"].([]any)
	if !ok || len(tags) != 2 {
		t.Fatalf("tags: got %#v, want a slice of 2", d.Fields["tags"])
	}
	if m, ok := tags[1].(map[string]any); !ok || m["ref"] != child.Hex() {
		t.Errorf("tags[1]: got %#v, want map[ref:%s]", tags[1], child.Hex())
	}
	if m, ok := d.Fields["meta"].(map[string]any); !ok || m["n"] != int32(3) {
		t.Errorf("meta: got %#v, want map[n:3]", d.Fields["meta"])
	}

	plain := mongoDocument(bson.M{"_id": "post-1"})
	if plain.ID != "post-1" || !plain.IDTime.IsZero() {
		t.Errorf("string _id: got ID %q, IDTime %s; want post-1 and the zero time", plain.ID, plain.IDTime)
	}
}
