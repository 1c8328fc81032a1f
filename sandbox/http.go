package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// HTTPResponse is what a check needs from an HTTP answer.
type HTTPResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// maxBody bounds what a probe reads: lesson pages are small.
const maxBody = 4 << 20

// DefaultHTTPClient is the client probes use: short timeouts, no proxy (the
// lessons' servers are on this machine) and no keep-alive between checks.
var DefaultHTTPClient = &http.Client{
	Timeout: 5 * time.Second,
	Transport: timedTransport{base: &http.Transport{
		Proxy:             nil,
		DisableKeepAlives: true,
	}, counter: &waitedHTTP},
}

// GetHTTP sends one GET to url with hc (nil: DefaultHTTPClient) and reads
// the answer.
func GetHTTP(ctx context.Context, hc *http.Client, url string) (HTTPResponse, error) {
	if hc == nil {
		hc = DefaultHTTPClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return HTTPResponse{}, fmt.Errorf("requesting %s: %w", url, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return HTTPResponse{}, fmt.Errorf("requesting %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return HTTPResponse{}, fmt.Errorf("reading the answer of %s: %w", url, err)
	}
	return HTTPResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}
