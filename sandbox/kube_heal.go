package sandbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
)

// DefaultHealTimeout is how long a Deployment gets to replace a deleted pod
// when HealOptions names no timeout.
const DefaultHealTimeout = 60 * time.Second

// HealOptions configure DeletePodAndWatch.
type HealOptions struct {
	// Timeout bounds the wait for the Deployment to heal, from the
	// deletion on; zero means DefaultHealTimeout.
	Timeout time.Duration
	// Progress, when set, is called each time what the watch sees changes.
	Progress func(HealProgress)
}

// HealProgress is what the watch sees while a Deployment replaces a pod.
type HealProgress struct {
	Elapsed   time.Duration // since the deletion
	Deleted   Pod           // the pod that was deleted
	Desired   int32         // replicas the Deployment wants
	Available int32         // available replicas the Deployment reports
	Ready     int32         // Ready pods of the Deployment the watch sees, the deleted one left out
	// Replacements are the Deployment's pods that did not exist before the
	// deletion.
	Replacements []Pod
}

// Replacement returns the first replacement pod that is Ready.
func (p HealProgress) Replacement() (Pod, bool) {
	for _, r := range p.Replacements {
		if r.Ready && !r.Deleting {
			return r, true
		}
	}
	return Pod{}, false
}

// healed reports whether a new pod is Ready and the Deployment has every
// replica it wants available again.
func (p HealProgress) healed() bool {
	_, ok := p.Replacement()
	return ok && p.Available >= p.Desired && p.Ready >= p.Desired
}

// String says where the healing stands, for progress lines and failures.
func (p HealProgress) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d replicas available", p.Available, p.Desired)
	switch len(p.Replacements) {
	case 0:
		b.WriteString(", no replacement pod yet")
	default:
		var parts []string
		for _, r := range p.Replacements {
			state := "Ready"
			if why := r.NotReadyReason(); why != "" {
				state = why
			}
			parts = append(parts, fmt.Sprintf("%s (%s)", r.Name, state))
		}
		fmt.Fprintf(&b, ", replacement %s", strings.Join(parts, ", "))
	}
	return b.String()
}

// Heal is how a Deployment replaced a deleted pod.
type Heal struct {
	Deleted     Pod
	Replacement Pod // a new pod, with another UID, that became Ready
	DeletedAt   time.Time
	Took        time.Duration // from the deletion until the Deployment was whole again
	Available   int32
}

// HealError says the Deployment did not heal: a replacement pod is stuck
// (its image cannot be had, it keeps crashing), the Deployment went away,
// or the time ran out. Last is what the watch saw last.
type HealError struct {
	Deployment string
	Last       HealProgress
	Stuck      *Pod          // the replacement that cannot start, if that is why
	Timeout    time.Duration // set when the time ran out
	Err        error         // set when the Deployment went away
}

// Error says why the Deployment did not heal.
func (e *HealError) Error() string {
	switch {
	case e.Stuck != nil:
		return fmt.Sprintf("deployment %q cannot replace pod %s: its new pod %s is stuck: %s", e.Deployment, e.Last.Deleted.Name, e.Stuck.Name, e.Stuck.NotReadyReason())
	case e.Err != nil:
		return fmt.Sprintf("deployment %q stopped healing: %v", e.Deployment, e.Err)
	}
	return fmt.Sprintf("deployment %q did not replace pod %s within %s: %s", e.Deployment, e.Last.Deleted.Name, e.Timeout, e.Last)
}

// Unwrap gives the error that stopped the watch, if any.
func (e *HealError) Unwrap() error { return e.Err }

// DeletePodAndWatch deletes pod, one of d's pods, and watches the
// Deployment and its pods (events as they happen, no polling) until a pod with
// another UID than any that existed before is Ready and the Deployment has
// every replica it wants available again. It returns how long that took.
// It stops early with a *HealError when a replacement pod is stuck, and
// with one when the timeout passes.
func (k *Kube) DeletePodAndWatch(ctx context.Context, d Deployment, pod Pod, opts HealOptions) (Heal, error) {
	del, err := k.DeletePod(ctx, d, pod)
	if err != nil {
		return Heal{}, err
	}
	defer del.Close()
	return del.Wait(ctx, opts)
}

// PodDeletion is a pod the lab deleted and the watch, started before the
// deletion, on its Deployment and the Deployment's pods. A check deletes in
// one step and judges the healing in the next.
type PodDeletion struct {
	Pod Pod       // the pod that was deleted
	At  time.Time // when the deletion was asked for

	h         *healWatch
	wctx      context.Context
	cancel    context.CancelFunc
	podEvents watch.Interface
	depEvents watch.Interface
}

// DeletePod starts watching d and its pods, then deletes pod (only that
// very pod: the deletion is conditional on its UID). Close the result when
// done.
func (k *Kube) DeletePod(ctx context.Context, d Deployment, pod Pod) (*PodDeletion, error) {
	h := &healWatch{k: k, d: d, victim: pod, known: map[string]bool{pod.UID: true}}
	// Watch first, from the versions listed, so no event between the
	// deletion and the first look is missed.
	if err := h.listPods(ctx); err != nil {
		return nil, err
	}
	for uid := range h.pods {
		h.known[uid] = true
	}
	if err := h.listDeployment(ctx); err != nil {
		return nil, err
	}
	// The watch outlives the step that deletes; Close ends it.
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	del := &PodDeletion{Pod: pod, h: h, wctx: wctx, cancel: cancel}
	var err error
	if del.podEvents, err = h.watchPods(wctx); err != nil {
		del.Close()
		return nil, err
	}
	if del.depEvents, err = h.watchDeployment(wctx); err != nil {
		del.Close()
		return nil, err
	}
	uid := types.UID(pod.UID)
	err = k.client.Pods(k.namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil {
		del.Close()
		return nil, k.wrap(err, "pod", pod.Name, "deleting pod %q", pod.Name)
	}
	del.At = time.Now()
	h.deletedAt = del.At
	return del, nil
}

// Close stops the watch.
func (del *PodDeletion) Close() {
	del.cancel()
	for _, w := range []watch.Interface{del.podEvents, del.depEvents} {
		if w != nil {
			w.Stop()
		}
	}
}

// Wait watches until the Deployment has healed (see DeletePodAndWatch).
// The timeout counts from the deletion.
func (del *PodDeletion) Wait(ctx context.Context, opts HealOptions) (Heal, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultHealTimeout
	}
	h, d := del.h, del.h.d
	timer := time.NewTimer(max(timeout-time.Since(del.At), 0))
	defer timer.Stop()

	last := ""
	for {
		p := h.progress()
		if p.healed() {
			r, _ := p.Replacement()
			return Heal{Deleted: del.Pod, Replacement: r, DeletedAt: del.At, Took: p.Elapsed, Available: p.Available}, nil
		}
		if opts.Progress != nil {
			if s := p.String(); s != last {
				last = s
				opts.Progress(p)
			}
		}
		for _, r := range p.Replacements {
			if _, stuck := r.Stuck(); stuck {
				return Heal{}, &HealError{Deployment: d.Name, Last: p, Stuck: &r}
			}
		}
		select {
		case <-ctx.Done():
			return Heal{}, ctx.Err()
		case <-timer.C:
			return Heal{}, &HealError{Deployment: d.Name, Last: h.progress(), Timeout: timeout}
		case ev, ok := <-del.podEvents.ResultChan():
			if ok && ev.Type != watch.Error {
				h.podEvent(ctx, ev)
				continue
			}
			// The server ended the watch: look again and watch on.
			del.podEvents.Stop()
			if err := h.listPods(ctx); err != nil {
				return Heal{}, err
			}
			w, err := h.watchPods(del.wctx)
			if err != nil {
				return Heal{}, err
			}
			del.podEvents = w
		case ev, ok := <-del.depEvents.ResultChan():
			if ok && ev.Type == watch.Deleted {
				return Heal{}, &HealError{Deployment: d.Name, Last: h.progress(), Err: &NotFoundError{Kind: "deployment", Name: d.Name}}
			}
			if ok && ev.Type != watch.Error {
				h.deploymentEvent(ev)
				continue
			}
			del.depEvents.Stop()
			if err := h.listDeployment(ctx); err != nil {
				var nf *NotFoundError
				if errors.As(err, &nf) {
					return Heal{}, &HealError{Deployment: d.Name, Last: h.progress(), Err: err}
				}
				return Heal{}, err
			}
			w, err := h.watchDeployment(del.wctx)
			if err != nil {
				return Heal{}, err
			}
			del.depEvents = w
		}
	}
}

// healWatch is what the watch of one PodDeletion has seen.
type healWatch struct {
	k         *Kube
	d         Deployment
	victim    Pod
	known     map[string]bool   // UIDs of pods that existed before the deletion
	pods      map[string]Pod    // the Deployment's pods by UID, as last seen
	owned     map[string]string // ReplicaSets of the Deployment, with their revisions
	foreign   map[string]bool   // ReplicaSets seen that belong to something else
	podRV     string
	depRV     string
	deletedAt time.Time
}

func (h *healWatch) listPods(ctx context.Context) error {
	owned, err := h.k.replicaSetsOf(ctx, h.d)
	if err != nil {
		return err
	}
	h.owned = owned
	list, err := h.k.client.Pods(h.k.namespace).List(ctx, metav1.ListOptions{LabelSelector: h.d.SelectorText})
	if err != nil {
		return h.k.wrap(err, "", "", "listing the pods of deployment %q", h.d.Name)
	}
	h.pods = map[string]Pod{}
	for i := range list.Items {
		h.podSeen(ctx, &list.Items[i])
	}
	h.podRV = list.ResourceVersion
	return nil
}

func (h *healWatch) watchPods(ctx context.Context) (watch.Interface, error) {
	w, err := h.k.client.Pods(h.k.namespace).Watch(ctx, metav1.ListOptions{
		LabelSelector: h.d.SelectorText, ResourceVersion: h.podRV, AllowWatchBookmarks: true,
	})
	if err != nil {
		return nil, h.k.wrap(err, "", "", "watching the pods of deployment %q", h.d.Name)
	}
	return w, nil
}

func (h *healWatch) listDeployment(ctx context.Context) error {
	list, err := h.k.client.Deployments(h.k.namespace).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", h.d.Name).String(),
	})
	if err != nil {
		return h.k.wrap(err, "", "", "reading deployment %q", h.d.Name)
	}
	found := false
	for i := range list.Items {
		if list.Items[i].Name == h.d.Name {
			found = true
			h.deploymentSeen(&list.Items[i])
		}
	}
	if !found {
		return &NotFoundError{Kind: "deployment", Name: h.d.Name}
	}
	h.depRV = list.ResourceVersion
	return nil
}

func (h *healWatch) watchDeployment(ctx context.Context) (watch.Interface, error) {
	w, err := h.k.client.Deployments(h.k.namespace).Watch(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", h.d.Name).String(), ResourceVersion: h.depRV, AllowWatchBookmarks: true,
	})
	if err != nil {
		return nil, h.k.wrap(err, "", "", "watching deployment %q", h.d.Name)
	}
	return w, nil
}

func (h *healWatch) podEvent(ctx context.Context, ev watch.Event) {
	p, ok := ev.Object.(*corev1.Pod)
	if !ok {
		return
	}
	if p.ResourceVersion != "" {
		h.podRV = p.ResourceVersion
	}
	if ev.Type == watch.Bookmark {
		return
	}
	if ev.Type == watch.Deleted {
		delete(h.pods, string(p.UID))
		return
	}
	h.podSeen(ctx, p)
}

// podSeen records a pod when it belongs to the Deployment. A ReplicaSet
// not seen before (the Deployment rolled out meanwhile) is looked up once.
func (h *healWatch) podSeen(ctx context.Context, p *corev1.Pod) {
	if !h.d.Matches(p.Labels) {
		return
	}
	f := podFacts(p)
	if _, ok := h.owned[f.Owner]; f.Owner != "" && !ok && !h.foreign[f.Owner] {
		if rs, err := h.k.client.ReplicaSets(h.k.namespace).Get(ctx, f.Owner, metav1.GetOptions{}); err == nil {
			if ref := metav1.GetControllerOf(rs); ref != nil && string(ref.UID) == h.d.UID {
				h.owned[f.Owner] = rs.Annotations[revisionAnnotation]
			} else {
				if h.foreign == nil {
					h.foreign = map[string]bool{}
				}
				h.foreign[f.Owner] = true
			}
		}
	}
	if rev, ok := h.owned[f.Owner]; ok {
		f.Revision = rev
		h.pods[f.UID] = f
	}
}

func (h *healWatch) deploymentEvent(ev watch.Event) {
	d, ok := ev.Object.(*appsv1.Deployment)
	if !ok {
		return
	}
	if d.ResourceVersion != "" {
		h.depRV = d.ResourceVersion
	}
	if ev.Type == watch.Bookmark || d.Name != h.d.Name {
		return
	}
	h.deploymentSeen(d)
}

func (h *healWatch) deploymentSeen(d *appsv1.Deployment) {
	if f, err := deploymentFacts(d); err == nil {
		h.d = f
	}
}

func (h *healWatch) progress() HealProgress {
	p := HealProgress{Deleted: h.victim, Desired: h.d.Desired, Available: h.d.Available}
	if !h.deletedAt.IsZero() {
		p.Elapsed = time.Since(h.deletedAt)
	}
	for uid, pod := range h.pods {
		if uid == h.victim.UID || pod.Deleting {
			continue
		}
		if pod.Ready {
			p.Ready++
		}
		if !h.known[uid] {
			p.Replacements = append(p.Replacements, pod)
		}
	}
	slices.SortFunc(p.Replacements, func(a, b Pod) int { return strings.Compare(a.Name, b.Name) })
	return p
}
