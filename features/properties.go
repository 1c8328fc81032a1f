package features

import (
	"context"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/lab-workshop/lab/internal/dockerfile"
	"github.com/lab-workshop/lab/sandbox"
)

// A subject is a thing the lab can find: a container by name, the container
// of a Compose service, a service of a Compose file, the pods of a
// Deployment, an image, a URL. A property is something a subject can have:
// publishes a port, sets an environment variable, has a restart policy,
// runs an image, has a label, mounts a named volume, runs as a user other
// than root.
// Each property below is written once, over what sandbox observes, and the
// step of every subject that can have it finds the subject and asks it.

// subject names a found thing in failure texts and says how the learner
// looks at it and changes its settings.
type subject struct {
	// who names it: `container "lab-web"`, `the container lab-app-1`,
	// `compose.yaml line 4: the service "app"`.
	who string
	// try is a command that shows the property's observed value.
	try string
	// change says how to give it another setting, from the option or
	// setting that holds it ("-p 8080:80" → "remove it ... and run it again
	// with -p 8080:80").
	change func(what, option string) string
}

// namedContainer is a container found by its name: its settings are fixed
// when it is created, so changing one means running it again.
func namedContainer(d sandbox.ContainerDetails, try string) subject {
	return subject{
		who: fmt.Sprintf("container %q", d.Name),
		try: try,
		change: func(what, option string) string {
			return fmt.Sprintf("a container's %s are fixed when it is created: remove it (docker rm -f %s) and run it again with %s", what, d.Name, option)
		},
	}
}

// fix says how to give the subject another value of what: with the
// setting that holds it in a file when there is one, else with the option
// it is run with.
func (s subject) fix(what, option, setting string) string {
	if setting != "" {
		return s.change(what, setting)
	}
	return s.change(what, option)
}

// serviceContainer is the container of a Compose service: Compose makes it
// again from the file when its settings change there.
func serviceContainer(d sandbox.ContainerDetails, try string) subject {
	return subject{
		who: "the container " + d.Name,
		try: try,
		change: func(_, setting string) string {
			return fmt.Sprintf("set %s in the file and run docker compose up -d again: Compose recreates the containers whose settings changed", setting)
		},
	}
}

// ---- publishes port P on host port H ----

// publishes is the property "publishes port (80/tcp) on host port H" over
// the ports a container publishes. An empty port means any of its ports.
// option and setting are how the learner would publish it, for the fix.
func (s subject) publishes(ports map[string][]sandbox.PortBinding, port string, hostPort int, expected, option, setting string) *Failure {
	candidates := []string{port}
	if port == "" {
		candidates = slices.Sorted(maps.Keys(ports))
	}
	for _, p := range candidates {
		for _, b := range ports[p] {
			if b.HostPort == hostPort {
				return nil
			}
		}
	}
	f := &Failure{
		Code:     "port-not-published",
		Expected: expected,
		Observed: describePorts(ports),
		Try:      s.try,
		Fix:      s.fix("ports", option, setting),
	}
	for p, bindings := range ports {
		if port != "" && p != port && slices.ContainsFunc(bindings, func(b sandbox.PortBinding) bool { return b.HostPort == hostPort }) {
			// The wanted port itself is published nowhere: the code says
			// so, the message says where the host port leads instead.
			f.Message = fmt.Sprintf("%s publishes host port %d to its port %s, not to its port %s", s.who, hostPort, p, port)
			return f
		}
	}
	for _, p := range candidates {
		if bindings := ports[p]; len(bindings) > 0 {
			f.Code = "port-mismatch"
			f.Message = fmt.Sprintf("%s publishes port %s on host port %s, not %d", s.who, p, hostPorts(bindings), hostPort)
			return f
		}
	}
	if port == "" {
		f.Message = fmt.Sprintf("%s publishes no port on host port %d", s.who, hostPort)
		return f
	}
	f.Message = fmt.Sprintf("%s does not publish its port %s on host port %d", s.who, port, hostPort)
	if setting == "" {
		f.Fix += " (-p HOST:CONTAINER: the second number is the port the server listens on inside the container)"
	}
	return f
}

// ---- has the restart policy R ----

// restartPolicy is the property "has the restart policy R" over the policy
// observed ("" or "no": none).
func (s subject) restartPolicy(got, want, option, setting string) *Failure {
	if got == want || (got == "" && want == "no") {
		return nil
	}
	f := &Failure{
		Code:     "policy-mismatch",
		Message:  fmt.Sprintf("%s has the restart policy %q, not %q", s.who, got, want),
		Expected: "restart policy " + want,
		Observed: got,
		Try:      s.try,
		Fix:      s.fix("restart policies", option, setting),
	}
	if got == "" || got == "no" {
		f.Message = fmt.Sprintf("%s has no restart policy, so it stays down when it crashes", s.who)
		f.Observed = "no restart policy"
	}
	return f
}

// ---- sets KEY to V ----

// envSubject is a subject whose environment the lab reads, with what
// "localhost" means inside it: `the app container` / `that container`.
type envSubject struct {
	subject
	inside, itself string
	// peer is how it names another subject it should reach instead:
	// "the service name", "the Service's name".
	peer string
}

// setsEnv is the property "sets KEY to V" over the value the subject gives
// KEY (ok false: it does not set it). A value with a mongodb:// scheme in
// front of the wanted one counts. Pointing at localhost gets its own
// message: inside a container or pod that is the subject itself.
func (s envSubject) setsEnv(key, got string, ok bool, want, expected string) *Failure {
	if ok && envMatches(got, want) {
		return nil
	}
	f := &Failure{
		Code:     "env-mismatch",
		Message:  fmt.Sprintf("%s does not set %s", s.who, key),
		Expected: expected,
		Observed: "no " + key + " in its environment",
		Try:      s.try,
	}
	if !ok {
		return f
	}
	f.Message = fmt.Sprintf("%s sets %s to %q, not %q", s.who, key, got, want)
	f.Observed = key + "=" + got
	if host := dbHostName(got); isLoopback(host) {
		f.Message = fmt.Sprintf("%s: %s points at %s, which inside %s is %s itself; use %s %q", s.who, key, host, s.inside, s.itself, s.peer, dbHostName(want))
	}
	return f
}

// envMatches reports whether a variable's value is the wanted one, with or
// without a mongodb:// scheme in front.
func envMatches(got, want string) bool {
	return got == want || strings.TrimPrefix(got, "mongodb://") == want
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}

// envValue is the last definition of key in a container's environment.
func envValue(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// dbHostName is the host part of a DB_HOST value like mongodb:27017/posts
// or mongodb://localhost:27017/posts.
func dbHostName(v string) string {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "mongodb+srv://"), "mongodb://")
	if i := strings.IndexAny(v, "/?"); i >= 0 {
		v = v[:i]
	}
	if at := strings.LastIndex(v, "@"); at >= 0 {
		v = v[at+1:]
	}
	if host, _, err := net.SplitHostPort(v); err == nil {
		return host
	}
	return v
}

// ---- runs the image I ----

// runsImage is the property "runs the image I" over the image container d
// was created from. The same image under another tag or by its ID counts,
// and so do a stricter pin of the reference (a patch version, a digest, a
// registry prefix) and a tag that has moved on since the container was
// made from it. fix says how to run it from the image instead.
func (w *world) runsImage(ctx context.Context, e *sandbox.Engine, s subject, d sandbox.ContainerDetails, image, expected, fix string) error {
	img, err := e.InspectImage(ctx, image)
	switch {
	case d.Image != image && sandbox.PinAtLeast(d.Image, image):
		w.note("%s runs %s, pinned at least as strictly as %s", d.Name, d.Image, image)
	case sandbox.IsNotFound(err):
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("image %q is not on this machine, so %s cannot be from it", image, s.who),
			Expected: expected,
			Observed: fmt.Sprintf("%s runs %s; no image %s", d.Name, d.Image, image),
			Try:      "docker images",
			Fix:      "docker pull " + image,
		}
	case err != nil:
		return engineErr(err)
	case d.ImageID != img.ID:
		if !sandbox.SameReference(d.Image, image) {
			return &Failure{
				Code:     "image-differs",
				Message:  fmt.Sprintf("%s was created from image %s, not %s", s.who, d.Image, image),
				Expected: expected,
				Observed: fmt.Sprintf("%s from %s (%.19s)", d.Name, d.Image, d.ImageID),
				Try:      s.try,
				Fix:      fix,
			}
		}
		// The tag has moved on since (a newer pull, a rebuilt image); the
		// container still runs what the learner was told to run.
		w.note("%s was created from an earlier %s (%.19s); %s now names %.19s", d.Name, image, d.ImageID, image, img.ID)
	}
	return nil
}

// ---- has the label KEY set to V ----

// hasLabel is the property "has the label KEY set to V" over the labels
// the subject carries.
func (s subject) hasLabel(labels map[string]string, key, want, option, setting string) *Failure {
	got, ok := labels[key]
	if ok && got == want {
		return nil
	}
	f := &Failure{
		Code:     "label-mismatch",
		Message:  fmt.Sprintf("%s has no label %s", s.who, key),
		Expected: fmt.Sprintf("the label %s=%s", key, want),
		Observed: "labels: " + strings.Join(slices.Sorted(maps.Keys(labels)), ", "),
		Try:      s.try,
		Fix:      s.fix("labels", option, setting),
	}
	if len(labels) == 0 {
		f.Observed = "no labels"
	}
	if ok {
		f.Message = fmt.Sprintf("%s has the label %s set to %q, not %q", s.who, key, got, want)
		f.Observed = key + "=" + got
	}
	return f
}

// ---- mounts a named volume at PATH ----

// mountAt is the mount at dest among a container's mounts, or nil.
func mountAt(mounts []sandbox.Mount, dest string) *sandbox.Mount {
	for i := range mounts {
		if mounts[i].Destination == dest {
			return &mounts[i]
		}
	}
	return nil
}

// mountsNamedVolume is the property "mounts a named volume at PATH" over a
// container's mounts: the volume named volume, or any named volume when
// volume is empty; not a bind mount, not an anonymous volume.
func (s subject) mountsNamedVolume(mounts []sandbox.Mount, dest, volume, expected, option, setting string) *Failure {
	at := mountAt(mounts, dest)
	named := at != nil && at.Type == "volume" && !volumeAnonymous.MatchString(at.Name)
	if named && (volume == "" || at.Name == volume) {
		return nil
	}
	wanted := "the named volume " + volume
	if volume == "" {
		wanted = "a named volume"
	}
	f := &Failure{
		Code:     "volume-mismatch",
		Expected: expected,
		Observed: volumeMounts(mounts),
		Try:      s.try,
		Fix:      s.fix("mounts", option, setting),
	}
	var elsewhere *sandbox.Mount
	for i := range mounts {
		if m := &mounts[i]; volume != "" && m.Type == "volume" && m.Name == volume {
			elsewhere = m
		}
	}
	switch {
	case elsewhere != nil:
		f.Message = fmt.Sprintf("the volume %s is mounted at %s in %s, not at %s where it keeps its data", volume, elsewhere.Destination, s.who, dest)
	case at == nil:
		f.Message = fmt.Sprintf("nothing is mounted at %s in %s: its files live and die with the container", dest, s.who)
	case at.Type == "bind":
		f.Message = fmt.Sprintf("%s mounts the host folder %s at %s (a bind mount), not %s", s.who, at.Source, dest, wanted)
		f.Fix += " (a bind mount keeps data too, but ties it to a folder of this machine; a named volume is Docker's to manage)"
	case at.Type == "volume" && volumeAnonymous.MatchString(at.Name):
		f.Message = fmt.Sprintf("%s keeps %s in an anonymous volume (%s…), which a new container does not get: its data is gone once it is replaced",
			s.who, dest, at.Name[:12])
	case at.Type == "volume":
		f.Message = fmt.Sprintf("%s mounts the volume %s at %s, not %s", s.who, at.Name, dest, volume)
	default:
		f.Message = fmt.Sprintf("%s mounts a %s at %s, not %s", s.who, at.Type, dest, wanted)
	}
	return f
}

// ---- runs as a user other than root ----

// runsAsNonRoot is the property "runs as a user other than root" over the
// user a container runs as: the one it was run with, else its image's USER
// (the engine copies that into the container's configuration when it
// creates it). A name or number counts, root or uid 0 does not; an empty
// user is the default, root.
func (s subject) runsAsNonRoot(user, option, setting string) *Failure {
	if !dockerfile.IsRootUser(user) {
		return nil
	}
	f := &Failure{
		Code:     "runs-as-root",
		Message:  fmt.Sprintf("%s runs as root: neither its image nor the way it is run sets another user", s.who),
		Expected: "a user other than root (a name or a uid other than 0)",
		Observed: "no user set: the default user, root",
		Try:      s.try,
		Fix:      s.fix("user settings", option, setting) + ", or set USER in its image's Dockerfile and build it again",
	}
	if strings.TrimSpace(user) != "" {
		f.Message = fmt.Sprintf("%s runs as the user %q, which is root", s.who, user)
		f.Observed = "user " + user
	}
	return f
}

// orNil returns f as an error, and a nil error (not a nil *Failure in an
// error) when there is no failure.
func orNil(f *Failure) error {
	if f == nil {
		return nil
	}
	return f
}
