package features

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lab-workshop/lab/internal/result"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// HostPort is a port a step's solution publishes on the host.
type HostPort struct {
	IP    string // "" for every address
	Port  int
	Proto string // tcp or udp
}

func (p HostPort) String() string {
	s := strconv.Itoa(p.Port)
	if p.IP != "" {
		s = p.IP + ":" + s
	}
	if p.Proto != "tcp" {
		s += "/" + p.Proto
	}
	return s
}

var (
	// A publish spec with a host port: [IP:]HOST:CONTAINER[/PROTO].
	publishSpec = regexp.MustCompile(`^(?:(\[[0-9a-fA-F:]+\]|[0-9.]+):)?([0-9]+):[0-9]+(?:/(tcp|udp|sctp))?$`)
	// A Compose port list entry, short syntax, in text the solution writes.
	composePort = regexp.MustCompile(`(?m)^\s*-\s*["']?((?:[0-9.]+:)?[0-9]+:[0-9]+(?:/(?:tcp|udp))?)["']?\s*$`)
	// Compose's long syntax and kind's extraPortMappings.
	yamlHostPort = regexp.MustCompile(`(?m)^\s*-?\s*(?:published|hostPort):\s*["']?([0-9]+)["']?\s*$`)
)

// SolutionPorts lists the host ports commands publish: the -p and
// --publish flags of docker run and docker create, and the port entries of
// Compose files and kind configurations the commands write. Each port is
// listed once.
func SolutionPorts(cmds []string) []HostPort {
	var out []HostPort
	add := func(p HostPort) {
		if p.Port > 0 && p.Port < 65536 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, c := range cmds {
		fields := strings.Fields(c)
		for i, f := range fields {
			var spec string
			switch {
			case (f == "-p" || f == "--publish") && i+1 < len(fields):
				spec = fields[i+1]
			case strings.HasPrefix(f, "--publish="):
				spec = strings.TrimPrefix(f, "--publish=")
			default:
				continue
			}
			if p, ok := parsePublish(strings.Trim(spec, `"'`)); ok {
				add(p)
			}
		}
		for _, m := range composePort.FindAllStringSubmatch(c, -1) {
			if p, ok := parsePublish(m[1]); ok {
				add(p)
			}
		}
		for _, m := range yamlHostPort.FindAllStringSubmatch(c, -1) {
			n, _ := strconv.Atoi(m[1])
			add(HostPort{Port: n, Proto: "tcp"})
		}
	}
	return out
}

func parsePublish(spec string) (HostPort, bool) {
	m := publishSpec.FindStringSubmatch(spec)
	if m == nil {
		return HostPort{}, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return HostPort{}, false
	}
	proto := m[3]
	if proto == "" {
		proto = "tcp"
	}
	ip := strings.Trim(m[1], "[]")
	if ip == "0.0.0.0" || ip == "::" {
		ip = ""
	}
	return HostPort{IP: ip, Port: n, Proto: proto}, true
}

// PortHolder is a container that holds a host port a step publishes, and
// the step of the course that names it, when one does.
type PortHolder struct {
	Port    HostPort
	User    sandbox.PortUser
	MadeBy  *lessons.Step // nil when no step of the course names the container
	Project string
	// IncludeOlder has the way out reset objects whatever their age, for
	// a machine where no learner's progress says when the step began
	// (selftest's).
	IncludeOlder bool
}

// Explain says who holds the port and the way out.
func (h PortHolder) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "host port %s is held by container %q", h.Port, h.User.Container)
	switch {
	case h.User.Project != "":
		fmt.Fprintf(&b, " of Compose project %q", h.User.Project)
	case h.User.Cluster != "":
		fmt.Fprintf(&b, " of kind cluster %q", h.User.Cluster)
	}
	if h.MadeBy != nil {
		fmt.Fprintf(&b, ", which step %s made", h.MadeBy.Key())
	}
	b.WriteString("; free it with: " + h.WayOut())
	return b.String()
}

// WayOut is the command that frees the port: resetting the lesson that made
// the container, else stopping the Compose project or the container.
func (h PortHolder) WayOut() string {
	switch {
	case h.MadeBy != nil && h.IncludeOlder:
		return "lab reset " + h.MadeBy.Lesson.ID + " --include-older"
	case h.MadeBy != nil:
		return "lab reset " + h.MadeBy.Lesson.ID
	case h.User.Project != "":
		return "docker compose -p " + h.User.Project + " down"
	case h.User.Cluster != "":
		return "kind delete cluster --name " + h.User.Cluster
	}
	return "docker stop " + h.User.Container
}

// conflicts reports whether a container publishing on addr keeps a port
// from being published on want: the same address, or either is every
// address.
func conflicts(addr, want string) bool {
	wild := func(s string) bool { return s == "" || s == "0.0.0.0" || s == "::" }
	if wild(addr) || wild(want) {
		return true
	}
	a, errA := netip.ParseAddr(addr)
	w, errW := netip.ParseAddr(want)
	if errA != nil || errW != nil {
		return addr == want
	}
	return a.Unmap() == w.Unmap()
}

// PortHolders finds the containers that hold any of ports, other than
// those own reports as the step's own, and the steps of course that name
// them.
func PortHolders(ctx context.Context, e *sandbox.Engine, course *lessons.Course, ports []HostPort, own func(sandbox.PortUser) bool) ([]PortHolder, error) {
	var out []PortHolder
	for _, p := range ports {
		users, err := e.PortUsers(ctx, p.Port, p.Proto)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if (own != nil && own(u)) || !conflicts(u.HostIP, p.IP) {
				continue
			}
			madeBy := stepNaming(course, sandbox.KindContainer, u.Container)
			if madeBy == nil && u.Cluster != "" {
				madeBy = stepNaming(course, sandbox.KindCluster, u.Cluster)
			}
			out = append(out, PortHolder{Port: p, User: u, MadeBy: madeBy, Project: u.Project})
		}
	}
	return out, nil
}

// stepNaming is the first step of course whose resources name the object,
// nil when none does.
func stepNaming(course *lessons.Course, kind sandbox.Kind, name string) *lessons.Step {
	if course == nil {
		return nil
	}
	for _, s := range course.Steps() {
		if slices.Contains(Refs(s.Resources), sandbox.Ref{Kind: kind, Name: name}) {
			return s
		}
	}
	return nil
}

// PortConflicts explains a failed check of step whose cause may be a host
// port another container holds: for each port the step's solution
// publishes that a container the step does not name holds, a failure with
// the code port-taken that names the holder, the step that made it and the
// way out. It finds nothing when the engine cannot be reached.
func PortConflicts(ctx context.Context, env []string, step *lessons.Step) []result.CheckResult {
	ports := SolutionPorts(step.Solution)
	if len(ports) == 0 {
		return nil
	}
	r := newRun(Options{Env: env}, step.Lesson.Course)
	defer r.close()
	e, err := r.dockerEngine(ctx)
	if err != nil {
		return nil
	}
	own := func(u sandbox.PortUser) bool { return names(step, u) }
	holders, err := PortHolders(ctx, e, step.Lesson.Course, ports, own)
	if err != nil {
		return nil
	}
	var out []result.CheckResult
	for _, h := range holders {
		f := &result.Failure{
			Code:     "port-taken",
			Message:  fmt.Sprintf("host port %s, which this step publishes, is taken", h.Port),
			Expected: fmt.Sprintf("host port %s free for this step's container", h.Port),
			Observed: h.Explain(),
			Try:      fmt.Sprintf("docker ps --filter publish=%d", h.Port.Port),
			Fix:      h.WayOut() + ", then do the step again",
		}
		out = append(out, result.CheckResult{
			Scenario: step.Scenario, Text: "the host ports this step publishes are free",
			Status: result.StatusFailed, Err: f.Error(), Code: f.Code,
		})
	}
	return out
}

// names reports whether step's resources name the container u, or the kind
// cluster it is a node of.
func names(step *lessons.Step, u sandbox.PortUser) bool {
	return slices.Contains(step.Resources.Containers, u.Container) ||
		(u.Cluster != "" && slices.Contains(step.Resources.Clusters, u.Cluster))
}
