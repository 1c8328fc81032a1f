package features

import "slices"

// FailureCode is one kind of mistake a check can report, whatever its
// subject: a container, a Compose service and a Deployment that do not
// publish a port all fail with port-not-published. Wrong states in lesson
// files, receipts and the class roll-up name failures by these codes, so a
// code, once given, keeps its meaning; the wording of messages may change.
type FailureCode struct {
	Code    string `json:"code"`
	Meaning string `json:"meaning"`
}

// FailureCodes is every code a check gives, each with what it means.
var FailureCodes = []FailureCode{
	{"not-found", "the thing the check looks for does not exist: a container, image, file, cluster, object, volume, tag"},
	{"not-running", "the container or node exists but is not running: created, exited, paused, or it could not start"},
	{"restart-loop", "the container keeps exiting and being started again by its restart policy"},
	{"not-ready", "the object exists but did not become ready or available within the check's deadline"},
	{"not-healed", "after the lab broke it on purpose, the thing did not come back within the deadline"},
	{"not-recreated", "the container is still the old one where a new one was expected"},
	{"no-answer", "nothing answers where the check looks (a URL, a database, the engine), or it answers with an error"},
	{"port-taken", "another container or program holds the port, or answers on it"},
	{"port-not-published", "the port is not published, mapped or opened at all"},
	{"port-mismatch", "the port is published, mapped or forwarded, but on another port than expected"},
	{"image-differs", "it runs or holds another image, or another build of it, than expected"},
	{"base-differs", "the image is not built on the expected base image"},
	{"command-differs", "the image runs another command than expected"},
	{"command-fails", "a command the lab ran in a container from the image failed"},
	{"page-differs", "the HTTP answer's body is not the expected page or text"},
	{"file-differs", "a file in the image is not the expected workspace file"},
	{"status-mismatch", "the HTTP answer has another status code than expected"},
	{"exit-code-mismatch", "the container exited with another code than expected, or did not exit"},
	{"log-differs", "the container's log does not contain the expected text"},
	{"env-mismatch", "an environment variable is not set, or set to another value than expected"},
	{"label-mismatch", "a label or selector is missing or differs, so things do not find each other"},
	{"name-mismatch", "a project, cluster or context has another name than expected"},
	{"type-mismatch", "the object is of another type than expected"},
	{"count-mismatch", "there are more or fewer of something (containers, replicas) than expected"},
	{"policy-mismatch", "a restart or pull policy differs from the expected one"},
	{"volume-mismatch", "the data is not kept in the expected named volume at the expected path"},
	{"dependency-missing", "a service does not declare the dependency it needs"},
	{"no-network", "the containers share no network, so they cannot reach each other by name"},
	{"instruction-missing", "the Dockerfile lacks an instruction the check needs"},
	{"invalid-file", "a file cannot be read as what it should be (Dockerfile, Compose file, kind configuration, kubeconfig)"},
	{"build-fails", "the Dockerfile does not build"},
	{"cache-miss", "the build cache did not keep a layer it should have kept"},
	{"not-ignored", "a file .dockerignore should keep out of the build context got into the image"},
	{"lint-finding", "the Dockerfile breaks one of the named lint rules"},
	{"runs-as-root", "the image or container runs as root"},
	{"too-large", "the image is over its size budget"},
	{"data-missing", "the database or page lacks the documents the check expects"},
	{"left-behind", "something that should be gone is still there"},
	{"not-installed", "a tool is not on PATH or does not work"},
	{"version-too-old", "a tool or the engine is older than the minimum version"},
	{"no-healthcheck", "the container has no health check, so the engine cannot tell whether the program in it works"},
	{"unhealthy", "the container's own health check fails: the engine calls it unhealthy, or the check kept failing until the deadline"},
}

// KnownCode reports whether code is one of FailureCodes.
func KnownCode(code string) bool {
	return slices.ContainsFunc(FailureCodes, func(c FailureCode) bool { return c.Code == code })
}
