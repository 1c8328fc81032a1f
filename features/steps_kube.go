package features

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lab-workshop/lab/sandbox"
)

// Steps for lesson 7: the sample app deployed, exposed, healed and scaled
// on the lessons' Kubernetes cluster. Every check asks the API server of
// the run's context and namespace; the teardown checks ask Docker and the
// kubeconfig, since by then the cluster is gone.
func (w *world) kubeSteps() []stepDef {
	return []stepDef{
		{`^the Deployment "([^"]+)" exists$`, w.kubeDeploymentExists,
			`the Deployment "lab-app" exists`, []string{"not-found"}},
		{`^its pods carry the label "([^"=]+)=([^"]*)"$`, w.kubePodLabel,
			`its pods carry the label "app=lab-app"`, []string{"label-mismatch"}},
		{`^it runs the image "([^"]+)" with a pull policy that works offline$`, w.kubeImageOffline,
			`it runs the image "lab/app:v1" with a pull policy that works offline`, []string{"image-differs", "policy-mismatch"}},
		{`^it wants (at least )?(\d+) replicas?$`, w.kubeWants,
			`it wants at least 3 replicas`, []string{"count-mismatch"}},
		{`^its rollout completes with all its replicas available$`, w.kubeRolloutCompletes,
			`its rollout completes with all its replicas available`, []string{"count-mismatch", "not-found", "not-ready"}},
		{`^the Deployment "([^"]+)" has (at least )?(\d+) available replicas? and its rollout is complete$`, w.kubeDeploymentAvailable,
			`the Deployment "lab-app" has at least 3 available replicas and its rollout is complete`, []string{"count-mismatch", "not-found", "not-ready"}},
		{`^the rollout of the Deployment "([^"]+)" is complete$`, w.kubeRolloutOf,
			`the rollout of the Deployment "lab-app" is complete`, []string{"count-mismatch", "not-found", "not-ready"}},
		{`^the Deployment "([^"]+)" sets ([A-Za-z_][A-Za-z0-9_]*) to "([^"]+)"$`, w.kubeDeploymentEnv,
			`the Deployment "lab-app" sets DB_HOST to "mongo-service:27017/posts"`, []string{"env-mismatch", "not-found"}},
		{`^the Service "([^"]+)" exists$`, w.kubeServiceExists,
			`the Service "lab-app-svc" exists`, []string{"not-found"}},
		{`^it is of type (\w+)$`, w.kubeServiceType,
			`it is of type NodePort`, []string{"type-mismatch"}},
		{`^its port (\d+) forwards to port (\d+) of the pods$`, w.kubeServicePort,
			`its port 3000 forwards to port 3000 of the pods`, []string{"port-mismatch", "port-not-published"}},
		{`^its port (\d+) is open on node port (\d+)$`, w.kubeServiceNodePort,
			`its port 3000 is open on node port 30001`, []string{"port-mismatch", "port-not-published"}},
		{`^it sends traffic to exactly the ready pods of the Deployment "([^"]+)"$`, w.kubeServiceEndpoints,
			`it sends traffic to exactly the ready pods of the Deployment "lab-app"`, []string{"label-mismatch", "not-found", "not-ready"}},
		{`^(http://\S+) answers with the home page of a pod of the Deployment "([^"]+)"$`, w.kubeHomePage,
			`http://localhost:30001/ answers with the home page of a pod of the Deployment "lab-app"`, []string{"no-answer", "not-found", "page-differs", "port-taken"}},
		{`^(http://\S+) lists at least (\d+) (posts?|documents?|items?|entries|entry)$`, w.kubeListsPosts,
			`http://localhost:30001/posts?format=json lists at least 1 post`, []string{"data-missing", "page-differs"}},
		{`^the lab deletes one pod of the Deployment "([^"]+)"$`, w.kubeDeletePod,
			`the lab deletes one pod of the Deployment "lab-app"`, []string{"not-found", "not-ready"}},
		{`^a pod with a new UID is Ready and the Deployment has all its replicas available again within (\d+) seconds$`, w.kubeHealed,
			`a pod with a new UID is Ready and the Deployment has all its replicas available again within 60 seconds`, []string{"not-found", "not-healed", "not-ready"}},
		{`^none of the Kubernetes objects of this lesson is left$`, w.kubeObjectsGone,
			`none of the Kubernetes objects of this lesson is left`, []string{"left-behind"}},
		{`^no node container of the kind cluster "([^"]+)" is left$`, w.kubeNodesGone,
			`no node container of the kind cluster "lab" is left`, []string{"left-behind"}},
		{`^the kubeconfig has no context "([^"]+)"$`, w.kubeContextGone,
			`the kubeconfig has no context "kind-lab"`, []string{"left-behind"}},
	}
}

// kubeState is what the steps of one lesson 7 scenario share.
type kubeState struct {
	deployment *sandbox.Deployment // the Deployment an earlier step read
	service    *sandbox.Service    // the Service an earlier step read
	deletion   *sandbox.PodDeletion
}

func kubeOf(ctx context.Context) (context.Context, *kubeState) {
	return scenarioState[kubeState](ctx)
}

// How long state that settles gets: a rollout of images already on the
// node, endpoints following pods, an app answering once its pods are up.
const (
	kubeRolloutWithin = 90 * time.Second
	kubeSettle        = 20 * time.Second
	kubePostsWithin   = 30 * time.Second
	kubePollEvery     = 500 * time.Millisecond
	kubeHealAfter     = 15 * time.Second
)

func kubePlural(n int32, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// kubeProgress prints a line about a wait in progress, once per new line.
func (w *world) kubeProgress(last *string, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if line != *last {
		*last = line
		fmt.Fprintf(w.run.opts.Status, "  … %s\n", line)
	}
}

// kubeDeployment reads a Deployment, failing at once when it does not
// exist and naming the ones that do.
func (w *world) kubeDeployment(ctx context.Context, name string) (*sandbox.Kube, sandbox.Deployment, error) {
	k, err := w.kube(ctx)
	if err != nil {
		return nil, sandbox.Deployment{}, err
	}
	d, err := k.Deployment(ctx, name)
	if sandbox.IsNotFound(err) {
		observed := "no Deployment at all"
		if names, lerr := k.DeploymentNames(ctx); lerr == nil && len(names) > 0 {
			observed = "Deployments: " + strings.Join(names, ", ")
		}
		return k, d, kubeMissing(k, "Deployment", "deployments", name, observed)
	}
	return k, d, kubeErr(err)
}

// kubeMissing is the failure for an object of kind (listed by kubectl as
// resource) that the check reads by name and the namespace does not hold;
// observed names the ones that it holds.
func kubeMissing(k *sandbox.Kube, kind, resource, name, observed string) *Failure {
	return &Failure{
		Code:     "not-found",
		Message:  fmt.Sprintf("there is no %s %q in the namespace %q of the cluster %s", kind, name, k.Namespace(), k.Context()),
		Expected: "a " + kind + " named " + name,
		Observed: observed,
		Try:      kubectl(k, "get "+resource),
		Fix:      "write a manifest for the " + kind + " " + name + " and apply it: kubectl apply -f FILE",
	}
}

// kubeDeploymentRead is the Deployment an earlier step of the scenario
// read.
func kubeDeploymentRead(ctx context.Context) (*kubeState, *sandbox.Deployment, error) {
	_, st := kubeOf(ctx)
	if st.deployment == nil {
		return st, nil, errors.New("no Deployment read by an earlier step: put the step that reads it first")
	}
	return st, st.deployment, nil
}

// kubeDeploymentReadIn is the Deployment an earlier step read, with the
// cluster that holds it.
func (w *world) kubeDeploymentReadIn(ctx context.Context) (*sandbox.Kube, *kubeState, *sandbox.Deployment, error) {
	st, d, err := kubeDeploymentRead(ctx)
	if err != nil {
		return nil, st, d, err
	}
	k, err := w.kube(ctx)
	return k, st, d, err
}

func (w *world) kubeDeploymentExists(ctx context.Context, name string) (context.Context, error) {
	ctx, st := kubeOf(ctx)
	_, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return ctx, err
	}
	st.deployment = &d
	return ctx, nil
}

func kubeLabels(m map[string]string) string {
	if len(m) == 0 {
		return "no labels"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

func (w *world) kubePodLabel(ctx context.Context, key, value string) error {
	_, d, err := kubeDeploymentRead(ctx)
	if err != nil {
		return err
	}
	if got, ok := d.TemplateLabels[key]; ok && got == value {
		return nil
	}
	k, err := w.kube(ctx)
	if err != nil {
		return err
	}
	return &Failure{
		Code:     "label-mismatch",
		Message:  fmt.Sprintf("the pods of the Deployment %q carry the labels %s, not %s=%s: the Service finds the app's pods by that label", d.Name, kubeLabels(d.TemplateLabels), key, value),
		Expected: fmt.Sprintf("%s: %s under spec.template.metadata.labels (and the same in spec.selector.matchLabels)", key, value),
		Observed: kubeLabels(d.TemplateLabels),
		Try:      kubectl(k, "get deployment "+d.Name+" -o jsonpath='{.spec.template.metadata.labels}'"),
		Fix:      fmt.Sprintf("label the pod template %s: %s; the selector cannot change, so delete the Deployment first (kubectl delete deployment %s), then apply its manifest again: kubectl apply -f FILE", key, value, d.Name),
	}
}

// kubePullPolicy is the policy a container gets: the one it names, else the
// API's default for its image.
func kubePullPolicy(c sandbox.PodContainer) string {
	if c.PullPolicy != "" {
		return c.PullPolicy
	}
	if _, tag := splitImageTag(c.Image); tag == "" || tag == "latest" {
		return "Always"
	}
	return "IfNotPresent"
}

func (w *world) kubeImageOffline(ctx context.Context, image string) error {
	k, _, d, err := w.kubeDeploymentReadIn(ctx)
	if err != nil {
		return err
	}
	c, f := kubeRunsImage(k, d, image)
	if f != nil {
		return f
	}
	policy := kubePullPolicy(c)
	if policy == "IfNotPresent" || policy == "Never" {
		w.note("the Deployment %s runs %s with imagePullPolicy %s: the node uses the copy it already has", d.Name, image, policy)
		return nil
	}
	observed := "imagePullPolicy: " + policy
	if c.PullPolicy == "" {
		observed = "no imagePullPolicy, and Kubernetes picks Always for an image without a tag or tagged latest"
	}
	if pods, err := k.DeploymentPods(ctx, *d); err == nil {
		for _, p := range pods {
			if why := p.NotReadyReason(); why != "" {
				observed += fmt.Sprintf("; pod %s: %s", p.Name, why)
				break
			}
		}
	}
	return &Failure{
		Code: "policy-mismatch",
		Message: fmt.Sprintf("the Deployment %q pulls %s with imagePullPolicy: %s, but that image is in no registry: it exists only on your machine and in the cluster's node (kind load put it there), so every pull fails and its pods never start",
			d.Name, image, policy),
		Expected: "imagePullPolicy: IfNotPresent (or Never), so the node uses the image it already has",
		Observed: observed,
		Try:      kubectl(k, "get pods -l "+d.SelectorText),
		Fix:      "set imagePullPolicy: IfNotPresent in the container and apply the manifest again: kubectl apply -f FILE",
	}
}

// kubeRunsImage is the property "runs the image I" of a Deployment's pod
// template: the first of its containers whose image is image or pins it
// at least as strictly (a patch version, a digest, a registry prefix).
// The image's ID lives on the nodes, out of the API server's sight, so
// the reference is all there is to compare.
func kubeRunsImage(k *sandbox.Kube, d *sandbox.Deployment, image string) (sandbox.PodContainer, *Failure) {
	var images []string
	for _, c := range d.Containers {
		if sandbox.PinAtLeast(c.Image, image) {
			return c, nil
		}
		images = append(images, c.Image)
	}
	return sandbox.PodContainer{}, &Failure{
		Code:     "image-differs",
		Message:  fmt.Sprintf("the Deployment %q runs %s, not %s", d.Name, strings.Join(images, ", "), image),
		Expected: "image: " + image,
		Observed: "image: " + strings.Join(images, ", "),
		Try:      kubectl(k, "get deployment "+d.Name+" -o jsonpath='{.spec.template.spec.containers[*].image}'"),
		Fix:      fmt.Sprintf("set image: %s in its manifest and apply it again: kubectl apply -f FILE", image),
	}
}

// kubeReplicas is how many replicas a check wants: exactly n, at least
// n, or (n < 0) whatever the Deployment says.
type kubeReplicas struct {
	n       int
	atLeast bool
}

func (r kubeReplicas) ok(desired int32) bool {
	return r.n < 0 || int(desired) == r.n || (r.atLeast && int(desired) > r.n)
}

func (r kubeReplicas) String() string {
	if r.atLeast {
		return fmt.Sprintf("at least %d", r.n)
	}
	return strconv.Itoa(r.n)
}

// kubeReplicasFailure says a Deployment wants another number of replicas.
// It fails at once: that number only changes when someone changes it.
func kubeReplicasFailure(k *sandbox.Kube, d *sandbox.Deployment, want kubeReplicas) *Failure {
	return &Failure{
		Code:     "count-mismatch",
		Message:  fmt.Sprintf("the Deployment %q wants %d %s, not %s", d.Name, d.Desired, kubePlural(d.Desired, "replica", "replicas"), want),
		Expected: fmt.Sprintf("replicas: %s", want),
		Observed: fmt.Sprintf("replicas: %d (%d available)", d.Desired, d.Available),
		Try:      kubectl(k, "get deployment "+d.Name),
		Fix:      fmt.Sprintf("kubectl scale deployment %s --replicas=%d (or set replicas: %d in its manifest and apply it again: kubectl apply -f FILE)", d.Name, want.n, want.n),
	}
}

func (w *world) kubeWants(ctx context.Context, atLeast string, n int) error {
	_, d, err := kubeDeploymentRead(ctx)
	if err != nil {
		return err
	}
	want := kubeReplicas{n: n, atLeast: atLeast != ""}
	if want.ok(d.Desired) {
		return nil
	}
	k, err := w.kube(ctx)
	if err != nil {
		return err
	}
	return kubeReplicasFailure(k, d, want)
}

func (w *world) kubeRolloutCompletes(ctx context.Context) error {
	k, st, d, err := w.kubeDeploymentReadIn(ctx)
	if err != nil {
		return err
	}
	done, err := w.kubeAwaitRollout(ctx, k, d.Name, kubeReplicas{n: -1})
	if err != nil {
		return err
	}
	st.deployment = &done
	return nil
}

func (w *world) kubeDeploymentAvailable(ctx context.Context, name, atLeast string, n int) (context.Context, error) {
	ctx, st := kubeOf(ctx)
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return ctx, err
	}
	want := kubeReplicas{n: n, atLeast: atLeast != ""}
	if !want.ok(d.Desired) {
		return ctx, kubeReplicasFailure(k, &d, want)
	}
	done, err := w.kubeAwaitRollout(ctx, k, name, want)
	if err != nil {
		return ctx, err
	}
	st.deployment = &done
	return ctx, nil
}

func (w *world) kubeRolloutOf(ctx context.Context, name string) (context.Context, error) {
	ctx, st := kubeOf(ctx)
	k, _, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return ctx, err
	}
	done, err := w.kubeAwaitRollout(ctx, k, name, kubeReplicas{n: -1})
	if err != nil {
		return ctx, err
	}
	st.deployment = &done
	return ctx, nil
}

// kubeAwaitRollout polls the Deployment until its rollout is complete as
// kubectl rollout status judges it, with want replicas available (any
// number when want.n < 0). A pod of the current template that cannot start,
// or a passed progress deadline, fails at once: waiting would not help.
func (w *world) kubeAwaitRollout(ctx context.Context, k *sandbox.Kube, name string, want kubeReplicas) (sandbox.Deployment, error) {
	var d sandbox.Deployment
	var pods []sandbox.Pod
	last := ""
	err := eventually(ctx, kubeRolloutWithin, kubePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		if _, d, err = w.kubeDeployment(ctx, name); err != nil {
			return true, err
		}
		if !want.ok(d.Desired) {
			return true, kubeReplicasFailure(k, &d, want)
		}
		r := d.Rollout()
		if r.Done {
			return true, nil
		}
		if pods, err = k.DeploymentPods(ctx, d); err != nil {
			return true, kubeErr(err)
		}
		for _, p := range pods {
			if wait, stuck := p.Stuck(); stuck && p.Current(d) && !p.Deleting {
				return true, kubeStuckFailure(k, d, p, wait, fmt.Sprintf("pod %s of the Deployment %q cannot start", p.Name, d.Name))
			}
		}
		if r.Failed {
			return true, &Failure{
				Code:     "not-ready",
				Message:  fmt.Sprintf("the rollout of the Deployment %q failed: %s", d.Name, r.Message),
				Expected: fmt.Sprintf("%d of %d replicas available", d.Desired, d.Desired),
				Observed: kubeRolloutObserved(d, pods),
				Try:      kubectl(k, "rollout status deployment/"+d.Name),
				Fix:      fmt.Sprintf("see why its pods do not become Ready: %s", kubectl(k, "describe pods -l "+d.SelectorText)),
			}
		}
		w.kubeProgress(&last, "%s", r.Message)
		return false, kubeRolloutPending(r.Message)
	})
	if err == nil {
		w.note("the Deployment %s has %d of %d %s available; rollout complete", d.Name, d.Available, d.Desired, kubePlural(d.Desired, "replica", "replicas"))
		return d, nil
	}
	var pending kubeRolloutPending
	if ctx.Err() != nil {
		return d, ctx.Err()
	}
	if !errors.As(err, &pending) {
		return d, err
	}
	return d, &Failure{
		Code:     "not-ready",
		Message:  fmt.Sprintf("the rollout of the Deployment %q did not complete within %s", name, kubeRolloutWithin),
		Expected: fmt.Sprintf("%d of %d replicas available", d.Desired, d.Desired),
		Observed: kubeRolloutObserved(d, pods),
		Try:      kubectl(k, "rollout status deployment/"+name),
		Fix:      fmt.Sprintf("see why its pods do not become Ready: %s", kubectl(k, "describe pods -l "+d.SelectorText)),
	}
}

// kubeRolloutPending is kubectl's words for a rollout still under way.
type kubeRolloutPending string

func (p kubeRolloutPending) Error() string { return string(p) }

// kubeRolloutObserved says how a rollout stands and why pods are not
// Ready, naming the pods that share a reason together.
func kubeRolloutObserved(d sandbox.Deployment, pods []sandbox.Pod) string {
	parts := []string{fmt.Sprintf("%d of %d available (%d updated, %d in all)", d.Available, d.Desired, d.Updated, d.Replicas)}
	var reasons []string
	byReason := map[string][]string{}
	for _, p := range pods {
		why := p.NotReadyReason()
		if why == "" {
			continue
		}
		if _, ok := byReason[why]; !ok {
			reasons = append(reasons, why)
		}
		byReason[why] = append(byReason[why], p.Name)
	}
	for _, why := range reasons {
		names := byReason[why]
		label := "pod "
		if len(names) > 1 {
			label = "pods "
		}
		parts = append(parts, label+strings.Join(names, ", ")+": "+why)
	}
	return strings.Join(parts, "; ")
}

// kubeStuckFailure explains a pod that cannot start, by its waiting reason.
func kubeStuckFailure(k *sandbox.Kube, d sandbox.Deployment, p sandbox.Pod, wait sandbox.ContainerWaiting, what string) *Failure {
	f := &Failure{
		Code:     "not-ready",
		Message:  fmt.Sprintf("%s: %s", what, wait.Reason),
		Expected: "pods that start and become Ready",
		Observed: fmt.Sprintf("pod %s: %s", p.Name, p.NotReadyReason()),
		Try:      kubectl(k, "describe pod "+p.Name),
	}
	var policy string
	for _, c := range d.Containers {
		if c.Name == wait.Container {
			policy = kubePullPolicy(c)
		}
	}
	cluster, isKind := sandbox.KindClusterOf(k.Context())
	load := "push it to a registry the cluster can pull from"
	if isKind {
		load = fmt.Sprintf("load it into the cluster's nodes: kind load docker-image %s --name %s", wait.Image, cluster)
	}
	switch {
	case slices.Contains(sandbox.ImagePullReasons, wait.Reason) && policy == "Always":
		f.Message = fmt.Sprintf("%s: imagePullPolicy: Always makes the node pull %s from a registry, but that image is in no registry (%s)", what, wait.Image, wait.Reason)
		f.Fix = "set imagePullPolicy: IfNotPresent in the container and apply the manifest again: kubectl apply -f FILE"
	case wait.Reason == "ErrImageNeverPull":
		f.Message = fmt.Sprintf("%s: the node has no image %s, and imagePullPolicy: Never forbids pulling it (%s)", what, wait.Image, wait.Reason)
		f.Fix = load
	case slices.Contains(sandbox.ImagePullReasons, wait.Reason):
		f.Message = fmt.Sprintf("%s: the node has no image %s and cannot pull it from a registry (%s)", what, wait.Image, wait.Reason)
		f.Fix = load
	case wait.Reason == "CrashLoopBackOff":
		f.Message = fmt.Sprintf("%s: its container %s keeps crashing (%s)", what, wait.Container, wait.Reason)
		f.Try = kubectl(k, "logs "+p.Name+" --previous")
		f.Fix = "read what the app printed before it stopped, and fix that"
	case wait.Reason == "InvalidImageName":
		f.Message = fmt.Sprintf("%s: %q is not a valid image reference (%s)", what, wait.Image, wait.Reason)
		f.Fix = "correct image: in the manifest and apply it again: kubectl apply -f FILE"
	}
	return f
}

func (w *world) kubeDeploymentEnv(ctx context.Context, name, key, want string) (context.Context, error) {
	ctx, st := kubeOf(ctx)
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return ctx, err
	}
	st.deployment = &d
	try := kubectl(k, "set env deployment/"+name+" --list")
	expected := fmt.Sprintf("env: - name: %s value: %s", key, want)
	for _, c := range d.Containers {
		v, ok, err := k.Env(ctx, c, key)
		if err != nil {
			return ctx, kubeErr(err)
		}
		if !ok {
			continue
		}
		if v.Missing != "" {
			return ctx, &Failure{
				Code:     "env-mismatch",
				Message:  fmt.Sprintf("the container %s of the Deployment %q takes %s from the %s, but %s", c.Name, name, key, v.From, v.Missing),
				Expected: expected,
				Observed: fmt.Sprintf("%s from the %s; %s", key, v.From, v.Missing),
				Try:      try,
				Fix:      fmt.Sprintf("create it with the key %s set to %s, or set the value itself: kubectl set env deployment/%s %s=%s", v.Key, want, name, key, want),
			}
		}
		if v.From != "" && !v.Resolved {
			return ctx, &Failure{
				Code:     "env-mismatch",
				Message:  fmt.Sprintf("the container %s of the Deployment %q takes %s from the %s, which the lab does not read", c.Name, name, key, v.From),
				Expected: expected,
				Observed: fmt.Sprintf("%s from the %s", key, v.From),
				Try:      try,
				Fix:      fmt.Sprintf("set the value itself, or take it from a ConfigMap or Secret: kubectl set env deployment/%s %s=%s", name, key, want),
			}
		}
		es := envSubject{subject: subject{who: fmt.Sprintf("the container %s of the Deployment %q", c.Name, name), try: try},
			inside: "a pod", itself: "that pod", peer: "the Service's name"}
		f := es.setsEnv(key, v.Value, true, want, expected)
		if f == nil {
			if v.From != "" {
				w.note("the container %s takes %s=%s from the %s", c.Name, key, v.Value, v.From)
			}
			return ctx, nil
		}
		f.Fix = fmt.Sprintf("kubectl set env deployment/%s %s=%s (or change it in the manifest and apply it again: kubectl apply -f FILE)", name, key, want)
		loopback := isLoopback(dbHostName(v.Value))
		switch {
		case v.From != "":
			if !loopback {
				f.Message = fmt.Sprintf("%s takes %s from the %s, which says %q, not %q", es.who, key, v.From, v.Value, want)
			}
			kind, obj := "configmap", v.ConfigMap
			if obj == "" {
				kind, obj = "secret", v.Secret
			}
			f.Fix = fmt.Sprintf("set the key %s of that %s to %s (kubectl edit %s %s, or change its manifest and apply it again), then restart the pods so they read it: kubectl rollout restart deployment/%s", v.Key, kind, want, kind, obj, name)
		case loopback:
			f.Fix = fmt.Sprintf("pods reach a Service by its name: kubectl set env deployment/%s %s=%s", name, key, want)
		}
		return ctx, f
	}
	f := envSubject{subject: subject{who: fmt.Sprintf("the Deployment %q", name), try: try}}.setsEnv(key, "", false, want, expected)
	f.Observed = "no " + key + " in its containers' environment"
	f.Fix = fmt.Sprintf("kubectl set env deployment/%s %s=%s (or add it under env: in the manifest and apply it again: kubectl apply -f FILE)", name, key, want)
	return ctx, f
}
