package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

func (w *world) composeReadPosts(ctx context.Context, coll, db, svc string) error {
	st, dbc, e, err := w.composeServiceOn(ctx, svc)
	if err != nil {
		return err
	}
	via, uri, err := composeDatabaseRoute(st, dbc)
	if err != nil {
		return err
	}
	docs, err := e.MongoIDsThrough(ctx, via.ID, uri, coll)
	switch {
	case errors.Is(err, sandbox.ErrNoMongoDriver):
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the container %s has no mongodb driver where it runs the app, so the lab cannot read the database through it", via.Name),
			Expected: "the sample app's image with its dependencies installed (npm ci) in its working directory",
			Observed: err.Error(),
			Try:      fmt.Sprintf("docker exec %s ls node_modules", via.Name),
		}
	case sandbox.IsMongoUnreachable(err):
		return &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("the database of the service %q does not answer at %s", svc, uri),
			Expected: "a MongoDB server answering on port 27017 of " + dbc.Name,
			Observed: err.Error(),
			Try:      fmt.Sprintf("docker compose -p %s logs %s", st.project, svc),
		}
	case err != nil:
		return composeEngineErr(err)
	}
	st.db, st.coll, st.docs = db, coll, docs[db]
	st.others = map[string]int{}
	for name, ds := range docs {
		if name != db {
			st.others[name] = len(ds)
		}
	}
	w.note("the collection %s.%s of %s holds %d documents", db, coll, dbc.Name, len(st.docs))
	return nil
}

// composeDatabaseRoute picks the container the lab reads the database
// through — another service's container on a network the database's
// container is on (the app's, which has the driver) — and the database's
// address on that network, so the lab reads that very server.
func composeDatabaseRoute(st *composeState, dbc sandbox.ContainerDetails) (sandbox.ContainerDetails, string, error) {
	names := make([]string, 0, len(st.services))
	for n := range st.services {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := st.services[n]
		if c.ID == dbc.ID {
			continue
		}
		if shared := composeSharedNetwork(c, dbc); shared != "" {
			if ip := dbc.Networks[shared].IPAddress; ip != "" {
				return c, "mongodb://" + net.JoinHostPort(ip, "27017") + "/", nil
			}
		}
	}
	return sandbox.ContainerDetails{}, "", &Failure{
		Code:     "no-network",
		Message:  fmt.Sprintf("no container shares a network with %s, so nothing can reach its database", dbc.Name),
		Expected: "the app and the database on the project's network",
		Observed: composeNetworks(dbc),
		Try:      "docker network inspect " + st.project + "_default",
	}
}

func (w *world) composePostsAtLeast(ctx context.Context, least int) error {
	_, st := composeOf(ctx)
	if st.coll == "" {
		return errors.New("no collection read by an earlier step: put the step that reads it first")
	}
	if len(st.docs) >= least {
		return nil
	}
	f := &Failure{
		Code:     "data-missing",
		Message:  fmt.Sprintf("the collection %s of the database %s has no documents yet", st.coll, st.db),
		Expected: fmt.Sprintf("at least %d documents in %s.%s", least, st.db, st.coll),
		Observed: fmt.Sprintf("%d", len(st.docs)),
		Try:      fmt.Sprintf("docker compose -p %s ps, then look at the collection %s of the database %s with a MongoDB client", st.project, st.coll, st.db),
		Fix:      fmt.Sprintf("put at least %d documents into the collection %s of the database %s", least, st.coll, st.db),
	}
	if len(st.docs) > 0 {
		f.Message = fmt.Sprintf("the collection %s of the database %s holds %d documents, fewer than %d", st.coll, st.db, len(st.docs), least)
	}
	var others []string
	for name, n := range st.others {
		others = append(others, fmt.Sprintf("database %q holds %d", name, n))
	}
	slices.Sort(others)
	if len(others) > 0 {
		f.Message = fmt.Sprintf("the collection %s of the database %s is empty, but %s: the documents went to another database than %s", st.coll, st.db, strings.Join(others, ", "), st.db)
		f.Observed = strings.Join(others, "; ")
		f.Fix = fmt.Sprintf("write the documents to the database %s, the one the app's settings name", st.db)
	}
	return f
}

// composePost is one post of the app's JSON list.
type composePost struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// listPosts asks url for the app's posts as JSON until it answers, within
// the time given. The app answers 503 while its database is not reachable
// yet (a container or pod that just started, a database still starting):
// that settles; any other answer is final. last is the last answer seen.
func listPosts(ctx context.Context, url string, within time.Duration) (posts []composePost, last sandbox.HTTPResponse, err error) {
	err = eventually(ctx, within, composeHTTPEvery, func(ctx context.Context) (bool, error) {
		r, err := sandbox.GetHTTP(ctx, nil, url)
		if err != nil {
			return false, err
		}
		last = r
		if r.Status == 503 {
			return false, fmt.Errorf("HTTP 503: %s", firstLines(string(r.Body), 2))
		}
		if r.Status != 200 {
			return true, fmt.Errorf("HTTP %d: %s", r.Status, firstLines(string(r.Body), 2))
		}
		if err := json.Unmarshal(r.Body, &posts); err != nil {
			return true, fmt.Errorf("not a JSON list of documents: %v (%s)", err, firstLines(string(r.Body), 2))
		}
		return true, nil
	})
	return posts, last, err
}

// composeMaxPosts is how many posts the sample app lists at most.
const composeMaxPosts = 100

func (w *world) composeListsPosts(ctx context.Context, raw string) error {
	_, st := composeOf(ctx)
	if st.coll == "" {
		return errors.New("no collection read by an earlier step: put the step that reads it first")
	}
	_, url, err := w.publishedURL(ctx, raw)
	if err != nil {
		return err
	}
	posts, last, err := listPosts(ctx, url, composeSettle)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := fmt.Sprintf("%s does not list the documents", raw)
		if last.Status == 503 {
			msg = fmt.Sprintf("%s answers 503: the app cannot read its database", raw)
		}
		return &Failure{
			Code:     "page-differs",
			Message:  msg,
			Expected: fmt.Sprintf("HTTP 200 with a JSON list of the documents of %s.%s", st.db, st.coll),
			Observed: err.Error(),
			Try:      "curl -i '" + raw + "'",
		}
	}
	want := st.docs
	if len(want) > composeMaxPosts {
		want = want[:composeMaxPosts]
	}
	var wantIDs, gotIDs []string
	for _, d := range want {
		wantIDs = append(wantIDs, d.ID)
	}
	for _, p := range posts {
		gotIDs = append(gotIDs, p.ID)
	}
	if slices.Equal(wantIDs, gotIDs) {
		w.note("%s lists the %d documents that are in %s.%s", raw, len(posts), st.db, st.coll)
		return nil
	}
	var missing, extra []string
	for _, id := range wantIDs {
		if !slices.Contains(gotIDs, id) {
			missing = append(missing, id)
		}
	}
	for _, id := range gotIDs {
		if !slices.Contains(wantIDs, id) {
			extra = append(extra, id)
		}
	}
	observed := fmt.Sprintf("it lists %d documents, the database holds %d", len(gotIDs), len(st.docs))
	if len(extra) > 0 {
		observed += fmt.Sprintf("; listed but not in the database: %s", composeFirstIDs(extra))
	}
	if len(missing) > 0 {
		observed += fmt.Sprintf("; in the database but not listed: %s", composeFirstIDs(missing))
	}
	return &Failure{
		Code:     "page-differs",
		Message:  fmt.Sprintf("%s does not list the documents that are in %s.%s", raw, st.db, st.coll),
		Expected: fmt.Sprintf("the %d documents of the database, in order", len(wantIDs)),
		Observed: observed,
		Try:      "curl '" + raw + "'",
		Fix:      fmt.Sprintf("the app must read the database %s that the lab read: check the setting that names its database", st.db),
	}
}

func composeFirstIDs(ids []string) string {
	if len(ids) > 3 {
		return strings.Join(ids[:3], ", ") + fmt.Sprintf(" and %d more", len(ids)-3)
	}
	return strings.Join(ids, ", ")
}
