package sandbox

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lab-workshop/lab/sandbox/kubeclient/kubefake"
)

// Plain objects as a cluster holds them after `kubectl apply` of the
// lesson's manifests: a Deployment, its ReplicaSet and its pods.

var appLabels = map[string]string{"app": "lab-app"}

func testDeployment(replicas int32, mutate ...func(*appsv1.Deployment)) *appsv1.Deployment {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "lab-app", Namespace: "default", UID: "dep-uid", Generation: 1},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: appLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: appLabels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: "lab/app:v1", ImagePullPolicy: corev1.PullIfNotPresent,
					Env:   []corev1.EnvVar{{Name: "DB_HOST", Value: "mongo-service:27017/posts"}},
					Ports: []corev1.ContainerPort{{ContainerPort: 3000}},
				}}},
			},
		},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration: 1, Replicas: replicas, UpdatedReplicas: replicas,
			ReadyReplicas: replicas, AvailableReplicas: replicas,
		},
	}
	for _, m := range mutate {
		m(d)
	}
	return d
}

func testReplicaSet(name, owner string) *appsv1.ReplicaSet {
	yes := true
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{
		Name: name, Namespace: "default", Labels: appLabels,
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "lab-app", UID: types.UID(owner), Controller: &yes}},
	}}
}

func testPod(name string, ready bool, mutate ...func(*corev1.Pod)) *corev1.Pod {
	yes := true
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: "default", UID: types.UID("uid-" + name), Labels: appLabels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "lab-app-rs", UID: "rs-uid", Controller: &yes}},
		},
		Spec: corev1.PodSpec{NodeName: "lab-control-plane", Containers: []corev1.Container{{Name: "app", Image: "lab/app:v1"}}},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Ready: ready, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
			}},
		},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func waiting(reason, message string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodPending
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
	}
}

func fakeKube(objs ...runtime.Object) (*Kube, *kubefake.Cluster) {
	cs := kubefake.New(objs...)
	return NewKube(cs.Client, "kind-lab", ""), cs
}

func TestRolloutJudgedLikeKubectl(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment)
		done   bool
		failed bool
		msg    string
	}{
		{"complete", func(*appsv1.Deployment) {}, true, false, `deployment "lab-app" successfully rolled out`},
		{"spec not observed", func(d *appsv1.Deployment) { d.Generation = 2 }, false, false, "Waiting for deployment spec update to be observed..."},
		{"not all updated", func(d *appsv1.Deployment) { d.Status.UpdatedReplicas = 1 }, false, false, "1 out of 3 new replicas have been updated"},
		{"old replicas left", func(d *appsv1.Deployment) { d.Status.Replicas = 4 }, false, false, "1 old replicas are pending termination"},
		{"not all available", func(d *appsv1.Deployment) { d.Status.AvailableReplicas = 2 }, false, false, "2 of 3 updated replicas are available"},
		{"deadline exceeded", func(d *appsv1.Deployment) {
			d.Status.AvailableReplicas = 0
			d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
		}, false, true, `deployment "lab-app" exceeded its progress deadline`},
		{"deadline not judged before the spec is observed", func(d *appsv1.Deployment) {
			d.Generation = 3
			d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
		}, false, false, "spec update to be observed"},
		{"progressing is fine", func(d *appsv1.Deployment) {
			d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"}}
		}, true, false, "successfully rolled out"},
		{"scaled to zero", func(d *appsv1.Deployment) {
			zero := int32(0)
			d.Spec.Replicas = &zero
			d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1}
		}, true, false, "successfully rolled out"},
	}
	for _, tt := range tests {
		d, err := deploymentFacts(testDeployment(3, tt.mutate))
		if err != nil {
			t.Fatal(err)
		}
		r := d.Rollout()
		if r.Done != tt.done || r.Failed != tt.failed || !strings.Contains(r.Message, tt.msg) {
			t.Errorf("%s: got %+v, want done %v failed %v saying %q", tt.name, r, tt.done, tt.failed, tt.msg)
		}
	}
}

func TestDeploymentFacts(t *testing.T) {
	k, _ := fakeKube(testDeployment(3, func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.Containers[0].Env = append(d.Spec.Template.Spec.Containers[0].Env,
			corev1.EnvVar{Name: "DB_HOST", Value: "localhost:27017/posts"},
			corev1.EnvVar{Name: "SECRET", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}})
	}))
	d, err := k.Deployment(context.Background(), "lab-app")
	if err != nil {
		t.Fatal(err)
	}
	if d.Desired != 3 || d.Available != 3 || d.SelectorText != "app=lab-app" || d.TemplateLabels["app"] != "lab-app" {
		t.Errorf("got %+v", d)
	}
	c := d.Containers[0]
	if c.Image != "lab/app:v1" || c.PullPolicy != "IfNotPresent" || !slices.Equal(c.Ports, []int32{3000}) {
		t.Errorf("got container %+v", c)
	}
	if v, _ := c.Getenv("DB_HOST"); v.Value != "localhost:27017/posts" {
		t.Errorf("got DB_HOST %+v, want the last definition, the one the process sees", v)
	}
	if v, _ := c.Getenv("SECRET"); v.From != "key k of Secret s" {
		t.Errorf("got SECRET %+v", v)
	}
	if !d.Matches(map[string]string{"app": "lab-app", "x": "y"}) || d.Matches(map[string]string{"app": "mongo"}) {
		t.Error("Matches does not follow the selector")
	}

	_, err = k.Deployment(context.Background(), "nope")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "deployment" || !IsNotFound(err) {
		t.Errorf("got %v, want a NotFoundError for the deployment", err)
	}
}

func TestDeploymentPodsAndWhyNotReady(t *testing.T) {
	bare := testPod("bare", true, func(p *corev1.Pod) { p.OwnerReferences = nil })
	foreign := testPod("foreign", true, func(p *corev1.Pod) { p.OwnerReferences[0].Name = "other-rs" })
	current := testReplicaSet("lab-app-rs", "dep-uid")
	current.Annotations = map[string]string{"deployment.kubernetes.io/revision": "2"}
	old := testReplicaSet("lab-app-old", "dep-uid")
	old.Annotations = map[string]string{"deployment.kubernetes.io/revision": "1"}
	k, _ := fakeKube(
		testDeployment(3, func(d *appsv1.Deployment) {
			d.Annotations = map[string]string{"deployment.kubernetes.io/revision": "2"}
		}),
		current, old,
		testPod("lab-app-h", true, func(p *corev1.Pod) { p.OwnerReferences[0].Name = "lab-app-old" }),
		testReplicaSet("other-rs", "someone-else"),
		testPod("lab-app-a", true),
		testPod("lab-app-b", false, waiting("ImagePullBackOff", "Back-off pulling image \"lab/app:v1\"\nmore")),
		testPod("lab-app-c", false, waiting("ErrImageNeverPull", `Container image "lab/app:v1" is not present with pull policy of Never`)),
		testPod("lab-app-d", false, func(p *corev1.Pod) {
			p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
			p.Status.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1}}
			p.Status.ContainerStatuses[0].RestartCount = 4
		}),
		testPod("lab-app-e", false, func(p *corev1.Pod) {
			p.Spec.NodeName = ""
			p.Status.Phase = corev1.PodPending
			p.Status.ContainerStatuses = nil
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available"})
		}),
		testPod("lab-app-f", true, func(p *corev1.Pod) { now := metav1.Now(); p.DeletionTimestamp = &now }),
		testPod("lab-app-g", false),
		bare, foreign,
	)
	d, pods := deploymentPods(t, k, "lab-app")
	var names []string
	why := map[string]string{}
	for _, p := range pods {
		names = append(names, p.Name)
		why[p.Name] = p.NotReadyReason()
	}
	if want := []string{"lab-app-a", "lab-app-b", "lab-app-c", "lab-app-d", "lab-app-e", "lab-app-f", "lab-app-g", "lab-app-h"}; !slices.Equal(names, want) {
		t.Fatalf("got pods %q, want %q (not the bare pod, not another ReplicaSet's)", names, want)
	}
	for _, p := range pods {
		if p.Current(d) != (p.Name != "lab-app-h") {
			t.Errorf("%s: Current is %v; only lab-app-h is of the old revision", p.Name, p.Current(d))
		}
	}
	wantWhy := map[string]string{
		"lab-app-a": "",
		"lab-app-b": `container app is waiting: ImagePullBackOff (Back-off pulling image "lab/app:v1")`,
		"lab-app-c": "container app is waiting: ErrImageNeverPull",
		"lab-app-d": "container app is waiting: CrashLoopBackOff",
		"lab-app-e": "not scheduled: Unschedulable: 0/1 nodes are available",
		"lab-app-f": "terminating",
		"lab-app-g": "running, not Ready yet",
	}
	for name, want := range wantWhy {
		if got := why[name]; (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	stuck := map[string]bool{}
	for _, p := range pods {
		if w, ok := p.Stuck(); ok {
			stuck[p.Name] = true
			if w.Image != "lab/app:v1" {
				t.Errorf("%s: stuck container names image %q", p.Name, w.Image)
			}
		}
	}
	if want := map[string]bool{"lab-app-b": true, "lab-app-c": true, "lab-app-d": true}; len(stuck) != 3 || !stuck["lab-app-b"] || !stuck["lab-app-c"] || !stuck["lab-app-d"] {
		t.Errorf("got stuck %v, want %v", stuck, want)
	}
	if pods[3].Restarts != 4 || pods[0].Node != "lab-control-plane" || pods[0].UID != "uid-lab-app-a" {
		t.Errorf("got %+v", pods[3])
	}
}

func testService(mutate ...func(*corev1.Service)) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "lab-app-svc", Namespace: "default"},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: appLabels,
			Ports:    []corev1.ServicePort{{Port: 3000, TargetPort: intstr.FromInt32(3000), NodePort: 30001, Protocol: corev1.ProtocolTCP}},
		},
	}
	for _, m := range mutate {
		m(s)
	}
	return s
}

func testSlice(name string, eps ...discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{discoveryv1.LabelServiceName: "lab-app-svc"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   eps,
	}
}

func endpointOf(pod string, ready *bool) discoveryv1.Endpoint {
	node := "lab-control-plane"
	return discoveryv1.Endpoint{
		Addresses:  []string{"10.244.0." + pod[len(pod)-1:]},
		Conditions: discoveryv1.EndpointConditions{Ready: ready},
		NodeName:   &node,
		TargetRef:  &corev1.ObjectReference{Kind: "Pod", Name: pod, UID: types.UID("uid-" + pod)},
	}
}

func TestServiceAndEndpoints(t *testing.T) {
	yes, no := true, false
	k, _ := fakeKube(
		testService(),
		testSlice("lab-app-svc-1", endpointOf("lab-app-a", &yes), endpointOf("lab-app-b", nil)),
		testSlice("lab-app-svc-2", endpointOf("lab-app-c", &no), endpointOf("stray-x", &yes)),
		// Another Service's slice is not this one's.
		&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "default", Labels: map[string]string{discoveryv1.LabelServiceName: "other"}},
			Endpoints: []discoveryv1.Endpoint{endpointOf("lab-app-z", &yes)}},
	)
	ctx := context.Background()
	s, err := k.Service(ctx, "lab-app-svc")
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != "NodePort" || len(s.Ports) != 1 || s.Ports[0] != (ServicePort{Protocol: "TCP", Port: 3000, TargetPort: "3000", NodePort: 30001}) {
		t.Errorf("got %+v", s)
	}
	if !s.Selects(map[string]string{"app": "lab-app"}) || s.Selects(map[string]string{"app": "lab"}) || s.SelectorText() != "app=lab-app" {
		t.Error("Selects does not follow the selector")
	}
	if (Service{}).Selects(map[string]string{"app": "lab-app"}) {
		t.Error("a Service without selector selects pods")
	}
	eps, err := k.ServiceEndpoints(ctx, "lab-app-svc")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ep := range eps {
		got = append(got, ep.String()+map[bool]string{true: "+", false: "-"}[ep.Ready])
	}
	if want := []string{"pod lab-app-a+", "pod lab-app-b+", "pod lab-app-c-", "pod stray-x+"}; !slices.Equal(got, want) {
		t.Errorf("got endpoints %q, want %q", got, want)
	}

	_, err = k.Service(ctx, "nope")
	if !IsNotFound(err) {
		t.Errorf("got %v, want not found", err)
	}
}

func TestCompareEndpoints(t *testing.T) {
	pods := func(names ...string) []Pod {
		var out []Pod
		for _, n := range names {
			ready := !strings.HasSuffix(n, "-notready")
			out = append(out, Pod{Name: n, UID: "uid-" + n, Ready: ready})
		}
		return out
	}
	ep := func(pod string, ready bool) ServiceEndpoint {
		return ServiceEndpoint{Pod: pod, PodUID: "uid-" + pod, Ready: ready, Addresses: []string{"10.0.0.1"}}
	}
	tests := []struct {
		name           string
		eps            []ServiceEndpoint
		pods           []Pod
		missing, extra []string
	}{
		{"equal", []ServiceEndpoint{ep("a", true), ep("b", true)}, pods("a", "b"), nil, nil},
		{"selects nothing", nil, pods("a", "b"), []string{"a", "b"}, nil},
		{"a stray pod", []ServiceEndpoint{ep("a", true), ep("x", true)}, pods("a"), nil, []string{"pod x"}},
		{"not-ready on both sides is ignored", []ServiceEndpoint{ep("a", true), ep("b-notready", false)}, pods("a", "b-notready"), nil, nil},
		{"ready pod behind a not-ready endpoint", []ServiceEndpoint{ep("a", false)}, pods("a"), []string{"a"}, nil},
		{"same name, other pod", []ServiceEndpoint{{Pod: "a", PodUID: "old", Ready: true}}, pods("a"), []string{"a"}, []string{"pod a"}},
		{"an address without a pod", []ServiceEndpoint{{Addresses: []string{"192.0.2.1"}, Ready: true}}, nil, nil, []string{"192.0.2.1"}},
		{"terminating endpoints do not count", []ServiceEndpoint{{Pod: "x", PodUID: "uid-x", Ready: true, Terminating: true}}, nil, nil, nil},
	}
	for _, tt := range tests {
		d := CompareEndpoints(tt.eps, tt.pods)
		var missing, extra []string
		for _, p := range d.Missing {
			missing = append(missing, p.Name)
		}
		for _, e := range d.Extra {
			extra = append(extra, e.String())
		}
		if !slices.Equal(missing, tt.missing) || !slices.Equal(extra, tt.extra) || d.Equal() != (tt.missing == nil && tt.extra == nil) {
			t.Errorf("%s: got missing %q extra %q, want %q and %q", tt.name, missing, extra, tt.missing, tt.extra)
		}
	}
}

func TestParseKubeObject(t *testing.T) {
	for ref, want := range map[string]string{
		"deployment/lab-app": "deployment/lab-app", "svc/lab-app-svc": "service/lab-app-svc",
		"Deployments/x": "deployment/x", "pvc/data": "persistentvolumeclaim/data",
	} {
		o, err := ParseKubeObject(ref)
		if err != nil || o.String() != want {
			t.Errorf("ParseKubeObject(%q) = %v, %v; want %s", ref, o, err, want)
		}
	}
	for _, ref := range []string{"lab-app", "/x", "deployment/", "widget/x", "deployment/a/b"} {
		if _, err := ParseKubeObject(ref); err == nil {
			t.Errorf("ParseKubeObject(%q) accepted", ref)
		}
	}
}

// parseKubeObjects reads refs as a lesson's resources name them.
func parseKubeObjects(t *testing.T, refs ...string) []KubeObject {
	t.Helper()
	var objs []KubeObject
	for _, ref := range refs {
		o, err := ParseKubeObject(ref)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	return objs
}

func TestFindObjects(t *testing.T) {
	k, _ := fakeKube(testDeployment(3), testService())
	objs := parseKubeObjects(t, "deployment/lab-app", "service/lab-app-svc", "deployment/mongo", "service/mongo-service", "configmap/x", "secret/x", "pod/x", "pvc/x", "sts/x")
	found, err := k.FindObjects(context.Background(), objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].String() != "deployment/lab-app" || found[1].String() != "service/lab-app-svc" {
		t.Errorf("got %v", found)
	}
}

func TestKubeWrapTellsLostConnectionsFromAnswers(t *testing.T) {
	k := NewKube(kubefake.New().Client, "kind-lab", "")
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:1/api", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	if err := k.wrap(refused, "", "", "reading"); !IsKubeUnavailable(err) {
		t.Errorf("a refused connection: got %v, want a KubeError", err)
	}
	if err := k.wrap(apierrors.NewNotFound(schema.GroupResource{Resource: "services"}, "x"), "service", "x", "reading"); !IsNotFound(err) {
		t.Errorf("not found: got %v", err)
	}
	if err := k.wrap(apierrors.NewForbidden(schema.GroupResource{Resource: "services"}, "x", errors.New("no")), "service", "x", "reading"); IsKubeUnavailable(err) || IsNotFound(err) {
		t.Errorf("forbidden is an answer: got %v", err)
	}
	if err := k.wrap(&url.Error{Op: "Get", URL: "https://x", Err: context.DeadlineExceeded}, "", "", "reading"); IsKubeUnavailable(err) {
		t.Errorf("a deadline of the check's own is not a lost cluster: %v", err)
	}
}

// deploymentPods reads a Deployment and its pods, failing the test when
// either cannot be read.
func deploymentPods(t *testing.T, k *Kube, name string) (Deployment, []Pod) {
	t.Helper()
	ctx := context.Background()
	d, err := k.Deployment(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := k.DeploymentPods(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return d, pods
}

// Reset's time rule for Kubernetes objects: each found object carries its
// metadata.creationTimestamp, and only those created after the learner
// began the step naming them may be deleted.
func TestSplitKubeByAge(t *testing.T) {
	created := func(at time.Time) func(*metav1.ObjectMeta) {
		return func(m *metav1.ObjectMeta) { m.CreationTimestamp = metav1.NewTime(at) }
	}
	app := testDeployment(3, func(d *appsv1.Deployment) { created(later)(&d.ObjectMeta) })
	prod := testDeployment(1, func(d *appsv1.Deployment) { d.Name = "prod-db"; created(yesterday)(&d.ObjectMeta) })
	// The API server keeps whole seconds: made in the second the step began.
	svc := testService(func(s *corev1.Service) { created(began.Truncate(time.Second))(&s.ObjectMeta) })
	untimed := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: "default"}}
	notBegun := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token", Namespace: "default", CreationTimestamp: metav1.NewTime(later)}}
	k, _ := fakeKube(app, prod, svc, untimed, notBegun)

	objs := parseKubeObjects(t, "deploy/lab-app", "deployment/prod-db", "svc/lab-app-svc", "cm/settings", "secret/token", "deployment/gone")
	found, err := k.FindObjects(context.Background(), objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 5 {
		t.Fatalf("found %v, want the 5 that exist", found)
	}
	if !found[0].Created.Equal(later) || !found[1].Created.Equal(yesterday) || !found[3].Created.IsZero() {
		t.Errorf("creation times %v, %v, %v; want %v, %v and none", found[0].Created, found[1].Created, found[3].Created, later, yesterday)
	}

	starts := map[string]time.Time{
		"deployment/lab-app": began, "deployment/prod-db": began,
		"service/lab-app-svc": began.Add(300 * time.Millisecond), "configmap/settings": began,
	}
	remove, kept := SplitKubeByAge(found, func(o KubeObject) time.Time { return starts[o.String()] })
	var removed []string
	for _, o := range remove {
		removed = append(removed, o.String())
	}
	if want := []string{"deployment/lab-app", "service/lab-app-svc"}; !slices.Equal(removed, want) {
		t.Errorf("deletes %q, want %q", removed, want)
	}
	reasons := map[string]string{}
	for _, o := range kept {
		reasons[o.String()] = o.Reason
	}
	want := map[string]string{"deployment/prod-db": KeptOlder, "configmap/settings": KeptNoTime, "secret/token": KeptNoStart}
	if !maps.Equal(reasons, want) {
		t.Errorf("keeps %q, want %q", reasons, want)
	}
}
