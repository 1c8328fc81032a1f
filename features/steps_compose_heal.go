package features

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

func (w *world) composeContainerRestart(ctx context.Context, svc, want string) error {
	_, d, e, err := w.composeServiceOn(ctx, svc)
	if err != nil {
		return err
	}
	rt, err := e.InspectRuntime(ctx, d.ID)
	if err != nil {
		return composeEngineErr(err)
	}
	s := serviceContainer(d, "docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' "+d.Name)
	f := s.restartPolicy(rt.RestartPolicy, want, "", "restart: "+want)
	if f != nil && rt.RestartPolicy == "no" {
		f.Message = fmt.Sprintf("the container %s runs with the restart policy \"no\": a crash would leave it down, so the lab does not crash it", d.Name)
	}
	return orNil(f)
}

func (w *world) composeCrash(ctx context.Context, svc string) error {
	st, d, e, err := w.composeServiceOn(ctx, svc)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	before, err := e.InspectContainer(ctx, d.ID)
	if err != nil {
		return composeEngineErr(err)
	}
	if !before.State.Running {
		return &Failure{Code: "not-running", Message: fmt.Sprintf("the container %s stopped before the lab crashed it: %s", d.Name, composeStateText(before.State)), Try: "docker ps -a"}
	}
	w.announce("killing the main process of container %s (service %s) with SIGKILL, as a crash would, to see its restart policy bring it back; the lab starts it again if nothing else does", d.Name, svc)
	sent := true // whether the signal may have gone out
	w.onCleanup(func(ctx context.Context) { w.composeHeal(ctx, e, before, sent) })
	crash, err := e.CrashContainer(ctx, d.ID)
	if err != nil {
		sent = ctx.Err() != nil
		return composeEngineErr(err)
	}
	st.crash = &composeCrash{before: before, crash: crash}
	return nil
}

// composeHeal leaves a container the lab crashed (or began to) running,
// whatever became of the check: it waits while the engine restarts it, and
// starts it itself when the engine will not. It runs when the scenario
// ends, also after Ctrl-C.
func (w *world) composeHeal(ctx context.Context, e *sandbox.Engine, before sandbox.ContainerDetails, sent bool) {
	ctx, cancel := context.WithTimeout(ctx, composeHealWithin)
	defer cancel()
	wait := composeSettle
	if !sent {
		wait = time.Second // a look: nothing was killed, but something else may have stopped it
	}
	var d sandbox.ContainerDetails
	_ = eventually(ctx, wait, composePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		d, err = e.InspectContainer(ctx, before.ID)
		if err != nil {
			return true, err
		}
		restarted := d.State.Running && !d.State.Restarting && d.State.StartedAt.After(before.State.StartedAt)
		stopped := !d.State.Running && !d.State.Restarting
		// Still running since before: the killed process is on its way out.
		return restarted || stopped, nil
	})
	if d.ID == "" || d.State.Running || d.State.Restarting {
		return
	}
	if err := e.StartContainer(ctx, before.ID); err != nil {
		w.announce("could not start %s again: %v; start it with: docker start %s", before.Name, err, before.Name)
		return
	}
	w.announce("started %s again after the crash", before.Name)
}

// composeCrashed is the crash an earlier step of the scenario made, and
// the engine.
func (w *world) composeCrashed(ctx context.Context) (*composeState, *composeCrash, *sandbox.Engine, error) {
	_, st := composeOf(ctx)
	if st.crash == nil {
		return st, nil, nil, errors.New("no container crashed by an earlier step: put the step that crashes it first")
	}
	e, err := w.engine(ctx)
	return st, st.crash, e, err
}

func (w *world) composeBackWithin(ctx context.Context, secs int) error {
	_, c, e, err := w.composeCrashed(ctx)
	if err != nil {
		return err
	}
	within := time.Duration(secs)*time.Second - time.Since(c.crash.At)
	var d sandbox.ContainerDetails
	err = eventually(ctx, max(within, 0), composePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		d, err = e.InspectContainer(ctx, c.before.ID)
		if err != nil {
			return true, err
		}
		back := d.State.Running && !d.State.Restarting && d.State.StartedAt.After(c.before.State.StartedAt)
		return back, nil
	})
	if sandbox.IsNotFound(err) {
		return &Failure{
			Code:    "not-healed",
			Message: fmt.Sprintf("the container %s was removed after the crash instead of restarted", c.before.Name),
			Try:     "docker ps -a",
		}
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return composeEngineErr(err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if d.State.Running && !d.State.Restarting && d.State.StartedAt.After(c.before.State.StartedAt) {
		took := d.State.StartedAt.Sub(c.crash.At).Round(10 * time.Millisecond)
		w.note("%s came back %s after the crash; restart count %d → %d", c.before.Name, max(took, 0), c.before.State.RestartCount, d.State.RestartCount)
		return nil
	}
	return &Failure{
		Code:     "not-healed",
		Message:  fmt.Sprintf("the container %s did not come back within %d seconds of the crash", c.before.Name, secs),
		Expected: "running again, restarted by the engine",
		Observed: fmt.Sprintf("%s, restart count %d", composeStateText(d.State), d.State.RestartCount),
		Try:      "docker inspect -f '{{.State.Status}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}' " + c.before.Name,
	}
}

func (w *world) composeAnswersAgain(ctx context.Context, raw string, secs int) error {
	st, c, e, err := w.composeCrashed(ctx)
	if err != nil {
		return err
	}
	within := time.Duration(secs)*time.Second - time.Since(c.crash.At)
	host, err := w.composeHomeAnswer(ctx, e, raw, max(within, time.Second))
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			f.Message = fmt.Sprintf("%s does not answer with the app's home page again within %d seconds of the crash", raw, secs)
		}
		return err
	}
	w.note("%s answered again %s after the crash", raw, time.Since(c.crash.At).Round(10*time.Millisecond))
	return w.composeSameHost(ctx, e, st, c.before, raw, host)
}

// ---- taking the project down ----

func (w *world) composeTakenDown(ctx context.Context, project string) error {
	e, err := w.engine(ctx)
	if err != nil {
		return err
	}
	cs, err := composeContainers(ctx, e, project)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		w.note("no container of the project %s remains", project)
		return nil
	}
	try := fmt.Sprintf("docker compose -p %s ps -a", project)
	var stopped []sandbox.Container
	for _, c := range cs {
		if c.State != "running" && c.State != "restarting" {
			stopped = append(stopped, c)
		}
	}
	if len(stopped) > 0 {
		return &Failure{
			Code:     "left-behind",
			Message:  fmt.Sprintf("%d containers of the project %q remain, stopped: docker compose stop keeps the containers, docker compose down removes them", len(stopped), project),
			Expected: "no container of the project " + project,
			Observed: composeNames(cs),
			Try:      try,
			Fix:      fmt.Sprintf("docker compose -p %s down", project),
		}
	}
	// The project runs again: that is fine when it was taken down and
	// started again on the data it kept, which the containers' creation
	// times against their named volumes' tell. Compose makes a volume the
	// moment before the first container that mounts it; containers made
	// later than that came from a later "up".
	kept, err := composeKeptVolumes(ctx, e, cs)
	if err != nil {
		return err
	}
	if len(kept) == 0 {
		return &Failure{
			Code:     "left-behind",
			Message:  fmt.Sprintf("containers of the project %q still run, and no named volume of theirs tells when they were made against their data: %s", project, composeNames(cs)),
			Expected: "no container of the project " + project,
			Observed: composeNames(cs),
			Try:      try,
			Fix:      fmt.Sprintf("docker compose -p %s down", project),
		}
	}
	oldest, c := notRecreated(kept, cs)
	if c != nil {
		return &Failure{
			Code:     "not-recreated",
			Message:  fmt.Sprintf("the container %s is no newer than the volume %s it uses: the project was not taken down, or it was taken down with -v and started again on a new, empty volume", c.Name, oldest.Name),
			Expected: "no container of the project (after docker compose down), or only containers made after it, on the volume kept from before",
			Observed: fmt.Sprintf("%s created %s; the volume %s created %s", c.Name, c.Created.Local().Format(time.TimeOnly), oldest.Name, oldest.Created.Local().Format(time.TimeOnly)),
			Try:      try + "; docker volume ls",
			Fix:      fmt.Sprintf("take the project down without -v (docker compose -p %s down), then up again", project),
		}
	}
	w.note("the project %s was taken down and started again: its containers are newer than the volume %s they kept", project, oldest.Name)
	return nil
}

// notRecreated finds, among a project's containers, one no newer than the
// oldest of the named volumes they keep: one the "up" that made those
// volumes made too, not an "up" after "docker compose down". It returns
// that oldest volume, and the container or nil.
func notRecreated(kept []sandbox.Volume, cs []sandbox.Container) (sandbox.Volume, *sandbox.Container) {
	oldest := kept[0]
	for _, v := range kept[1:] {
		if v.Created.Before(oldest.Created) {
			oldest = v
		}
	}
	// Volume and container times come from the same engine clock, but a
	// volume's only to the second: it was made before Created plus one
	// second. Compose makes a project's containers within moments of its
	// volumes; two more seconds cover that on a busy machine, and are far
	// less than any "down" and "up" after "up" and seeding the data.
	newer := oldest.Created.Add(volumeTimeResolution + composeCreateSlack)
	for i := range cs {
		if cs[i].Created.Before(newer) {
			return oldest, &cs[i]
		}
	}
	return oldest, nil
}

const (
	// volumeTimeResolution is how fine the engine gives a volume's
	// creation time: whole seconds, cut down.
	volumeTimeResolution = time.Second
	// composeCreateSlack is the most time "docker compose up" takes from
	// making a volume to making the containers that mount it.
	composeCreateSlack = 2 * time.Second
)

// composeKeptVolumes are the named volumes the containers mount, the
// anonymous ones (made with each container) left out.
func composeKeptVolumes(ctx context.Context, e *sandbox.Engine, cs []sandbox.Container) ([]sandbox.Volume, error) {
	seen := map[string]bool{}
	var out []sandbox.Volume
	for _, c := range cs {
		d, err := e.InspectContainer(ctx, c.ID)
		if err != nil {
			return nil, composeEngineErr(err)
		}
		for _, m := range d.Mounts {
			if m.Type != "volume" || m.Name == "" || volumeAnonymous.MatchString(m.Name) || seen[m.Name] {
				continue
			}
			seen[m.Name] = true
			v, err := e.InspectVolume(ctx, m.Name)
			if err != nil {
				return nil, composeEngineErr(err)
			}
			out = append(out, v)
		}
	}
	return out, nil
}
