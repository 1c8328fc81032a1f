package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// DefaultNamespace is where lesson objects live when neither the caller
// nor the kubeconfig context names a namespace.
const DefaultNamespace = "default"

// kubePingTimeout bounds the first contact with an API server, so a cluster
// that is gone is reported at once instead of after a long network timeout.
const kubePingTimeout = 5 * time.Second

// createClusterFix is what a learner without the course's cluster does:
// make it from config, the workspace file of the course's kind
// configuration, or with lab cluster up when the course keeps none.
func createClusterFix(config string) string {
	if config == "" {
		return "create the cluster: lab cluster up"
	}
	return "create the cluster: kind create cluster --config " + config + " (or: lab cluster up)"
}

// WithKindConfig names config, the workspace file of the course's kind
// configuration, in the fix of err when err is a *KubeError, so the fix
// points at the course's own file. It returns err.
func WithKindConfig(err error, config string) error {
	var ke *KubeError
	if errors.As(err, &ke) {
		ke.KindConfig = config
	}
	return err
}

// Kube is a connection to one namespace of one Kubernetes cluster, chosen by
// a kubeconfig context. Every check names its context and namespace, so the
// same lessons run against kind on a laptop or a shared cluster with one
// namespace per learner.
type Kube struct {
	client    *kubeclient.Client
	context   string
	namespace string
	server    string
	current   string
}

// NewKube wraps a client (a real one, or one over client-go's fake dynamic
// client in tests)
// for the given context and namespace.
func NewKube(client *kubeclient.Client, contextName, namespace string) *Kube {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	return &Kube{client: client, context: contextName, namespace: namespace, current: contextName}
}

// Context is the kubeconfig context the connection uses.
func (k *Kube) Context() string { return k.context }

// Namespace is the namespace every call looks in.
func (k *Kube) Namespace() string { return k.namespace }

// Server is the API server's address, for messages.
func (k *Kube) Server() string { return k.server }

// CurrentContext is the kubeconfig's current context when the connection
// was made: plain kubectl talks to it, so a command shown to the learner
// names --context only when the two differ.
func (k *Kube) CurrentContext() string { return k.current }

// KubeconfigPaths lists the kubeconfig files kubectl reads with the
// environment getenv: the entries of KUBECONFIG, else ~/.kube/config.
func KubeconfigPaths(getenv func(string) string) []string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv("KUBECONFIG"); v != "" {
		var paths []string
		for _, p := range filepath.SplitList(v) {
			if p != "" && !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
		if len(paths) > 0 {
			return paths
		}
	}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return []string{filepath.Join(home, ".kube", "config")}
}

// Kubeconfig is what the kubeconfig files say, read without contacting any
// cluster.
type Kubeconfig struct {
	Paths    []string // the files kubectl would read, existing or not
	Found    []string // those that exist
	Contexts []string // every context, sorted
	Current  string   // the current context; empty when none is set
	raw      *clientcmdapi.Config
}

// HasContext reports whether the kubeconfig defines the context.
func (c Kubeconfig) HasContext(name string) bool { return slices.Contains(c.Contexts, name) }

// ReadKubeconfig reads the kubeconfig files kubectl would read with the
// environment getenv. No file at all is not an error: the result then has
// no contexts. A file that cannot be read or parsed is.
func ReadKubeconfig(getenv func(string) string) (Kubeconfig, error) {
	c := Kubeconfig{Paths: KubeconfigPaths(getenv)}
	for _, p := range c.Paths {
		_, err := os.Stat(p)
		switch {
		case err == nil:
			c.Found = append(c.Found, p)
		case !errors.Is(err, os.ErrNotExist):
			return c, fmt.Errorf("reading kubeconfig %s: %w", p, err)
		}
	}
	if len(c.Found) == 0 {
		return c, nil
	}
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: c.Found}
	raw, err := rules.Load()
	if err != nil {
		return c, fmt.Errorf("reading kubeconfig %s: %w", strings.Join(c.Found, string(filepath.ListSeparator)), err)
	}
	c.raw = raw
	c.Current = raw.CurrentContext
	for name := range raw.Contexts {
		c.Contexts = append(c.Contexts, name)
	}
	slices.Sort(c.Contexts)
	return c, nil
}

// ConnectKube connects to the cluster of the kubeconfig context contextName
// (empty: the current context), in namespace (empty: the context's
// namespace, else "default"). The kubeconfig comes from KUBECONFIG as
// getenv gives it, else ~/.kube/config. It asks the API server for its
// version within a few seconds, so a missing or stopped cluster is a
// *KubeError that says what to do, not a hang.
func ConnectKube(ctx context.Context, getenv func(string) string, contextName, namespace string) (*Kube, error) {
	kc, err := ReadKubeconfig(getenv)
	if err != nil {
		return nil, err
	}
	if len(kc.Found) == 0 {
		return nil, &KubeError{Reason: KubeNoKubeconfig, Context: contextName, Kubeconfig: kc.Paths}
	}
	if contextName == "" {
		contextName = kc.Current
	}
	kctx, ok := kc.raw.Contexts[contextName]
	if contextName == "" || !ok {
		return nil, &KubeError{Reason: KubeNoContext, Context: contextName, Kubeconfig: kc.Found, Contexts: kc.Contexts}
	}
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: kc.Found}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*kc.raw, contextName, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the context %q of kubeconfig %s: %w", contextName, strings.Join(kc.Found, string(filepath.ListSeparator)), err)
	}
	// Checks poll a few objects at a time; client-go's default of 5
	// requests a second would make them wait on themselves.
	cfg.QPS, cfg.Burst = 50, 100
	client, err := kubeclient.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating a Kubernetes client for the context %q: %w", contextName, err)
	}
	if namespace == "" {
		namespace = kctx.Namespace
	}
	k := NewKube(client, contextName, namespace)
	k.server, k.current = cfg.Host, kc.Current

	pctx, cancel := context.WithTimeout(ctx, kubePingTimeout)
	defer cancel()
	if _, err := client.ServerVersion(pctx); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connecting to the cluster of the context %q: %w", contextName, ctx.Err())
		}
		return nil, &KubeError{Reason: KubeUnreachable, Context: contextName, Server: cfg.Host, Kubeconfig: kc.Found, Cause: err}
	}
	return k, nil
}

// KubeReason says why there is no usable cluster.
type KubeReason int

// The reasons a cluster cannot be used.
const (
	// KubeNoKubeconfig: no kubeconfig file exists, so no cluster was ever
	// set up on this machine (kind writes the file when it creates one).
	KubeNoKubeconfig KubeReason = iota + 1
	// KubeNoContext: the kubeconfig has no context of that name.
	KubeNoContext
	// KubeUnreachable: the context names an API server that does not answer.
	KubeUnreachable
)

// KubeError says the lessons' cluster cannot be used. It is an environment
// problem, never a failed check, and its text ends with what to do.
type KubeError struct {
	Reason     KubeReason
	Context    string
	Server     string   // the API server's address, when known
	Kubeconfig []string // the kubeconfig files read (or looked for)
	Contexts   []string // the contexts the kubeconfig does have
	Cause      error
	// KindConfig is the workspace file of the course's kind configuration
	// (its cluster config), named in the fix; empty when it keeps none.
	KindConfig string
}

// Error says what is missing or silent, then the fix.
func (e *KubeError) Error() string {
	var b strings.Builder
	var cause error // said only where it explains the reason
	files := strings.Join(e.Kubeconfig, string(filepath.ListSeparator))
	switch e.Reason {
	case KubeNoKubeconfig:
		fmt.Fprintf(&b, "no Kubernetes cluster is set up: there is no kubeconfig (looked for %s)", files)
	case KubeNoContext:
		if e.Context == "" {
			fmt.Fprintf(&b, "the kubeconfig %s has no current context", files)
		} else {
			fmt.Fprintf(&b, "the kubeconfig %s has no context %q", files, e.Context)
		}
		if len(e.Contexts) > 0 {
			fmt.Fprintf(&b, " (it has: %s)", strings.Join(e.Contexts, ", "))
		} else {
			b.WriteString(" (it has none)")
		}
	case KubeUnreachable:
		fmt.Fprintf(&b, "the cluster of the context %q does not answer", e.Context)
		if e.Server != "" {
			fmt.Fprintf(&b, " at %s", e.Server)
		}
		cause = e.Cause
	default:
		fmt.Fprintf(&b, "cannot use the cluster of the context %q", e.Context)
		cause = e.Cause
	}
	return withFix(b.String(), cause, e.Fix())
}

// Unwrap gives the connection error, for errors.Is and errors.As.
func (e *KubeError) Unwrap() error { return e.Cause }

// Fix says what to do, ending with a command that shows the problem.
func (e *KubeError) Fix() string {
	cluster, isKind := strings.CutPrefix(e.Context, "kind-")
	switch {
	case e.Reason == KubeUnreachable && isKind:
		return fmt.Sprintf("is the kind cluster %q running? see: docker ps -a --filter label=%s=%s; start a stopped node with docker start %s-control-plane, or delete and create the cluster again: kind delete cluster --name %s, then %s",
			cluster, KindClusterLabel, cluster, cluster, cluster, createClusterFix(e.KindConfig))
	case e.Reason == KubeUnreachable:
		return fmt.Sprintf("check the network and the cluster; see: kubectl --context %s cluster-info", e.Context)
	case e.Reason == KubeNoContext && e.Context != "" && !isKind:
		return "check the context's name; see: kubectl config get-contexts"
	}
	return createClusterFix(e.KindConfig) + "; see: kubectl config get-contexts"
}

// IsKubeUnavailable reports whether err says the cluster is missing or not
// answering, as opposed to a check finding something wrong in it.
func IsKubeUnavailable(err error) bool {
	var k *KubeError
	return errors.As(err, &k)
}

// IsKubeAbsent reports whether err says there is no such cluster
// configured at all: no kubeconfig, or no such context in it.
func IsKubeAbsent(err error) bool {
	var k *KubeError
	return errors.As(err, &k) && (k.Reason == KubeNoKubeconfig || k.Reason == KubeNoContext)
}

// wrap adds what the call was doing to an API error. An API server that
// stopped answering becomes a *KubeError; an object that does not exist a
// *NotFoundError of the given kind.
func (k *Kube) wrap(err error, kind, name, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if apierrors.IsNotFound(err) && name != "" {
		return &NotFoundError{Kind: kind, Name: name, Err: err}
	}
	if kubeConnectionLost(err) {
		return &KubeError{Reason: KubeUnreachable, Context: k.context, Server: k.server, Cause: err}
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// kubeConnectionLost tells a failed connection (refused, reset, timed out,
// no route) from an answer the API server gave.
func kubeConnectionLost(err error) bool {
	var status apierrors.APIStatus
	if errors.As(err, &status) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var op *net.OpError
	var dns *net.DNSError
	var uerr *url.Error
	return errors.As(err, &op) || errors.As(err, &dns) || errors.As(err, &uerr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// KindClusterOf names the kind cluster a kubeconfig context belongs to
// ("kind-lab" is the cluster "lab"); ok is false for other contexts.
func KindClusterOf(contextName string) (cluster string, ok bool) {
	cluster, ok = strings.CutPrefix(contextName, "kind-")
	return cluster, ok && cluster != ""
}
