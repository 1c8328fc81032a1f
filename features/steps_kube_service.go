package features

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lab-workshop/lab/sandbox"
)

func (w *world) kubeServiceExists(ctx context.Context, name string) (context.Context, error) {
	ctx, st := kubeOf(ctx)
	k, err := w.kube(ctx)
	if err != nil {
		return ctx, err
	}
	s, err := k.Service(ctx, name)
	if sandbox.IsNotFound(err) {
		observed := "no Service but the cluster's own"
		if names, lerr := k.ServiceNames(ctx); lerr == nil {
			names = slices.DeleteFunc(names, func(n string) bool { return n == "kubernetes" })
			if len(names) > 0 {
				observed = "Services: " + strings.Join(names, ", ")
			}
		}
		return ctx, kubeMissing(k, "Service", "services", name, observed)
	}
	if err != nil {
		return ctx, kubeErr(err)
	}
	st.service = &s
	return ctx, nil
}

func kubeServiceRead(ctx context.Context) (*sandbox.Service, error) {
	_, st := kubeOf(ctx)
	if st.service == nil {
		return nil, errors.New("no Service read by an earlier step: put the step that reads it first")
	}
	return st.service, nil
}

func (w *world) kubeServiceType(ctx context.Context, want string) error {
	s, err := kubeServiceRead(ctx)
	if err != nil {
		return err
	}
	if s.Type == want {
		return nil
	}
	k, err := w.kube(ctx)
	if err != nil {
		return err
	}
	f := &Failure{
		Code:     "type-mismatch",
		Message:  fmt.Sprintf("the Service %q is of type %s, not %s", s.Name, s.Type, want),
		Expected: "type: " + want,
		Observed: "type: " + s.Type,
		Try:      kubectl(k, "get service "+s.Name),
		Fix:      fmt.Sprintf("set type: %s in its spec and apply the manifest again: kubectl apply -f FILE", want),
	}
	if s.Type == "ClusterIP" && want == "NodePort" {
		f.Message += ": a ClusterIP Service is reachable only from inside the cluster"
	}
	return f
}

func kubeServicePorts(s *sandbox.Service) string {
	if len(s.Ports) == 0 {
		return "no ports"
	}
	var parts []string
	for _, p := range s.Ports {
		text := fmt.Sprintf("%d → %s", p.Port, p.TargetPort)
		if p.NodePort != 0 {
			text += fmt.Sprintf(" (node port %d)", p.NodePort)
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, ", ")
}

// kubeServicePortOf returns the Service's port number port, or a failure.
func (w *world) kubeServicePortOf(ctx context.Context, s *sandbox.Service, port int) (sandbox.ServicePort, error) {
	for _, p := range s.Ports {
		if int(p.Port) == port {
			return p, nil
		}
	}
	k, err := w.kube(ctx)
	if err != nil {
		return sandbox.ServicePort{}, err
	}
	return sandbox.ServicePort{}, &Failure{
		Code:     "port-not-published",
		Message:  fmt.Sprintf("the Service %q has no port %d", s.Name, port),
		Expected: fmt.Sprintf("ports: - port: %d", port),
		Observed: kubeServicePorts(s),
		Try:      kubectl(k, "get service "+s.Name),
		Fix:      fmt.Sprintf("set port: %d under ports: and apply the manifest again: kubectl apply -f FILE", port),
	}
}

// kubeServicePortRead is the port of the Service an earlier step read.
func (w *world) kubeServicePortRead(ctx context.Context, port int) (*sandbox.Kube, *sandbox.Service, sandbox.ServicePort, error) {
	s, err := kubeServiceRead(ctx)
	if err != nil {
		return nil, nil, sandbox.ServicePort{}, err
	}
	p, err := w.kubeServicePortOf(ctx, s, port)
	if err != nil {
		return nil, s, p, err
	}
	k, err := w.kube(ctx)
	return k, s, p, err
}

func (w *world) kubeServicePort(ctx context.Context, port, target int) error {
	k, s, p, err := w.kubeServicePortRead(ctx, port)
	if err != nil {
		return err
	}
	n, numeric := strconv.Atoi(p.TargetPort)
	if numeric != nil {
		// A named port: the endpoints check proves it reaches the app.
		w.note("the Service %s forwards port %d to the pods' port named %s", s.Name, port, p.TargetPort)
		return nil
	}
	if n == target {
		return nil
	}
	return &Failure{
		Code:     "port-mismatch",
		Message:  fmt.Sprintf("the Service %q forwards its port %d to port %d of the pods, but the app listens on %d", s.Name, port, n, target),
		Expected: fmt.Sprintf("targetPort: %d", target),
		Observed: kubeServicePorts(s),
		Try:      kubectl(k, "get service "+s.Name+" -o jsonpath='{.spec.ports}'"),
		Fix:      fmt.Sprintf("set targetPort: %d and apply the manifest again: kubectl apply -f FILE", target),
	}
}

func (w *world) kubeServiceNodePort(ctx context.Context, port, nodePort int) error {
	k, s, p, err := w.kubeServicePortRead(ctx, port)
	if err != nil {
		return err
	}
	if int(p.NodePort) == nodePort {
		return nil
	}
	f := &Failure{
		Code: "port-mismatch",
		Message: fmt.Sprintf("the Service %q opens its port %d on node port %d, not %d: the cluster publishes only node port %d on your machine (its kind configuration), so nothing outside reaches %d",
			s.Name, port, p.NodePort, nodePort, nodePort, p.NodePort),
		Expected: fmt.Sprintf("nodePort: %d", nodePort),
		Observed: kubeServicePorts(s),
		Try:      kubectl(k, "get service "+s.Name),
		Fix:      fmt.Sprintf("set nodePort: %d under the port and apply the manifest again: kubectl apply -f FILE", nodePort),
	}
	if p.NodePort == 0 {
		f.Message = fmt.Sprintf("the Service %q opens no node port for its port %d", s.Name, port)
	}
	return f
}

func (w *world) kubeServiceEndpoints(ctx context.Context, name string) error {
	s, err := kubeServiceRead(ctx)
	if err != nil {
		return err
	}
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return err
	}
	try := kubectl(k, "get endpointslices -l kubernetes.io/service-name="+s.Name)
	fix := fmt.Sprintf("give the Service the selector of the pods (%s) and apply its manifest again: kubectl apply -f FILE", kubeLabels(d.TemplateLabels))
	// A selector that matches none of the pods is settled: fail at once.
	if len(s.Selector) == 0 {
		return &Failure{
			Code:     "label-mismatch",
			Message:  fmt.Sprintf("the Service %q has no selector, so it sends traffic to no pod", s.Name),
			Expected: "selector: " + kubeLabels(d.TemplateLabels),
			Observed: "no selector",
			Try:      try,
			Fix:      fix,
		}
	}
	if !s.Selects(d.TemplateLabels) {
		return &Failure{
			Code:     "label-mismatch",
			Message:  fmt.Sprintf("the Service %q selects %s, but the pods of the Deployment %q carry %s: it sends traffic to none of them", s.Name, s.SelectorText(), d.Name, kubeLabels(d.TemplateLabels)),
			Expected: "selector: " + kubeLabels(d.TemplateLabels),
			Observed: "selector: " + s.SelectorText(),
			Try:      try,
			Fix:      fix,
		}
	}
	var diff sandbox.EndpointDiff
	var pods []sandbox.Pod
	var ready int
	last := ""
	noneReady := func() *Failure {
		return &Failure{
			Code:     "not-ready",
			Message:  fmt.Sprintf("the Deployment %q has no ready pod for the Service %q to send traffic to", d.Name, s.Name),
			Expected: "ready pods of " + d.Name,
			Observed: kubeRolloutObserved(d, pods),
			Try:      kubectl(k, "get pods -l "+d.SelectorText),
		}
	}
	err = eventually(ctx, kubeSettle, kubePollEvery, func(ctx context.Context) (bool, error) {
		var err error
		if pods, err = k.DeploymentPods(ctx, d); err != nil {
			return true, kubeErr(err)
		}
		eps, err := k.ServiceEndpoints(ctx, s.Name)
		if err != nil {
			return true, kubeErr(err)
		}
		ready = 0
		for _, p := range pods {
			if p.Ready && !p.Deleting {
				ready++
			}
		}
		diff = sandbox.CompareEndpoints(eps, pods)
		if ready > 0 && diff.Equal() {
			return true, nil
		}
		if ready == 0 {
			// No pod to send traffic to, and none on its way: settled.
			if len(pods) == 0 || slices.ContainsFunc(pods, func(p sandbox.Pod) bool { _, stuck := p.Stuck(); return stuck }) {
				return true, noneReady()
			}
			w.kubeProgress(&last, "waiting for a ready pod of %s", d.Name)
			return false, nil
		}
		w.kubeProgress(&last, "the Service %s sends traffic to %d of the %d ready pods of %s", s.Name, len(diff.Matched), ready, d.Name)
		return false, nil
	})
	var none *Failure
	if errors.As(err, &none) {
		return none
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if ready > 0 && diff.Equal() {
		var names []string
		for _, p := range diff.Matched {
			names = append(names, p.Name)
		}
		w.note("the Service %s sends traffic to the %d ready pods of %s: %s", s.Name, len(names), d.Name, strings.Join(names, ", "))
		return nil
	}
	if ready == 0 {
		return noneReady()
	}
	var observed []string
	for _, p := range diff.Missing {
		observed = append(observed, fmt.Sprintf("pod %s is ready but gets no traffic", p.Name))
	}
	for _, ep := range diff.Extra {
		observed = append(observed, fmt.Sprintf("%s gets traffic but is not a ready pod of %s", ep, d.Name))
	}
	f := &Failure{
		Code:     "label-mismatch",
		Message:  fmt.Sprintf("the Service %q does not send traffic to exactly the ready pods of the Deployment %q", s.Name, d.Name),
		Expected: fmt.Sprintf("the %d ready pods of %s, and nothing else", ready, d.Name),
		Observed: strings.Join(observed, "; "),
		Try:      try,
		Fix:      fix,
	}
	if len(diff.Extra) > 0 {
		f.Message += fmt.Sprintf(": other pods carry the labels it selects (%s)", s.SelectorText())
		f.Try = kubectl(k, "get pods -l "+s.SelectorText()+" --show-labels")
		f.Fix = "remove the other pods, or give the app's pods and the Service's selector a label only they have"
	}
	return f
}
