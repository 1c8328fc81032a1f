package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/lab-workshop/lab/features"
	"github.com/lab-workshop/lab/internal/class"
	"github.com/lab-workshop/lab/internal/class/learner"
	"github.com/lab-workshop/lab/lessons"
	cluster "github.com/lab-workshop/lab/sandbox/classcluster"
	"github.com/lab-workshop/lab/sandbox/kubeclient"
)

// TestClassSharedCluster proves one shared cluster for a class: a
// multi-node kind cluster from the test kit's node image, lab class
// cluster --count 3, three learners at once doing lesson 7 in their own
// namespaces with its reference solution and passing its checks with lab
// verify (lesson 6 reported skipped), one learner refused (403) when
// reading another's Deployment and when taking another's node port, and
// the instructor's lab class verify --class recorded as verified.
//
// It needs a Docker engine, the kind and kubectl CLIs and LAB_NODE_IMAGE;
// without them it skips, unless LAB_REQUIRE_CLUSTER is set. Measured on
// two busy cores, it costs a two-node cluster (about three minutes to
// create), loading the app and MongoDB images into both nodes (about a
// minute) and the learners' lesson 7 and lab verify (four to five
// minutes). LAB_CLASS_CLUSTER=NAME reuses an existing
// kind cluster instead (made with the same node image; the test makes and
// then deletes namespaces of its own there).
func TestClassSharedCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	need := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("LAB_REQUIRE_CLUSTER") != "" {
			t.Fatalf("LAB_REQUIRE_CLUSTER is set, but "+format, args...)
		}
		t.Skipf(format, args...)
	}
	image, reuse := os.Getenv("LAB_NODE_IMAGE"), os.Getenv("LAB_CLASS_CLUSTER")
	if image == "" && reuse == "" {
		need("no node image: set LAB_NODE_IMAGE to a kind node image on this machine (make test builds one offline)")
	}
	for _, tool := range []string{"docker", "kind", "kubectl", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			need("%s is not on PATH", tool)
		}
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		need("no Docker engine: %v: %s", err, out)
	}
	if image != "" && reuse == "" {
		if out, err := exec.Command("docker", "image", "inspect", image).CombinedOutput(); err != nil {
			need("the node image %s is not on this machine: %s", image, out)
		}
	}
	course, err := lessons.Load(lessons.Content(), features.Files())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dir := t.TempDir()
	id := randomID(t)
	lab := buildLab(t, dir)

	// The class's cluster: two nodes, so that learners' pods, CoreDNS and
	// the node port the check uses are spread over more than one.
	name, kubeconfig := reuse, filepath.Join(dir, "instructor.kubeconfig")
	if reuse == "" {
		name = "cls-it-" + id
		cfg := filepath.Join(dir, "kind.yaml")
		writeFile(t, cfg, "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n  - role: worker\n")
		t.Cleanup(func() {
			run(t, context.Background(), nil, "", "kind", "delete", "cluster", "--name", name, "--kubeconfig", kubeconfig)
		})
		start := time.Now()
		run(t, ctx, nil, "", "kind", "create", "cluster", "--name", name, "--image", image, "--config", cfg, "--kubeconfig", kubeconfig, "--wait", "4m")
		t.Logf("two-node cluster %s made in %s", name, time.Since(start).Round(time.Second))
	} else {
		writeFile(t, kubeconfig, run(t, ctx, nil, "", "kind", "get", "kubeconfig", "--name", name))
	}
	admin := clientFor(t, kubeconfig)
	podNetwork(t, ctx, admin, kubeconfig)
	loadImages(t, ctx, course, name, id, dir)

	// The instructor prepares the class.
	prefix := "lab-it" + id + "-"
	if reuse != "" {
		t.Cleanup(func() {
			for i := 1; i <= 3; i++ {
				_ = admin.Namespaces().Delete(context.Background(), fmt.Sprintf("%slearner-%d", prefix, i), metav1.DeleteOptions{})
			}
		})
	}
	files := filepath.Join(dir, "class-files")
	out := run(t, ctx, nil, "", lab, "class", "cluster", "--count", "3", "--kubeconfig", kubeconfig, "--out", files, "--prefix", prefix)
	t.Logf("lab class cluster:\n%s", out)
	if want := "the course's cluster steps run lab/app:v1, mongo:7.0: load them onto every node"; !strings.Contains(out, want) {
		t.Errorf("lab class cluster does not say which images the nodes need: want %q", want)
	}
	learner1 := clientFor(t, filepath.Join(files, prefix+"learner-1.kubeconfig"))
	rule := newNodePortRule(t, files, prefix)

	// Before the class starts, learner 1 tries to take learner 2's port,
	// which no Service holds yet: only the node port rule stands in the way.
	// The API server takes a moment to load a new policy; a dry run, which
	// goes through admission and keeps nothing, waits for it.
	rule.loaded(ctx, learner1)
	_, err = learner1.Services(rule.ns).Create(ctx, rule.service(rule.other), metav1.CreateOptions{})
	rule.refused(fmt.Sprintf("creating a NodePort Service on learner 2's port %d", rule.other), err)

	// Three learners at once, each on their own lab state and workspace.
	var wg sync.WaitGroup
	for i := 1; i <= 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			learnerDoesLesson7(t, ctx, lab, dir, filepath.Join(files, fmt.Sprintf("%slearner-%d.kubeconfig", prefix, i)))
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Learner 1 may not read learner 2's Deployment, which exists.
	other := prefix + "learner-2"
	if _, err := admin.Deployments(other).Get(ctx, "lab-app", metav1.GetOptions{}); err != nil {
		t.Fatalf("the instructor cannot read %s's Deployment: %v", other, err)
	}
	_, err = learner1.Deployments(other).Get(ctx, "lab-app", metav1.GetOptions{})
	var status apierrors.APIStatus
	if !apierrors.IsForbidden(err) || !errors.As(err, &status) || status.Status().Code != http.StatusForbidden {
		t.Errorf("learner 1 reading the Deployment lab-app of %s: %v, want 403 Forbidden", other, err)
	} else {
		t.Logf("refused as it should be: %v", err)
	}
	if _, err := learner1.Deployments(prefix+"learner-1").Get(ctx, "lab-app", metav1.GetOptions{}); err != nil {
		t.Errorf("learner 1 reading their own Deployment: %v", err)
	}

	rule.afterLesson7(ctx, learner1)
	verifiedInTheClass(t, ctx, lab, dir, files, prefix)
}

// nodePortRule is learner 1's node port and learner 2's, and the checks
// that learner 1 cannot open any other: each refusal names learner 1's port.
type nodePortRule struct {
	t          *testing.T
	ns         string
	own, other int32
}

func newNodePortRule(t *testing.T, files, prefix string) *nodePortRule {
	t.Helper()
	port := func(n int) int32 {
		data, err := os.ReadFile(filepath.Join(files, fmt.Sprintf("%slearner-%d.kubeconfig", prefix, n)))
		if err != nil {
			t.Fatal(err)
		}
		cc, err := cluster.ReadKubeconfig(data)
		if err != nil {
			t.Fatal(err)
		}
		return int32(cc.NodePort)
	}
	return &nodePortRule{t: t, ns: prefix + "learner-1", own: port(1), other: port(2)}
}

// service is a NodePort Service in learner 1's namespace on nodePort (0:
// none named).
func (r *nodePortRule) service(nodePort int32) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "cls-steal", Namespace: r.ns},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": "lab-app"},
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(3000), NodePort: nodePort}}},
	}
}

// loaded waits until the API server enforces learner 1's rule.
func (r *nodePortRule) loaded(ctx context.Context, learner1 *kubeclient.Client) {
	t := r.t
	t.Helper()
	start := time.Now()
	for {
		_, err := learner1.Services(r.ns).Create(ctx, r.service(r.other), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), "ValidatingAdmissionPolicy") {
			t.Logf("the node port rule is enforced %s after lab class cluster", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("a dry run of learner 1 taking learner 2's port a minute after lab class cluster: %v; want it refused by the node port rule", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (r *nodePortRule) refused(what string, err error) {
	t := r.t
	t.Helper()
	if err == nil {
		t.Errorf("learner 1 %s: allowed, want refused by the node port rule", what)
		return
	}
	want := fmt.Sprintf("node port %d is yours", r.own)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("learner 1 %s: %v; want 403 Forbidden saying %q", what, err, want)
		return
	}
	t.Logf("learner 1 %s: refused as it should be: %v", what, err)
}

// afterLesson7: learner 1, whose Service holds their own port, can
// neither add one that leaves the port to Kubernetes nor move theirs to a
// port no Service holds.
func (r *nodePortRule) afterLesson7(ctx context.Context, learner1 *kubeclient.Client) {
	t := r.t
	t.Helper()
	_, err := learner1.Services(r.ns).Create(ctx, r.service(0), metav1.CreateOptions{})
	r.refused("creating a NodePort Service with no node port", err)

	svcs, err := learner1.Services(r.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mine *corev1.Service
	for i := range svcs.Items {
		if svcs.Items[i].Spec.Type == corev1.ServiceTypeNodePort {
			mine = &svcs.Items[i]
		}
	}
	if mine == nil || mine.Spec.Ports[0].NodePort != r.own {
		t.Fatalf("learner 1's NodePort Service after lesson 7: %+v, want one on %d", mine, r.own)
	}
	free := int32(30199) // the last of lab class cluster's range; three learners hold the first three
	mine.Spec.Ports[0].NodePort = free
	_, err = learner1.Services(r.ns).Update(ctx, mine, metav1.UpdateOptions{})
	r.refused(fmt.Sprintf("moving their Service %s to the free port %d", mine.Name, free), err)
}

// verifiedInTheClass: the instructor re-runs learner 1's checks with lab
// class verify --class, and the class store holds the results as verified.
func verifiedInTheClass(t *testing.T, ctx context.Context, lab, dir, files, prefix string) {
	t.Helper()
	db := filepath.Join(dir, "class.db")
	st, err := class.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, _, err := st.CreateClass(ctx, "Docker 101")
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := st.AddLearner(ctx, c.ID, "learner-1", learner.Readiness{})
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"LAB_HOME=" + filepath.Join(dir, "instructor"), "NO_COLOR=1"}
	out := run(t, ctx, env, "", lab, "class", "verify", "learner-1", "--files", files, "--prefix", prefix,
		"--db", db, "--class", "Docker 101", "--no-disruptive", "kubernetes/deployment", "kubernetes/service")
	t.Logf("lab class verify --class:\n%s", out)
	rs, err := st.Results(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		if r.Learner == l.ID && r.Verified {
			got = append(got, r.Record.Step+" "+r.Record.Verdict)
		}
	}
	if want := "kubernetes/deployment passed, kubernetes/service passed"; strings.Join(got, ", ") != want {
		t.Errorf("verified results in the class store: %q, want %q", strings.Join(got, ", "), want)
	}
}

// learnerDoesLesson7 is one learner: they take their file, apply lesson
// 7's reference solution in their namespace (leaving out the kind and
// docker commands that are for their own cluster), and lab verify passes
// lesson 7 and reports lesson 6 skipped.
func learnerDoesLesson7(t *testing.T, ctx context.Context, lab, dir, file string) {
	base := strings.TrimSuffix(filepath.Base(file), ".kubeconfig")
	home, ws := filepath.Join(dir, base, "state"), filepath.Join(dir, base, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Error(err)
		return
	}
	env := []string{"LAB_HOME=" + home, "LAB_WORKSPACE=" + ws, "NO_COLOR=1", "KUBECONFIG=" + filepath.Join(home, "class-cluster.kubeconfig")}
	run(t, ctx, env, "", lab, "class", "use-cluster", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Error(err)
		return
	}
	cc, err := cluster.ReadKubeconfig(data)
	if err != nil {
		t.Error(err)
		return
	}
	course, err := lessons.LoadWithVars(lessons.Content(), features.Files(), cc.Vars())
	if err != nil {
		t.Error(err)
		return
	}
	steps, err := course.Select("kubernetes")
	if err != nil {
		t.Error(err)
		return
	}
	var checked []string
	for _, s := range steps {
		if s.ID == "teardown" {
			continue
		}
		checked = append(checked, s.Key())
		start := time.Now()
		for _, c := range s.Solution {
			if strings.HasPrefix(c, "kind ") || strings.HasPrefix(c, "docker ") {
				continue
			}
			// On a busy machine a rollout can outlast the solution's
			// wait; a learner then waits again, and so does the test.
			for try := 1; strings.HasPrefix(c, "kubectl rollout status ") && try < 3; try++ {
				cmd := exec.CommandContext(ctx, "bash", "-c", c)
				cmd.Dir, cmd.Env = ws, append(os.Environ(), env...)
				if err := cmd.Run(); err == nil {
					break
				}
				t.Logf("%s: %s: still rolling out, waiting again", base, s.Key())
			}
			run(t, ctx, env, ws, "bash", "-euo", "pipefail", "-c", c)
		}
		t.Logf("%s: %s applied in %s", base, s.Key(), time.Since(start).Round(time.Second))
	}
	report := filepath.Join(dir, base+".json")
	args := append([]string{"verify", "kind"}, checked...)
	run(t, ctx, env, ws, lab, append(args, "--format", "json", "--output", report)...)
	var rep struct {
		Steps []struct{ Step, Status, Reason string }
	}
	data, err = os.ReadFile(report)
	if err == nil {
		err = json.Unmarshal(data, &rep)
	}
	if err != nil {
		t.Errorf("%s's report: %v", base, err)
		return
	}
	for _, s := range rep.Steps {
		want := "passed"
		if strings.HasPrefix(s.Step, "kind/") {
			want = "skipped"
			if !strings.Contains(s.Reason, "shared cluster (namespace "+cc.Namespace+")") {
				t.Errorf("%s: %s skipped for %q", base, s.Step, s.Reason)
			}
		}
		if s.Status != want {
			t.Errorf("%s: %s %s, want %s", base, s.Step, s.Status, want)
		}
	}
	if len(rep.Steps) != 3+len(checked) {
		t.Errorf("%s: %d steps in the report, want %d", base, len(rep.Steps), 3+len(checked))
	}
}

// podNetwork makes the node image's pod network span the nodes. The test
// kit's node image serves one node with a fixed bridge configuration
// (10.244.0.0/24) and resolves no other node's name; a second node needs
// its own pod range (the one Kubernetes assigned it), a route to every
// other node's pods, and the other nodes' names, which its kube-proxy uses
// to reach the API server. kind's published node images do all of that
// themselves (kindnet, Docker's DNS); there this finds nothing to change.
func podNetwork(t *testing.T, ctx context.Context, admin *kubeclient.Client, kubeconfig string) {
	t.Helper()
	nodes, err := admin.Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type node struct{ name, ip, cidr string }
	var all []node
	for _, n := range nodes.Items {
		nd := node{name: n.Name, cidr: n.Spec.PodCIDR}
		for _, a := range n.Status.Addresses {
			if a.Type == "InternalIP" && !strings.Contains(a.Address, ":") {
				nd.ip = a.Address
			}
		}
		all = append(all, nd)
	}
	changed := false
	for _, n := range all {
		conf := run(t, ctx, nil, "", "docker", "exec", n.name, "sh", "-c", "cat /etc/cni/net.d/10-bridge.conflist 2>/dev/null || true")
		if !strings.Contains(conf, `"lab-bridge"`) {
			continue // not the test kit's node image
		}
		script := fmt.Sprintf("sed -i 's#10.244.0.0/24#%s#' /etc/cni/net.d/10-bridge.conflist\n", n.cidr)
		for _, o := range all {
			if o.name == n.name {
				continue
			}
			script += fmt.Sprintf("ip route replace %s via %s\n", o.cidr, o.ip)
			script += fmt.Sprintf("grep -q ' %[2]s$' /etc/hosts || echo '%[1]s %[2]s' >> /etc/hosts\n", o.ip, o.name)
		}
		run(t, ctx, nil, "", "docker", "exec", n.name, "sh", "-ec", script)
		changed = true
	}
	if !changed {
		return
	}
	// kube-proxy reads /etc/hosts when its pod starts; CoreDNS may have
	// started on a node before its pod range was right.
	kubectl := []string{"--kubeconfig", kubeconfig, "-n", "kube-system"}
	run(t, ctx, nil, "", "kubectl", append(kubectl, "delete", "pods", "-l", "k8s-app=kube-proxy", "--wait=true")...)
	run(t, ctx, nil, "", "kubectl", append(kubectl, "rollout", "restart", "deployment/coredns")...)
	for _, what := range []string{"daemonset/kube-proxy", "deployment/coredns"} {
		run(t, ctx, nil, "", "kubectl", append(kubectl, "rollout", "status", what, "--timeout=180s")...)
	}
}

// loadImages gives every node the images lesson 7 runs, as an instructor
// does before the class: lab/app:v1 (this engine's, or built from the
// sample app under a name of the test's own and named lab/app:v1 in the
// nodes only) and the course's MongoDB image.
func loadImages(t *testing.T, ctx context.Context, course *lessons.Course, clusterName, id, dir string) {
	t.Helper()
	app := "lab/app:v1"
	if _, err := exec.Command("docker", "image", "inspect", app).CombinedOutput(); err != nil {
		app = "cls-it-app:" + id
		buildSampleApp(t, ctx, course, app, dir)
	}
	mongo := course.Vars["mongo_image"]
	start := time.Now()
	run(t, ctx, nil, "", "kind", "load", "docker-image", app, mongo, "--name", clusterName)
	t.Logf("images loaded into the nodes in %s", time.Since(start).Round(time.Second))
	if app != "lab/app:v1" {
		nodes := strings.Fields(run(t, ctx, nil, "", "kind", "get", "nodes", "--name", clusterName))
		for _, n := range nodes {
			run(t, ctx, nil, "", "docker", "exec", n, "ctr", "-n", "k8s.io", "images", "tag", "--force", "docker.io/library/"+app, "docker.io/lab/app:v1")
		}
	}
}

// buildSampleApp builds the sample app as lesson 3 tells the learner to,
// under tag, and removes the image when the test ends.
func buildSampleApp(t *testing.T, ctx context.Context, course *lessons.Course, tag, dir string) {
	t.Helper()
	ctxDir := filepath.Join(dir, "app")
	run(t, ctx, nil, "", "cp", "-r", filepath.Join(repoRoot(t), "assets", "app"), ctxDir)
	_ = os.RemoveAll(filepath.Join(ctxDir, "node_modules"))
	writeFile(t, filepath.Join(ctxDir, "Dockerfile"), "FROM "+course.Vars["node_image"]+"\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nEXPOSE 3000\nCMD [\"node\", \"app.js\"]\n")
	t.Cleanup(func() { _, _ = exec.Command("docker", "rmi", tag).CombinedOutput() })
	run(t, ctx, nil, "", "docker", "build", "--label", "lab.managed=true", "-t", tag, ctxDir)
}

// buildLab builds the lab binary the learners and the instructor run.
func buildLab(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "lab")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, "github.com/lab-workshop/lab/cmd/lab")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building lab: %v\n%s", err, out)
	}
	return bin
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func clientFor(t *testing.T, kubeconfig string) *kubeclient.Client {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := kubeclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run runs a command and returns its output; a failure fails the test
// (from any goroutine) with the output.
func run(t *testing.T, ctx context.Context, env []string, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
		runtime.Goexit() // ends this learner's goroutine, or the test
	}
	return out.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func randomID(t *testing.T) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
