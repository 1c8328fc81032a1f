package features

import (
	"context"
	"fmt"
	"strconv"
)

// openSteps are subject × property sentences lab offers every course
// although the built-in course does not use them: the same properties its
// sentences check, asked of the other subjects that can have them. Lint
// does not report them unused.
func (w *world) openSteps() []stepDef {
	return []stepDef{
		{`^container "([^"]+)" sets ([A-Za-z_][A-Za-z0-9_]*) to "([^"]*)"$`, w.containerSetsEnv,
			`container "lab-app" sets DB_HOST to "lab-mongo:27017/posts"`, []string{"env-mismatch", "not-found"}},
		{`^container "([^"]+)" has the restart policy "([^"]+)"$`, w.containerRestartPolicy,
			`container "lab-app" has the restart policy "always"`, []string{"not-found", "policy-mismatch"}},
		{`^the container of the service "([^"]+)" sets ([A-Za-z_][A-Za-z0-9_]*) to "([^"]*)"$`, w.composeContainerSetsEnv,
			`the container of the service "app" sets DB_HOST to "mongodb:27017/posts"`, []string{"env-mismatch"}},
		{`^container "([^"]+)" has the label "([^"=]+)" set to "([^"]*)"$`, w.containerHasLabel,
			`container "lab-app" has the label "tier" set to "web"`, []string{"label-mismatch", "not-found"}},
		{`^container "([^"]+)" mounts a named volume at "([^"]+)"$`, w.containerMountsNamedVolume,
			`container "lab-db" mounts a named volume at "/data/db"`, []string{"not-found", "volume-mismatch"}},
		{`^container "([^"]+)" runs as a user other than root$`, w.containerRunsAsNonRoot,
			`container "lab-app" runs as a user other than root`, []string{"not-found", "runs-as-root"}},
		{`^the container of the service "([^"]+)" runs the image "([^"]+)"$`, w.composeContainerRunsImage,
			`the container of the service "mongodb" runs the image "mongo:7.0"`, []string{"image-differs", "not-found"}},
		{`^the container of the service "([^"]+)" has the label "([^"=]+)" set to "([^"]*)"$`, w.composeContainerHasLabel,
			`the container of the service "app" has the label "tier" set to "web"`, []string{"label-mismatch"}},
		{`^the container of the service "([^"]+)" mounts a named volume at "([^"]+)"$`, w.composeContainerMountsNamedVolume,
			`the container of the service "mongodb" mounts a named volume at "/data/db"`, []string{"volume-mismatch"}},
		{`^the container of the service "([^"]+)" runs as a user other than root$`, w.composeContainerRunsAsNonRoot,
			`the container of the service "app" runs as a user other than root`, []string{"runs-as-root"}},
		{`^the pods of the Deployment "([^"]+)" run the image "([^"]+)"$`, w.kubePodsRunImage,
			`the pods of the Deployment "lab-app" run the image "lab/app:v1"`, []string{"image-differs", "not-found"}},
		{`^the pods of the Deployment "([^"]+)" have the label "([^"=]+)" set to "([^"]*)"$`, w.kubePodsHaveLabel,
			`the pods of the Deployment "lab-app" have the label "tier" set to "web"`, []string{"label-mismatch", "not-found"}},
		{`^the pods of the Deployment "([^"]+)" run as a user other than root$`, w.kubePodsRunAsNonRoot,
			`the pods of the Deployment "lab-app" run as a user other than root`, []string{"not-found", "runs-as-root"}},
	}
}

// openExprs is the set of the open sentences' expressions.
func openExprs() map[string]bool {
	out := map[string]bool{}
	for _, d := range (&world{}).openSteps() {
		out[d.Expr] = true
	}
	return out
}

// ---- a container by name ----

func (w *world) containerHasLabel(ctx context.Context, name, key, want string) error {
	_, d, err := w.inspectContainer(ctx, name, noContainer(name, fmt.Sprintf("the label %s=%s on %s", key, want, name), ""))
	if err != nil {
		return err
	}
	s := namedContainer(d, fmt.Sprintf("docker inspect -f '{{json .Config.Labels}}' %s", name))
	return orNil(s.hasLabel(d.Labels, key, want, fmt.Sprintf("--label %s=%s", key, want), ""))
}

func (w *world) containerMountsNamedVolume(ctx context.Context, name, dest string) error {
	expected := "a named volume mounted at " + dest
	_, d, err := w.inspectContainer(ctx, name, noContainer(name, expected, ""))
	if err != nil {
		return err
	}
	s := namedContainer(d, fmt.Sprintf("docker inspect --format '{{json .Mounts}}' %s", name))
	return orNil(s.mountsNamedVolume(d.Mounts, dest, "", expected, fmt.Sprintf("-v NAME:%s", dest), ""))
}

func (w *world) containerRunsAsNonRoot(ctx context.Context, name string) error {
	_, d, err := w.inspectContainer(ctx, name, noContainer(name, "a container that runs as a user other than root", ""))
	if err != nil {
		return err
	}
	s := namedContainer(d, fmt.Sprintf("docker inspect -f '{{.Config.User}}' %s", name))
	return orNil(s.runsAsNonRoot(d.User, "--user UID (a uid other than 0, or a user its image has)", ""))
}

// ---- the container of a Compose service ----

func (w *world) composeContainerRunsImage(ctx context.Context, svc, image string) error {
	_, d, e, err := w.composeServiceOn(ctx, svc)
	if err != nil {
		return err
	}
	s := serviceContainer(d, fmt.Sprintf("docker inspect -f '{{.Config.Image}}' %s", d.Name))
	return w.runsImage(ctx, e, s, d, image, fmt.Sprintf("%s created from %s", d.Name, image), s.change("image", "image: "+image))
}

func (w *world) composeContainerHasLabel(ctx context.Context, svc, key, want string) error {
	_, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	s := serviceContainer(d, fmt.Sprintf("docker inspect -f '{{json .Config.Labels}}' %s", d.Name))
	return orNil(s.hasLabel(d.Labels, key, want, "", fmt.Sprintf(`labels: ["%s=%s"]`, key, want)))
}

func (w *world) composeContainerMountsNamedVolume(ctx context.Context, svc, dest string) error {
	_, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	s := serviceContainer(d, fmt.Sprintf("docker inspect --format '{{json .Mounts}}' %s", d.Name))
	setting := fmt.Sprintf(`volumes: ["NAME:%s"] (with NAME under the file's top-level volumes:)`, dest)
	return orNil(s.mountsNamedVolume(d.Mounts, dest, "", "a named volume mounted at "+dest, "", setting))
}

func (w *world) composeContainerRunsAsNonRoot(ctx context.Context, svc string) error {
	_, d, err := composeServiceDetails(ctx, svc)
	if err != nil {
		return err
	}
	s := serviceContainer(d, fmt.Sprintf("docker inspect -f '{{.Config.User}}' %s", d.Name))
	return orNil(s.runsAsNonRoot(d.User, "", `user: "UID" (a uid other than 0, or a user its image has)`))
}

// ---- the pod template of a Deployment ----

func (w *world) kubePodsRunImage(ctx context.Context, name, image string) error {
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return err
	}
	c, f := kubeRunsImage(k, &d, image)
	if f != nil {
		return f
	}
	w.note("the container %s of the Deployment %s runs %s", c.Name, name, c.Image)
	return nil
}

func (w *world) kubePodsHaveLabel(ctx context.Context, name, key, want string) error {
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return err
	}
	s := subject{who: fmt.Sprintf("the pod template of the Deployment %q", name),
		try: kubectl(k, "get deployment "+name+" -o jsonpath='{.spec.template.metadata.labels}'"),
		change: func(_, setting string) string {
			return fmt.Sprintf("set %s under spec.template.metadata.labels in its manifest and apply it again: kubectl apply -f FILE (a label its selector names cannot change: delete the Deployment first)", setting)
		}}
	return orNil(s.hasLabel(d.TemplateLabels, key, want, "", fmt.Sprintf("%s: %q", key, want)))
}

// kubePodsRunAsNonRoot reads what the manifest says: the user an image
// runs as by default is on the nodes, out of the API server's sight, so
// only runAsUser other than 0, or runAsNonRoot (the kubelet then refuses
// to start a container whose image runs as root), counts.
func (w *world) kubePodsRunAsNonRoot(ctx context.Context, name string) error {
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return err
	}
	try := kubectl(k, "get deployment "+name+" -o jsonpath='{.spec.template.spec.securityContext} {.spec.template.spec.containers[*].securityContext}'")
	fix := "set runAsNonRoot: true and runAsUser: UID (a uid other than 0) in the securityContext of the container or the pod, and apply its manifest again: kubectl apply -f FILE"
	for _, c := range d.Containers {
		s := subject{who: fmt.Sprintf("the container %s of the Deployment %q", c.Name, name), try: try,
			change: func(string, string) string { return fix }}
		nonRoot := c.RunAsNonRoot != nil && *c.RunAsNonRoot
		switch {
		case c.RunAsUser != nil:
			if f := s.runsAsNonRoot(strconv.FormatInt(*c.RunAsUser, 10), "", ""); f != nil {
				// The image's USER does not matter: runAsUser overrides it.
				f.Observed, f.Fix = "runAsUser: 0", fix
				if nonRoot {
					f.Message += ", and with runAsNonRoot: true as well the kubelet refuses to start it"
				}
				return f
			}
		case nonRoot:
			w.note("the container %s sets runAsNonRoot: the kubelet starts it only if its image's user is not root", c.Name)
		default:
			return &Failure{
				Code:     "runs-as-root",
				Message:  fmt.Sprintf("%s may run as root: its manifest sets neither runAsNonRoot: true nor a runAsUser, and the user its image runs as is not something the cluster's API shows", s.who),
				Expected: "runAsNonRoot: true, or a runAsUser other than 0, in the securityContext of the container or the pod",
				Observed: "no runAsNonRoot and no runAsUser",
				Try:      try,
				Fix:      fix,
			}
		}
	}
	return nil
}
