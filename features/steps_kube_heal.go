package features

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

func (w *world) kubeDeletePod(ctx context.Context, name string) (context.Context, error) {
	ctx, st := kubeOf(ctx)
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return ctx, err
	}
	pods, err := k.DeploymentPods(ctx, d)
	if err != nil {
		return ctx, kubeErr(err)
	}
	i := slices.IndexFunc(pods, func(p sandbox.Pod) bool { return p.Ready && !p.Deleting })
	if i < 0 {
		return ctx, &Failure{
			Code:     "not-ready",
			Message:  fmt.Sprintf("the Deployment %q has no Ready pod for the lab to delete", name),
			Expected: "Ready pods",
			Observed: kubeRolloutObserved(d, pods),
			Try:      kubectl(k, "get pods -l "+d.SelectorText),
		}
	}
	if err := ctx.Err(); err != nil {
		return ctx, err
	}
	pod := pods[i]
	w.announce("deleting pod %s (UID %s) of the Deployment %s, as a failed node or a mistaken kubectl delete would, to watch the Deployment replace it; it heals by itself", pod.Name, pod.UID, name)
	del, err := k.DeletePod(ctx, d, pod)
	if err != nil {
		return ctx, kubeErr(err)
	}
	st.deployment, st.deletion = &d, del
	w.onCleanup(func(ctx context.Context) {
		del.Close()
		w.kubeHealedAfter(ctx, k, d, pod)
	})
	return ctx, nil
}

// kubeHealedAfter runs when the scenario ends: the Deployment heals by
// itself, so the lab only waits a little for it and says so when it does
// not (a replacement that cannot start will not, whatever the lab does).
func (w *world) kubeHealedAfter(ctx context.Context, k *sandbox.Kube, d sandbox.Deployment, pod sandbox.Pod) {
	var now sandbox.Deployment
	why := ""
	err := eventually(ctx, kubeHealAfter, kubePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		if now, err = k.Deployment(ctx, d.Name); err != nil {
			return true, err
		}
		if now.Available >= now.Desired {
			return true, nil
		}
		pods, err := k.DeploymentPods(ctx, now)
		if err != nil {
			return true, err
		}
		for _, p := range pods {
			if _, stuck := p.Stuck(); stuck && !p.Deleting {
				why = fmt.Sprintf("pod %s: %s", p.Name, p.NotReadyReason())
				return true, nil
			}
		}
		return false, nil
	})
	switch {
	case sandbox.IsNotFound(err):
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		w.announce("could not see the Deployment %s heal after the lab deleted pod %s: %v; see: %s", d.Name, pod.Name, err, kubectl(k, "get pods -l "+d.SelectorText))
	case now.Available < now.Desired:
		if why == "" {
			why = fmt.Sprintf("still healing after %s", kubeHealAfter)
		}
		w.announce("the Deployment %s has %d of %d replicas available after the lab deleted pod %s (%s); see: %s", d.Name, now.Available, now.Desired, pod.Name, why, kubectl(k, "get pods -l "+d.SelectorText))
	}
}

func (w *world) kubeHealed(ctx context.Context, secs int) error {
	_, st := kubeOf(ctx)
	del := st.deletion
	if del == nil || st.deployment == nil {
		return errors.New("no pod deleted by an earlier step: put the step that deletes one first")
	}
	k, err := w.kube(ctx)
	if err != nil {
		return err
	}
	last := ""
	within := time.Duration(secs) * time.Second
	heal, err := del.Wait(ctx, sandbox.HealOptions{
		Timeout: within,
		Progress: func(p sandbox.HealProgress) {
			w.kubeProgress(&last, "%.1fs after the deletion: %s", p.Elapsed.Seconds(), p)
		},
	})
	if err == nil {
		w.note("the Deployment %s replaced pod %s with pod %s (UID %s, not %s) in %s; %d of %d replicas available again",
			st.deployment.Name, heal.Deleted.Name, heal.Replacement.Name, heal.Replacement.UID, heal.Deleted.UID,
			heal.Took.Round(10*time.Millisecond), heal.Available, st.deployment.Desired)
		return nil
	}
	var he *sandbox.HealError
	if !errors.As(err, &he) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return kubeErr(err)
	}
	name, selector := he.Deployment, st.deployment.SelectorText
	switch {
	case he.Stuck != nil:
		wait, _ := he.Stuck.Stuck()
		f := kubeStuckFailure(k, *st.deployment, *he.Stuck, wait, fmt.Sprintf("the Deployment %q cannot replace the deleted pod %s: its new pod %s cannot start", name, del.Pod.Name, he.Stuck.Name))
		f.Expected = fmt.Sprintf("a new pod Ready within %d seconds", secs)
		return f
	case he.Err != nil:
		return &Failure{
			Code:     "not-found",
			Message:  fmt.Sprintf("the Deployment %q was deleted while the lab watched it replace pod %s", name, del.Pod.Name),
			Expected: "the Deployment replacing the pod",
			Observed: he.Err.Error(),
			Try:      kubectl(k, "get deployments"),
		}
	}
	return &Failure{
		Code:     "not-healed",
		Message:  fmt.Sprintf("the Deployment %q did not replace the deleted pod %s within %d seconds", name, del.Pod.Name, secs),
		Expected: fmt.Sprintf("a pod with a new UID Ready, and %d of %d replicas available", he.Last.Desired, he.Last.Desired),
		Observed: he.Last.String(),
		Try:      kubectl(k, "get pods -l "+selector+" -o wide"),
	}
}
