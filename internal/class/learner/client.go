package learner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// Files kept in lab's state folder, beside progress.json.
const (
	MembershipFile = "class.json"  // the class joined and the learner's token, mode 0600
	QueueDir       = "class-queue" // records not yet accepted by the server, one file each
)

// Membership is the class a learner joined. Its token is the learner's
// secret: the file holding it is readable by its owner only.
type Membership struct {
	Server    string    `json:"server"`
	Class     string    `json:"class"`
	ClassName string    `json:"class_name"`
	Learner   string    `json:"learner"`
	Name      string    `json:"name"`
	Token     string    `json:"token"`
	Joined    time.Time `json:"joined"`
}

// ErrNotJoined means there is no class to post to.
var ErrNotJoined = errors.New("not in a class")

// Load reads the membership in dir; ErrNotJoined when there is none.
func Load(dir string) (*Membership, error) {
	data, err := os.ReadFile(filepath.Join(dir, MembershipFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotJoined
	}
	if err != nil {
		return nil, fmt.Errorf("reading the class membership: %w", err)
	}
	var m Membership
	if err := json.Unmarshal(data, &m); err != nil || m.Server == "" || m.Token == "" || m.Class == "" {
		return nil, fmt.Errorf("the class membership %s is damaged; run `lab leave`, then `lab join` again", filepath.Join(dir, MembershipFile))
	}
	return &m, nil
}

// Save writes the membership to dir atomically, readable by its owner only.
func Save(dir string, m *Membership) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(dir, MembershipFile, append(data, '\n'))
}

// Leave forgets the class: the membership and every record still queued.
// It returns how many queued records were dropped.
func Leave(dir string) (dropped int, err error) {
	names, _ := queued(dir)
	if err := os.Remove(filepath.Join(dir, MembershipFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("removing the class membership: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, QueueDir)); err != nil {
		return 0, fmt.Errorf("removing the queue of unsent results: %w", err)
	}
	return len(names), nil
}

// writeFile replaces dir/name with data through a temporary file, mode 0600.
func writeFile(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o600)
	}
	if werr == nil {
		werr = os.Rename(tmp, filepath.Join(dir, name))
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}

// Client is the HTTP client joins and flushes use; its timeout keeps a
// slow server from holding up a learner's command.
var Client = &http.Client{Timeout: Timeout}

// Join registers name with the class whose join code is code on the
// server at base, and returns the membership to Save.
func Join(ctx context.Context, base, code, name string, r Readiness) (*Membership, error) {
	hc := Client
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the class address %q is not an http(s) URL; use the address the instructor gave, e.g. http://10.0.0.5:8080", base)
	}
	base = strings.TrimRight(u.String(), "/")
	body, _ := json.Marshal(JoinRequest{Code: code, Name: name, Readiness: r})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/join", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("joining the class at %s: %w; is the address right and the class server running?", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("joining the class at %s: %s", base, refusal(resp))
	}
	var jr JoinResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, MaxPostBytes)).Decode(&jr); err != nil || jr.Token == "" {
		return nil, fmt.Errorf("joining the class at %s: the server's answer is not a class server's; check the address", base)
	}
	return &Membership{Server: base, Class: jr.Class, ClassName: jr.ClassName, Learner: jr.Learner, Name: name, Token: jr.Token, Joined: time.Now().UTC()}, nil
}

// refusal is the server's message for a refused request.
func refusal(resp *http.Response) string {
	var e ErrorResponse
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		return fmt.Sprintf("%s (%d)", e.Error, resp.StatusCode)
	}
	return resp.Status
}

// NewKey returns a fresh idempotency key.
func NewKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Enqueue stores records in the queue in dir, in order, giving each a key
// and a sequence number when it has none. It only writes local files.
func Enqueue(dir string, recs ...Record) error {
	q := filepath.Join(dir, QueueDir)
	for _, r := range recs {
		if r.Key == "" {
			r.Key = NewKey()
		}
		if r.Seq == 0 {
			r.Seq = time.Now().UnixNano()
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := writeFile(q, fmt.Sprintf("%020d-%s.json", r.Seq, r.Key), data); err != nil {
			return fmt.Errorf("queueing a result for the class: %w", err)
		}
	}
	return nil
}

// queued lists the queue's files in sending order.
func queued(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, QueueDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// Pending counts the records waiting in dir's queue.
func Pending(dir string) int {
	names, _ := queued(dir)
	return len(names)
}

// FlushError is why a flush stopped before the queue was empty. The records
// left stay queued for the next flush.
type FlushError struct {
	Status int // the server's HTTP status; 0 when it was not reached
	Msg    string
}

func (e *FlushError) Error() string { return e.Msg }

// Flush sends the queued records in order, removing each once the server
// has stored it (or already had it). It stops at the first record the
// server cannot take now, so order is kept; a record the server refuses for
// good (malformed, too large) is moved aside so it cannot block the rest.
// Only one process sends at a time; another one finding the queue busy
// returns at once.
func Flush(ctx context.Context, dir string) (sent int, err error) {
	hc := Client
	m, err := Load(dir)
	if err != nil {
		return 0, err
	}
	q := filepath.Join(dir, QueueDir)
	if err := os.MkdirAll(q, 0o700); err != nil {
		return 0, err
	}
	lk := flock.New(filepath.Join(q, ".send.lock"))
	ok, err := lk.TryLock()
	if err != nil || !ok {
		return 0, err
	}
	defer lk.Unlock()
	names, err := queued(dir)
	if err != nil {
		return 0, err
	}
	endpoint := m.Server + "/api/classes/" + url.PathEscape(m.Class) + "/results"
	for _, name := range names {
		path := filepath.Join(q, name)
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return sent, err
		}
		status, msg, err := post(ctx, hc, endpoint, m.Token, data)
		switch {
		case err != nil:
			return sent, &FlushError{Msg: fmt.Sprintf("the class server %s did not answer (%v); results stay queued", m.Server, err)}
		case status == http.StatusOK || status == http.StatusCreated:
			os.Remove(path)
			sent++
		case status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge:
			os.Rename(path, filepath.Join(q, "."+name+".refused"))
		default:
			return sent, &FlushError{Status: status, Msg: fmt.Sprintf("the class server refused a result: %s", msg)}
		}
	}
	return sent, nil
}

func post(ctx context.Context, hc *http.Client, endpoint, token string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return resp.StatusCode, "", nil
	}
	return resp.StatusCode, refusal(resp), nil
}

// Reporter posts results for one lab command: Report queues them at once
// and starts sending; Wait gives the sending a short while at the command's
// end and never fails.
type Reporter struct {
	done chan struct{}
	err  error
	sent int
}

// Timeout bounds how long a command waits for the class server at its end.
const Timeout = 2 * time.Second

// Report queues recs in dir's queue and starts flushing it in the
// background. It returns nil when the learner is in no class.
func Report(dir string, recs ...Record) *Reporter {
	if _, err := Load(dir); err != nil {
		return nil
	}
	if err := Enqueue(dir, recs...); err != nil {
		return &Reporter{err: err}
	}
	r := &Reporter{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		ctx, cancel := context.WithTimeout(context.Background(), 4*Timeout)
		defer cancel()
		r.sent, r.err = Flush(ctx, dir)
	}()
	return r
}

// Wait waits at most d for the background sending, and says why results
// stay queued, if they do; it never fails the command.
func (r *Reporter) Wait(d time.Duration) error {
	if r == nil {
		return nil
	}
	if r.done == nil {
		return r.err
	}
	select {
	case <-r.done:
		return r.err
	case <-time.After(d):
		return &FlushError{Msg: "the class server is slow to answer; results stay queued and go with the next check"}
	}
}
