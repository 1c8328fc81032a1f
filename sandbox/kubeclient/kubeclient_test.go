package kubeclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"

	"github.com/lab-workshop/lab/sandbox/kubeclient"
	"github.com/lab-workshop/lab/sandbox/kubeclient/kubefake"
)

func TestResourceRoundTrip(t *testing.T) {
	ctx := context.Background()
	seed := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "seed", Namespace: "default", Labels: map[string]string{"app": "web"}}}
	c := kubefake.New(seed)
	pods := c.Pods("default")

	got, err := pods.Get(ctx, "seed", metav1.GetOptions{})
	if err != nil || got.Labels["app"] != "web" {
		t.Fatalf("Get seed: got %v, %v; want the pod labelled app=web", got, err)
	}
	made, err := pods.Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "made", Labels: map[string]string{"app": "db"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "db", Image: "mongo:7.0"}}},
	}, metav1.CreateOptions{})
	if err != nil || made.Spec.Containers[0].Image != "mongo:7.0" {
		t.Fatalf("Create: got %v, %v; want the pod with its image", made, err)
	}
	list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: "app=db"})
	if err != nil || len(list.Items) != 1 || list.Items[0].Name != "made" {
		t.Fatalf("List app=db: got %v, %v; want only the pod made", list, err)
	}
	made.Status.Phase = corev1.PodRunning
	if _, err := pods.UpdateStatus(ctx, made, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := pods.Get(ctx, "made", metav1.GetOptions{}); got.Status.Phase != corev1.PodRunning {
		t.Errorf("phase after UpdateStatus: got %q, want Running", got.Status.Phase)
	}
	if err := pods.Delete(ctx, "made", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "made", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Get after Delete: got %v, want a NotFound API error", err)
	}
	if _, err := c.Deployments("default").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "seed", Namespace: "default"}}, metav1.CreateOptions{}); err != nil {
		t.Errorf("a Deployment may share a Pod's name: %v", err)
	}
	if _, err := pods.Create(ctx, seed, metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Errorf("Create of an existing pod: got %v, want an AlreadyExists API error", err)
	}
}

func TestWatchCarriesTypedObjects(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := kubefake.New()
	w, err := c.Deployments("default").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	replicas := int32(3)
	go func() {
		_, _ = c.Deployments("default").Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "lab-app"}, Spec: appsv1.DeploymentSpec{Replicas: &replicas},
		}, metav1.CreateOptions{})
	}()
	select {
	case e := <-w.ResultChan():
		d, ok := e.Object.(*appsv1.Deployment)
		if e.Type != watch.Added || !ok || d.Name != "lab-app" || *d.Spec.Replicas != 3 {
			t.Errorf("got %s %T %+v, want ADDED *v1.Deployment lab-app with 3 replicas", e.Type, e.Object, e.Object)
		}
	case <-ctx.Done():
		t.Fatal("no event before the deadline")
	}
}

func TestServerVersion(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/version":
			_, _ = w.Write([]byte(`{"major":"1","minor":"37","gitVersion":"v1.37.2"}`))
		case "/denied/version":
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	c, err := kubeclient.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.ServerVersion(ctx)
	if err != nil || v.GitVersion != "v1.37.2" || v.Minor != "37" {
		t.Errorf("got %+v, %v; want v1.37.2", v, err)
	}
	c, _ = kubeclient.NewForConfig(&rest.Config{Host: srv.URL + "/denied"})
	if _, err := c.ServerVersion(ctx); !apierrors.IsForbidden(err) {
		t.Errorf("got %v, want a Forbidden API error", err)
	}
	c = kubefake.New().Client
	if _, err := c.ServerVersion(ctx); err == nil {
		t.Error("a client with no API server gave a version")
	}
}

// A watch stopped by a reader that reads no further ends at once, even
// with an event on its way, and leaves nothing running.
func TestStoppedWatchEnds(t *testing.T) {
	ctx := context.Background()
	c := kubefake.New()
	w, err := c.ConfigMaps("default").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "lab-config"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w.Stop()
	time.Sleep(200 * time.Millisecond)
	select {
	case e, ok := <-w.ResultChan():
		if ok {
			t.Errorf("got %s %T after Stop, want the channel closed", e.Type, e.Object)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the result channel stayed open after Stop")
	}
}
