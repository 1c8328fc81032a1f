// Command probe checks the mongo stand-in from the host with the official Go
// driver: it waits for a ping, then writes or reads one document, or confirms
// that nothing answers on the address.
//
//	probe -addr 127.0.0.1:PORT -insert ID   ping, insert {_id: ID}, count it (1)
//	probe -addr 127.0.0.1:PORT -find ID     ping, read {_id: ID} back
//	probe -addr 127.0.0.1:PORT -unreachable no server answers a ping
//
// testkit/lesson-standins.sh runs it after building mongo:7.0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const (
	database   = "lab_standin_test"
	collection = "posts"
)

type config struct {
	addr        string
	insert      string
	find        string
	unreachable bool
	wait        time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:27017", "server address (host:port)")
	flag.StringVar(&c.insert, "insert", "", "insert a document with this _id and count it")
	flag.StringVar(&c.find, "find", "", "read back the document with this _id")
	flag.BoolVar(&c.unreachable, "unreachable", false, "succeed only when no server answers")
	flag.DurationVar(&c.wait, "wait", 30*time.Second, "how long to wait for a ping")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintf(os.Stderr, "probe: %v\n", err)
		os.Exit(1)
	}
}

func run(c config) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.wait+30*time.Second)
	defer cancel()
	client, err := mongo.Connect(options.Client().
		ApplyURI("mongodb://" + c.addr + "/?directConnection=true").
		SetServerSelectionTimeout(2 * time.Second).
		SetConnectTimeout(2 * time.Second))
	if err != nil {
		return fmt.Errorf("creating client for %s: %w", c.addr, err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()

	pingErr := ping(ctx, client, c.wait)
	if c.unreachable {
		if pingErr == nil {
			return fmt.Errorf("%s answers a ping; want no answer", c.addr)
		}
		fmt.Printf("%s: no answer, as wanted (%v)\n", c.addr, pingErr)
		return nil
	}
	if pingErr != nil {
		return fmt.Errorf("pinging %s: %w", c.addr, pingErr)
	}
	coll := client.Database(database).Collection(collection)
	if c.insert != "" {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: c.insert}, {Key: "title", Value: "written by the stand-in probe"}}); err != nil {
			return fmt.Errorf("inserting %q: %w", c.insert, err)
		}
		n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: c.insert}})
		if err != nil {
			return fmt.Errorf("counting %q: %w", c.insert, err)
		}
		if n != 1 {
			return fmt.Errorf("counting %q: got %d documents, want 1", c.insert, n)
		}
		fmt.Printf("%s: inserted and counted %q\n", c.addr, c.insert)
	}
	if c.find != "" {
		var doc struct {
			ID    string `bson:"_id"`
			Title string `bson:"title"`
		}
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: c.find}}).Decode(&doc); err != nil {
			return fmt.Errorf("reading %q back: %w", c.find, err)
		}
		fmt.Printf("%s: read back %q (%q)\n", c.addr, doc.ID, doc.Title)
	}
	return nil
}

// ping retries until the server answers or wait has passed; a freshly started
// container accepts connections on its published port before the server
// inside listens.
func ping(ctx context.Context, client *mongo.Client, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := client.Ping(pctx, nil)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
}
