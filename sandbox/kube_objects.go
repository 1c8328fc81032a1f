package sandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Deployment is what checks need to know of a Deployment: how many
// replicas it wants and has, what its pods look like, and how its rollout
// stands.
type Deployment struct {
	Name      string
	Namespace string
	UID       string
	// Generation is the spec's version; ObservedGeneration the version the
	// controller has acted on.
	Generation         int64
	ObservedGeneration int64
	Desired            int32 // spec.replicas
	Replicas           int32 // pods of any version that exist (status.replicas)
	Updated            int32 // pods of the current template
	Ready              int32
	Available          int32
	Unavailable        int32
	// Selector is the label selector's matchLabels; SelectorText the whole
	// selector as kubectl -l takes it.
	Selector       map[string]string
	SelectorText   string
	TemplateLabels map[string]string
	Containers     []PodContainer
	Conditions     []KubeCondition
	// Revision is the rollout revision of the current template; pods of
	// that revision run the template as it is now.
	Revision string
	selector labels.Selector
}

// PodContainer is one container of a pod template.
type PodContainer struct {
	Name       string
	Image      string
	PullPolicy string // Always, IfNotPresent or Never
	Env        []EnvVar
	EnvFrom    []EnvSource // envFrom: every key of a ConfigMap or Secret
	Ports      []int32
	// RunAsUser and RunAsNonRoot are the container's securityContext
	// settings, or the pod's where the container sets none, as the kubelet
	// applies them; nil when neither sets them.
	RunAsUser    *int64
	RunAsNonRoot *bool
}

// EnvVar is one environment variable of a container. From describes a
// value taken from elsewhere (a ConfigMap, a Secret, a field) instead of
// Value; ConfigMap or Secret and Key name it when it is a key of one.
type EnvVar struct {
	Name  string
	Value string
	From  string

	ConfigMap, Secret, Key string

	// Resolved is set by Kube.Env when Value was read from the ConfigMap
	// or Secret; Missing says why it could not be (the object or the key
	// does not exist).
	Resolved bool
	Missing  string
}

// EnvSource is one envFrom entry: all keys of a ConfigMap or a Secret,
// each with Prefix before its name.
type EnvSource struct {
	ConfigMap, Secret, Prefix string
}

// Env returns the value the container's process sees for the variable
// name, reading ConfigMaps and Secrets as the kubelet does: an env: entry
// wins over envFrom:, and of several envFrom: sources the last one that has
// the key wins. ok is false when nothing sets the variable. A reference to
// a ConfigMap or Secret, or a key, that does not exist comes back with
// Missing set.
func (k *Kube) Env(ctx context.Context, c PodContainer, name string) (v EnvVar, ok bool, err error) {
	if v, ok := c.Getenv(name); ok {
		if v.ConfigMap == "" && v.Secret == "" {
			return v, true, nil
		}
		data, what, err := k.envData(ctx, v.ConfigMap, v.Secret)
		switch {
		case IsNotFound(err):
			v.Missing = what + " does not exist"
		case err != nil:
			return v, true, err
		default:
			if value, found := data[v.Key]; found {
				v.Value, v.Resolved = value, true
			} else {
				v.Missing = fmt.Sprintf("%s has no key %s", what, v.Key)
			}
		}
		return v, true, nil
	}
	for i := len(c.EnvFrom) - 1; i >= 0; i-- {
		src := c.EnvFrom[i]
		key, found := strings.CutPrefix(name, src.Prefix)
		if !found {
			continue
		}
		data, what, err := k.envData(ctx, src.ConfigMap, src.Secret)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return EnvVar{}, false, err
		}
		if value, found := data[key]; found {
			return EnvVar{Name: name, Value: value, From: fmt.Sprintf("key %s of %s (envFrom)", key, what),
				ConfigMap: src.ConfigMap, Secret: src.Secret, Key: key, Resolved: true}, true, nil
		}
	}
	return EnvVar{}, false, nil
}

// envData reads the data of a ConfigMap (when configMap is set) or a
// Secret, and names the object for messages.
func (k *Kube) envData(ctx context.Context, configMap, secret string) (map[string]string, string, error) {
	if configMap != "" {
		what := "ConfigMap " + configMap
		cm, err := k.client.ConfigMaps(k.namespace).Get(ctx, configMap, metav1.GetOptions{})
		if err != nil {
			return nil, what, k.wrap(err, "configmap", configMap, "reading %s", what)
		}
		return cm.Data, what, nil
	}
	what := "Secret " + secret
	sec, err := k.client.Secrets(k.namespace).Get(ctx, secret, metav1.GetOptions{})
	if err != nil {
		return nil, what, k.wrap(err, "secret", secret, "reading %s", what)
	}
	data := make(map[string]string, len(sec.Data)+len(sec.StringData))
	for key, value := range sec.StringData {
		data[key] = value
	}
	for key, value := range sec.Data {
		data[key] = string(value)
	}
	return data, what, nil
}

// Getenv returns the container's last definition of the variable, the
// one its process sees.
func (c PodContainer) Getenv(name string) (EnvVar, bool) {
	for i := len(c.Env) - 1; i >= 0; i-- {
		if c.Env[i].Name == name {
			return c.Env[i], true
		}
	}
	return EnvVar{}, false
}

// KubeCondition is one status condition of an object.
type KubeCondition struct {
	Type    string
	Status  string // True, False or Unknown
	Reason  string
	Message string
}

// Condition returns the condition of the given type.
func (d Deployment) Condition(typ string) (KubeCondition, bool) {
	for _, c := range d.Conditions {
		if c.Type == typ {
			return c, true
		}
	}
	return KubeCondition{}, false
}

// Matches reports whether the Deployment's selector selects a pod with
// these labels.
func (d Deployment) Matches(podLabels map[string]string) bool {
	return d.selector != nil && d.selector.Matches(labels.Set(podLabels))
}

// Rollout is how a Deployment's rollout stands, judged as `kubectl rollout
// status` judges it.
type Rollout struct {
	Done bool
	// Failed is set when the Deployment exceeded its progress deadline:
	// waiting longer will not help.
	Failed  bool
	Message string // kubectl's words
}

// revisionAnnotation numbers a Deployment's rollouts, on the Deployment
// and on the ReplicaSet of each rollout.
const revisionAnnotation = "deployment.kubernetes.io/revision"

// progressDeadlineExceeded is the reason the Deployment controller gives
// the Progressing condition when a rollout stalled past its deadline.
const progressDeadlineExceeded = "ProgressDeadlineExceeded"

// Rollout judges the rollout exactly like kubectl's DeploymentStatusViewer:
// the controller has seen the latest spec, every wanted replica runs the
// current template, no old replica is left, and every updated replica is
// available. A progress deadline that passed is a failure.
func (d Deployment) Rollout() Rollout {
	if d.Generation > d.ObservedGeneration {
		return Rollout{Message: "Waiting for deployment spec update to be observed..."}
	}
	if c, ok := d.Condition(string(appsv1.DeploymentProgressing)); ok && c.Reason == progressDeadlineExceeded {
		return Rollout{Failed: true, Message: fmt.Sprintf("deployment %q exceeded its progress deadline", d.Name)}
	}
	if d.Updated < d.Desired {
		return Rollout{Message: fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...", d.Name, d.Updated, d.Desired)}
	}
	if d.Replicas > d.Updated {
		return Rollout{Message: fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...", d.Name, d.Replicas-d.Updated)}
	}
	if d.Available < d.Updated {
		return Rollout{Message: fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...", d.Name, d.Available, d.Updated)}
	}
	return Rollout{Done: true, Message: fmt.Sprintf("deployment %q successfully rolled out", d.Name)}
}

// Deployment reads the Deployment name; a missing one is a *NotFoundError
// of kind "deployment".
func (k *Kube) Deployment(ctx context.Context, name string) (Deployment, error) {
	d, err := k.client.Deployments(k.namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return Deployment{}, k.wrap(err, "deployment", name, "reading deployment %q", name)
	}
	return deploymentFacts(d)
}

func deploymentFacts(d *appsv1.Deployment) (Deployment, error) {
	out := Deployment{
		Name:               d.Name,
		Namespace:          d.Namespace,
		UID:                string(d.UID),
		Generation:         d.Generation,
		ObservedGeneration: d.Status.ObservedGeneration,
		Desired:            1,
		Replicas:           d.Status.Replicas,
		Updated:            d.Status.UpdatedReplicas,
		Ready:              d.Status.ReadyReplicas,
		Available:          d.Status.AvailableReplicas,
		Unavailable:        d.Status.UnavailableReplicas,
		TemplateLabels:     maps.Clone(d.Spec.Template.Labels),
		Containers:         podContainers(d.Spec.Template.Spec.Containers, d.Spec.Template.Spec.SecurityContext),
		Revision:           d.Annotations[revisionAnnotation],
	}
	if d.Spec.Replicas != nil {
		out.Desired = *d.Spec.Replicas
	}
	for _, c := range d.Status.Conditions {
		out.Conditions = append(out.Conditions, KubeCondition{Type: string(c.Type), Status: string(c.Status), Reason: c.Reason, Message: c.Message})
	}
	sel := labels.Nothing()
	if d.Spec.Selector != nil {
		out.Selector = maps.Clone(d.Spec.Selector.MatchLabels)
		s, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil {
			return out, fmt.Errorf("reading the selector of deployment %q: %w", d.Name, err)
		}
		sel = s
	}
	out.selector = sel
	out.SelectorText = sel.String()
	return out, nil
}

func podContainers(cs []corev1.Container, pod *corev1.PodSecurityContext) []PodContainer {
	var out []PodContainer
	for _, c := range cs {
		pc := PodContainer{Name: c.Name, Image: c.Image, PullPolicy: string(c.ImagePullPolicy)}
		if pod != nil {
			pc.RunAsUser, pc.RunAsNonRoot = pod.RunAsUser, pod.RunAsNonRoot
		}
		if sc := c.SecurityContext; sc != nil {
			if sc.RunAsUser != nil {
				pc.RunAsUser = sc.RunAsUser
			}
			if sc.RunAsNonRoot != nil {
				pc.RunAsNonRoot = sc.RunAsNonRoot
			}
		}
		for _, e := range c.Env {
			v := EnvVar{Name: e.Name, Value: e.Value}
			if f := e.ValueFrom; f != nil {
				switch {
				case f.ConfigMapKeyRef != nil:
					v.From = fmt.Sprintf("key %s of ConfigMap %s", f.ConfigMapKeyRef.Key, f.ConfigMapKeyRef.Name)
					v.ConfigMap, v.Key = f.ConfigMapKeyRef.Name, f.ConfigMapKeyRef.Key
				case f.SecretKeyRef != nil:
					v.From = fmt.Sprintf("key %s of Secret %s", f.SecretKeyRef.Key, f.SecretKeyRef.Name)
					v.Secret, v.Key = f.SecretKeyRef.Name, f.SecretKeyRef.Key
				case f.FieldRef != nil:
					v.From = "field " + f.FieldRef.FieldPath
				case f.ResourceFieldRef != nil:
					v.From = "resource " + f.ResourceFieldRef.Resource
				default:
					v.From = "another source"
				}
			}
			pc.Env = append(pc.Env, v)
		}
		for _, e := range c.EnvFrom {
			switch {
			case e.ConfigMapRef != nil:
				pc.EnvFrom = append(pc.EnvFrom, EnvSource{ConfigMap: e.ConfigMapRef.Name, Prefix: e.Prefix})
			case e.SecretRef != nil:
				pc.EnvFrom = append(pc.EnvFrom, EnvSource{Secret: e.SecretRef.Name, Prefix: e.Prefix})
			}
		}
		for _, p := range c.Ports {
			pc.Ports = append(pc.Ports, p.ContainerPort)
		}
		out = append(out, pc)
	}
	return out
}

// Pod is one pod as checks see it: who it is (the UID tells a replacement
// from the pod it replaced), where it runs, whether it is Ready and, when
// not, why.
type Pod struct {
	Name       string
	UID        string
	Node       string
	Phase      string
	IP         string
	Labels     map[string]string
	Ready      bool
	Deleting   bool // it has been asked to terminate
	Created    time.Time
	ReadySince time.Time // when it last became Ready
	Restarts   int32
	// Owner is the ReplicaSet that controls the pod; empty for a bare pod.
	Owner string
	// Revision is the rollout revision of the pod's ReplicaSet, set by
	// DeploymentPods.
	Revision string
	// Waiting holds the containers that wait to run, with the reason
	// (ErrImagePull, ImagePullBackOff, ErrImageNeverPull, CrashLoopBackOff, ...).
	Waiting []ContainerWaiting
	// Terminated holds the containers that stopped, with the exit code.
	Terminated []ContainerTerminated
	// Unschedulable says why the scheduler found no node, when it did not.
	Unschedulable string
}

// ContainerWaiting is a container that is not running, and why.
type ContainerWaiting struct {
	Container string
	Image     string
	Reason    string
	Message   string
}

// ContainerTerminated is a container whose process ended.
type ContainerTerminated struct {
	Container string
	ExitCode  int32
	Reason    string
}

// stuckReasons are waiting reasons that do not go away by waiting: the
// image cannot be had, or the container cannot start or keeps crashing.
var stuckReasons = []string{
	"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName",
	"CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
}

// ImagePullReasons are the waiting reasons that mean the node has no copy
// of the image and may not or cannot pull it.
var ImagePullReasons = []string{"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull"}

// Current reports whether the pod runs the Deployment's template as it is
// now, not one a rollout is replacing.
func (p Pod) Current(d Deployment) bool {
	return d.Revision != "" && p.Revision == d.Revision
}

// Stuck returns the first waiting container whose reason will not go away
// by waiting.
func (p Pod) Stuck() (ContainerWaiting, bool) {
	for _, w := range p.Waiting {
		if slices.Contains(stuckReasons, w.Reason) {
			return w, true
		}
	}
	return ContainerWaiting{}, false
}

// NotReadyReason says in one line why the pod is not Ready; empty when it
// is.
func (p Pod) NotReadyReason() string {
	switch {
	case p.Ready && !p.Deleting:
		return ""
	case p.Deleting:
		return "terminating"
	case p.Unschedulable != "":
		return "not scheduled: " + p.Unschedulable
	}
	var parts []string
	for _, w := range p.Waiting {
		s := fmt.Sprintf("container %s is waiting: %s", w.Container, w.Reason)
		if w.Message != "" {
			s += " (" + shortLine(w.Message) + ")"
		}
		parts = append(parts, s)
	}
	for _, t := range p.Terminated {
		s := fmt.Sprintf("container %s exited with code %d", t.Container, t.ExitCode)
		if t.Reason != "" {
			s += " (" + t.Reason + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) > 0 {
		return strings.Join(parts, "; ")
	}
	if p.Phase == string(corev1.PodRunning) {
		return "running, not Ready yet"
	}
	return strings.ToLower(p.Phase)
}

// shortLine is the first line of a message, cut to a length that fits a
// failure's one line.
func shortLine(s string) string {
	s = firstLine(s)
	const max = 200
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

func podFacts(p *corev1.Pod) Pod {
	out := Pod{
		Name:     p.Name,
		UID:      string(p.UID),
		Node:     p.Spec.NodeName,
		Phase:    string(p.Status.Phase),
		IP:       p.Status.PodIP,
		Labels:   maps.Clone(p.Labels),
		Deleting: p.DeletionTimestamp != nil,
		Created:  p.CreationTimestamp.Time,
	}
	if ref := metav1.GetControllerOf(p); ref != nil && ref.Kind == "ReplicaSet" {
		out.Owner = ref.Name
	}
	for _, c := range p.Status.Conditions {
		switch c.Type {
		case corev1.PodReady:
			out.Ready = c.Status == corev1.ConditionTrue
			if out.Ready {
				out.ReadySince = c.LastTransitionTime.Time
			}
		case corev1.PodScheduled:
			if c.Status == corev1.ConditionFalse {
				out.Unschedulable = strings.TrimSpace(c.Reason + ": " + c.Message)
			}
		}
	}
	images := map[string]string{}
	for _, c := range p.Spec.Containers {
		images[c.Name] = c.Image
	}
	for _, statuses := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, s := range statuses {
			out.Restarts += s.RestartCount
			if s.Ready {
				continue
			}
			switch {
			case s.State.Waiting != nil:
				img := images[s.Name]
				if img == "" {
					img = s.Image
				}
				out.Waiting = append(out.Waiting, ContainerWaiting{Container: s.Name, Image: img, Reason: s.State.Waiting.Reason, Message: s.State.Waiting.Message})
			case s.State.Terminated != nil && s.State.Terminated.ExitCode != 0:
				out.Terminated = append(out.Terminated, ContainerTerminated{Container: s.Name, ExitCode: s.State.Terminated.ExitCode, Reason: s.State.Terminated.Reason})
			}
		}
	}
	return out
}

// DeploymentPods lists the pods the Deployment owns (through its
// ReplicaSets), sorted by name. Pods that merely carry matching labels but
// belong to something else are left out.
func (k *Kube) DeploymentPods(ctx context.Context, d Deployment) ([]Pod, error) {
	owned, err := k.replicaSetsOf(ctx, d)
	if err != nil {
		return nil, err
	}
	list, err := k.client.Pods(k.namespace).List(ctx, metav1.ListOptions{LabelSelector: d.SelectorText})
	if err != nil {
		return nil, k.wrap(err, "", "", "listing the pods of deployment %q", d.Name)
	}
	var pods []Pod
	for i := range list.Items {
		p := podFacts(&list.Items[i])
		if rev, ok := owned[p.Owner]; ok {
			p.Revision = rev
			pods = append(pods, p)
		}
	}
	slices.SortFunc(pods, func(a, b Pod) int { return strings.Compare(a.Name, b.Name) })
	return pods, nil
}

// replicaSetsOf names the ReplicaSets the Deployment controls, with the
// revision of each.
func (k *Kube) replicaSetsOf(ctx context.Context, d Deployment) (map[string]string, error) {
	list, err := k.client.ReplicaSets(k.namespace).List(ctx, metav1.ListOptions{LabelSelector: d.SelectorText})
	if err != nil {
		return nil, k.wrap(err, "", "", "listing the ReplicaSets of deployment %q", d.Name)
	}
	owned := map[string]string{}
	for i := range list.Items {
		rs := &list.Items[i]
		if ref := metav1.GetControllerOf(rs); ref != nil && ref.Kind == "Deployment" && string(ref.UID) == d.UID {
			owned[rs.Name] = rs.Annotations[revisionAnnotation]
		}
	}
	return owned, nil
}

// Service is what checks need to know of a Service.
type Service struct {
	Name      string
	Namespace string
	Type      string // ClusterIP, NodePort, LoadBalancer or ExternalName
	ClusterIP string
	Ports     []ServicePort
	Selector  map[string]string
}

// ServicePort is one port of a Service. TargetPort is the pod's port, a
// number or a port name.
type ServicePort struct {
	Name       string
	Protocol   string
	Port       int32
	TargetPort string
	NodePort   int32
}

// Selects reports whether the Service's selector selects a pod with these
// labels. A Service without a selector selects nothing by itself.
func (s Service) Selects(podLabels map[string]string) bool {
	if len(s.Selector) == 0 {
		return false
	}
	return labels.SelectorFromSet(s.Selector).Matches(labels.Set(podLabels))
}

// SelectorText is the Service's selector as kubectl -l takes it.
func (s Service) SelectorText() string {
	return labels.SelectorFromSet(s.Selector).String()
}

// Service reads the Service name; a missing one is a *NotFoundError of
// kind "service".
func (k *Kube) Service(ctx context.Context, name string) (Service, error) {
	s, err := k.client.Services(k.namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return Service{}, k.wrap(err, "service", name, "reading service %q", name)
	}
	out := Service{
		Name:      s.Name,
		Namespace: s.Namespace,
		Type:      string(s.Spec.Type),
		ClusterIP: s.Spec.ClusterIP,
		Selector:  maps.Clone(s.Spec.Selector),
	}
	if out.Type == "" {
		out.Type = string(corev1.ServiceTypeClusterIP)
	}
	for _, p := range s.Spec.Ports {
		sp := ServicePort{Name: p.Name, Protocol: string(p.Protocol), Port: p.Port, TargetPort: p.TargetPort.String(), NodePort: p.NodePort}
		if sp.Protocol == "" {
			sp.Protocol = string(corev1.ProtocolTCP)
		}
		if p.TargetPort.IntValue() == 0 && p.TargetPort.StrVal == "" {
			sp.TargetPort = fmt.Sprint(p.Port) // the API's default
		}
		out.Ports = append(out.Ports, sp)
	}
	return out, nil
}

// ServiceEndpoint is one address behind a Service, from its
// EndpointSlices: the pod it targets and whether it takes traffic.
type ServiceEndpoint struct {
	Addresses   []string
	Pod         string // the target pod's name; empty when it is not a pod
	PodUID      string
	Node        string
	Ready       bool
	Terminating bool
}

// ServiceEndpointSliceLabel is the label that ties an EndpointSlice to its
// Service.
const ServiceEndpointSliceLabel = discoveryv1.LabelServiceName

// ServiceEndpoints lists the endpoints of the Service name from every
// EndpointSlice labelled with it, sorted by pod name.
func (k *Kube) ServiceEndpoints(ctx context.Context, name string) ([]ServiceEndpoint, error) {
	list, err := k.client.EndpointSlices(k.namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{ServiceEndpointSliceLabel: name}).String(),
	})
	if err != nil {
		return nil, k.wrap(err, "", "", "listing the endpoints of service %q", name)
	}
	var out []ServiceEndpoint
	for _, slice := range list.Items {
		for _, ep := range slice.Endpoints {
			se := ServiceEndpoint{
				Addresses: slices.Clone(ep.Addresses),
				// A nil ready condition means "unknown", which consumers
				// are told to read as ready.
				Ready:       ep.Conditions.Ready == nil || *ep.Conditions.Ready,
				Terminating: ep.Conditions.Terminating != nil && *ep.Conditions.Terminating,
			}
			if ep.NodeName != nil {
				se.Node = *ep.NodeName
			}
			if ref := ep.TargetRef; ref != nil && ref.Kind == "Pod" {
				se.Pod, se.PodUID = ref.Name, string(ref.UID)
			}
			out = append(out, se)
		}
	}
	slices.SortFunc(out, func(a, b ServiceEndpoint) int {
		if c := strings.Compare(a.Pod, b.Pod); c != 0 {
			return c
		}
		return slices.Compare(a.Addresses, b.Addresses)
	})
	return out, nil
}

// EndpointDiff compares a Service's ready endpoints with a Deployment's
// ready pods.
type EndpointDiff struct {
	Matched []Pod             // ready pods the Service sends traffic to
	Missing []Pod             // ready pods the Service does not send traffic to
	Extra   []ServiceEndpoint // ready endpoints that are not a ready pod of the Deployment
}

// Equal reports whether the Service sends traffic to exactly the ready
// pods.
func (d EndpointDiff) Equal() bool { return len(d.Missing) == 0 && len(d.Extra) == 0 }

// CompareEndpoints matches a Service's ready endpoints against pods' ready
// ones, by pod UID where the endpoint names one, else by pod name.
func CompareEndpoints(eps []ServiceEndpoint, pods []Pod) EndpointDiff {
	var diff EndpointDiff
	used := make([]bool, len(eps))
	for _, p := range pods {
		if !p.Ready || p.Deleting {
			continue
		}
		found := false
		for i, ep := range eps {
			if used[i] || !ep.Ready || ep.Terminating {
				continue
			}
			if (ep.PodUID != "" && ep.PodUID == p.UID) || (ep.PodUID == "" && ep.Pod != "" && ep.Pod == p.Name) {
				used[i], found = true, true
				break
			}
		}
		if found {
			diff.Matched = append(diff.Matched, p)
		} else {
			diff.Missing = append(diff.Missing, p)
		}
	}
	for i, ep := range eps {
		if !used[i] && ep.Ready && !ep.Terminating {
			diff.Extra = append(diff.Extra, ep)
		}
	}
	return diff
}

// String names the endpoint by its pod, else by its addresses.
func (e ServiceEndpoint) String() string {
	if e.Pod != "" {
		return "pod " + e.Pod
	}
	return strings.Join(e.Addresses, ",")
}

// KubeObject is one object a lesson names as "kind/name"
// ("deployment/lab-app").
type KubeObject struct {
	Kind string // lower case and singular, as kubectl accepts it
	Name string
	// Created is the object's metadata.creationTimestamp as FindObjects
	// read it, so reset can tell what the learner made during a step from
	// what was there before; zero in a reference a lesson names.
	Created time.Time
}

func (o KubeObject) String() string { return o.Kind + "/" + o.Name }

// kubeKinds maps the kinds lessons may name, and kubectl's short names and
// plurals for them, to the singular kind.
var kubeKinds = map[string]string{
	"deployment": "deployment", "deployments": "deployment", "deploy": "deployment",
	"service": "service", "services": "service", "svc": "service",
	"pod": "pod", "pods": "pod", "po": "pod",
	"configmap": "configmap", "configmaps": "configmap", "cm": "configmap",
	"secret": "secret", "secrets": "secret",
	"persistentvolumeclaim": "persistentvolumeclaim", "persistentvolumeclaims": "persistentvolumeclaim", "pvc": "persistentvolumeclaim",
	"statefulset": "statefulset", "statefulsets": "statefulset", "sts": "statefulset",
}

// ParseKubeObject reads "kind/name" as kubectl writes it.
func ParseKubeObject(ref string) (KubeObject, error) {
	kind, name, ok := strings.Cut(strings.TrimSpace(ref), "/")
	canonical, known := kubeKinds[strings.ToLower(kind)]
	switch {
	case !ok || kind == "" || name == "" || strings.Contains(name, "/"):
		return KubeObject{}, fmt.Errorf("%q is not kind/name (for example deployment/lab-app)", ref)
	case !known:
		return KubeObject{}, fmt.Errorf("%q: lab does not look for objects of kind %q", ref, kind)
	}
	return KubeObject{Kind: canonical, Name: name}, nil
}

// objectAPI gets and deletes objects of one kind in the namespace.
type objectAPI struct {
	// created reads when the object was created.
	created func(ctx context.Context, name string) (time.Time, error)
	del     func(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

// typedClient is what kubeclient offers for every kind.
type typedClient[T any] interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

func apiOf[T metav1.Object](c typedClient[T]) objectAPI {
	return objectAPI{
		created: func(ctx context.Context, name string) (time.Time, error) {
			o, err := c.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return time.Time{}, err
			}
			return o.GetCreationTimestamp().Time, nil
		},
		del: c.Delete,
	}
}

// objects returns the client of the objects of a kind lab looks for.
func (k *Kube) objects(kind string) (objectAPI, bool) {
	c, ns := k.client, k.namespace
	switch kind {
	case "deployment":
		return apiOf(c.Deployments(ns)), true
	case "statefulset":
		return apiOf(c.StatefulSets(ns)), true
	case "service":
		return apiOf(c.Services(ns)), true
	case "pod":
		return apiOf(c.Pods(ns)), true
	case "configmap":
		return apiOf(c.ConfigMaps(ns)), true
	case "secret":
		return apiOf(c.Secrets(ns)), true
	case "persistentvolumeclaim":
		return apiOf(c.PersistentVolumeClaims(ns)), true
	}
	return objectAPI{}, false
}

// FindObjects returns those of the named objects that exist in the
// namespace, in the order given, each with its creation time.
func (k *Kube) FindObjects(ctx context.Context, objs []KubeObject) ([]KubeObject, error) {
	var found []KubeObject
	for _, o := range objs {
		api, ok := k.objects(o.Kind)
		if !ok {
			return nil, fmt.Errorf("looking for %s: lab does not look for objects of kind %q", o, o.Kind)
		}
		created, err := api.created(ctx, o.Name)
		err = k.wrap(err, o.Kind, o.Name, "looking for %s", o)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		o.Created = created
		found = append(found, o)
	}
	return found, nil
}

// DeploymentNames lists the Deployments in the namespace, so a check of a
// missing one can say what is there instead.
func (k *Kube) DeploymentNames(ctx context.Context) ([]string, error) {
	list, err := k.client.Deployments(k.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, k.wrap(err, "", "", "listing deployments")
	}
	return objectNames(list.Items), nil
}

// ServiceNames lists the Services in the namespace.
func (k *Kube) ServiceNames(ctx context.Context) ([]string, error) {
	list, err := k.client.Services(k.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, k.wrap(err, "", "", "listing services")
	}
	return objectNames(list.Items), nil
}

// objectNames returns the sorted names of listed objects.
func objectNames[T any, P interface {
	*T
	GetName() string
}](items []T) []string {
	names := make([]string, 0, len(items))
	for i := range items {
		names = append(names, P(&items[i]).GetName())
	}
	slices.Sort(names)
	return names
}

// DeleteObjects deletes the named objects from the namespace; their
// dependents (a Deployment's ReplicaSets and pods) go with them. An object
// already gone is not an error.
func (k *Kube) DeleteObjects(ctx context.Context, objs []KubeObject) error {
	background := metav1.DeletePropagationBackground
	opts := metav1.DeleteOptions{PropagationPolicy: &background}
	var errs []error
	for _, o := range objs {
		err := fmt.Errorf("lab does not delete objects of kind %q", o.Kind)
		if api, ok := k.objects(o.Kind); ok {
			err = api.del(ctx, o.Name, opts)
		}
		err = k.wrap(err, o.Kind, o.Name, "deleting %s", o)
		if err != nil && !IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
