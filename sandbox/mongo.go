package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
)

// MongoSelectTimeout bounds how long the MongoDB helpers wait for a server
// to answer. Lesson databases run on this machine, so a server that has not
// answered within it is not there; checks that wait for a database to start
// poll with their own deadline instead.
const MongoSelectTimeout = 3 * time.Second

// mongoOpTimeout bounds one operation once a server answered.
const mongoOpTimeout = 5 * time.Second

// MongoUnreachableError says no MongoDB server answered at a URI. Cause is the
// last network error the driver saw (connection refused, EOF, a timeout),
// not the driver's whole topology dump, so a check can show it in one line.
type MongoUnreachableError struct {
	URI   string
	Cause error
}

func (e *MongoUnreachableError) Error() string {
	return fmt.Sprintf("no MongoDB server answers at %s: %v", e.URI, e.Cause)
}

// Unwrap gives the cause, for errors.Is and errors.As.
func (e *MongoUnreachableError) Unwrap() error { return e.Cause }

// IsMongoUnreachable reports whether err says no MongoDB server answered, as
// opposed to a server that answered with an error.
func IsMongoUnreachable(err error) bool {
	var u *MongoUnreachableError
	return errors.As(err, &u)
}

// MongoDocument is one document read back from a collection, in plain Go
// values so callers need not import the driver.
type MongoDocument struct {
	// ID is the _id: an ObjectID in hex, anything else as fmt prints it.
	ID string
	// IDTime is when the document's ObjectID was made, which for a client
	// that generates ids (every official driver and mongosh) is when it was
	// inserted, to the second. It is zero when _id is not an ObjectID.
	IDTime time.Time
	// Fields holds every field but _id. Nested documents are maps, arrays
	// are slices, ObjectIDs hex strings and dates time.Time values.
	Fields map[string]any
}

// MongoPing asks the server at uri for the ping command: the cheapest proof
// that a MongoDB server answers there. An absent server gives a
// *MongoUnreachableError within MongoSelectTimeout.
func MongoPing(ctx context.Context, uri string) error {
	return withMongo(ctx, uri, func(ctx context.Context, c *mongo.Client) error {
		if err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
			return mongoErr(uri, "pinging", err)
		}
		return nil
	})
}

// MongoCount counts the documents of collection coll in database db.
func MongoCount(ctx context.Context, uri, db, coll string) (int64, error) {
	var n int64
	err := withMongo(ctx, uri, func(ctx context.Context, c *mongo.Client) error {
		var err error
		n, err = c.Database(db).Collection(coll).CountDocuments(ctx, bson.D{})
		if err != nil {
			return mongoErr(uri, fmt.Sprintf("counting the documents of %s.%s", db, coll), err)
		}
		return nil
	})
	return n, err
}

// MongoInsert inserts docs into collection coll of database db and returns
// their ids as MongoDocument.ID spells them. Documents without an _id get an
// ObjectID, as every driver gives them.
func MongoInsert(ctx context.Context, uri, db, coll string, docs ...map[string]any) ([]string, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	var ids []string
	err := withMongo(ctx, uri, func(ctx context.Context, c *mongo.Client) error {
		in := make([]any, len(docs))
		for i, d := range docs {
			in[i] = d
		}
		res, err := c.Database(db).Collection(coll).InsertMany(ctx, in)
		if err != nil {
			return mongoErr(uri, fmt.Sprintf("inserting into %s.%s", db, coll), err)
		}
		for _, id := range res.InsertedIDs {
			ids = append(ids, idString(id))
		}
		return nil
	})
	return ids, err
}

// MongoFind reads up to limit documents (0: all) of collection coll in
// database db, oldest _id first. ObjectIDs start with their creation time,
// so the first document is the one inserted first.
func MongoFind(ctx context.Context, uri, db, coll string, limit int64) ([]MongoDocument, error) {
	var out []MongoDocument
	err := withMongo(ctx, uri, func(ctx context.Context, c *mongo.Client) error {
		opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
		if limit > 0 {
			opts.SetLimit(limit)
		}
		what := fmt.Sprintf("reading %s.%s", db, coll)
		cur, err := c.Database(db).Collection(coll).Find(ctx, bson.D{}, opts)
		if err != nil {
			return mongoErr(uri, what, err)
		}
		var raw []bson.M
		if err := cur.All(ctx, &raw); err != nil {
			return mongoErr(uri, what, err)
		}
		for _, m := range raw {
			out = append(out, mongoDocument(m))
		}
		return nil
	})
	return out, err
}

// withMongo connects to uri, runs fn and disconnects. A single host is
// dialled first, so a port nothing listens on fails at once instead of after
// the driver's server selection gives up.
func withMongo(ctx context.Context, uri string, fn func(context.Context, *mongo.Client) error) error {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return fmt.Errorf("reading the MongoDB URI %q: %w", uri, err)
	}
	if len(cs.Hosts) == 1 && !strings.HasSuffix(cs.Hosts[0], ".sock") {
		d := net.Dialer{Timeout: MongoSelectTimeout}
		conn, err := d.DialContext(ctx, "tcp", cs.Hosts[0])
		if err != nil {
			return &MongoUnreachableError{URI: uri, Cause: dialCause(err)}
		}
		conn.Close()
	}
	opts := options.Client().ApplyURI(uri).
		SetAppName("lab").
		SetServerSelectionTimeout(MongoSelectTimeout).
		SetConnectTimeout(MongoSelectTimeout).
		SetTimeout(mongoOpTimeout)
	// A lesson database is one server; talk to it as the URI names it rather
	// than through the host names a replica set member would advertise.
	if len(cs.Hosts) == 1 && !cs.DirectConnectionSet && cs.ReplicaSet == "" {
		opts.SetDirect(true)
	}
	c, err := mongo.Connect(opts)
	if err != nil {
		return fmt.Errorf("connecting to MongoDB at %s: %w", uri, err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), MongoSelectTimeout)
		defer cancel()
		_ = c.Disconnect(dctx)
	}()
	return fn(ctx, c)
}

// mongoErr turns "no server could be selected" into a
// *MongoUnreachableError carrying the server's last network error, and
// wraps anything else with what was being done.
func mongoErr(uri, doing string, err error) error {
	var sel topology.ServerSelectionError
	if errors.As(err, &sel) {
		cause := sel.Wrapped
		for _, s := range sel.Desc.Servers {
			if s.LastError != nil {
				cause = s.LastError
			}
		}
		if cause == nil {
			cause = err
		}
		return &MongoUnreachableError{URI: uri, Cause: briefMongoCause(cause)}
	}
	var ce topology.ConnectionError
	if errors.As(err, &ce) || mongo.IsNetworkError(err) {
		return &MongoUnreachableError{URI: uri, Cause: briefMongoCause(err)}
	}
	return fmt.Errorf("%s at %s: %w", doing, uri, err)
}

// dialCause keeps the part of a dial error a learner recognises
// ("connection refused") without Go's "dial tcp" prefix.
func dialCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return fmt.Errorf("%s: %w", op.Addr, op.Err)
	}
	return err
}

var driverNoise = regexp.MustCompile(`^(connection\(\S*\) )?`)

// briefMongoCause drops the driver's layers of "connection(...)" prefixes
// and says what a bare EOF means.
func briefMongoCause(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg[:i], "connection(") {
		msg = driverNoise.ReplaceAllString(msg[i+2:], "")
		err = errors.New(msg)
	}
	if msg == "EOF" || errors.Is(err, io.EOF) {
		return errors.New("the connection was accepted and closed without an answer (EOF)")
	}
	return err
}

func mongoDocument(m bson.M) MongoDocument {
	d := MongoDocument{Fields: map[string]any{}}
	for k, v := range m {
		if k == "_id" {
			d.ID = idString(v)
			if oid, ok := v.(bson.ObjectID); ok {
				d.IDTime = oid.Timestamp()
			}
			continue
		}
		d.Fields[k] = plainBSON(v)
	}
	return d
}

func idString(v any) string {
	if oid, ok := v.(bson.ObjectID); ok {
		return oid.Hex()
	}
	return fmt.Sprint(plainBSON(v))
}

// plainBSON converts the driver's types to plain Go values.
func plainBSON(v any) any {
	switch x := v.(type) {
	case bson.ObjectID:
		return x.Hex()
	case bson.DateTime:
		return x.Time().UTC()
	case bson.M:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainBSON(e)
		}
		return out
	case bson.D:
		out := make(map[string]any, len(x))
		for _, e := range x {
			out[e.Key] = plainBSON(e.Value)
		}
		return out
	case bson.A:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainBSON(e)
		}
		return out
	}
	return v
}
