// Package class is the instructor's side of a live class: the store of
// classes, learners and their posted results (SQLite by default,
// PostgreSQL for a department running many classes, one SQL layer for
// both), the grid computed from them, and the HTTP server with its live
// page. The learner's side is the learner package.
package class

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"

	"github.com/lab-workshop/lab/internal/class/learner"
)

// Store keeps classes, learners and results. Every query is written once,
// with $N placeholders that both SQLite and PostgreSQL read.
type Store struct {
	db *sql.DB
}

// IsPostgres reports whether dsn names a PostgreSQL database rather than an
// SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (and creates, when new) the store at dsn: a postgres:// URL,
// or the path of an SQLite file.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var db *sql.DB
	var err error
	if IsPostgres(dsn) {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
		// One connection: SQLite takes one writer at a time anyway, and this
		// way no request waits on a lock held by another.
		db.SetMaxOpenConns(1)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the class store: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the class store: %w; check --db", err)
	}
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

var schema = []string{
	`CREATE TABLE IF NOT EXISTS classes (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		code TEXT NOT NULL UNIQUE,
		created_at BIGINT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS learners (
		id TEXT PRIMARY KEY,
		class_id TEXT NOT NULL REFERENCES classes(id),
		name TEXT NOT NULL,
		token_hash TEXT NOT NULL UNIQUE,
		readiness TEXT NOT NULL,
		joined_at BIGINT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS results (
		learner_id TEXT NOT NULL REFERENCES learners(id),
		idem_key TEXT NOT NULL,
		class_id TEXT NOT NULL REFERENCES classes(id),
		seq BIGINT NOT NULL,
		step TEXT NOT NULL,
		step_index INTEGER NOT NULL,
		verdict TEXT NOT NULL,
		codes TEXT NOT NULL,
		summary TEXT NOT NULL,
		duration_ms BIGINT NOT NULL,
		lab TEXT NOT NULL,
		course TEXT NOT NULL,
		course_hash TEXT NOT NULL,
		at BIGINT NOT NULL,
		received_at BIGINT NOT NULL,
		verified BOOLEAN NOT NULL DEFAULT FALSE,
		PRIMARY KEY (learner_id, idem_key)
	)`,
	`CREATE INDEX IF NOT EXISTS results_class ON results (class_id, learner_id, seq)`,
}

// columns are those added to a table after its first release: a store made
// before gets them when opened, with their default for every row it holds.
var columns = []struct{ table, name, def string }{
	{"results", "verified", "BOOLEAN NOT NULL DEFAULT FALSE"},
}

func (s *Store) migrate(ctx context.Context) error {
	for _, q := range schema {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("preparing the class store's tables: %w", err)
		}
	}
	for _, c := range columns {
		if s.hasColumn(ctx, c.table, c.name) {
			continue
		}
		// SQLite has no ADD COLUMN IF NOT EXISTS: another lab may add it
		// between the look and the change, which is fine when it is there.
		_, err := s.db.ExecContext(ctx, `ALTER TABLE `+c.table+` ADD COLUMN `+c.name+` `+c.def)
		if err != nil && !s.hasColumn(ctx, c.table, c.name) {
			return fmt.Errorf("adding the column %s to the class store's table %s: %w", c.name, c.table, err)
		}
	}
	return nil
}

// hasColumn reports whether the table has the column, in words both SQLite
// and PostgreSQL read.
func (s *Store) hasColumn(ctx context.Context, table, column string) bool {
	rows, err := s.db.QueryContext(ctx, `SELECT `+column+` FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return false
	}
	rows.Close()
	return true
}

// Class is one class: its id, its name and the code learners join with.
type Class struct {
	ID      string
	Name    string
	Code    string
	Created time.Time
}

// ErrNotFound means no class or learner matches.
var ErrNotFound = errors.New("not found")

// CreateClass makes a class named name with a fresh id and join code, or
// returns the one that has that name already.
func (s *Store) CreateClass(ctx context.Context, name string) (*Class, bool, error) {
	if c, err := s.ClassByName(ctx, name); err == nil {
		return c, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	c := &Class{ID: randomID(6), Name: name, Code: joinCode(), Created: time.Now().UTC()}
	_, err := s.db.ExecContext(ctx, `INSERT INTO classes (id, name, code, created_at) VALUES ($1, $2, $3, $4)`,
		c.ID, c.Name, c.Code, c.Created.UnixMilli())
	if err != nil {
		return nil, false, fmt.Errorf("creating class %q: %w", name, err)
	}
	return c, true, nil
}

func (s *Store) classWhere(ctx context.Context, cond string, arg any) (*Class, error) {
	var c Class
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, code, created_at FROM classes WHERE `+cond+` = $1`, arg).
		Scan(&c.ID, &c.Name, &c.Code, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading the class: %w", err)
	}
	c.Created = time.UnixMilli(created).UTC()
	return &c, nil
}

// ClassByName finds a class by its name.
func (s *Store) ClassByName(ctx context.Context, name string) (*Class, error) {
	return s.classWhere(ctx, "name", name)
}

// ClassByID finds a class by its id.
func (s *Store) ClassByID(ctx context.Context, id string) (*Class, error) {
	return s.classWhere(ctx, "id", id)
}

// ClassByCode finds a class by its join code.
func (s *Store) ClassByCode(ctx context.Context, code string) (*Class, error) {
	return s.classWhere(ctx, "code", strings.ToUpper(strings.TrimSpace(code)))
}

// Classes lists every class, oldest first.
func (s *Store) Classes(ctx context.Context) ([]*Class, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, code, created_at FROM classes ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("listing classes: %w", err)
	}
	defer rows.Close()
	var out []*Class
	for rows.Next() {
		var c Class
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Code, &created); err != nil {
			return nil, err
		}
		c.Created = time.UnixMilli(created).UTC()
		out = append(out, &c)
	}
	return out, rows.Err()
}

// Learner is one learner in a class.
type Learner struct {
	ID        string
	Class     string
	Name      string
	Readiness learner.Readiness
	Joined    time.Time
}

// AddLearner registers a learner in class and returns their token; only
// its hash is stored.
func (s *Store) AddLearner(ctx context.Context, classID, name string, r learner.Readiness) (*Learner, string, error) {
	token := randomID(24)
	l := &Learner{ID: randomID(6), Class: classID, Name: name, Readiness: r, Joined: time.Now().UTC()}
	rj, _ := json.Marshal(r)
	_, err := s.db.ExecContext(ctx, `INSERT INTO learners (id, class_id, name, token_hash, readiness, joined_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		l.ID, classID, name, hashToken(token), string(rj), l.Joined.UnixMilli())
	if err != nil {
		return nil, "", fmt.Errorf("registering learner %q: %w", name, err)
	}
	return l, token, nil
}

// LearnerByToken finds the learner a token belongs to.
func (s *Store) LearnerByToken(ctx context.Context, token string) (*Learner, error) {
	var l Learner
	var rj string
	var joined int64
	err := s.db.QueryRowContext(ctx, `SELECT id, class_id, name, readiness, joined_at FROM learners WHERE token_hash = $1`, hashToken(token)).
		Scan(&l.ID, &l.Class, &l.Name, &rj, &joined)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("looking up the token: %w", err)
	}
	json.Unmarshal([]byte(rj), &l.Readiness)
	l.Joined = time.UnixMilli(joined).UTC()
	return &l, nil
}

// Learners lists a class's learners in the order they joined.
func (s *Store) Learners(ctx context.Context, classID string) ([]*Learner, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, class_id, name, readiness, joined_at FROM learners WHERE class_id = $1 ORDER BY joined_at, id`, classID)
	if err != nil {
		return nil, fmt.Errorf("listing learners: %w", err)
	}
	defer rows.Close()
	var out []*Learner
	for rows.Next() {
		var l Learner
		var rj string
		var joined int64
		if err := rows.Scan(&l.ID, &l.Class, &l.Name, &rj, &joined); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(rj), &l.Readiness)
		l.Joined = time.UnixMilli(joined).UTC()
		out = append(out, &l)
	}
	return out, rows.Err()
}

// LearnerNamed finds a class's learner by the name they joined with: the
// same name, else the same without regard to case. Of several learners
// of that name (one who left and joined again) it is the latest to join.
func (s *Store) LearnerNamed(ctx context.Context, classID, name string) (*Learner, error) {
	ls, err := s.Learners(ctx, classID)
	if err != nil {
		return nil, err
	}
	for _, same := range []func(string, string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
		for i := len(ls) - 1; i >= 0; i-- {
			if same(ls[i].Name, strings.TrimSpace(name)) {
				return ls[i], nil
			}
		}
	}
	return nil, ErrNotFound
}

// AddResult stores a learner's record once: a second record with the same
// idempotency key is not stored, and stored is false.
func (s *Store) AddResult(ctx context.Context, l *Learner, r learner.Record, received time.Time) (stored bool, err error) {
	return s.addResult(ctx, l, r, received, false)
}

// AddVerified stores a result of a check the instructor ran themselves
// (lab class verify) for the learner: the page shows it as verified, and
// it wins over what the learner's lab reported for that step. It takes a
// fresh key and sequence number when r has none.
func (s *Store) AddVerified(ctx context.Context, l *Learner, r learner.Record, received time.Time) error {
	if r.Key == "" {
		r.Key = learner.NewKey()
	}
	if r.Seq == 0 {
		r.Seq = received.UnixNano()
	}
	_, err := s.addResult(ctx, l, r, received, true)
	return err
}

func (s *Store) addResult(ctx context.Context, l *Learner, r learner.Record, received time.Time, verified bool) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO results
		(learner_id, idem_key, class_id, seq, step, step_index, verdict, codes, summary, duration_ms, lab, course, course_hash, at, received_at, verified)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (learner_id, idem_key) DO NOTHING`,
		l.ID, r.Key, l.Class, r.Seq, r.Step, r.Index, r.Verdict, strings.Join(r.Codes, ","), r.Summary,
		r.DurationMS, r.Lab, r.Course, r.CourseHash, r.At.UnixMilli(), received.UnixMilli(), verified)
	if err != nil {
		return false, fmt.Errorf("storing a result: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Result is a stored record with who sent it and when it arrived.
type Result struct {
	Learner  string
	Record   learner.Record
	Received time.Time
	// Verified marks a result of the instructor's own check (lab class
	// verify); the others are what the learner's lab reported.
	Verified bool
}

// Results lists a class's results, each learner's in their order.
func (s *Store) Results(ctx context.Context, classID string) ([]Result, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT learner_id, idem_key, seq, step, step_index, verdict, codes, summary, duration_ms, lab, course, course_hash, at, received_at, verified
		FROM results WHERE class_id = $1 ORDER BY learner_id, seq, idem_key`, classID)
	if err != nil {
		return nil, fmt.Errorf("reading results: %w", err)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var r Result
		var codes string
		var at, recv int64
		rec := &r.Record
		if err := rows.Scan(&r.Learner, &rec.Key, &rec.Seq, &rec.Step, &rec.Index, &rec.Verdict, &codes, &rec.Summary,
			&rec.DurationMS, &rec.Lab, &rec.Course, &rec.CourseHash, &at, &recv, &r.Verified); err != nil {
			return nil, err
		}
		if codes != "" {
			rec.Codes = strings.Split(codes, ",")
		}
		rec.At, r.Received = time.UnixMilli(at).UTC(), time.UnixMilli(recv).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// joinCode is six letters and digits a person can read out loud: no 0/O,
// no 1/I/L.
func joinCode() string {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for range 6 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String()
}
