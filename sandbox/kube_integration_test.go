package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// pauseImage is in every node image (kubelet's sandbox image), so test
// pods start without a registry and without kind load.
const pauseImage = "registry.k8s.io/pause:3.10.2"

// integrationKube connects to a kind cluster in a namespace of the test's
// own, deleted at the end. The cluster is the one LAB_KUBE_CONTEXT names,
// when set; else one the tests make once from LAB_NODE_IMAGE (see
// testCluster). It skips, saying why, when there is neither, unless
// LAB_REQUIRE_CLUSTER=1, where that is a failure.
func integrationKube(t *testing.T) *Kube {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	getenv, contextName := os.Getenv, os.Getenv("LAB_KUBE_CONTEXT")
	if contextName == "" {
		e, image := integrationKind(t)
		kubeconfig, name := testCluster(t, e, image)
		getenv = func(k string) string {
			if k == "KUBECONFIG" {
				return kubeconfig
			}
			return os.Getenv(k)
		}
		contextName = KubeContextOf(name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := ConnectKube(ctx, getenv, contextName, "")
	if err != nil {
		if os.Getenv("LAB_REQUIRE_CLUSTER") == "1" {
			t.Fatalf("LAB_REQUIRE_CLUSTER=1 but the cluster cannot be used: %v", err)
		}
		t.Skipf("no kind cluster to test against: %v", err)
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	ns := "lab-test-" + hex.EncodeToString(b)
	_, err = k.client.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: ns, Labels: map[string]string{"lab.managed": "true"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := k.client.Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
			t.Errorf("deleting namespace %s: %v", ns, err)
		}
	})
	k.namespace = ns
	return k
}

func pauseDeployment(name string, replicas int32, image string, policy corev1.PullPolicy) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					TerminationGracePeriodSeconds: new(int64),
					Containers:                    []corev1.Container{{Name: "main", Image: image, ImagePullPolicy: policy}},
				},
			},
		},
	}
}

// awaitRollout polls until the Deployment's rollout is done, as kubectl
// rollout status would.
func awaitRollout(ctx context.Context, t *testing.T, k *Kube, name string) Deployment {
	t.Helper()
	for {
		d, err := k.Deployment(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		r := d.Rollout()
		if r.Done {
			return d
		}
		if r.Failed || ctx.Err() != nil {
			pods, _ := k.DeploymentPods(context.Background(), d)
			t.Fatalf("rollout of %s: %s; pods %+v", name, r.Message, pods)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func TestIntegrationKubeDeploymentServiceAndHeal(t *testing.T) {
	k := integrationKube(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	if _, err := k.client.Deployments(k.namespace).Create(ctx, pauseDeployment("web", 2, pauseImage, corev1.PullIfNotPresent), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := k.client.Services(k.namespace).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web-svc"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "web"},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := awaitRollout(ctx, t, k, "web")
	if d.Available != 2 || d.Revision == "" {
		t.Errorf("got %+v", d)
	}
	pods, err := k.DeploymentPods(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 2 || !pods[0].Ready || !pods[0].Current(d) || pods[0].Node == "" {
		t.Fatalf("got pods %+v", pods)
	}

	// The endpoints follow the pods within a few seconds.
	var diff EndpointDiff
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		eps, err := k.ServiceEndpoints(ctx, "web-svc")
		if err != nil {
			t.Fatal(err)
		}
		if diff = CompareEndpoints(eps, pods); diff.Equal() && len(diff.Matched) == 2 {
			break
		}
	}
	if !diff.Equal() || len(diff.Matched) != 2 {
		t.Fatalf("endpoints never matched the pods: %+v", diff)
	}
	s, err := k.Service(ctx, "web-svc")
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != "ClusterIP" || s.Ports[0].TargetPort != "8080" || !s.Selects(pods[0].Labels) {
		t.Errorf("got service %+v", s)
	}

	var progress []string
	heal, err := k.DeletePodAndWatch(ctx, d, pods[0], HealOptions{
		Timeout:  60 * time.Second,
		Progress: func(p HealProgress) { progress = append(progress, p.String()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if heal.Replacement.UID == pods[0].UID || heal.Replacement.UID == pods[1].UID || !heal.Replacement.Ready {
		t.Errorf("got replacement %+v", heal.Replacement)
	}
	t.Logf("healed in %s: %s → %s; progress %q", heal.Took, heal.Deleted.Name, heal.Replacement.Name, progress)

	found, err := k.FindObjects(ctx, []KubeObject{{Kind: "deployment", Name: "web"}, {Kind: "service", Name: "web-svc"}, {Kind: "deployment", Name: "gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 {
		t.Errorf("got %v", found)
	}
}

func TestIntegrationKubeStuckPodSaysWhy(t *testing.T) {
	k := integrationKube(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := k.client.Deployments(k.namespace).Create(ctx, pauseDeployment("nowhere", 1, "lab/not-on-the-node:v1", corev1.PullNever), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		d, pods := deploymentPods(t, k, "nowhere")
		if len(pods) == 1 {
			if w, stuck := pods[0].Stuck(); stuck {
				if w.Reason != "ErrImageNeverPull" || d.Rollout().Done {
					t.Errorf("got %+v, rollout %+v", w, d.Rollout())
				}
				t.Logf("why: %s", pods[0].NotReadyReason())
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("the pod never said why it cannot start: %+v", pods)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
