package classcluster

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/lab-workshop/lab/sandbox/kubeclient/kubefake"
)

// fakeCluster is a client whose token controller fills every token Secret
// as it is created, and which already runs a NodePort Service on 30101.
func fakeCluster(t *testing.T, objs ...runtime.Object) *kubefake.Cluster {
	t.Helper()
	objs = append(objs, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "default"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80, NodePort: 30101}}},
	})
	c := kubefake.New(objs...)
	c.PrependReactor("create", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		u := a.(k8stesting.CreateAction).GetObject().(*unstructured.Unstructured)
		var s corev1.Secret
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &s); err != nil {
			return true, nil, err
		}
		if s.Type == corev1.SecretTypeServiceAccountToken {
			s.Data = map[string][]byte{"token": []byte("token-of-" + s.Namespace), "ca.crt": []byte("CA")}
			filled, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&s)
			if err != nil {
				return true, nil, err
			}
			u.Object = filled
		}
		return false, nil, nil
	})
	return c
}

func prepare(t *testing.T, c *kubefake.Cluster, learners []Learner) []Prepared {
	t.Helper()
	ps, err := Prepare(context.Background(), c.Client, Options{Learners: learners, Ports: PortRange{30100, 30199}, TokenWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestPrepareMakesEachLearnersNamespace(t *testing.T) {
	c := fakeCluster(t)
	ctx := context.Background()
	ps := prepare(t, c, Numbered(3, "lab-"))
	wantPorts := []int{30100, 30102, 30103} // 30101 is another Service's
	for i, p := range ps {
		if p.NodePort != wantPorts[i] || !p.Created || p.Token != "token-of-"+p.Namespace || string(p.CA) != "CA" {
			t.Errorf("learner %d: %+v", i, p)
		}
		ns, err := c.Namespaces().Get(ctx, p.Namespace, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ns.Labels[LabelLearner] != p.Slug || ns.Labels[LabelManaged] != "true" || ns.Annotations[AnnotNodePort] == "" {
			t.Errorf("namespace %s: labels %v annotations %v", p.Namespace, ns.Labels, ns.Annotations)
		}
		rb, err := c.RoleBindings(p.Namespace).Get(ctx, AccountName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rb.RoleRef.Kind != "Role" || len(rb.Subjects) != 1 || rb.Subjects[0].Namespace != p.Namespace || rb.Subjects[0].Name != AccountName {
			t.Errorf("RoleBinding in %s: %+v", p.Namespace, rb)
		}
		q, err := c.ResourceQuotas(p.Namespace).Get(ctx, AccountName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Spec.Hard[corev1.ResourceServicesNodePorts]; got.Value() != 1 {
			t.Errorf("quota of node ports = %v, want 1", got.String())
		}
		if _, err := c.LimitRanges(p.Namespace).Get(ctx, AccountName, metav1.GetOptions{}); err != nil {
			t.Error(err)
		}
	}
	if n, _ := c.ClusterRoleBindings().List(ctx, metav1.ListOptions{}); len(n.Items) != 0 {
		t.Errorf("cluster-wide bindings made: %v", n.Items)
	}
}

// Running it again keeps every learner's namespace, port and token, adds
// the new learner, and deletes or changes nothing.
func TestPrepareAgainKeepsWhatExists(t *testing.T) {
	c := fakeCluster(t)
	ctx := context.Background()
	first := prepare(t, c, Numbered(2, "lab-"))
	// The instructor raised one learner's quota by hand.
	q, _ := c.ResourceQuotas("lab-learner-1").Get(ctx, AccountName, metav1.GetOptions{})
	q.Spec.Hard[corev1.ResourcePods] = resource.MustParse("20")
	if _, err := c.ResourceQuotas("lab-learner-1").Update(ctx, q, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.ClearActions()
	again := prepare(t, c, Numbered(3, "lab-"))
	for i := range first {
		if again[i].NodePort != first[i].NodePort || again[i].Token != first[i].Token || again[i].Created {
			t.Errorf("learner %d changed: %+v, was %+v", i, again[i], first[i])
		}
	}
	if again[2].NodePort != 30103 || !again[2].Created {
		t.Errorf("the new learner: %+v", again[2])
	}
	for _, a := range c.Actions() {
		if v := a.GetVerb(); v == "delete" || v == "update" || v == "patch" {
			t.Errorf("running again did %s %s", v, a.GetResource().Resource)
		}
	}
	q, _ = c.ResourceQuotas("lab-learner-1").Get(ctx, AccountName, metav1.GetOptions{})
	if got := q.Spec.Hard[corev1.ResourcePods]; got.Value() != 20 {
		t.Errorf("the hand-raised quota is now %s", got.String())
	}
}

// A namespace of that name that lab did not make for this learner is left
// alone, and said so.
func TestPrepareRefusesAForeignNamespace(t *testing.T) {
	c := fakeCluster(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "lab-learner-1"}})
	_, err := Prepare(context.Background(), c.Client, Options{Learners: Numbered(1, "lab-"), Ports: PortRange{30100, 30100}, TokenWait: time.Second})
	if err == nil || !strings.Contains(err.Error(), "--prefix") {
		t.Fatalf("err = %v", err)
	}
}

func TestPrepareSaysWhenPortsRunOut(t *testing.T) {
	c := fakeCluster(t)
	_, err := Prepare(context.Background(), c.Client, Options{Learners: Numbered(2, "lab-"), Ports: PortRange{30100, 30101}, TokenWait: time.Second})
	if err == nil || !strings.Contains(err.Error(), "--node-ports") {
		t.Fatalf("err = %v", err)
	}
}

func TestLearnerRulesStayInTheNamespace(t *testing.T) {
	for _, r := range LearnerRules() {
		for _, res := range r.Resources {
			switch res {
			case "nodes", "namespaces", "roles", "rolebindings", "clusterroles", "clusterrolebindings", "*":
				t.Errorf("a learner may %v %s", r.Verbs, res)
			}
		}
		for _, v := range r.Verbs {
			if v == "*" || v == "escalate" || v == "bind" || v == "impersonate" {
				t.Errorf("a learner may %s %v", v, r.Resources)
			}
		}
	}
}

// The learner's file is a kubeconfig kubectl and client-go read, whose
// current context is the learner's namespace and carries the marker.
func TestKubeconfigRoundTrip(t *testing.T) {
	p := Prepared{Learner: Learner{Name: "Ana Lima", Slug: "ana-lima", Namespace: "lab-ana-lima"}, NodePort: 30105, Token: "secret-token"}
	data, err := Kubeconfig(p, Server{URL: "https://10.0.0.5:6443", CA: []byte("PEM"), ClusterName: "class"}, "10.0.0.6")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.Load(data)
	if err != nil {
		t.Fatalf("client-go cannot read it: %v\n%s", err, data)
	}
	ctx := cfg.Contexts[cfg.CurrentContext]
	if ctx == nil || ctx.Namespace != "lab-ana-lima" || cfg.AuthInfos[ctx.AuthInfo].Token != "secret-token" || cfg.Clusters[ctx.Cluster].Server != "https://10.0.0.5:6443" {
		t.Fatalf("context %+v in\n%s", ctx, data)
	}
	cc, err := ReadKubeconfig(data)
	if err != nil {
		t.Fatal(err)
	}
	want := ClassContext{Context: "lab-ana-lima", Marker: Marker{Learner: "Ana Lima", Namespace: "lab-ana-lima", NodeHost: "10.0.0.6", NodePort: 30105}}
	if cc != want {
		t.Errorf("read back %+v, want %+v", cc, want)
	}
	if v := cc.Vars(); v["app_node_port"] != "30105" || v["app_node_host"] != "10.0.0.6" {
		t.Errorf("vars %v", v)
	}
}

func TestReadKubeconfigRefusesOtherFiles(t *testing.T) {
	plain := "apiVersion: v1\nkind: Config\ncurrent-context: kind-lab\ncontexts:\n- name: kind-lab\n  context: {cluster: kind-lab, user: kind-lab}\n"
	for name, data := range map[string]string{
		"no marker":  plain,
		"no current": "apiVersion: v1\nkind: Config\n",
		"not yaml":   "\x00\x01{",
	} {
		if _, err := ReadKubeconfig([]byte(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLearnersFromNames(t *testing.T) {
	ls, err := ReadLearners(strings.NewReader("# class of Monday\nAna Lima\n\n  Bo Chen  \nJosé Ñúñez\n"), "lab-")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range ls {
		got = append(got, l.Namespace)
	}
	if strings.Join(got, " ") != "lab-ana-lima lab-bo-chen lab-jos-ez" {
		t.Errorf("namespaces %v", got)
	}
	if _, err := ReadLearners(strings.NewReader("Ana Lima\nana  lima\n"), "lab-"); err == nil || !strings.Contains(err.Error(), "share") {
		t.Errorf("two names, one namespace: %v", err)
	}
	if _, err := ReadLearners(strings.NewReader("Ana\n???\n"), "lab-"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a name without letters: %v", err)
	}
	if s := Slug(strings.Repeat("a", 100)); len(s) != maxSlug {
		t.Errorf("long slug %d chars", len(s))
	}
}

func TestParsePortRange(t *testing.T) {
	if r, err := ParsePortRange("30100-30199"); err != nil || r != (PortRange{30100, 30199}) {
		t.Errorf("%v %v", r, err)
	}
	for _, bad := range []string{"30100", "30199-30100", "a-b", "0-5", "30000-70000"} {
		if _, err := ParsePortRange(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNodeAddressPrefersAWorker(t *testing.T) {
	node := func(name string, cp bool, addrs ...corev1.NodeAddress) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}},
			Status: corev1.NodeStatus{Addresses: addrs, Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
		if cp {
			n.Labels["node-role.kubernetes.io/control-plane"] = ""
		}
		return n
	}
	internal := func(ip string) corev1.NodeAddress {
		return corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip}
	}
	c := kubefake.New(node("cp", true, internal("172.18.0.3")), node("w", false, internal("172.18.0.2")))
	if got, err := NodeAddress(context.Background(), c.Client); err != nil || got != "172.18.0.2" {
		t.Errorf("got %q, %v", got, err)
	}
	c = kubefake.New(node("cp", true, internal("172.18.0.3")))
	if got, err := NodeAddress(context.Background(), c.Client); err != nil || got != "172.18.0.3" {
		t.Errorf("control plane only: got %q, %v", got, err)
	}
}

// Each learner's node port rule names their port and applies in their
// namespace only; a namespace made before the rule existed gets it, with
// the port it was assigned, when lab class cluster runs again.
func TestPrepareMakesTheNodePortRule(t *testing.T) {
	c := fakeCluster(t)
	ctx := context.Background()
	ps := prepare(t, c, Numbered(2, "lab-"))
	adm := c.Client
	for _, p := range ps {
		name := NodePortRule(p.Namespace)
		pol, err := adm.ValidatingAdmissionPolicies().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pol.Spec.Validations) != 1 || pol.Spec.FailurePolicy == nil || *pol.Spec.FailurePolicy != admissionv1.Fail {
			t.Fatalf("policy %s: %+v", name, pol.Spec)
		}
		v := pol.Spec.Validations[0]
		port := strconv.Itoa(p.NodePort)
		if !strings.Contains(v.Expression, "p.nodePort == "+port) || !strings.Contains(v.Message, "node port "+port+" is yours") ||
			!strings.Contains(v.Message, "nodePort: "+port) {
			t.Errorf("policy %s checks %q and says %q; want node port %s in both", name, v.Expression, v.Message, port)
		}
		rules := pol.Spec.MatchConstraints.ResourceRules
		if len(rules) != 1 || strings.Join(rules[0].Resources, ",") != "services" || len(rules[0].Operations) != 2 {
			t.Errorf("policy %s matches %+v, want services on create and update", name, rules)
		}
		b, err := adm.ValidatingAdmissionPolicyBindings().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sel := b.Spec.MatchResources.NamespaceSelector.MatchLabels
		if b.Spec.PolicyName != name || len(sel) != 1 || sel[corev1.LabelMetadataName] != p.Namespace ||
			strings.Join(convert(b.Spec.ValidationActions), ",") != "Deny" {
			t.Errorf("binding %s: %+v, want the policy, Deny, in the namespace %s only", name, b.Spec, p.Namespace)
		}
		if b.Labels[LabelManaged] != "true" || pol.Labels[LabelLearner] != p.Slug {
			t.Errorf("rule %s labels %v / %v", name, pol.Labels, b.Labels)
		}
	}

	// The class was prepared before the rule existed.
	for _, p := range ps {
		adm.ValidatingAdmissionPolicies().Delete(ctx, NodePortRule(p.Namespace), metav1.DeleteOptions{})
		adm.ValidatingAdmissionPolicyBindings().Delete(ctx, NodePortRule(p.Namespace), metav1.DeleteOptions{})
	}
	again := prepare(t, c, Numbered(2, "lab-"))
	for i, p := range again {
		pol, err := adm.ValidatingAdmissionPolicies().Get(ctx, NodePortRule(p.Namespace), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if want := "p.nodePort == " + strconv.Itoa(ps[i].NodePort); !strings.Contains(pol.Spec.Validations[0].Expression, want) {
			t.Errorf("the rule made again for %s checks %q, want %q", p.Namespace, pol.Spec.Validations[0].Expression, want)
		}
		if _, err := adm.ValidatingAdmissionPolicyBindings().Get(ctx, NodePortRule(p.Namespace), metav1.GetOptions{}); err != nil {
			t.Error(err)
		}
	}
}

func convert(actions []admissionv1.ValidationAction) []string {
	var out []string
	for _, a := range actions {
		out = append(out, string(a))
	}
	return out
}
