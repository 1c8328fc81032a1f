package classcluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// The names of what lab makes in each learner's namespace, and the labels
// and annotations that tie a namespace to its learner.
const (
	AccountName = "lab-learner"       // ServiceAccount, Role, RoleBinding, ResourceQuota, LimitRange
	TokenSecret = "lab-learner-token" // the ServiceAccount's long-lived token

	LabelManaged  = "lab.managed"
	LabelLearner  = "lab.class/learner"
	AnnotName     = "lab.class/learner-name"
	AnnotNodePort = "lab.class/node-port"
)

// Options say how to prepare the class.
type Options struct {
	Learners []Learner
	Ports    PortRange
	// TokenWait is how long to wait for Kubernetes to fill a learner's
	// token Secret.
	TokenWait time.Duration
	// Progress receives one line per thing done or waited for.
	Progress func(string)
}

// Prepared is one learner ready to work: their namespace, node port and
// token.
type Prepared struct {
	Learner
	NodePort int
	Token    string
	CA       []byte // the cluster's CA, from the token Secret
	Created  bool   // the namespace is new in this run
}

// Prepare makes, for every learner, whatever of their namespace, account,
// RBAC, quota, limits and token does not exist yet, and assigns each new
// learner a free node port of the range. It never deletes or changes what
// exists: running it again keeps every learner's namespace, port and
// token, so the files already handed out stay valid.
func Prepare(ctx context.Context, client *kubeclient.Client, opts Options) ([]Prepared, error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	if opts.TokenWait <= 0 {
		opts.TokenWait = 2 * time.Minute
	}
	taken, err := takenPorts(ctx, client)
	if err != nil {
		return nil, err
	}
	var out []Prepared
	for _, l := range opts.Learners {
		p, err := prepareOne(ctx, client, l, opts, taken, progress)
		if err != nil {
			return out, fmt.Errorf("preparing the namespace %s of %q: %w", l.Namespace, l.Name, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// takenPorts are the node ports the cluster's Services use and those the
// class's existing namespaces were assigned.
func takenPorts(ctx context.Context, client *kubeclient.Client) (map[int]string, error) {
	taken := map[int]string{}
	svcs, err := client.Services("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing the cluster's Services for the node ports in use: %w", err)
	}
	for _, s := range svcs.Items {
		for _, p := range s.Spec.Ports {
			if p.NodePort != 0 {
				taken[int(p.NodePort)] = "the Service " + s.Namespace + "/" + s.Name
			}
		}
	}
	nss, err := client.Namespaces().List(ctx, metav1.ListOptions{LabelSelector: LabelLearner})
	if err != nil {
		return nil, fmt.Errorf("listing the class's namespaces: %w", err)
	}
	for _, ns := range nss.Items {
		if p, err := strconv.Atoi(ns.Annotations[AnnotNodePort]); err == nil {
			taken[p] = "the learner namespace " + ns.Name
		}
	}
	return taken, nil
}

func prepareOne(ctx context.Context, client *kubeclient.Client, l Learner, opts Options, taken map[int]string, progress func(string)) (Prepared, error) {
	p := Prepared{Learner: l}
	ns, err := client.Namespaces().Get(ctx, l.Namespace, metav1.GetOptions{})
	switch {
	case err == nil:
		if ns.Labels[LabelLearner] != l.Slug {
			return p, fmt.Errorf("the namespace exists and is not lab's namespace of this learner (no label %s=%s); lab leaves it alone: choose another --prefix", LabelLearner, l.Slug)
		}
		port, perr := strconv.Atoi(ns.Annotations[AnnotNodePort])
		if perr != nil {
			return p, fmt.Errorf("the namespace has no node port in its annotation %s; set it (kubectl annotate namespace %s %s=PORT) or delete the namespace and run again", AnnotNodePort, l.Namespace, AnnotNodePort)
		}
		p.NodePort = port
		progress(fmt.Sprintf("%s: namespace %s exists (node port %d), kept", l.Name, l.Namespace, port))
	case apierrors.IsNotFound(err):
		port, ok := freePort(opts.Ports, taken)
		if !ok {
			return p, fmt.Errorf("every node port of %s is taken; give a larger --node-ports range", opts.Ports)
		}
		taken[port] = "the learner namespace " + l.Namespace
		ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name: l.Namespace,
			Labels: map[string]string{
				LabelManaged: "true",
				LabelLearner: l.Slug,
				// Pods that could reach the node (privileged, host paths,
				// host network) would reach every learner's pods too.
				"pod-security.kubernetes.io/enforce": "baseline",
			},
			Annotations: map[string]string{AnnotName: l.Name, AnnotNodePort: strconv.Itoa(port)},
		}}
		if _, err := client.Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			return p, fmt.Errorf("creating the namespace: %w", err)
		}
		p.NodePort, p.Created = port, true
		progress(fmt.Sprintf("%s: namespace %s created, node port %d", l.Name, l.Namespace, port))
	default:
		return p, fmt.Errorf("looking for the namespace: %w", err)
	}
	for _, obj := range append(namespaceObjects(l.Namespace), nodePortObjects(l, p.NodePort)...) {
		if err := obj.create(ctx, client); err != nil && !apierrors.IsAlreadyExists(err) {
			return p, fmt.Errorf("creating the %s %s: %w", obj.kind, AccountName, err)
		}
	}
	p.Token, p.CA, err = waitToken(ctx, client, l, opts.TokenWait, progress)
	return p, err
}

func freePort(r PortRange, taken map[int]string) (int, bool) {
	for port := r.First; port <= r.Last; port++ {
		if _, ok := taken[port]; !ok {
			return port, true
		}
	}
	return 0, false
}

type object struct {
	kind   string
	create func(context.Context, *kubeclient.Client) error
}

// namespaceObjects are the account, its rights, quota and limits, and its
// token Secret, all named AccountName (the Secret TokenSecret).
func namespaceObjects(ns string) []object {
	meta := metav1.ObjectMeta{Name: AccountName, Namespace: ns, Labels: map[string]string{LabelManaged: "true"}}
	opts := metav1.CreateOptions{}
	return []object{
		{"ServiceAccount", func(ctx context.Context, c *kubeclient.Client) error {
			_, err := c.ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta}, opts)
			return err
		}},
		{"Role", func(ctx context.Context, c *kubeclient.Client) error {
			_, err := c.Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: meta, Rules: LearnerRules()}, opts)
			return err
		}},
		{"RoleBinding", func(ctx context.Context, c *kubeclient.Client) error {
			_, err := c.RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
				ObjectMeta: meta,
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: AccountName},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: AccountName, Namespace: ns}},
			}, opts)
			return err
		}},
		{"ResourceQuota", func(ctx context.Context, c *kubeclient.Client) error {
			_, err := c.ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{ObjectMeta: meta, Spec: corev1.ResourceQuotaSpec{Hard: Quota()}}, opts)
			return err
		}},
		{"LimitRange", func(ctx context.Context, c *kubeclient.Client) error {
			_, err := c.LimitRanges(ns).Create(ctx, &corev1.LimitRange{ObjectMeta: meta, Spec: Limits()}, opts)
			return err
		}},
		{"Secret", func(ctx context.Context, c *kubeclient.Client) error {
			m := meta
			m.Name = TokenSecret
			m.Annotations = map[string]string{corev1.ServiceAccountNameKey: AccountName}
			_, err := c.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: m, Type: corev1.SecretTypeServiceAccountToken}, opts)
			return err
		}},
	}
}

// NodePortRule names the admission policy, and its binding, that keep a
// learner's Services to the node port the class gave them: the quota
// allows one NodePort Service, and this rule says which port it may use.
func NodePortRule(namespace string) string { return "lab-node-port-" + namespace }

// nodePortObjects are the learner's node port rule: a ValidatingAdmissionPolicy
// that refuses a Service with any node port but theirs, and its binding,
// which applies it in their namespace only. Both are cluster-wide objects,
// which the learner's account cannot change.
func nodePortObjects(l Learner, port int) []object {
	name := NodePortRule(l.Namespace)
	meta := metav1.ObjectMeta{Name: name, Labels: map[string]string{LabelManaged: "true", LabelLearner: l.Slug}}
	opts := metav1.CreateOptions{}
	return []object{
		{"ValidatingAdmissionPolicy", func(ctx context.Context, c *kubeclient.Client) error {
			_, err := c.ValidatingAdmissionPolicies().Create(ctx, NodePortPolicy(meta, l.Namespace, port), opts)
			return err
		}},
		{"ValidatingAdmissionPolicyBinding", func(ctx context.Context, c *kubeclient.Client) error {
			_, err := c.ValidatingAdmissionPolicyBindings().Create(ctx, &admissionv1.ValidatingAdmissionPolicyBinding{
				ObjectMeta: meta,
				Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
					PolicyName:        name,
					ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny},
					MatchResources: &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
						MatchLabels: map[string]string{corev1.LabelMetadataName: l.Namespace},
					}},
				},
			}, opts)
			return err
		}},
	}
}

// NodePortPolicy refuses, when a Service is made or changed, any node port
// but port. Kubernetes gives a NodePort Service that names none a free
// port before admission, so a Service that leaves it out is refused too,
// with the message that says which port to write.
func NodePortPolicy(meta metav1.ObjectMeta, namespace string, port int) *admissionv1.ValidatingAdmissionPolicy {
	fail := admissionv1.Fail
	return &admissionv1.ValidatingAdmissionPolicy{
		ObjectMeta: meta,
		Spec: admissionv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionv1.MatchResources{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: namespace}},
				ResourceRules: []admissionv1.NamedRuleWithOperations{{RuleWithOperations: admissionv1.RuleWithOperations{
					Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
					Rule:       admissionv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"services"}},
				}}},
			},
			Validations: []admissionv1.Validation{{
				Expression: fmt.Sprintf("!has(object.spec.ports) || object.spec.ports.all(p, !has(p.nodePort) || p.nodePort == %d)", port),
				Message: fmt.Sprintf("node port %d is yours in this class (namespace %s): every node port of a Service here must be %d; write nodePort: %d",
					port, namespace, port, port),
				Reason: ptr.To(metav1.StatusReasonForbidden),
			}},
		},
	}
}

// LearnerRules are what a learner may do, in their namespace only: all
// that lesson 7 and its checks do (Deployments, Services, pods and their
// logs and exec, ConfigMaps, Secrets, volumes claims), and reading their
// quota. Nothing cluster-wide: no nodes, no other namespace, no RBAC.
func LearnerRules() []rbacv1.PolicyRule {
	all := []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
	read := []string{"get", "list", "watch"}
	return []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods", "services", "endpoints", "configmaps", "secrets", "persistentvolumeclaims"}, Verbs: all},
		{APIGroups: []string{""}, Resources: []string{"pods/log", "pods/status", "events", "resourcequotas", "limitranges", "serviceaccounts"}, Verbs: read},
		{APIGroups: []string{""}, Resources: []string{"pods/exec", "pods/portforward", "pods/attach"}, Verbs: []string{"get", "create"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets", "statefulsets"}, Verbs: all},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments/scale", "replicasets/scale", "statefulsets/scale"}, Verbs: []string{"get", "update", "patch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments/status", "replicasets/status"}, Verbs: read},
		{APIGroups: []string{"batch"}, Resources: []string{"jobs", "cronjobs"}, Verbs: all},
		{APIGroups: []string{"discovery.k8s.io"}, Resources: []string{"endpointslices"}, Verbs: read},
		{APIGroups: []string{"events.k8s.io"}, Resources: []string{"events"}, Verbs: read},
	}
}

// Quota fits lesson 7 with room to make mistakes: five app replicas and
// MongoDB, plus the pods a rolling update adds for a while (lab-app's
// rollouts surge by two) and a seed or debugging pod; one NodePort
// Service, the learner's own port; no LoadBalancer.
func Quota() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourcePods:                   resource.MustParse("12"),
		corev1.ResourceRequestsCPU:            resource.MustParse("2"),
		corev1.ResourceRequestsMemory:         resource.MustParse("3Gi"),
		corev1.ResourceServices:               resource.MustParse("5"),
		corev1.ResourceServicesNodePorts:      resource.MustParse("1"),
		corev1.ResourceServicesLoadBalancers:  resource.MustParse("0"),
		corev1.ResourceConfigMaps:             resource.MustParse("10"),
		corev1.ResourceSecrets:                resource.MustParse("10"),
		corev1.ResourcePersistentVolumeClaims: resource.MustParse("2"),
		"count/deployments.apps":              resource.MustParse("5"),
		"count/replicasets.apps":              resource.MustParse("30"),
	}
}

// Limits give every container that names none (lesson 7's manifests do
// not) a small request, which the quota counts, and a memory limit, so no
// learner's pod can take a node's memory from the others.
func Limits() corev1.LimitRangeSpec {
	return corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
		Type: corev1.LimitTypeContainer,
		DefaultRequest: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("50m"),
			corev1.ResourceMemory: resource.MustParse("64Mi"),
		},
		Default: corev1.ResourceList{
			corev1.ResourceMemory: resource.MustParse("1Gi"),
		},
	}}}
}

// errNoToken is a token Secret Kubernetes did not fill in time.
var errNoToken = errors.New("Kubernetes did not put a token into it")

// waitToken waits until Kubernetes' token controller has filled the
// learner's token Secret, saying so every few seconds.
func waitToken(ctx context.Context, client *kubeclient.Client, l Learner, wait time.Duration, progress func(string)) (string, []byte, error) {
	deadline := time.Now().Add(wait)
	said := time.Time{}
	for {
		s, err := client.Secrets(l.Namespace).Get(ctx, TokenSecret, metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return "", nil, fmt.Errorf("reading the token Secret %s: %w", TokenSecret, err)
		}
		if err == nil && len(s.Data[corev1.ServiceAccountTokenKey]) > 0 {
			return string(s.Data[corev1.ServiceAccountTokenKey]), s.Data[corev1.ServiceAccountRootCAKey], nil
		}
		if time.Now().After(deadline) {
			return "", nil, fmt.Errorf("the Secret %s/%s after %s: %w; is the cluster's token controller (kube-controller-manager) running? Run lab class cluster again to keep waiting", l.Namespace, TokenSecret, wait, errNoToken)
		}
		if time.Since(said) > 5*time.Second {
			progress(fmt.Sprintf("%s: waiting for Kubernetes to fill the token Secret %s/%s ...", l.Name, l.Namespace, TokenSecret))
			said = time.Now()
		}
		select {
		case <-ctx.Done():
			return "", nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
