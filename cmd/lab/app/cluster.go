package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

// clusterWait bounds how long `lab cluster up` waits for the node to be
// Ready and CoreDNS to run; kind itself only warns when its wait runs out.
const clusterWait = 4 * time.Minute

func newClusterCmd(s *IOStreams) *cli.Command {
	image := &cli.StringFlag{
		Name:    "image",
		Usage:   "make the node from `IMAGE` instead of kind's default node image (an offline classroom's own image, say)",
		Sources: cli.EnvVars("LAB_NODE_IMAGE"),
	}
	return &cli.Command{
		Name:  "cluster",
		Usage: "the kind cluster the course declares (course.yaml's cluster:): up, down, status",
		Commands: []*cli.Command{
			{
				Name:  "up",
				Usage: "create the cluster (each of its node ports published on the same port of 127.0.0.1) and wait until it is ready; an existing healthy cluster is kept",
				Flags: []cli.Flag{image},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if err := maxArgs(cmd, 0); err != nil {
						return err
					}
					image := cmd.String("image")
					if image == "" {
						// A loaded classroom bundle brought its node image.
						image = bundledNodeImage(s)
					}
					return runClusterUp(ctx, s, cmd, image)
				},
			},
			{
				Name:  "down",
				Usage: "delete the cluster, everything deployed in it and its kubeconfig context",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if err := maxArgs(cmd, 0); err != nil {
						return err
					}
					return runClusterDown(ctx, s, cmd)
				},
			},
			{
				Name:  "status",
				Usage: "show the cluster's nodes, DNS, port mappings and kubeconfig context; exit 1 when it is not ready",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if err := maxArgs(cmd, 0); err != nil {
						return err
					}
					return runClusterStatus(ctx, s, cmd)
				},
			},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return usageErrorf("unknown cluster command %q: use up, down or status", cmd.Args().First())
			}
			return runClusterStatus(ctx, s, cmd)
		},
	}
}

// courseCluster is the kind cluster course declares; a course that declares
// none has no cluster for lab to make or look at.
func courseCluster(course *lessons.Course) (sandbox.ClusterSpec, error) {
	if course.Cluster == nil {
		return sandbox.ClusterSpec{}, usageErrorf("the course %q declares no kind cluster; to have one, add to its course.yaml:\n  cluster:\n    name: %s\n    node_ports: [30001]", course.ID, course.ID)
	}
	return sandbox.NodePortClusterSpec(course.Cluster.Name, "", course.Cluster.NodePorts), nil
}

// loadCourseCluster is the kind cluster of the course lab runs (--lessons).
func loadCourseCluster(cmd *cli.Command) (sandbox.ClusterSpec, error) {
	course, err := loadCourse(cmd.String("lessons"))
	if err != nil {
		return sandbox.ClusterSpec{}, err
	}
	return courseCluster(course)
}

func runClusterUp(ctx context.Context, s *IOStreams, cmd *cli.Command, image string) error {
	ss, err := openSession(s, cmd)
	if err != nil {
		return err
	}
	spec, err := courseCluster(ss.course)
	if err != nil {
		return err
	}
	spec.Image = image
	e, err := connect(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := writeKindConfig(ss, ss.course.Cluster.Config, spec); err != nil {
		return err
	}
	p := newSpinner(s.Err, s.ErrTTY)
	defer p.stop()
	clusters := sandbox.NewClusters(p.set)

	exists, err := clusters.Exists(spec.Name)
	if err != nil {
		return &envError{err}
	}
	if exists {
		h, err := clusters.Health(ctx, e, spec.Name)
		if err != nil {
			return &envError{err}
		}
		if problem := h.Problem(); problem != "" {
			p.set("cluster exists; waiting for it to be ready")
			h, err = clusters.WaitHealthy(ctx, e, spec.Name, time.Minute, p.set)
			if err != nil {
				p.stop()
				return &envError{fmt.Errorf("kind cluster %q exists but is not ready: %s\n  fix: start its node (docker start %s-control-plane), or recreate it: lab cluster down && lab cluster up",
					spec.Name, h.Problem(), spec.Name)}
			}
		}
		p.stop()
		fmt.Fprintf(s.Out, "cluster %q is already up (%s)\n", spec.Name, nodeSummary(h))
		warnMissingPorts(s, h, spec)
		return nil
	}

	warnings, err := sandbox.ClusterPreflight(ctx, e, spec)
	if err != nil {
		return &envError{err}
	}
	for _, w := range warnings {
		p.warn(w)
	}
	from := "kind's default node image"
	if image != "" {
		from = image
	}
	p.set(fmt.Sprintf("creating cluster %q from %s", spec.Name, from))
	if err := clusters.Create(ctx, spec, clusterWait); err != nil {
		if errors.Is(err, context.Canceled) {
			return &envError{fmt.Errorf("interrupted: cluster %q was not created and what kind had made is removed", spec.Name)}
		}
		return &envError{err}
	}
	h, err := clusters.WaitHealthy(ctx, e, spec.Name, clusterWait, p.set)
	if err != nil {
		return &envError{err}
	}
	elapsed := p.elapsed()
	p.stop()
	fmt.Fprintf(s.Out, "cluster %q is up in %s (%s)\n", spec.Name, elapsed.Round(time.Second), nodeSummary(h))
	fmt.Fprintf(s.Out, "kubectl context: %s", h.Context)
	for _, m := range spec.Ports {
		fmt.Fprintf(s.Out, "; NodePort %d answers on http://localhost:%d/", m.NodePort, m.HostPort)
	}
	fmt.Fprintln(s.Out)
	return nil
}

// writeKindConfig gives the learner the configuration of the cluster lab
// makes, at config in the workspace (the course's cluster config, where its
// lessons have them write it), unless they have one already. A course that
// keeps no configuration file gets none.
func writeKindConfig(ss *session, config string, spec sandbox.ClusterSpec) error {
	if config == "" {
		return nil
	}
	st, err := ss.load()
	if err != nil {
		return err
	}
	ws, err := ss.workspace(st)
	if err != nil {
		return err
	}
	path, written, err := sandbox.WriteKindConfig(ws, config, spec)
	if err != nil {
		return &envError{err: err}
	}
	if written {
		fmt.Fprintf(ss.s.Err, "wrote %s: this cluster's kind configuration, for kind create cluster --config\n", path)
	}
	return nil
}

func warnMissingPorts(s *IOStreams, h sandbox.ClusterHealth, spec sandbox.ClusterSpec) {
	for _, m := range spec.Ports {
		if !h.Maps(m.HostPort, m.NodePort) {
			fmt.Fprintf(s.Err, "warning: the cluster does not map host port %d to NodePort %d, which the lessons use;\n  fix: recreate it: lab cluster down && lab cluster up\n", m.HostPort, m.NodePort)
		}
	}
}

func nodeSummary(h sandbox.ClusterHealth) string {
	var parts []string
	for _, n := range h.Nodes {
		state := "Ready"
		if !n.Ready {
			state = "not Ready"
		}
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("node %s %s %s", n.Name, state, n.Version)))
	}
	if len(parts) == 0 {
		return "no nodes"
	}
	return strings.Join(parts, ", ")
}

func runClusterDown(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	spec, err := loadCourseCluster(cmd)
	if err != nil {
		return err
	}
	e, err := connect(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	p := newSpinner(s.Err, s.ErrTTY)
	defer p.stop()
	clusters := sandbox.NewClusters(p.set)
	exists, err := clusters.Exists(spec.Name)
	if err != nil {
		return &envError{err}
	}
	if !exists {
		p.stop()
		fmt.Fprintf(s.Out, "no cluster %q: nothing to delete\n", spec.Name)
		return nil
	}
	p.set(fmt.Sprintf("deleting cluster %q", spec.Name))
	if err := clusters.Delete(spec.Name); err != nil {
		return &envError{err}
	}
	p.stop()
	fmt.Fprintf(s.Out, "cluster %q deleted, with its kubeconfig context %s\n", spec.Name, sandbox.KubeContextOf(spec.Name))
	return nil
}

func runClusterStatus(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	course, err := loadCourse(cmd.String("lessons"))
	if err != nil {
		return err
	}
	spec, err := courseCluster(course)
	if err != nil {
		return err
	}
	e, err := connect(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	clusters := sandbox.NewClusters(nil)
	exists, err := clusters.Exists(spec.Name)
	if err != nil {
		return &envError{err}
	}
	if !exists {
		create := "lab cluster up"
		if config := course.Cluster.Config; config != "" {
			create += " (or kind create cluster --config " + config + ")"
		}
		fmt.Fprintf(s.Out, "cluster %q: absent\n  create it: %s\n", spec.Name, create)
		return &silentError{code: exitNotPass}
	}
	h, err := clusters.Health(ctx, e, spec.Name)
	if err != nil {
		return &envError{err}
	}
	problem := h.Problem()
	state := "ready"
	if problem != "" {
		state = "not ready: " + problem
	}
	fmt.Fprintf(s.Out, "cluster %q: %s\n", h.Name, state)
	fmt.Fprintf(s.Out, "  node image: %s\n", h.Image)
	for _, n := range h.Nodes {
		ready := "Ready"
		if !n.Ready {
			ready = "not Ready (" + n.Reason + ")"
		}
		fmt.Fprintf(s.Out, "  node %s: container %s, %s %s\n", n.Name, n.Container, ready, n.Version)
	}
	if h.APIError == "" {
		dns := "ready"
		if !h.DNSReady {
			dns = "not ready (" + h.DNSReason + ")"
		}
		fmt.Fprintf(s.Out, "  CoreDNS: %s\n", dns)
	}
	for _, m := range h.Ports {
		fmt.Fprintf(s.Out, "  port: %s\n", m)
	}
	current := "not the current context"
	if h.CurrentContext == h.Context {
		current = "the current context"
	}
	fmt.Fprintf(s.Out, "  kubectl context: %s (%s)\n", h.Context, current)
	warnMissingPorts(s, h, spec)
	if problem != "" {
		return &silentError{code: exitNotPass}
	}
	return nil
}
