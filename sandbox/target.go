package sandbox

import (
	"context"
	"slices"
	"strings"
)

// Target is where one learner's checks look, resolved once from the
// environment they were given: the Docker endpoint, the kubeconfig
// context and namespace of the cluster, and the environment the tools the
// checks run (docker, docker compose, kind, kubectl) get. Every check
// reads it instead of the process environment, so one process can check
// many learners, each against their own engine or namespace.
type Target struct {
	// Env is the environment the target was resolved from.
	Env []string
	// Docker is the engine's endpoint; DockerErr, when set, says why none
	// could be resolved (a docker context that does not exist), for the
	// first check that needs the engine to report.
	Docker    Endpoint
	DockerErr error
	// KubeContext and Namespace are the kubeconfig context and namespace
	// of the cluster; an empty namespace is the context's own.
	KubeContext string
	Namespace   string
	// KindConfig is the workspace file of the course's kind configuration,
	// named in the fix when the cluster is missing (empty: none).
	KindConfig string
}

// The variables that point a target's cluster checks at another context,
// or at one namespace per learner of a shared cluster.
const (
	KubeContextVar   = "LAB_KUBE_CONTEXT"
	KubeNamespaceVar = "LAB_KUBE_NAMESPACE"
)

// ResolveTarget resolves the target of env (not the process environment:
// nil is an empty environment). The cluster is the context LAB_KUBE_CONTEXT
// names, else defaultContext, in LAB_KUBE_NAMESPACE when set.
func ResolveTarget(env []string, defaultContext string) Target {
	t := Target{Env: slices.Clone(env)}
	if t.Env == nil {
		t.Env = []string{}
	}
	t.Docker, t.DockerErr = ResolveEndpoint(t.Getenv)
	t.KubeContext = t.Getenv(KubeContextVar)
	if t.KubeContext == "" {
		t.KubeContext = defaultContext
	}
	t.Namespace = t.Getenv(KubeNamespaceVar)
	return t
}

// Getenv looks a variable up in the target's environment. An empty value
// counts as unset, as it does for the docker CLI.
func (t *Target) Getenv(key string) string {
	for i := len(t.Env) - 1; i >= 0; i-- {
		k, v, ok := strings.Cut(t.Env[i], "=")
		if ok && k == key {
			return v
		}
	}
	return ""
}

// Kubeconfig reads the kubeconfig files kubectl would read in the target's
// environment.
func (t *Target) Kubeconfig() (Kubeconfig, error) { return ReadKubeconfig(t.Getenv) }

// ConnectKube connects to the target's cluster, in its namespace.
func (t *Target) ConnectKube(ctx context.Context) (*Kube, error) {
	k, err := ConnectKube(ctx, t.Getenv, t.KubeContext, t.Namespace)
	return k, WithKindConfig(err, t.KindConfig)
}

// Connect connects to the target's Docker engine.
func (t *Target) Connect(ctx context.Context) (*Engine, error) {
	if t.DockerErr != nil {
		return nil, t.DockerErr
	}
	return Connect(ctx, t.Docker)
}
