package features

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lab-workshop/lab/sandbox"
)

// kubeKindCluster names the kind cluster of the run's context, or fails when
// the context is not kind's.
func (w *world) kubeKindCluster() (string, bool) {
	contextName := w.target().KubeContext
	return sandbox.KindClusterOf(contextName)
}

func kubeNodeList(nodes []sandbox.Container) string {
	var parts []string
	for _, n := range nodes {
		parts = append(parts, fmt.Sprintf("%s (%s)", n.Name, n.State))
	}
	return strings.Join(parts, ", ")
}

func (w *world) kubeObjectsGone(ctx context.Context) error {
	var objs []sandbox.KubeObject
	var all []string
	for _, s := range w.step.Lesson.Steps {
		for _, ref := range s.Resources.Kubernetes {
			o, err := sandbox.ParseKubeObject(ref)
			if err != nil {
				return fmt.Errorf("%s: resources: %w", s.Key(), err)
			}
			if !slices.Contains(objs, o) {
				objs = append(objs, o)
				all = append(all, o.String())
			}
		}
	}
	if cluster, isKind := w.kubeKindCluster(); isKind {
		nodes, err := w.kindNodesLeft(ctx, cluster)
		if err != nil {
			return err
		}
		if len(nodes) == 0 {
			w.note("the kind cluster %s is gone, and every object that was in it", cluster)
			return nil
		}
		running := slices.ContainsFunc(nodes, func(c sandbox.Container) bool { return c.State == "running" })
		if !running {
			return &Failure{
				Code:     "left-behind",
				Message:  fmt.Sprintf("the kind cluster %q still exists, stopped, and with it whatever was in it", cluster),
				Expected: "no cluster " + cluster,
				Observed: "node containers " + kubeNodeList(nodes),
				Try:      "kind get clusters",
				Fix:      "kind delete cluster --name " + cluster,
			}
		}
	}
	k, err := w.kube(ctx)
	if err != nil {
		return err
	}
	found, err := k.FindObjects(ctx, objs)
	if err != nil {
		return kubeErr(err)
	}
	if len(found) == 0 {
		w.note("none of the lesson's objects is left in the cluster: %s", strings.Join(all, ", "))
		return nil
	}
	var left []string
	for _, o := range found {
		left = append(left, o.String())
	}
	return &Failure{
		Code:     "left-behind",
		Message:  fmt.Sprintf("the lesson's objects are still in the cluster: %s", strings.Join(left, ", ")),
		Expected: "none of " + strings.Join(all, ", "),
		Observed: strings.Join(left, ", "),
		Try:      kubectl(k, "get deployments,services"),
		Fix:      "delete what the manifests made: kubectl delete -f FILE for each of them, or kubectl delete KIND NAME",
	}
}

// kindNodesLeft lists the node containers of a kind cluster, running or
// not; none when the cluster is gone.
func (w *world) kindNodesLeft(ctx context.Context, cluster string) ([]sandbox.Container, error) {
	e, err := w.engine(ctx)
	if err != nil {
		return nil, err
	}
	nodes, err := e.KindNodes(ctx, cluster)
	if err != nil {
		return nil, composeEngineErr(err)
	}
	return nodes, nil
}

func (w *world) kubeNodesGone(ctx context.Context, cluster string) error {
	nodes, err := w.kindNodesLeft(ctx, cluster)
	if err != nil {
		return err
	}
	if len(nodes) == 0 {
		return nil
	}
	return &Failure{
		Code:     "left-behind",
		Message:  fmt.Sprintf("the kind cluster %q still exists: its node containers are %s", cluster, kubeNodeList(nodes)),
		Expected: "no node container of the cluster " + cluster,
		Observed: kubeNodeList(nodes),
		Try:      fmt.Sprintf("docker ps -a --filter label=%s=%s", sandbox.KindClusterLabel, cluster),
		Fix:      "kind delete cluster --name " + cluster,
	}
}

func (w *world) kubeContextGone(ctx context.Context, name string) error {
	kc, err := w.target().Kubeconfig()
	if err != nil {
		return err
	}
	files := strings.Join(kc.Found, ", ")
	fix := fmt.Sprintf("kubectl config delete-context %s", name)
	if cluster, isKind := sandbox.KindClusterOf(name); isKind {
		fix = fmt.Sprintf("kind delete cluster --name %s removes the cluster's context too (or: kubectl config delete-context %s)", cluster, name)
	}
	observed := "contexts: " + strings.Join(kc.Contexts, ", ")
	if kc.Current != "" {
		observed += "; current: " + kc.Current
	}
	switch {
	case kc.HasContext(name):
		return &Failure{
			Code:     "left-behind",
			Message:  fmt.Sprintf("the kubeconfig %s still has the context %q, but its cluster is gone: kubectl commands there fail with \"connection refused\"", files, name),
			Expected: "no context " + name,
			Observed: observed,
			Try:      "kubectl config get-contexts",
			Fix:      fix,
		}
	case kc.Current == name:
		return &Failure{
			Code:     "left-behind",
			Message:  fmt.Sprintf("the kubeconfig %s still names %q as its current context, which no longer exists", files, name),
			Expected: "another current context, or none",
			Observed: observed,
			Try:      "kubectl config current-context",
			Fix:      "kubectl config unset current-context (or kubectl config use-context <another>)",
		}
	}
	return nil
}
