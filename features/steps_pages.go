package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lab-workshop/lab/sandbox"
)

// noAnswer is the failure of a server that did not answer HTTP before its
// settle deadline.
func noAnswer(raw string, within time.Duration, err error) *Failure {
	return &Failure{
		Code:     "no-answer",
		Message:  fmt.Sprintf("nothing answers at %s", raw),
		Expected: "an HTTP answer within " + within.String(),
		Observed: err.Error(),
		Try:      "curl -i " + raw,
	}
}

// getPage GETs raw until something answers, for at most settleTime: a
// server that was just started needs a moment. What answers is returned as
// is.
func (w *world) getPage(ctx context.Context, raw string) (sandbox.HTTPResponse, error) {
	return w.getUntilAnswer(ctx, raw, settleTime, 200*time.Millisecond, nil)
}

// publishedURL moves raw, a lesson's localhost address, to the engine's
// host, where what containers publish is reached. It returns the engine
// too.
func (w *world) publishedURL(ctx context.Context, raw string) (*sandbox.Engine, string, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return nil, "", err
	}
	url, err := sandbox.PublishedURL(e.Endpoint(), raw)
	return e, url, err
}

// getUntilAnswer GETs raw (a lesson's localhost address, moved to the
// engine's host for a remote engine) every interval until something
// answers, for at most within. After each try that got no answer, gone
// (when not nil) may return the failure that says why nothing ever will;
// that failure ends the wait.
func (w *world) getUntilAnswer(ctx context.Context, raw string, within, interval time.Duration, gone func(context.Context, *sandbox.Engine) error) (sandbox.HTTPResponse, error) {
	e, url, err := w.publishedURL(ctx, raw)
	if err != nil {
		return sandbox.HTTPResponse{}, err
	}
	var resp sandbox.HTTPResponse
	var stopped error
	err = eventually(ctx, within, interval, func(ctx context.Context) (bool, error) {
		r, err := sandbox.GetHTTP(ctx, nil, url)
		if err == nil {
			resp = r
			return true, nil
		}
		if gone != nil {
			if stopped = gone(ctx, e); stopped != nil {
				return true, nil
			}
		}
		return false, err
	})
	if stopped != nil {
		return resp, stopped
	}
	if err != nil {
		return resp, noAnswer(raw, within, err)
	}
	return resp, nil
}

// workspaceFile reads a file of the learner's workspace.
func (w *world) workspaceFile(rel string) ([]byte, error) {
	p, err := w.workspacePath(rel)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, noSuchFile(fmt.Sprintf("your workspace has no %s", rel), p, w.missingFileFix(rel))
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return data, nil
}

func (w *world) pageContainsOrIs(ctx context.Context, raw string, status int, text, rel string) error {
	resp, err := w.getPage(ctx, raw)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("%d with a page containing %q", status, text)
	if resp.Status != status {
		return &Failure{
			Code:     "status-mismatch",
			Message:  fmt.Sprintf("%s answers %d, not %d", raw, resp.Status, status),
			Expected: expected,
			Observed: fmt.Sprintf("%d: %s", resp.Status, firstLines(string(resp.Body), 2)),
			Try:      "curl -i " + raw,
		}
	}
	if bytes.Contains(resp.Body, []byte(text)) {
		return nil
	}
	// The next step of the lesson replaces the page with the learner's;
	// that still proves the server answers, so a later `lab verify` passes.
	if ws, err := w.workspaceFile(rel); err == nil && bytes.Equal(ws, resp.Body) {
		w.note("%s serves your %s", raw, rel)
		return nil
	}
	return &Failure{
		Code:     "page-differs",
		Message:  fmt.Sprintf("the page at %s does not contain %q", raw, text),
		Expected: expected,
		Observed: firstLines(string(resp.Body), 3),
		Try:      "curl -i " + raw,
	}
}

func (w *world) servesWorkspaceFile(ctx context.Context, raw, rel string) error {
	want, err := w.workspaceFile(rel)
	if err != nil {
		return err
	}
	resp, err := w.getPage(ctx, raw)
	if err != nil {
		return err
	}
	expected := fmt.Sprintf("the exact content of your %s (%d bytes)", rel, len(want))
	switch {
	case resp.Status != 200:
		return &Failure{
			Code:     "status-mismatch",
			Message:  fmt.Sprintf("%s answers %d, not 200", raw, resp.Status),
			Expected: expected,
			Observed: fmt.Sprintf("%d: %s", resp.Status, firstLines(string(resp.Body), 2)),
			Try:      "curl -i " + raw,
		}
	case bytes.Equal(resp.Body, want):
		return nil
	case bytes.Contains(resp.Body, []byte(nginxWelcome)):
		return &Failure{
			Code:     "page-differs",
			Message:  fmt.Sprintf("%s still serves nginx's welcome page, not your workspace file %s", raw, rel),
			Expected: expected,
			Observed: fmt.Sprintf("nginx's welcome page (%d bytes)", len(resp.Body)),
			Try:      "curl " + raw,
			Fix:      fmt.Sprintf("copy %s over the page nginx serves, /usr/share/nginx/html/index.html in the container, with docker cp", rel),
		}
	default:
		return &Failure{
			Code:     "page-differs",
			Message:  fmt.Sprintf("the page served at %s is not your workspace file %s", raw, rel),
			Expected: expected,
			Observed: diffHint(resp.Body, want, "served", rel),
			Try:      "curl " + raw,
			Fix:      fmt.Sprintf("after you change %s, copy it into the container again", rel),
		}
	}
}

// diffHint says briefly where two texts first differ, line by line, so a
// learner sees which edit the other side is missing.
func diffHint(got, want []byte, gotName, wantName string) string {
	a, b := lines(got), lines(want)
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case len(a) == 0:
			return fmt.Sprintf("the %s page is empty", gotName)
		case i >= len(a):
			return fmt.Sprintf("the %s page ends after line %d; %s goes on with %s", gotName, len(a), wantName, quoteLine(b[i]))
		case i >= len(b):
			return fmt.Sprintf("%s ends after line %d; the %s page goes on with %s", wantName, len(b), gotName, quoteLine(a[i]))
		case a[i] == b[i]:
		case strings.TrimSpace(a[i]) == strings.TrimSpace(b[i]):
			return fmt.Sprintf("line %d differs only in spaces or line endings", i+1)
		default:
			return fmt.Sprintf("line %d differs: %s has %s, %s has %s", i+1, gotName, quoteLine(a[i]), wantName, quoteLine(b[i]))
		}
	}
	return "they differ only in the newline at the end"
}

// lines splits a text into its lines; a final newline ends the last line
// rather than starting an empty one.
func lines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// quoteLine quotes a line for a message, trimmed of indentation and cut
// to a readable length on a character boundary.
func quoteLine(s string) string {
	s = strings.TrimSpace(s)
	const max = 60
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strconv.Quote(s)
}
