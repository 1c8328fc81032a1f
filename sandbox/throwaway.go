package sandbox

import (
	"context"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"
)

// ThrowawayLabel marks the short-lived containers lab makes for a check
// (to read an image's files, to crash a container); its value names the
// lab process that made one, "HOST/PID", so a later lab can tell a
// container a stopped check left behind from one a running lab still uses.
const ThrowawayLabel = "lab.throwaway"

// strayAfter is the age after which a throwaway container is left over
// whoever made it: none lives longer than a check.
const strayAfter = time.Hour

// throwawayOwner is this process's value of ThrowawayLabel.
var throwawayOwner = func() string {
	host, _ := os.Hostname()
	return host + "/" + strconv.Itoa(os.Getpid())
}()

// throwawayLabels returns the labels of a throwaway container: lab.managed=true,
// ThrowawayLabel and extra. Before the first one an Engine makes, it
// removes the throwaway containers an earlier lab left behind, as one does
// whose engine stopped before it could remove them.
func (e *Engine) throwawayLabels(ctx context.Context, extra map[string]string) map[string]string {
	e.strays.Do(func() { e.removeStrayThrowaways(ctx) })
	labels := map[string]string{ManagedLabel: "true", ThrowawayLabel: throwawayOwner}
	maps.Copy(labels, extra)
	return labels
}

// removeStrayThrowaways removes the throwaway containers whose lab process
// on this machine has ended, and any older than strayAfter. It is a best
// effort: an engine that does not answer leaves them for the next lab.
func (e *Engine) removeStrayThrowaways(ctx context.Context) {
	cs, err := e.Containers(ctx, ContainerQuery{All: true, Labels: map[string]string{ManagedLabel: "true", ThrowawayLabel: ""}})
	if err != nil {
		return
	}
	host, _ := os.Hostname()
	for _, c := range cs {
		if strayThrowaway(c.Labels[ThrowawayLabel], c.Created, host, processAlive) {
			_ = e.RemoveContainer(ctx, c.ID, true)
		}
	}
}

// strayThrowaway decides whether a throwaway container made by owner
// ("HOST/PID") at created is left over: its process on this host has
// ended, or it is older than any check takes.
func strayThrowaway(owner string, created time.Time, host string, alive func(pid int) bool) bool {
	if !created.IsZero() && time.Since(created) > strayAfter {
		return true
	}
	h, p, ok := strings.Cut(owner, "/")
	pid, err := strconv.Atoi(p)
	return ok && err == nil && h == host && pid != os.Getpid() && !alive(pid)
}
