package sandbox

import "time"

// Kept is an object reset leaves alone, with the reason it says.
type Kept struct {
	Object
	Reason string
}

// The reasons reset keeps an object the course names.
const (
	KeptOlder   = "existed before you started this step: kept"
	KeptNoStart = "lab has no record of when you started this step: kept"
	KeptNoTime  = "the engine does not say when it was made: kept"
)

// ageSlack absorbs the engine giving some creation times to the second
// only, and the engine's clock being a little off the learner's.
const ageSlack = time.Second

// SplitByAge decides, object by object, what reset may remove: an object
// the learner made while doing a step that names it, that is, created at or
// after began reports for one of the refs that found it. Anything older,
// or whose age or step start is unknown, is kept with the reason, unless
// includeOlder is set; then every object found is removed. began returns
// the zero time when the learner has not begun any step naming the ref.
func SplitByAge(objs []Object, began func(Ref) time.Time, includeOlder bool) (remove []Object, kept []Kept) {
	for _, o := range objs {
		if reason := keepReason(o.Created, earliest(o.Refs, began)); reason != "" && !includeOlder {
			kept = append(kept, Kept{o, reason})
			continue
		}
		remove = append(remove, o)
	}
	return remove, kept
}

// KeptKube is a Kubernetes object reset leaves alone, with the reason it
// says.
type KeptKube struct {
	KubeObject
	Reason string
}

// SplitKubeByAge decides, as SplitByAge does for engine objects, which of
// the Kubernetes objects FindObjects found reset may delete: those created
// (metadata.creationTimestamp) at or after began reports for the object,
// the first time the learner began a step naming it. Anything older, or
// whose age or step start is unknown, is kept with the reason.
func SplitKubeByAge(objs []KubeObject, began func(KubeObject) time.Time) (remove []KubeObject, kept []KeptKube) {
	for _, o := range objs {
		if reason := keepReason(o.Created, began(o)); reason != "" {
			kept = append(kept, KeptKube{o, reason})
			continue
		}
		remove = append(remove, o)
	}
	return remove, kept
}

// keepReason says why reset keeps an object created at created that a
// step begun at start names, or "" when the learner made it while doing
// that step.
func keepReason(created, start time.Time) string {
	switch {
	case start.IsZero():
		return KeptNoStart
	case created.IsZero():
		return KeptNoTime
	case created.Before(start.Add(-ageSlack)):
		return KeptOlder
	}
	return ""
}

// earliest is the first time the learner began a step naming one of refs,
// zero when they began none.
func earliest(refs []Ref, began func(Ref) time.Time) time.Time {
	var first time.Time
	for _, r := range refs {
		if t := began(r); !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}
