package features

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// defaultKubeContext is the cluster the checks of a course that declares
// no cluster look at unless the target names another
// (sandbox.KubeContextVar): the context kind writes for the cluster "lab",
// which the checks looked at before a course could declare its own.
const defaultKubeContext = "kind-lab"

// KubeContext is the kubeconfig context the checks of course look at unless
// the target names another: that of the kind cluster the course declares,
// or defaultKubeContext for a course that declares none.
func KubeContext(course *lessons.Course) string {
	if course == nil || course.Cluster == nil {
		return defaultKubeContext
	}
	return sandbox.KubeContextOf(course.Cluster.Name)
}

// kubeConn is a run's connection to the cluster, made when a check first
// needs it and then shared by the run's checks.
type kubeConn struct {
	kube   *sandbox.Kube
	err    error
	dialed bool
}

// kubeCluster connects on first use, with the run's environment (its
// KUBECONFIG), and then reuses the connection.
func (r *run) kubeCluster(ctx context.Context) (*sandbox.Kube, error) {
	c := &r.cluster
	if !c.dialed {
		c.dialed = true
		c.kube, c.err = r.target.ConnectKube(ctx)
	}
	return c.kube, c.err
}

// kube returns the cluster, or an EnvError saying how to create or start
// it: every step of lesson 7 needs the cluster lesson 6 made.
func (w *world) kube(ctx context.Context) (*sandbox.Kube, error) {
	k, err := w.run.kubeCluster(ctx)
	if err != nil {
		return nil, &EnvError{Err: err}
	}
	return k, nil
}

// kubeErr turns a cluster that stopped answering into an environment
// error; any other error stays what it is.
func kubeErr(err error) error {
	if sandbox.IsKubeUnavailable(err) {
		return &EnvError{Err: err}
	}
	return err
}

// kubectl renders a kubectl command the learner can run to see what the
// check saw: with --context when plain kubectl would talk to another
// cluster, with -n when the objects are not in the default namespace.
func kubectl(k *sandbox.Kube, args string) string {
	var flags []string
	if k != nil {
		if k.CurrentContext() != k.Context() {
			flags = append(flags, "--context "+k.Context())
		}
		if k.Namespace() != sandbox.DefaultNamespace {
			flags = append(flags, "-n "+k.Namespace())
		}
	}
	if len(flags) == 0 {
		return "kubectl " + args
	}
	return "kubectl " + strings.Join(flags, " ") + " " + args
}

// kubeLeftovers finds which of the Kubernetes objects lesson steps name
// still exist, for selftest's proof that cleanup leaves nothing. A kind
// cluster that does not exist at all holds nothing; a cluster that exists
// but cannot be asked is an error, never "nothing left".
type kubeLeftovers struct {
	run  *run
	gone bool // the kind cluster has no node container
}

func (f *kubeLeftovers) find(ctx context.Context, refs []string) ([]string, error) {
	found, _, err := f.objects(ctx, refs)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range found {
		out = append(out, "kubernetes "+o.String())
	}
	return out, nil
}

// objects returns those of refs that exist, and the cluster they are in;
// none (and no cluster) when the kind cluster is gone.
func (f *kubeLeftovers) objects(ctx context.Context, refs []string) ([]sandbox.KubeObject, *sandbox.Kube, error) {
	var objs []sandbox.KubeObject
	for _, ref := range refs {
		o, err := sandbox.ParseKubeObject(ref)
		if err != nil {
			return nil, nil, err
		}
		objs = append(objs, o)
	}
	if f.gone || len(objs) == 0 {
		return nil, nil, nil
	}
	k, err := f.run.kubeCluster(ctx)
	if err != nil {
		gone, gerr := f.clusterGone(ctx, err)
		if gerr != nil {
			return nil, nil, gerr
		}
		f.gone = gone
		return nil, nil, nil
	}
	found, err := k.FindObjects(ctx, objs)
	if err != nil {
		return nil, nil, fmt.Errorf("looking for Kubernetes objects in the context %q: %w", k.Context(), err)
	}
	return found, k, nil
}

// KubeResources are the Kubernetes objects some steps name that exist now,
// for lab reset.
type KubeResources struct {
	// Found are the objects that exist, each with its creation time.
	Found   []sandbox.KubeObject
	kube    *sandbox.Kube
	release func()
}

// FindKubeResources looks for the objects refs name ("deployment/lab-app")
// in the cluster the checks of course use, with env's KUBECONFIG, LAB_KUBE_CONTEXT and
// LAB_KUBE_NAMESPACE. A kind cluster that does not exist holds none; one
// that exists but does not answer is an error.
func FindKubeResources(ctx context.Context, course *lessons.Course, env []string, refs []string) (*KubeResources, error) {
	r := newRun(Options{Env: env}, course)
	found, k, err := (&kubeLeftovers{run: r}).objects(ctx, refs)
	if err != nil {
		r.close()
		return nil, err
	}
	return &KubeResources{Found: found, kube: k, release: r.close}, nil
}

// Where names the context and namespace the objects are in.
func (r *KubeResources) Where() string {
	if r.kube == nil {
		return ""
	}
	return fmt.Sprintf("context %s, namespace %s", r.kube.Context(), r.kube.Namespace())
}

// Remove deletes objs, some of those found.
func (r *KubeResources) Remove(ctx context.Context, objs []sandbox.KubeObject) error {
	if r.kube == nil || len(objs) == 0 {
		return nil
	}
	return r.kube.DeleteObjects(ctx, objs)
}

// Close releases the connections.
func (r *KubeResources) Close() { r.release() }

// clusterGone decides, after connecting failed with cause, whether that is
// because the kind cluster no longer exists: no kubeconfig or context, or
// an API server that does not answer, while the Docker engine answers and
// lists no node container of the cluster.
func (f *kubeLeftovers) clusterGone(ctx context.Context, cause error) (bool, error) {
	cluster, isKind := sandbox.KindClusterOf(f.run.target.KubeContext)
	if !isKind || !sandbox.IsKubeUnavailable(cause) {
		return false, cause
	}
	e, err := f.run.dockerEngine(ctx)
	if err != nil {
		return false, fmt.Errorf("%w; and the Docker engine cannot tell whether the kind cluster %q still exists: %w", cause, cluster, err)
	}
	nodes, err := e.KindNodes(ctx, cluster)
	if err != nil {
		return false, errors.Join(cause, err)
	}
	if len(nodes) > 0 {
		var names []string
		for _, n := range nodes {
			names = append(names, fmt.Sprintf("%s (%s)", n.Name, n.State))
		}
		return false, fmt.Errorf("the kind cluster %q still has node containers %s, but its objects cannot be looked for: %w", cluster, strings.Join(names, ", "), cause)
	}
	return true, nil
}
