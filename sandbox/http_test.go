package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGetHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("<h1>hello</h1>"))
	}))
	defer srv.Close()
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/", 200, "<h1>hello</h1>"},
		{"/missing", 404, "404 page not found\n"},
	}
	for _, tt := range tests {
		got, err := GetHTTP(context.Background(), srv.Client(), srv.URL+tt.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tt.path, err)
		}
		if got.Status != tt.status || string(got.Body) != tt.body {
			t.Errorf("GET %s: got %d %q, want %d %q", tt.path, got.Status, got.Body, tt.status, tt.body)
		}
	}
	srv.Close()
	if _, err := GetHTTP(context.Background(), nil, srv.URL); err == nil || !strings.Contains(err.Error(), "requesting") {
		t.Errorf("GET on a closed server: got %v, want a requesting error", err)
	}
}
