package class

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/lab-workshop/lab/internal/class/learner"
)

// Options tune the server; the zero value takes the defaults.
type Options struct {
	Stuck Stuck
	// Rate and Burst limit how fast one learner's token may post: Burst
	// results at once, then Rate a second. A whole-course `lab verify`
	// fits in the burst.
	Rate  float64
	Burst int
	// Refresh is how often open pages are re-sent even with nothing new,
	// so time-based "stuck" shows up.
	Refresh time.Duration
	Now     func() time.Time
}

// Server is the instructor's HTTP server: the learners' API and the live
// page.
type Server struct {
	store  *Store
	opts   Options
	limits *limiter // posts, per learner token
	joins  *limiter // joins, per client address
	broker *broker
	done   chan struct{}
}

// NewServer serves the classes in store.
func NewServer(store *Store, opts Options) *Server {
	if opts.Stuck == (Stuck{}) {
		opts.Stuck = DefaultStuck
	}
	if opts.Rate == 0 {
		opts.Rate = 2
	}
	if opts.Burst == 0 {
		opts.Burst = 60
	}
	if opts.Refresh == 0 {
		opts.Refresh = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Server{store: store, opts: opts, limits: newLimiter(opts.Rate, opts.Burst, opts.Now),
		joins:  newLimiter(1, 200, opts.Now), // a whole room behind one NAT joins at once
		broker: &broker{subs: map[string]map[chan struct{}]bool{}}, done: make(chan struct{})}
}

// Handler routes the server's requests.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("POST /api/join", s.join)
	mux.HandleFunc("POST /api/classes/{class}/results", s.postResult)
	mux.HandleFunc("GET /classes/{class}", s.page)
	mux.HandleFunc("GET /classes/{class}/grid", s.gridFragment)
	mux.HandleFunc("GET /classes/{class}/events", s.events)
	mux.HandleFunc("GET /classes/{class}/export.csv", s.exportCSV)
	mux.HandleFunc("GET /classes/{class}/export.html", s.exportHTML)
	return mux
}

// Serve answers on ln until ctx ends, then closes open pages' streams and
// shuts down.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	close(s.done)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// fail answers with status and a message a person can act on.
func fail(w http.ResponseWriter, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(learner.ErrorResponse{Error: fmt.Sprintf(format, args...)})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decode reads one JSON value of at most MaxPostBytes, answering 413 or 400
// itself when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, learner.MaxPostBytes)
	dec := json.NewDecoder(body)
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		fail(w, http.StatusRequestEntityTooLarge, "the post is larger than %d bytes; a result carries only its step, verdict, codes and a one-line summary", learner.MaxPostBytes)
		return false
	case err != nil:
		fail(w, http.StatusBadRequest, "the post is not a JSON result: %v", err)
		return false
	}
	return true
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if !s.joins.allow(host) {
		w.Header().Set("Retry-After", "5")
		fail(w, http.StatusTooManyRequests, "too many joins from this address; try again in a few seconds")
		return
	}
	var req learner.JoinRequest
	if !decode(w, r, &req) {
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || utf8.RuneCountInString(name) > learner.MaxName || strings.ContainsAny(name, "\n\r\t") {
		fail(w, http.StatusBadRequest, "a learner's name is 1 to %d characters on one line", learner.MaxName)
		return
	}
	c, err := s.store.ClassByCode(r.Context(), req.Code)
	if errors.Is(err, ErrNotFound) {
		fail(w, http.StatusNotFound, "no class has the join code %q; check the code the instructor gave", req.Code)
		return
	}
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	l, token, err := s.store.AddLearner(r.Context(), c.ID, name, req.Readiness)
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	s.broker.publish(c.ID)
	reply(w, http.StatusOK, learner.JoinResponse{Class: c.ID, ClassName: c.Name, Learner: l.ID, Token: token})
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// validate says what is wrong with a posted record, or "".
func validate(rec learner.Record) string {
	short := func(s string, n int) bool { return len(s) <= n && !strings.ContainsAny(s, "\n\r") }
	switch {
	case !keyPattern.MatchString(rec.Key):
		return "key must be 8 to 64 letters, digits, - or _"
	case rec.Seq <= 0:
		return "seq must be positive"
	case rec.Step == "" || !short(rec.Step, 100):
		return "step must name the step, e.g. containers/run"
	case !slices.Contains(learner.Verdicts, rec.Verdict):
		return "verdict must be one of " + strings.Join(learner.Verdicts, ", ")
	case len(rec.Codes) > learner.MaxCodes:
		return fmt.Sprintf("at most %d failure codes", learner.MaxCodes)
	case utf8.RuneCountInString(rec.Summary) > learner.MaxSummary || !short(rec.Summary, 4*learner.MaxSummary):
		return fmt.Sprintf("summary must be one line of at most %d characters", learner.MaxSummary)
	case rec.DurationMS < 0 || rec.Index < 0:
		return "duration_ms and index cannot be negative"
	case !short(rec.Lab, 100) || !short(rec.Course, 100) || !short(rec.CourseHash, 100):
		return "lab, course and course_hash are short one-line values"
	case rec.At.IsZero():
		return "at must be the time of the check"
	}
	for _, c := range rec.Codes {
		if c == "" || !short(c, 64) {
			return "each failure code is a short word, e.g. port-mismatch"
		}
	}
	return ""
}

func (s *Server) postResult(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		fail(w, http.StatusUnauthorized, "no learner token; run `lab join URL --code CODE --name NAME` first")
		return
	}
	l, err := s.store.LearnerByToken(r.Context(), token)
	if errors.Is(err, ErrNotFound) {
		fail(w, http.StatusUnauthorized, "unknown learner token; run `lab leave`, then `lab join` again")
		return
	}
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	if l.Class != r.PathValue("class") {
		fail(w, http.StatusForbidden, "this token belongs to another class; post to the class you joined")
		return
	}
	if !s.limits.allow(token) {
		w.Header().Set("Retry-After", "5")
		fail(w, http.StatusTooManyRequests, "too many results too fast from this learner; the rest stay queued and go later")
		return
	}
	var rec learner.Record
	if !decode(w, r, &rec) {
		return
	}
	if msg := validate(rec); msg != "" {
		fail(w, http.StatusBadRequest, "malformed result: %s", msg)
		return
	}
	stored, err := s.store.AddResult(r.Context(), l, rec, s.opts.Now())
	if err != nil {
		fail(w, http.StatusInternalServerError, "%v", err)
		return
	}
	if stored {
		s.broker.publish(l.Class)
		reply(w, http.StatusCreated, learner.PostResponse{Stored: true})
		return
	}
	reply(w, http.StatusOK, learner.PostResponse{Duplicate: true})
}

// grid computes the class's grid now, answering 404 itself when there is
// no such class.
func (s *Server) grid(w http.ResponseWriter, r *http.Request) *Grid {
	g, err := s.buildGrid(r.Context(), r.PathValue("class"))
	if errors.Is(err, ErrNotFound) {
		http.Error(w, "no such class; see the list at /", http.StatusNotFound)
		return nil
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return nil
	}
	return g
}

func (s *Server) buildGrid(ctx context.Context, id string) (*Grid, error) {
	c, err := s.store.ClassByID(ctx, id)
	if err != nil {
		return nil, err
	}
	ls, err := s.store.Learners(ctx, id)
	if err != nil {
		return nil, err
	}
	rs, err := s.store.Results(ctx, id)
	if err != nil {
		return nil, err
	}
	return BuildGrid(c, ls, rs, s.opts.Stuck, s.opts.Now()), nil
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	cs, err := s.store.Classes(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pages().ExecuteTemplate(w, "index", cs)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	if g := s.grid(w, r); g != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		pages().ExecuteTemplate(w, "page", pageData{Grid: g, Live: true, Host: r.Host})
	}
}

func (s *Server) gridFragment(w http.ResponseWriter, r *http.Request) {
	if g := s.grid(w, r); g != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		pages().ExecuteTemplate(w, "grid", g)
	}
}

func (s *Server) exportHTML(w http.ResponseWriter, r *http.Request) {
	if g := s.grid(w, r); g != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", g.Class.Name+".html"))
		pages().ExecuteTemplate(w, "page", pageData{Grid: g})
	}
}

func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) {
	if g := s.grid(w, r); g != nil {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", g.Class.Name+".csv"))
		g.WriteCSV(w)
	}
}

// events streams the class's grid to an open page: once at once, then each
// time a learner joins or posts, and every Refresh for time-based stuck.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("class")
	if _, err := s.store.ClassByID(r.Context(), id); err != nil {
		http.Error(w, "no such class; see the list at /", http.StatusNotFound)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here", http.StatusInternalServerError)
		return
	}
	ch := s.broker.subscribe(id)
	defer s.broker.unsubscribe(id, ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	tick := time.NewTicker(s.opts.Refresh)
	defer tick.Stop()
	for {
		g, err := s.buildGrid(r.Context(), id)
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := pages().ExecuteTemplate(&b, "grid", g); err != nil {
			return
		}
		fmt.Fprint(w, "event: grid\n")
		for line := range strings.SplitSeq(strings.TrimRight(b.String(), "\n"), "\n") {
			fmt.Fprintf(w, "data: %s\n", line)
		}
		fmt.Fprint(w, "\n")
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-ch:
		case <-tick.C:
		}
	}
}

// broker tells open pages that their class changed.
type broker struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]bool
}

func (b *broker) subscribe(class string) chan struct{} {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[class] == nil {
		b.subs[class] = map[chan struct{}]bool{}
	}
	b.subs[class][ch] = true
	return ch
}

func (b *broker) unsubscribe(class string, ch chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs[class], ch)
}

// publish wakes every page of the class; a page already due to refresh
// is not woken twice.
func (b *broker) publish(class string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[class] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// limiter is a token bucket per learner token.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
