// Package kubeclient reads and writes the Kubernetes objects lab uses as
// typed objects, over client-go's dynamic client. client-go's typed
// clientset links a client for every API group and registers them all at
// start-up; lab uses a dozen kinds, so it names those and converts.
package kubeclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// AddToScheme registers the API groups the client serves, for a fake
// dynamic client that must know their kinds and lists.
func AddToScheme(s *runtime.Scheme) error {
	b := runtime.NewSchemeBuilder(corev1.AddToScheme, appsv1.AddToScheme, rbacv1.AddToScheme,
		admissionv1.AddToScheme, discoveryv1.AddToScheme)
	return b.AddToScheme(s)
}

// Client reaches one cluster's API server.
type Client struct {
	dyn  dynamic.Interface
	http *http.Client // nil when made by New: no server to ask for its version
	base *url.URL
}

// NewForConfig connects to the API server cfg names.
func NewForConfig(cfg *rest.Config) (*Client, error) {
	h, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, h)
	if err != nil {
		return nil, err
	}
	base, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{dyn: dyn, http: h, base: base}, nil
}

// New wraps a dynamic client, such as client-go's fake one in tests.
// ServerVersion then fails: there is no server to ask.
func New(dyn dynamic.Interface) *Client { return &Client{dyn: dyn} }

// ServerVersion asks the API server's /version what it runs. A refusal is
// the API's own error (apierrors.IsForbidden and the like work on it).
func (c *Client) ServerVersion(ctx context.Context) (*version.Info, error) {
	if c.http == nil {
		return nil, fmt.Errorf("reading the server version: the client has no API server address")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.JoinPath("version").String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var status metav1.Status
		if json.Unmarshal(body, &status) == nil && status.Kind == "Status" {
			return nil, &apierrors.StatusError{ErrStatus: status}
		}
		return nil, apierrors.NewGenericServerResponse(resp.StatusCode, http.MethodGet, schema.GroupResource{}, "", string(body), 0, false)
	}
	var info version.Info
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("reading the server version: %w", err)
	}
	return &info, nil
}

// Resource is the objects of one kind, T, listed as L: in one namespace,
// in all of them (namespace ""), or of a kind that has none. Its methods
// are those of client-go's typed client of that kind.
type Resource[T, L any] struct {
	ri         dynamic.ResourceInterface
	apiVersion string
	kind       string
}

func resource[T, L any](c *Client, gvr schema.GroupVersionResource, namespace string) Resource[T, L] {
	return Resource[T, L]{
		ri:         c.dyn.Resource(gvr).Namespace(namespace),
		apiVersion: gvr.GroupVersion().String(),
		kind:       reflect.TypeFor[T]().Name(),
	}
}

// Get reads the object called name.
func (r Resource[T, L]) Get(ctx context.Context, name string, opts metav1.GetOptions) (*T, error) {
	return typed[T](r.ri.Get(ctx, name, opts))
}

// List reads the objects opts selects.
func (r Resource[T, L]) List(ctx context.Context, opts metav1.ListOptions) (*L, error) {
	list, err := r.ri.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	return convert[L](list.UnstructuredContent())
}

// Create makes obj and returns it as the API server stored it.
func (r Resource[T, L]) Create(ctx context.Context, obj *T, opts metav1.CreateOptions) (*T, error) {
	u, err := r.unstructured(obj)
	if err != nil {
		return nil, err
	}
	return typed[T](r.ri.Create(ctx, u, opts))
}

// Update replaces obj's spec and metadata.
func (r Resource[T, L]) Update(ctx context.Context, obj *T, opts metav1.UpdateOptions) (*T, error) {
	u, err := r.unstructured(obj)
	if err != nil {
		return nil, err
	}
	return typed[T](r.ri.Update(ctx, u, opts))
}

// UpdateStatus replaces obj's status.
func (r Resource[T, L]) UpdateStatus(ctx context.Context, obj *T, opts metav1.UpdateOptions) (*T, error) {
	u, err := r.unstructured(obj)
	if err != nil {
		return nil, err
	}
	return typed[T](r.ri.UpdateStatus(ctx, u, opts))
}

// Delete removes the object called name.
func (r Resource[T, L]) Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error {
	return r.ri.Delete(ctx, name, opts)
}

// Watch streams changes to the objects opts selects; each event carries a
// *T (an error event its *metav1.Status).
func (r Resource[T, L]) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	w, err := r.ri.Watch(ctx, opts)
	if err != nil {
		return nil, err
	}
	tw := &typedWatch{in: w, out: make(chan watch.Event), stop: make(chan struct{})}
	go tw.run(func(u *unstructured.Unstructured) (runtime.Object, error) {
		obj, err := convert[T](u.Object)
		if err != nil {
			return nil, err
		}
		return any(obj).(runtime.Object), nil
	})
	return tw, nil
}

// typedWatch passes a dynamic watch's events on with typed objects. Unlike
// watch.Filter it stops passing them on when stopped, so a watcher that
// stops reading leaves no goroutine behind.
type typedWatch struct {
	in   watch.Interface
	out  chan watch.Event
	stop chan struct{}
	once sync.Once
}

func (w *typedWatch) ResultChan() <-chan watch.Event { return w.out }

func (w *typedWatch) Stop() {
	w.once.Do(func() { close(w.stop) })
	w.in.Stop()
}

func (w *typedWatch) run(typed func(*unstructured.Unstructured) (runtime.Object, error)) {
	defer close(w.out)
	for e := range w.in.ResultChan() {
		if u, ok := e.Object.(*unstructured.Unstructured); ok {
			obj, err := typed(u)
			if err != nil {
				e = watch.Event{Type: watch.Error, Object: &apierrors.NewInternalError(err).ErrStatus}
			} else {
				e.Object = obj
			}
		}
		select {
		case w.out <- e:
		case <-w.stop:
			return
		}
	}
}

func (r Resource[T, L]) unstructured(obj *T) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding a %s: %w", r.kind, err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetAPIVersion(r.apiVersion)
	u.SetKind(r.kind)
	return u, nil
}

func typed[T any](u *unstructured.Unstructured, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return convert[T](u.Object)
}

func convert[T any](m map[string]any) (*T, error) {
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, out); err != nil {
		return nil, fmt.Errorf("decoding a %s: %w", reflect.TypeFor[T]().Name(), err)
	}
	return out, nil
}

var (
	core      = corev1.SchemeGroupVersion
	apps      = appsv1.SchemeGroupVersion
	rbac      = rbacv1.SchemeGroupVersion
	admission = admissionv1.SchemeGroupVersion
	discovery = discoveryv1.SchemeGroupVersion
)

// Pods in namespace ("": in all namespaces).
func (c *Client) Pods(namespace string) Resource[corev1.Pod, corev1.PodList] {
	return resource[corev1.Pod, corev1.PodList](c, core.WithResource("pods"), namespace)
}

// Services in namespace ("": in all namespaces).
func (c *Client) Services(namespace string) Resource[corev1.Service, corev1.ServiceList] {
	return resource[corev1.Service, corev1.ServiceList](c, core.WithResource("services"), namespace)
}

// ConfigMaps in namespace ("": in all namespaces).
func (c *Client) ConfigMaps(namespace string) Resource[corev1.ConfigMap, corev1.ConfigMapList] {
	return resource[corev1.ConfigMap, corev1.ConfigMapList](c, core.WithResource("configmaps"), namespace)
}

// Secrets in namespace ("": in all namespaces).
func (c *Client) Secrets(namespace string) Resource[corev1.Secret, corev1.SecretList] {
	return resource[corev1.Secret, corev1.SecretList](c, core.WithResource("secrets"), namespace)
}

// PersistentVolumeClaims in namespace ("": in all namespaces).
func (c *Client) PersistentVolumeClaims(namespace string) Resource[corev1.PersistentVolumeClaim, corev1.PersistentVolumeClaimList] {
	return resource[corev1.PersistentVolumeClaim, corev1.PersistentVolumeClaimList](c, core.WithResource("persistentvolumeclaims"), namespace)
}

// ServiceAccounts in namespace ("": in all namespaces).
func (c *Client) ServiceAccounts(namespace string) Resource[corev1.ServiceAccount, corev1.ServiceAccountList] {
	return resource[corev1.ServiceAccount, corev1.ServiceAccountList](c, core.WithResource("serviceaccounts"), namespace)
}

// ResourceQuotas in namespace ("": in all namespaces).
func (c *Client) ResourceQuotas(namespace string) Resource[corev1.ResourceQuota, corev1.ResourceQuotaList] {
	return resource[corev1.ResourceQuota, corev1.ResourceQuotaList](c, core.WithResource("resourcequotas"), namespace)
}

// LimitRanges in namespace ("": in all namespaces).
func (c *Client) LimitRanges(namespace string) Resource[corev1.LimitRange, corev1.LimitRangeList] {
	return resource[corev1.LimitRange, corev1.LimitRangeList](c, core.WithResource("limitranges"), namespace)
}

// Namespaces of the cluster.
func (c *Client) Namespaces() Resource[corev1.Namespace, corev1.NamespaceList] {
	return resource[corev1.Namespace, corev1.NamespaceList](c, core.WithResource("namespaces"), "")
}

// Nodes of the cluster.
func (c *Client) Nodes() Resource[corev1.Node, corev1.NodeList] {
	return resource[corev1.Node, corev1.NodeList](c, core.WithResource("nodes"), "")
}

// Deployments in namespace ("": in all namespaces).
func (c *Client) Deployments(namespace string) Resource[appsv1.Deployment, appsv1.DeploymentList] {
	return resource[appsv1.Deployment, appsv1.DeploymentList](c, apps.WithResource("deployments"), namespace)
}

// ReplicaSets in namespace ("": in all namespaces).
func (c *Client) ReplicaSets(namespace string) Resource[appsv1.ReplicaSet, appsv1.ReplicaSetList] {
	return resource[appsv1.ReplicaSet, appsv1.ReplicaSetList](c, apps.WithResource("replicasets"), namespace)
}

// StatefulSets in namespace ("": in all namespaces).
func (c *Client) StatefulSets(namespace string) Resource[appsv1.StatefulSet, appsv1.StatefulSetList] {
	return resource[appsv1.StatefulSet, appsv1.StatefulSetList](c, apps.WithResource("statefulsets"), namespace)
}

// EndpointSlices in namespace ("": in all namespaces).
func (c *Client) EndpointSlices(namespace string) Resource[discoveryv1.EndpointSlice, discoveryv1.EndpointSliceList] {
	return resource[discoveryv1.EndpointSlice, discoveryv1.EndpointSliceList](c, discovery.WithResource("endpointslices"), namespace)
}

// Roles in namespace ("": in all namespaces).
func (c *Client) Roles(namespace string) Resource[rbacv1.Role, rbacv1.RoleList] {
	return resource[rbacv1.Role, rbacv1.RoleList](c, rbac.WithResource("roles"), namespace)
}

// RoleBindings in namespace ("": in all namespaces).
func (c *Client) RoleBindings(namespace string) Resource[rbacv1.RoleBinding, rbacv1.RoleBindingList] {
	return resource[rbacv1.RoleBinding, rbacv1.RoleBindingList](c, rbac.WithResource("rolebindings"), namespace)
}

// ClusterRoleBindings of the cluster.
func (c *Client) ClusterRoleBindings() Resource[rbacv1.ClusterRoleBinding, rbacv1.ClusterRoleBindingList] {
	return resource[rbacv1.ClusterRoleBinding, rbacv1.ClusterRoleBindingList](c, rbac.WithResource("clusterrolebindings"), "")
}

// ValidatingAdmissionPolicies of the cluster.
func (c *Client) ValidatingAdmissionPolicies() Resource[admissionv1.ValidatingAdmissionPolicy, admissionv1.ValidatingAdmissionPolicyList] {
	return resource[admissionv1.ValidatingAdmissionPolicy, admissionv1.ValidatingAdmissionPolicyList](c, admission.WithResource("validatingadmissionpolicies"), "")
}

// ValidatingAdmissionPolicyBindings of the cluster.
func (c *Client) ValidatingAdmissionPolicyBindings() Resource[admissionv1.ValidatingAdmissionPolicyBinding, admissionv1.ValidatingAdmissionPolicyBindingList] {
	return resource[admissionv1.ValidatingAdmissionPolicyBinding, admissionv1.ValidatingAdmissionPolicyBindingList](c, admission.WithResource("validatingadmissionpolicybindings"), "")
}
