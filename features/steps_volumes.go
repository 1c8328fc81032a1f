package features

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// Steps for Lesson 4: volumes. That the database container runs, publishes
// its port and answers a ping is checked by the container and MongoDB steps.
func (w *world) volumeSteps() []stepDef {
	return []stepDef{
		{`^container "([^"]+)" keeps "([^"]+)" in the named volume "([^"]+)"$`, w.keepsInNamedVolume,
			`container "lab-db" keeps "/data/db" in the named volume "lab-data"`, []string{"not-found", "volume-mismatch"}},
		{`^the collection "([^"]+)" of database "([^"]+)" there holds at least (\d+) documents?$`, w.collectionHolds,
			`the collection "posts" of database "posts" there holds at least 1 document`, []string{"data-missing", "no-answer"}},
		{`^container "([^"]+)" was created after the first of those documents was inserted$`, w.createdAfterFirstDocument,
			`container "lab-db" was created after the first of those documents was inserted`, []string{"data-missing", "not-found", "not-recreated"}},
	}
}

// volumeAnonymous matches the names the engine gives volumes nobody named.
var volumeAnonymous = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (w *world) keepsInNamedVolume(ctx context.Context, name, dest, volume string) error {
	_, d, err := w.inspectContainer(ctx, name, containerGone(name, fmt.Sprintf("%s with the volume %s mounted at %s", name, volume, dest)))
	if err != nil {
		return err
	}
	s := subject{who: fmt.Sprintf("container %q", name), try: fmt.Sprintf("docker inspect --format '{{json .Mounts}}' %s", name),
		change: func(_, option string) string {
			return fmt.Sprintf("remove %s (docker rm -f %s) and run it again with %s; the data must then be written again", name, name, option)
		}}
	option := fmt.Sprintf("-v %s:%s", volume, dest)
	f := s.mountsNamedVolume(d.Mounts, dest, volume, fmt.Sprintf("the named volume %s mounted at %s", volume, dest), option, "")
	if f == nil {
		w.note("%s keeps %s in the volume %s", name, dest, volume)
		return nil
	}
	if at := mountAt(d.Mounts, dest); at != nil && at.Type == "bind" {
		f.Fix = fmt.Sprintf("a bind mount keeps data too, but ties it to a folder of this machine; let Docker manage it: remove %s and run it again with %s", name, option)
	}
	return f
}

func volumeMounts(ms []sandbox.Mount) string {
	if len(ms) == 0 {
		return "no mounts"
	}
	var out []string
	for _, m := range ms {
		src := m.Name
		switch {
		case m.Type == "bind":
			src = "host folder " + m.Source
		case m.Type == "volume" && volumeAnonymous.MatchString(m.Name):
			src = "anonymous volume " + m.Name[:12] + "…"
		case m.Type == "volume":
			src = "volume " + m.Name
		case src == "":
			src = m.Type
		}
		out = append(out, src+" at "+m.Destination)
	}
	return strings.Join(out, ", ")
}

// collectionHolds counts the documents of a collection on the MongoDB server
// an earlier step found answering, and keeps the first one for the steps
// after it.
func (w *world) collectionHolds(ctx context.Context, coll, db string, least int) (context.Context, error) {
	found := mongoFoundIn(ctx)
	if found.uri == "" {
		return ctx, errors.New(`no MongoDB server found by an earlier step: put "MongoDB in container ... answers a ping at ..." before this step`)
	}
	n, err := sandbox.MongoCount(ctx, found.uri, db, coll)
	if err != nil {
		return ctx, &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("could not count the documents of %s.%s at %s", db, coll, found.uri),
			Expected: fmt.Sprintf("at least %d document(s) in %s.%s", least, db, coll),
			Observed: err.Error(),
		}
	}
	if n < int64(least) {
		return ctx, &Failure{
			Code:     "data-missing",
			Message:  fmt.Sprintf("the collection %q of database %q at %s holds %d document(s), fewer than %d", coll, db, found.uri, n, least),
			Expected: fmt.Sprintf("at least %d", least),
			Observed: fmt.Sprintf("%d", n),
			Try:      fmt.Sprintf("docker exec %s mongosh %s --quiet --eval 'db.%s.countDocuments()'", found.container, db, coll),
			Fix:      "insert the documents again, then replace the container as the step says",
		}
	}
	docs, err := sandbox.MongoFind(ctx, found.uri, db, coll, 1)
	if err != nil {
		return ctx, &Failure{
			Code:     "no-answer",
			Message:  fmt.Sprintf("could not read the first document of %s.%s at %s", db, coll, found.uri),
			Expected: "the documents readable",
			Observed: err.Error(),
		}
	}
	if len(docs) > 0 {
		found.oldest = &docs[0]
	}
	w.note("%d document(s) in %s.%s", n, db, coll)
	return withMongoFound(ctx, found), nil
}

// createdAfterFirstDocument proves the container is a replacement: it was
// made after the first document was inserted, so the document came to it
// through the volume. ObjectIDs tell the insertion time to the second, so the
// container must be created in a later second.
func (w *world) createdAfterFirstDocument(ctx context.Context, name string) error {
	found := mongoFoundIn(ctx)
	if found.oldest == nil {
		return errors.New(`no document found by an earlier step: put "the collection ... there holds at least ..." before this step`)
	}
	first := found.oldest
	if first.IDTime.IsZero() {
		return &Failure{
			Code:     "data-missing",
			Message:  fmt.Sprintf("cannot tell when the first document was inserted: its _id %q is not an ObjectID", first.ID),
			Expected: "documents with the ObjectIDs MongoDB clients give them",
			Observed: "_id " + first.ID,
			Fix:      "insert the documents without setting _id yourself, so MongoDB gives each an ObjectID that records when it was made",
		}
	}
	_, d, err := w.inspectContainer(ctx, name, containerGone(name, ""))
	if err != nil {
		return err
	}
	inserted := first.IDTime.UTC().Truncate(time.Second)
	created := d.Created.UTC()
	if created.Truncate(time.Second).After(inserted) {
		w.note("%s was created %s after the first post was inserted", name, created.Sub(inserted).Round(time.Second))
		return nil
	}
	f := &Failure{
		Code:     "not-recreated",
		Message:  fmt.Sprintf("container %q is still the one the documents were inserted through: it was created before the first document, not replaced since", name),
		Expected: fmt.Sprintf("a new %s, created after the first post was inserted (%s)", name, inserted.Format(time.RFC3339)),
		Observed: fmt.Sprintf("%s was created %s", name, created.Format(time.RFC3339Nano)),
		Try:      fmt.Sprintf("docker ps --filter name=%s --format '{{.Names}} created {{.CreatedAt}}'", name),
		Fix:      fmt.Sprintf("remove it (docker rm -f %s) and start a new %s on the same volume", name, name),
	}
	if created.Truncate(time.Second).Equal(inserted) {
		// An ObjectID holds whole seconds: within the same second the order
		// is unknown, and a pass must never be a guess.
		f.Message = fmt.Sprintf("container %q may still be the one the documents were inserted through: it was created in the same second as the first document, so lab cannot tell which came first", name)
		f.Fix = fmt.Sprintf("replace it once more: docker rm -f %s, then start a new %s on the same volume", name, name)
	}
	return f
}
