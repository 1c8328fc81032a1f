package features

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/lab-workshop/lab/sandbox"
)

// A subject is a thing the lab can find: a container by name, the container
// of a Compose service, a service of a Compose file, the pods of a
// Deployment, an image, a URL. A property is something a subject can have:
// publishes a port, sets an environment variable, has a restart policy.
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

// orNil returns f as an error, and a nil error (not a nil *Failure in an
// error) when there is no failure.
func orNil(f *Failure) error {
	if f == nil {
		return nil
	}
	return f
}
