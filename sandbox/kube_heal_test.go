package sandbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	k8stesting "k8s.io/client-go/testing"

	"github.com/lab-workshop/lab/sandbox/kubeclient/kubefake"
)

// healCluster is a fake cluster with a Deployment of three Ready pods.
func healCluster(t *testing.T) (*Kube, *kubefake.Cluster, Deployment, []Pod) {
	t.Helper()
	k, cs := fakeKube(
		testDeployment(3),
		testReplicaSet("lab-app-rs", "dep-uid"),
		testPod("lab-app-a", true), testPod("lab-app-b", true), testPod("lab-app-c", true),
	)
	d, pods := deploymentPods(t, k, "lab-app")
	return k, cs, d, pods
}

// controller stands in for the ReplicaSet controller: when a pod of the
// Deployment is deleted it runs react, once per deletion.
func controller(t *testing.T, cs *kubefake.Cluster, react func(ctx context.Context, deleted *corev1.Pod)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := cs.Pods("default").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok && ev.Type == watch.Deleted {
				react(ctx, p)
			}
		}
	}()
	t.Cleanup(func() { cancel(); w.Stop(); wg.Wait() })
}

func setAvailable(ctx context.Context, t *testing.T, cs *kubefake.Cluster, n int32) {
	t.Helper()
	d, err := cs.Deployments("default").Get(ctx, "lab-app", metav1.GetOptions{})
	if err != nil {
		t.Error(err)
		return
	}
	d.Status.AvailableReplicas, d.Status.ReadyReplicas = n, n
	if _, err := cs.Deployments("default").UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Error(err)
	}
}

func createPod(ctx context.Context, t *testing.T, cs *kubefake.Cluster, p *corev1.Pod) {
	t.Helper()
	if _, err := cs.Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Error(err)
	}
}

func updatePod(ctx context.Context, t *testing.T, cs *kubefake.Cluster, p *corev1.Pod) {
	t.Helper()
	if _, err := cs.Pods("default").UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Error(err)
	}
}

// failedHeal deletes pod and watches for its replacement for at most
// timeout, and wants the watch to give up with a *HealError within limit.
func failedHeal(t *testing.T, k *Kube, d Deployment, pod Pod, timeout, limit time.Duration) *HealError {
	t.Helper()
	start := time.Now()
	_, err := k.DeletePodAndWatch(context.Background(), d, pod, HealOptions{Timeout: timeout})
	if took := time.Since(start); took > limit {
		t.Errorf("the watch gave up after %s, want within %s", took, limit)
	}
	var he *HealError
	if !errors.As(err, &he) {
		t.Fatalf("got %v, want a *HealError", err)
	}
	return he
}

func TestHealReplacesTheDeletedPod(t *testing.T) {
	k, cs, d, pods := healCluster(t)
	controller(t, cs, func(ctx context.Context, deleted *corev1.Pod) {
		setAvailable(ctx, t, cs, 2)
		createPod(ctx, t, cs, testPod("lab-app-new", false, waiting("ContainerCreating", "")))
		time.Sleep(20 * time.Millisecond)
		updatePod(ctx, t, cs, testPod("lab-app-new", true))
		setAvailable(ctx, t, cs, 3)
	})
	var seen []string
	heal, err := k.DeletePodAndWatch(context.Background(), d, pods[0], HealOptions{
		Timeout:  5 * time.Second,
		Progress: func(p HealProgress) { seen = append(seen, p.String()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if heal.Deleted.Name != "lab-app-a" || heal.Replacement.Name != "lab-app-new" || heal.Replacement.UID == heal.Deleted.UID || heal.Available != 3 || heal.Took <= 0 {
		t.Errorf("got %+v", heal)
	}
	if _, err := cs.Pods("default").Get(context.Background(), "lab-app-a", metav1.GetOptions{}); err == nil {
		t.Error("the pod was not deleted")
	}
	if len(seen) == 0 || !strings.Contains(seen[0], "3 of 3 replicas available, no replacement pod yet") {
		t.Errorf("got progress %q", seen)
	}
	if !strings.Contains(strings.Join(seen, "\n"), "replacement lab-app-new (container app is waiting: ContainerCreating)") {
		t.Errorf("progress never showed the replacement starting: %q", seen)
	}
}

func TestHealFollowsAReplacementThatIsReplacedInTurn(t *testing.T) {
	k, cs, d, pods := healCluster(t)
	controller(t, cs, func(ctx context.Context, deleted *corev1.Pod) {
		switch deleted.Name {
		case "lab-app-b":
			setAvailable(ctx, t, cs, 2)
			createPod(ctx, t, cs, testPod("lab-app-first", false))
			time.Sleep(20 * time.Millisecond)
			// Something removes the first replacement before it is Ready.
			if err := cs.Pods("default").Delete(ctx, "lab-app-first", metav1.DeleteOptions{}); err != nil {
				t.Error(err)
			}
		case "lab-app-first":
			createPod(ctx, t, cs, testPod("lab-app-second", false))
			time.Sleep(20 * time.Millisecond)
			updatePod(ctx, t, cs, testPod("lab-app-second", true))
			setAvailable(ctx, t, cs, 3)
		}
	})
	heal, err := k.DeletePodAndWatch(context.Background(), d, pods[1], HealOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if heal.Replacement.Name != "lab-app-second" {
		t.Errorf("got replacement %s, want lab-app-second", heal.Replacement.Name)
	}
}

func TestHealIsNotFooledByStaleStatusOrOldPods(t *testing.T) {
	// Nothing replaces the pod: the Deployment's status still says 3
	// available and two old pods are Ready, which is not healed.
	k, _, d, pods := healCluster(t)
	he := failedHeal(t, k, d, pods[0], 300*time.Millisecond, 3*time.Second)
	if he.Timeout != 300*time.Millisecond || he.Stuck != nil {
		t.Fatalf("got %v, want a timeout", he)
	}
	if he.Last.Ready != 2 || len(he.Last.Replacements) != 0 {
		t.Errorf("got last %+v", he.Last)
	}
	if want := `deployment "lab-app" did not replace pod lab-app-a within 300ms: 3 of 3 replicas available, no replacement pod yet`; he.Error() != want {
		t.Errorf("got %q, want %q", he, want)
	}
}

func TestHealStopsAtAStuckReplacement(t *testing.T) {
	k, cs, d, pods := healCluster(t)
	controller(t, cs, func(ctx context.Context, deleted *corev1.Pod) {
		setAvailable(ctx, t, cs, 2)
		createPod(ctx, t, cs, testPod("lab-app-new", false, waiting("ErrImagePull", "pull access denied")))
	})
	he := failedHeal(t, k, d, pods[2], 10*time.Second, 5*time.Second)
	if he.Stuck == nil || he.Stuck.Name != "lab-app-new" {
		t.Fatalf("got %v, want a stuck replacement", he)
	}
	if !strings.Contains(he.Error(), "ErrImagePull (pull access denied)") {
		t.Errorf("got %q", he)
	}
}

func TestHealSurvivesAWatchTheServerEnds(t *testing.T) {
	k, cs, d, pods := healCluster(t)
	controller(t, cs, func(ctx context.Context, deleted *corev1.Pod) {
		setAvailable(ctx, t, cs, 2)
		createPod(ctx, t, cs, testPod("lab-app-new", true))
		setAvailable(ctx, t, cs, 3)
	})
	var once sync.Once
	cs.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) {
		handled := false
		var w *watch.FakeWatcher
		once.Do(func() {
			// The first watch ends at once, as an API server's watch does
			// when it times out.
			w = watch.NewFake()
			w.Stop()
			handled = true
		})
		if !handled {
			return false, nil, nil
		}
		return true, w, nil
	})
	heal, err := k.DeletePodAndWatch(context.Background(), d, pods[0], HealOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if heal.Replacement.Name != "lab-app-new" {
		t.Errorf("got %+v", heal)
	}
}

func TestHealReportsADeletedDeployment(t *testing.T) {
	k, cs, d, pods := healCluster(t)
	controller(t, cs, func(ctx context.Context, deleted *corev1.Pod) {
		if err := cs.Deployments("default").Delete(ctx, "lab-app", metav1.DeleteOptions{}); err != nil {
			t.Error(err)
		}
	})
	if he := failedHeal(t, k, d, pods[0], 5*time.Second, 3*time.Second); !IsNotFound(he) {
		t.Fatalf("got %v, want the deployment gone", he)
	}
}

func TestHealOfAPodThatIsGone(t *testing.T) {
	k, _, d, _ := healCluster(t)
	_, err := k.DeletePodAndWatch(context.Background(), d, Pod{Name: "lab-app-gone", UID: "x"}, HealOptions{Timeout: time.Second})
	if !IsNotFound(err) {
		t.Fatalf("got %v, want not found", err)
	}
}

func TestHealNeedsEveryWantedReplica(t *testing.T) {
	// A replacement is Ready, but the Deployment wants four and has three.
	k, cs, _, pods := healCluster(t)
	ctx := context.Background()
	four := testDeployment(4)
	four.Status.AvailableReplicas = 3
	if _, err := cs.Deployments("default").Update(ctx, four, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := k.Deployment(ctx, "lab-app")
	if err != nil {
		t.Fatal(err)
	}
	controller(t, cs, func(ctx context.Context, deleted *corev1.Pod) {
		createPod(ctx, t, cs, testPod("lab-app-new", true))
	})
	he := failedHeal(t, k, d, pods[0], 300*time.Millisecond, 3*time.Second)
	if he.Timeout == 0 || !strings.Contains(he.Error(), "3 of 4 replicas available, replacement lab-app-new (Ready)") {
		t.Fatalf("got %v", he)
	}
}
