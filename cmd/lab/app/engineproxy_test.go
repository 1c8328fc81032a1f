package app_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/lab-workshop/lab/sandbox"
)

// engineproxy stands in front of the real engine so a script can make the
// engine "stop" without stopping it:
//
//	engineproxy N
//	engineproxy after METHOD PATH
//
// relays the first N requests to the engine of the test's environment (or
// every request up to and including the first METHOD request whose path,
// without the API version, is PATH), then stops listening and closes every
// connection, as a stopped engine would. DOCKER_HOST points at the proxy
// for the rest of the script, and ENGINE_HOST at the engine itself, so the
// script can make the engine "answer again".
func engineproxy(ts *testscript.TestScript, neg bool, args []string) {
	var last func(r *http.Request) bool // the request after which the engine stops
	switch {
	case !neg && len(args) == 1:
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		count := 0
		last = func(*http.Request) bool { count++; return count == n }
	case !neg && len(args) == 3 && args[0] == "after":
		last = func(r *http.Request) bool {
			return r.Method == args[1] && apiPrefix.ReplaceAllString(r.URL.Path, "") == args[2]
		}
	default:
		ts.Fatalf("usage: engineproxy N | engineproxy after METHOD PATH")
	}
	ep, err := sandbox.ResolveEndpoint(os.Getenv)
	ts.Check(err)
	target, ok := strings.CutPrefix(ep.Host, "unix://")
	if !ok {
		ts.Fatalf("engineproxy needs an engine on a unix socket, not %s", ep.Host)
	}
	dir, err := os.MkdirTemp("", "lab-fault-")
	ts.Check(err)
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	ts.Check(err)
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: "docker"})
	rp.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", target)
	}}
	var (
		mu      sync.Mutex
		stopped bool
		srv     *http.Server
	)
	srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cut := stopped
		stopped = stopped || last(r)
		mu.Unlock()
		if cut {
			// The engine is gone: no answer, the connection dropped.
			go srv.Close()
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
				}
			}
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	ts.Defer(func() {
		srv.Close()
		os.RemoveAll(dir)
	})
	ts.Setenv("ENGINE_HOST", ep.Host)
	ts.Setenv("DOCKER_HOST", "unix://"+sock)
}
