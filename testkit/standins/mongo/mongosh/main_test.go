package main

import (
	"bytes"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	const def = "mongodb://127.0.0.1:27017/?directConnection=true&serverSelectionTimeoutMS=2000"
	tests := []struct {
		args   []string
		uri    string
		okOnly bool
		err    string
	}{
		{[]string{"--quiet", "--eval", `db.adminCommand("ping").ok`}, def, true, ""},
		{[]string{"--eval", `db.adminCommand('ping')`}, def, false, ""},
		{[]string{"--eval", `db.runCommand({ping: 1})`}, def, false, ""},
		{[]string{"--eval=db.runCommand({ \"ping\": 1 }).ok;"}, def, true, ""},
		{[]string{"--port", "27018", "--quiet", "--eval", `db.adminCommand("ping").ok`},
			"mongodb://127.0.0.1:27018/?directConnection=true&serverSelectionTimeoutMS=2000", true, ""},
		{[]string{"--host", "lab-db", "--eval", `db.adminCommand("ping")`},
			"mongodb://lab-db:27017/?directConnection=true&serverSelectionTimeoutMS=2000", false, ""},
		{[]string{"mongodb://127.0.0.1:27017", "--eval", `db.runCommand({ping: 1})`}, def, false, ""},
		{[]string{"--eval", `db.runCommand({ping: 1})`, "mongodb://h:1/posts?serverSelectionTimeoutMS=500"},
			"mongodb://h:1/posts?directConnection=true&serverSelectionTimeoutMS=500", false, ""},
		{[]string{"--quiet"}, "", false, "no interactive shell"},
		{[]string{"--eval", "db.posts.find()"}, "", false, `cannot evaluate "db.posts.find()"`},
		{[]string{"--eval", "x", "--eval", "y"}, "", false, "one --eval only"},
		{[]string{"--eval"}, "", false, "option --eval needs a value"},
		{[]string{"--tls", "--eval", `db.adminCommand("ping")`}, "", false, "option --tls is not supported"},
		{[]string{"--port", "x", "--eval", `db.adminCommand("ping")`}, "", false, `bad --port "x"`},
		{[]string{"mongodb://a", "--port", "1", "--eval", `db.adminCommand("ping")`}, "", false, "not both"},
		{[]string{"http://a", "--eval", `db.adminCommand("ping")`}, "", false, "bad connection string"},
	}
	for _, tt := range tests {
		sh, err := parse(tt.args)
		switch {
		case tt.err != "":
			var u *usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parse(%q): got %v, want an error saying %q", tt.args, err, tt.err)
			}
		case err != nil:
			t.Errorf("parse(%q): %v", tt.args, err)
		case sh.uri != tt.uri || sh.okOnly != tt.okOnly:
			t.Errorf("parse(%q): uri %q okOnly %v, want %q %v", tt.args, sh.uri, sh.okOnly, tt.uri, tt.okOnly)
		}
	}
	if _, err := parse([]string{"--version"}); !errors.Is(err, errVersion) {
		t.Errorf("parse(--version): %v", err)
	}
}

// A server that does not answer makes the ping exit with 1 within the
// default two seconds, with mongosh's kind of error.
func TestRunNoServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	sh, err := parse([]string{"--port", strconv.Itoa(addr.Port), "--quiet", "--eval", `db.adminCommand("ping").ok`})
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	start := time.Now()
	if code := run(sh, &out, &errOut); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s, want about 2s", took)
	}
	want := "MongoNetworkError: connect ECONNREFUSED 127.0.0.1:" + strconv.Itoa(addr.Port) + "\n"
	if out.Len() != 0 || errOut.String() != want {
		t.Errorf("stdout %q stderr %q, want nothing and %q", out.String(), errOut.String(), want)
	}
}
