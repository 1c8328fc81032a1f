// Command mongosh is the mongo stand-in's MongoDB shell: it evaluates the
// ping expressions the lessons' health checks and hints use, and nothing
// else, against a server, with the official Go driver.
//
//	mongosh [URI] [--host HOST] [--port PORT] [--quiet] --eval EXPR
//
// URI is a mongodb:// connection string (default mongodb://127.0.0.1:27017).
// EXPR is one of db.adminCommand("ping"), db.adminCommand({ping: 1}),
// db.runCommand("ping") or db.runCommand({ping: 1}), optionally followed by
// .ok, in either kind of quotes. Like mongosh it prints the answer ({ ok: 1 },
// or 1 for .ok), waits at most two seconds for a server unless the URI says
// otherwise, and exits with 0 when the server answered, 1 when it did not
// (printing the driver's error the way mongosh prints a MongoNetworkError),
// and 1 with a clear message for anything it cannot do.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// version is what --version prints: the mongosh release the stand-in
// answers for.
const version = "2.3.0 (stand-in)"

// shell is what the command line asks for.
type shell struct {
	uri    string
	quiet  bool
	eval   string
	okOnly bool // the expression ends in .ok
}

// usageError is a command line the stand-in cannot run.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// pingExpr matches the ping expressions the stand-in evaluates.
var pingExpr = regexp.MustCompile(`^db\.(?:adminCommand|runCommand)\(\s*(?:"ping"|'ping'|\{\s*(?:ping|"ping"|'ping')\s*:\s*(?:1|true)\s*\})\s*\)(\.ok)?;?$`)

func main() {
	sh, err := parse(os.Args[1:])
	if err != nil {
		if errors.Is(err, errVersion) {
			fmt.Println(version)
			return
		}
		fmt.Fprintf(os.Stderr, "mongosh (stand-in): %v\n", err)
		os.Exit(1)
	}
	os.Exit(run(sh, os.Stdout, os.Stderr))
}

var errVersion = errors.New("version")

// parse reads mongosh's command line: options and a connection string in
// any order.
func parse(args []string) (shell, error) {
	sh := shell{}
	host, port := "", ""
	value := func(i *int, name string) (string, error) {
		if *i+1 >= len(args) {
			return "", usagef("option %s needs a value", name)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, inline, hasInline := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "-") {
			name, hasInline = a, false
		}
		get := func() (string, error) {
			if hasInline {
				return inline, nil
			}
			return value(&i, name)
		}
		var err error
		switch name {
		case "--quiet":
			sh.quiet = true
		case "--norc":
		case "--version":
			return sh, errVersion
		case "--eval":
			var e string
			if e, err = get(); err == nil {
				if sh.eval != "" {
					return sh, usagef("this stand-in evaluates one --eval only")
				}
				sh.eval = e
			}
		case "--host":
			host, err = get()
		case "--port":
			port, err = get()
		default:
			if strings.HasPrefix(a, "-") {
				return sh, usagef("option %s is not supported by this stand-in (it takes --quiet, --eval, --host, --port and a mongodb:// URI)", a)
			}
			if sh.uri != "" {
				return sh, usagef("unexpected argument %q after the connection string %q", a, sh.uri)
			}
			sh.uri = a
		}
		if err != nil {
			return sh, err
		}
	}
	if sh.eval == "" {
		return sh, usagef("this stand-in has no interactive shell: give it --eval with a ping, like --eval 'db.adminCommand(\"ping\").ok'")
	}
	expr := strings.TrimSpace(sh.eval)
	m := pingExpr.FindStringSubmatch(expr)
	if m == nil {
		return sh, usagef("cannot evaluate %q: this stand-in evaluates only db.adminCommand(\"ping\") and db.runCommand({ping: 1}), optionally with .ok", sh.eval)
	}
	sh.okOnly = m[1] != ""
	uri, err := connectionString(sh.uri, host, port)
	if err != nil {
		return sh, err
	}
	sh.uri = uri
	return sh, nil
}

// connectionString builds the URI to connect to, as mongosh does: --host
// and --port over the default 127.0.0.1:27017, or a mongodb:// URI (a bare
// host[:port][/db] counts as one); a direct connection that gives up after
// two seconds unless the URI says otherwise.
func connectionString(uri, host, port string) (string, error) {
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", usagef("bad --port %q: want a number from 1 to 65535", port)
		}
	}
	if uri != "" && (host != "" || port != "") {
		return "", usagef("give either a connection string or --host/--port, not both")
	}
	if uri == "" {
		if host == "" {
			host = "127.0.0.1"
		}
		if port == "" {
			port = "27017"
		}
		uri = "mongodb://" + host + ":" + port + "/"
	}
	if !strings.Contains(uri, "://") {
		uri = "mongodb://" + uri
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "mongodb" || u.Host == "" {
		return "", usagef("bad connection string %q: want mongodb://HOST[:PORT][/DB]", uri)
	}
	q := u.Query()
	if !q.Has("directConnection") && !strings.Contains(u.Host, ",") {
		q.Set("directConnection", "true")
	}
	if !q.Has("serverSelectionTimeoutMS") {
		q.Set("serverSelectionTimeoutMS", "2000")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// run connects and pings; it returns the exit code.
func run(sh shell, stdout, stderr io.Writer) int {
	if !sh.quiet {
		fmt.Fprintf(stdout, "Connecting to:\t\t%s\n", sh.uri)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(sh.uri))
	if err != nil {
		fmt.Fprintf(stderr, "MongoParseError: %v\n", err)
		return 1
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var res bson.M
	err = client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Decode(&res)
	if err != nil {
		fmt.Fprintln(stderr, errorLine(err))
		return 1
	}
	ok := 0.0
	switch v := res["ok"].(type) {
	case float64:
		ok = v
	case int32:
		ok = float64(v)
	case int64:
		ok = float64(v)
	}
	if sh.okOnly {
		fmt.Fprintln(stdout, strconv.FormatFloat(ok, 'f', -1, 64))
	} else {
		fmt.Fprintf(stdout, "{ ok: %s }\n", strconv.FormatFloat(ok, 'f', -1, 64))
	}
	if ok != 1 {
		return 1
	}
	return 0
}

// refused finds the address of a refused connection in the driver's error.
var refused = regexp.MustCompile(`dial tcp (\S+): connect: connection refused`)

// errorLine says why the server did not answer, in mongosh's words where
// the cause is a refused or unreachable address.
func errorLine(err error) string {
	if m := refused.FindStringSubmatch(err.Error()); m != nil {
		return "MongoNetworkError: connect ECONNREFUSED " + m[1]
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "MongoNetworkError: connect ECONNREFUSED"
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		return "MongoServerError: " + err.Error()
	}
	return "MongoServerSelectionError: " + err.Error()
}
