package features

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
	"github.com/lab-workshop/lab/sandbox/kubeclient/kubefake"
)

// The lesson 7 checks against plain objects in a fake cluster (kubefake),
// as the cluster holds them after the lesson's manifests.

var kubeAppLabels = map[string]string{"app": "lab-app"}

func kubeTestDeployment(mutate ...func(*appsv1.Deployment)) *appsv1.Deployment {
	three := int32(3)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "lab-app", Namespace: "default", UID: "dep", Generation: 1,
			Annotations: map[string]string{"deployment.kubernetes.io/revision": "1"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &three,
			Selector: &metav1.LabelSelector{MatchLabels: kubeAppLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: kubeAppLabels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: "lab/app:v1", ImagePullPolicy: corev1.PullIfNotPresent,
					Env: []corev1.EnvVar{{Name: "DB_HOST", Value: "mongo-service:27017/posts"}},
				}}},
			},
		},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3},
	}
	for _, m := range mutate {
		m(d)
	}
	return d
}

func kubeTestReplicaSet() *appsv1.ReplicaSet {
	yes := true
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{
		Name: "lab-app-1", Namespace: "default", Labels: kubeAppLabels,
		Annotations:     map[string]string{"deployment.kubernetes.io/revision": "1"},
		OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "lab-app", UID: "dep", Controller: &yes}},
	}}
}

func kubeTestPod(name string, ready bool, mutate ...func(*corev1.Pod)) *corev1.Pod {
	yes := true
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-" + name), Labels: kubeAppLabels,
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "lab-app-1", Controller: &yes}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "lab/app:v1"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: status}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: ready}}},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func kubeTestService(mutate ...func(*corev1.Service)) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "lab-app-svc", Namespace: "default"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: kubeAppLabels,
			Ports: []corev1.ServicePort{{Port: 3000, TargetPort: intstr.FromInt32(3000), NodePort: 30001}}},
	}
	for _, m := range mutate {
		m(s)
	}
	return s
}

func kubeTestSlice(pods ...string) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: "lab-app-svc-x", Namespace: "default",
		Labels: map[string]string{discoveryv1.LabelServiceName: "lab-app-svc"}}}
	for _, p := range pods {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.244.0.9"},
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: p, UID: types.UID("uid-" + p)}})
	}
	return s
}

// kubeWorld is a world whose cluster holds objs.
func kubeWorld(t *testing.T, objs ...runtime.Object) *world {
	t.Helper()
	k := sandbox.NewKube(kubefake.New(objs...).Client, "kind-lab", "")
	return &world{run: &run{opts: Options{Status: io.Discard, Env: []string{}}, cluster: kubeConn{kube: k, dialed: true}}}
}

// healthy is a cluster after the lesson's first two steps.
func healthy(mutate ...func(*appsv1.Deployment)) []runtime.Object {
	return []runtime.Object{
		kubeTestDeployment(mutate...), kubeTestReplicaSet(),
		kubeTestPod("lab-app-a", true), kubeTestPod("lab-app-b", true), kubeTestPod("lab-app-c", true),
		kubeTestService(), kubeTestSlice("lab-app-a", "lab-app-b", "lab-app-c"),
	}
}

// deploymentScenario runs the checks of the deployment step in order.
func deploymentScenario(w *world) error {
	ctx, err := w.kubeDeploymentExists(context.Background(), "lab-app")
	if err != nil {
		return err
	}
	if err := w.kubePodLabel(ctx, "app", "lab-app"); err != nil {
		return err
	}
	if err := w.kubeImageOffline(ctx, "lab/app:v1"); err != nil {
		return err
	}
	if err := w.kubeWants(ctx, "at least ", 3); err != nil {
		return err
	}
	return w.kubeRolloutCompletes(ctx)
}

func TestKubeDeploymentChecks(t *testing.T) {
	never := func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.Containers[0].ImagePullPolicy = corev1.PullNever
		d.Status.AvailableReplicas, d.Status.ReadyReplicas = 2, 2
	}
	neverPulled := kubeTestPod("lab-app-c", false, func(p *corev1.Pod) {
		p.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{Reason: "ErrImageNeverPull"}
	})
	tests := []struct {
		name string
		objs []runtime.Object
		want string
	}{
		{"solved", healthy(), ""},
		{"more replicas", healthy(func(d *appsv1.Deployment) {
			five := int32(5)
			d.Spec.Replicas = &five
			d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 5, 5, 5
		}), ""},
		{"missing", []runtime.Object{kubeTestDeployment(func(d *appsv1.Deployment) { d.Name = "web" })},
			`there is no Deployment "lab-app" in the namespace "default" of the cluster kind-lab` + "\n  expected: a Deployment named lab-app\n  observed: Deployments: web\n  see it yourself: kubectl get deployments"},
		{"other label", healthy(func(d *appsv1.Deployment) { d.Spec.Template.Labels = map[string]string{"app": "web"} }),
			`the pods of the Deployment "lab-app" carry the labels app=web, not app=lab-app`},
		{"pull always", healthy(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].ImagePullPolicy = corev1.PullAlways }),
			`the Deployment "lab-app" pulls lab/app:v1 with imagePullPolicy: Always, but that image is in no registry`},
		{"latest without policy", healthy(func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Image = "lab/app"
			d.Spec.Template.Spec.Containers[0].ImagePullPolicy = ""
		}), `the Deployment "lab-app" runs lab/app, not lab/app:v1`},
		{"other image", healthy(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:1.27" }),
			`the Deployment "lab-app" runs nginx:1.27, not lab/app:v1`},
		{"one replica", healthy(func(d *appsv1.Deployment) { one := int32(1); d.Spec.Replicas = &one }),
			`the Deployment "lab-app" wants 1 replica, not at least 3` + "\n  expected: replicas: at least 3\n  observed: replicas: 1 (3 available)\n  see it yourself: kubectl get deployment lab-app\n  fix: kubectl scale deployment lab-app --replicas=3"},
		{"image not on the node", append(healthy(never)[:4], neverPulled),
			"pod lab-app-c of the Deployment \"lab-app\" cannot start: the node has no image lab/app:v1, and imagePullPolicy: Never forbids pulling it (ErrImageNeverPull)"},
		{"deadline", healthy(func(d *appsv1.Deployment) {
			d.Status.AvailableReplicas = 1
			d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
		}), `the rollout of the Deployment "lab-app" failed: deployment "lab-app" exceeded its progress deadline`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFailure(t, tt.name, deploymentScenario(kubeWorld(t, tt.objs...)), tt.want)
		})
	}
	// A stuck pod says how to get the image onto the node.
	err := deploymentScenario(kubeWorld(t, append(healthy(never)[:4], neverPulled)...))
	if !strings.Contains(err.Error(), "fix: load it into the cluster's nodes: kind load docker-image lab/app:v1 --name lab") {
		t.Errorf("got %v", err)
	}
}

func serviceScenario(w *world) error {
	ctx, err := w.kubeServiceExists(context.Background(), "lab-app-svc")
	if err != nil {
		return err
	}
	for _, check := range []func() error{
		func() error { return w.kubeServiceType(ctx, "NodePort") },
		func() error { return w.kubeServicePort(ctx, 3000, 3000) },
		func() error { return w.kubeServiceNodePort(ctx, 3000, 30001) },
		func() error { return w.kubeServiceEndpoints(ctx, "lab-app") },
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func TestKubeServiceChecks(t *testing.T) {
	withService := func(mutate func(*corev1.Service)) []runtime.Object {
		objs := healthy()
		objs[5] = kubeTestService(mutate)
		return objs
	}
	stray := kubeTestPod("stray", true, func(p *corev1.Pod) { p.OwnerReferences = nil })
	tests := []struct {
		name string
		objs []runtime.Object
		want string
	}{
		{"solved", healthy(), ""},
		{"missing", healthy()[:5], `there is no Service "lab-app-svc" in the namespace "default" of the cluster kind-lab`},
		{"cluster ip", withService(func(s *corev1.Service) { s.Spec.Type = corev1.ServiceTypeClusterIP; s.Spec.Ports[0].NodePort = 0 }),
			`the Service "lab-app-svc" is of type ClusterIP, not NodePort: a ClusterIP Service is reachable only from inside the cluster`},
		{"no port 3000", withService(func(s *corev1.Service) { s.Spec.Ports[0].Port = 80 }),
			`the Service "lab-app-svc" has no port 3000` + "\n  expected: ports: - port: 3000\n  observed: 80 → 3000 (node port 30001)"},
		{"other target port", withService(func(s *corev1.Service) { s.Spec.Ports[0].TargetPort = intstr.FromInt32(80) }),
			`the Service "lab-app-svc" forwards its port 3000 to port 80 of the pods, but the app listens on 3000`},
		{"named target port", withService(func(s *corev1.Service) { s.Spec.Ports[0].TargetPort = intstr.FromString("http") }), ""},
		{"other node port", withService(func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 30002 }),
			`the Service "lab-app-svc" opens its port 3000 on node port 30002, not 30001`},
		{"selects nothing", withService(func(s *corev1.Service) { s.Spec.Selector = map[string]string{"app": "lab"} }),
			`the Service "lab-app-svc" selects app=lab, but the pods of the Deployment "lab-app" carry app=lab-app: it sends traffic to none of them`},
		{"no selector", withService(func(s *corev1.Service) { s.Spec.Selector = nil }),
			`the Service "lab-app-svc" has no selector, so it sends traffic to no pod`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFailure(t, tt.name, serviceScenario(kubeWorld(t, tt.objs...)), tt.want)
		})
	}
	if testing.Short() {
		return // the next cases wait for endpoints that never settle
	}
	objs := append(healthy()[:6], stray, kubeTestSlice("lab-app-a", "lab-app-b", "lab-app-c", "stray"))
	wantFailure(t, "stray pod", serviceScenario(kubeWorld(t, objs...)),
		`does not send traffic to exactly the ready pods of the Deployment "lab-app": other pods carry the labels it selects (app=lab-app)`)
}

func TestKubeDeploymentEnv(t *testing.T) {
	env := func(vars ...corev1.EnvVar) []runtime.Object {
		return healthy(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Env = vars })
	}
	envFrom := func(srcs ...corev1.EnvFromSource) []runtime.Object {
		return healthy(func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.Containers[0].Env = nil
			d.Spec.Template.Spec.Containers[0].EnvFrom = srcs
		})
	}
	with := func(objs []runtime.Object, more ...runtime.Object) []runtime.Object { return append(objs, more...) }
	ref := corev1.LocalObjectReference{Name: "db"}
	fromConfigMap := corev1.EnvVar{Name: "DB_HOST", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: ref, Key: "host"}}}
	fromSecret := corev1.EnvVar{Name: "DB_HOST", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: ref, Key: "host"}}}
	configMap := func(host string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string]string{"host": host}}
	}
	secret := func(host string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string][]byte{"host": []byte(host)}}
	}
	tests := []struct {
		name string
		objs []runtime.Object
		want string
	}{
		{"solved", healthy(), ""},
		{"url form", env(corev1.EnvVar{Name: "DB_HOST", Value: "mongodb://mongo-service:27017/posts"}), ""},
		{"localhost", env(corev1.EnvVar{Name: "DB_HOST", Value: "localhost:27017/posts"}),
			`DB_HOST points at localhost, which inside a pod is that pod itself; use the Service's name "mongo-service"`},
		{"set twice, the last wins", env(corev1.EnvVar{Name: "DB_HOST", Value: "mongo-service:27017/posts"}, corev1.EnvVar{Name: "DB_HOST", Value: "mongo:27017/posts"}),
			`the container app of the Deployment "lab-app" sets DB_HOST to "mongo:27017/posts", not "mongo-service:27017/posts"`},
		{"unset", env(), `the Deployment "lab-app" does not set DB_HOST`},
		{"from a ConfigMap", with(env(fromConfigMap), configMap("mongo-service:27017/posts")), ""},
		{"from a ConfigMap, wrong value", with(env(fromConfigMap), configMap("mongo:27017/posts")),
			`the container app of the Deployment "lab-app" takes DB_HOST from the key host of ConfigMap db, which says "mongo:27017/posts", not "mongo-service:27017/posts"`},
		{"from a ConfigMap, localhost", with(env(fromConfigMap), configMap("localhost:27017/posts")),
			`DB_HOST points at localhost, which inside a pod is that pod itself`},
		{"from a ConfigMap that does not exist", env(fromConfigMap),
			`takes DB_HOST from the key host of ConfigMap db, but ConfigMap db does not exist`},
		{"from a ConfigMap without the key", with(env(fromConfigMap), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string]string{"DB_HOST": "mongo-service:27017/posts"}}),
			`takes DB_HOST from the key host of ConfigMap db, but ConfigMap db has no key host`},
		{"from a Secret", with(env(fromSecret), secret("mongo-service:27017/posts")), ""},
		{"from a Secret, wrong value", with(env(fromSecret), secret("mongo:27017/posts")),
			`takes DB_HOST from the key host of Secret db, which says "mongo:27017/posts", not "mongo-service:27017/posts"`},
		{"envFrom a ConfigMap", with(envFrom(corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}),
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string]string{"DB_HOST": "mongo-service:27017/posts"}}), ""},
		{"envFrom a ConfigMap with a prefix", with(envFrom(corev1.EnvFromSource{Prefix: "DB_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}),
			configMap("mongo-service:27017/posts"), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "db2", Namespace: "default"}}), `the Deployment "lab-app" does not set DB_HOST`},
		{"envFrom a ConfigMap, prefixed", with(envFrom(corev1.EnvFromSource{Prefix: "DB_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}),
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string]string{"HOST": "mongo-service:27017/posts"}}), ""},
		{"envFrom a ConfigMap, wrong value", with(envFrom(corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}),
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string]string{"DB_HOST": "mongo:27017/posts"}}),
			`takes DB_HOST from the key DB_HOST of ConfigMap db (envFrom), which says "mongo:27017/posts", not "mongo-service:27017/posts"`},
		{"envFrom a Secret", with(envFrom(corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}),
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string][]byte{"DB_HOST": []byte("mongo-service:27017/posts")}}), ""},
		{"env wins over envFrom", with(func() []runtime.Object {
			return healthy(func(d *appsv1.Deployment) {
				c := &d.Spec.Template.Spec.Containers[0]
				c.Env = []corev1.EnvVar{{Name: "DB_HOST", Value: "mongo:27017/posts"}}
				c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}}}
			})
		}(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string]string{"DB_HOST": "mongo-service:27017/posts"}}),
			`sets DB_HOST to "mongo:27017/posts", not "mongo-service:27017/posts"`},
		{"from a field", env(corev1.EnvVar{Name: "DB_HOST", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}}),
			`takes DB_HOST from the field status.podIP, which the lab does not read`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kubeWorld(t, tt.objs...).kubeDeploymentEnv(context.Background(), "lab-app", "DB_HOST", "mongo-service:27017/posts")
			wantFailure(t, tt.name, err, tt.want)
		})
	}
}

func TestKubeScaleChecks(t *testing.T) {
	w := kubeWorld(t, healthy()...)
	_, err := w.kubeDeploymentAvailable(context.Background(), "lab-app", "", 5)
	wantFailure(t, "three of five", err, `the Deployment "lab-app" wants 3 replicas, not 5`)
	_, err = w.kubeDeploymentAvailable(context.Background(), "lab-app", "at least ", 3)
	wantFailure(t, "at least three", err, "")
	_, err = w.kubeDeploymentAvailable(context.Background(), "mongo", "", 1)
	wantFailure(t, "no such Deployment", err, `there is no Deployment "mongo"`)
}

func TestKubeContextGone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	cfg := "apiVersion: v1\nkind: Config\ncurrent-context: kind-lab\nclusters:\n- name: kind-lab\n  cluster:\n    server: https://127.0.0.1:1\n" +
		"users:\n- name: kind-lab\n  user: {}\ncontexts:\n- name: kind-lab\n  context:\n    cluster: kind-lab\n    user: kind-lab\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &world{run: newRun(Options{Env: []string{"KUBECONFIG=" + path}}, nil)}
	wantFailure(t, "context left", w.kubeContextGone(context.Background(), "kind-lab"),
		`still has the context "kind-lab", but its cluster is gone`)
	if err := os.WriteFile(path, []byte("apiVersion: v1\nkind: Config\ncurrent-context: kind-lab\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, "current context left", w.kubeContextGone(context.Background(), "kind-lab"),
		`still names "kind-lab" as its current context, which no longer exists`)
	w.run = newRun(Options{Env: []string{"KUBECONFIG=" + filepath.Join(dir, "none")}}, nil)
	wantFailure(t, "no kubeconfig", w.kubeContextGone(context.Background(), "kind-lab"), "")
}

func TestKubectlCommands(t *testing.T) {
	if got := kubectl(sandbox.NewKube(kubefake.New().Client, "kind-lab", ""), "get pods"); got != "kubectl get pods" {
		t.Errorf("got %q", got)
	}
	if got := kubectl(sandbox.NewKube(kubefake.New().Client, "kind-lab", "learner-7"), "get pods"); got != "kubectl -n learner-7 get pods" {
		t.Errorf("got %q", got)
	}
	if got := kubectl(nil, "get pods"); got != "kubectl get pods" {
		t.Errorf("got %q", got)
	}
}

func TestKubeTargetFromTheEnvironment(t *testing.T) {
	r := newRun(Options{Env: []string{}}, nil)
	if c, ns := r.target.KubeContext, r.target.Namespace; c != "kind-lab" || ns != "" {
		t.Errorf("got %q %q", c, ns)
	}
	r = newRun(Options{Env: []string{"LAB_KUBE_CONTEXT=class", "LAB_KUBE_NAMESPACE=ada"}}, nil)
	if c, ns := r.target.KubeContext, r.target.Namespace; c != "class" || ns != "ada" {
		t.Errorf("got %q %q", c, ns)
	}
}

// The checks look at the kind cluster the course declares; a course that
// declares none keeps kind-lab.
func TestKubeTargetFromTheCourse(t *testing.T) {
	course := &lessons.Course{Cluster: &lessons.Cluster{Name: "drills", NodePorts: []int{30080}}}
	if c := newRun(Options{Env: []string{}}, course).target.KubeContext; c != "kind-drills" {
		t.Errorf("course cluster drills: got context %q, want kind-drills", c)
	}
	if c := newRun(Options{Env: []string{}}, &lessons.Course{}).target.KubeContext; c != "kind-lab" {
		t.Errorf("course without a cluster: got context %q, want kind-lab", c)
	}
	if c := newRun(Options{Env: []string{"LAB_KUBE_CONTEXT=class"}}, course).target.KubeContext; c != "class" {
		t.Errorf("LAB_KUBE_CONTEXT=class: got context %q, want class", c)
	}
}

func TestEveryKubernetesKindIsOneLabLooksFor(t *testing.T) {
	for _, kind := range lessons.KubernetesKinds {
		if _, err := sandbox.ParseKubeObject(kind + "/x"); err != nil {
			t.Errorf("lessons accept %q, sandbox does not: %v", kind, err)
		}
	}
}

func TestKubeLeftovers(t *testing.T) {
	k := sandbox.NewKube(kubefake.New(kubeTestDeployment()).Client, "kind-lab", "")
	f := &kubeLeftovers{run: &run{opts: Options{Env: []string{}}, cluster: kubeConn{kube: k, dialed: true}}}
	got, err := f.find(context.Background(), []string{"deployment/lab-app", "service/lab-app-svc"})
	if err != nil || len(got) != 1 || got[0] != "kubernetes deployment/lab-app" {
		t.Errorf("got %q, %v", got, err)
	}
	// A cluster that cannot be asked is never "nothing left".
	down := &kubeLeftovers{run: &run{opts: Options{Env: []string{"LAB_KUBE_CONTEXT=prod"}}, cluster: kubeConn{
		dialed: true, err: &sandbox.KubeError{Reason: sandbox.KubeUnreachable, Context: "prod"}}}}
	if got, err := down.find(context.Background(), []string{"deployment/lab-app"}); err == nil {
		t.Errorf("got %q and no error for a cluster that does not answer", got)
	}
	if _, err := f.find(context.Background(), []string{"widget/x"}); err == nil {
		t.Error("a kind lab does not know was looked for")
	}
}

func TestKubeImageOfflineTakesAStricterPin(t *testing.T) {
	const digest = "@sha256:768288cc6d39dc4547e1218b761fc577cf92f74a63511b5b2be7d0afa7705a41"
	tests := []struct{ image, want string }{
		{"mongo:7.0", ""},
		{"mongo:7.0.14", ""},
		{"mongo" + digest, ""},
		{"docker.io/library/mongo:7.0", ""},
		{"mongo:7", `the Deployment "lab-app" runs mongo:7, not mongo:7.0`},
		{"mongo:8.0", `the Deployment "lab-app" runs mongo:8.0, not mongo:7.0`},
		{"mongo:latest", `the Deployment "lab-app" runs mongo:latest, not mongo:7.0`},
	}
	for _, tt := range tests {
		w := kubeWorld(t, healthy(func(d *appsv1.Deployment) {
			c := &d.Spec.Template.Spec.Containers[0]
			c.Image, c.ImagePullPolicy = tt.image, corev1.PullIfNotPresent
		})...)
		ctx, err := w.kubeDeploymentExists(context.Background(), "lab-app")
		if err != nil {
			t.Fatal(err)
		}
		wantFailure(t, tt.image, w.kubeImageOffline(ctx, "mongo:7.0"), tt.want)
	}
}

// A missing cluster's fix names the course's own kind configuration file,
// and none when the course keeps none.
func TestMissingClusterFixNamesTheCoursesConfig(t *testing.T) {
	env := []string{"HOME=" + t.TempDir()} // no kubeconfig at all
	for _, tc := range []struct {
		cluster *lessons.Cluster
		want    string
	}{
		{&lessons.Cluster{Name: "drills", Config: "setup/kind.yaml"}, "create the cluster: kind create cluster --config setup/kind.yaml (or: lab cluster up)"},
		{&lessons.Cluster{Name: "drills"}, "create the cluster: lab cluster up;"},
	} {
		r := newRun(Options{Env: env}, &lessons.Course{Cluster: tc.cluster})
		_, err := r.target.ConnectKube(context.Background())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: got %v, want it to say %q", tc.cluster.Config, err, tc.want)
		}
	}
}
