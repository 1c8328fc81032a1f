package app

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	cluster "github.com/lab-workshop/lab/sandbox/classcluster"
)

const classClusterHelp = `Prepares an existing Kubernetes cluster (any conformant one) for a class
that shares it. For each learner it makes a namespace, a ServiceAccount that
RBAC allows into that namespace only, a quota and default limits that fit
lesson 7, a node port of their own from --node-ports with an admission rule
(a ValidatingAdmissionPolicy bound to their namespace) that refuses their
Services any other node port, and writes a kubeconfig file for them into
--out. Give each learner their file; they run
lab class use-cluster FILE, and lesson 7's checks work in their namespace.

   lab class cluster --learners names.txt --out class-files/
   lab class cluster --count 20 --context my-cluster

It is safe to run again, for example with more learners: existing
namespaces keep their node port and token, and nothing is ever deleted.
The token is a ServiceAccount token Secret: it does not expire during the
course, every run writes the same file, and deleting the learner's
namespace (or the Secret lab-learner-token in it) revokes it.`

func newClassClusterCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:        "cluster",
		Usage:       "prepare a shared Kubernetes cluster: a namespace, account and kubeconfig per learner",
		Description: classClusterHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "learners", Usage: "the learners' names, one a line, in `FILE`"},
			&cli.IntFlag{Name: "count", Usage: "make `N` learners, learner-1 to learner-N (instead of --learners)"},
			&cli.StringFlag{Name: "kubeconfig", Usage: "the instructor's kubeconfig `FILE` (default: KUBECONFIG or ~/.kube/config)"},
			&cli.StringFlag{Name: "context", Usage: "the kubeconfig `CONTEXT` of the class's cluster (default: the current one)"},
			&cli.StringFlag{Name: "out", Value: "class-cluster", Usage: "write the learners' kubeconfig files into `DIR`"},
			&cli.StringFlag{Name: "prefix", Value: "lab-", Usage: "namespaces are `PREFIX` + the learner's name"},
			&cli.StringFlag{Name: "node-ports", Value: "30100-30199", Usage: "hand out node ports from `FIRST-LAST`, one a learner"},
			&cli.StringFlag{Name: "node-address", Usage: "the `ADDRESS` learners reach node ports at (default: a node's address as the cluster reports it)"},
			&cli.StringFlag{Name: "server", Usage: "the API server `URL` learners use (default: the one in the instructor's kubeconfig)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			return runClassCluster(ctx, s, cmd)
		},
	}
}

func runClassCluster(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	prefix := cmd.String("prefix")
	if cluster.Slug(prefix)+"-" != prefix && prefix != "" {
		return usageErrorf("--prefix %q: use lower-case letters, digits and -, ending in -, e.g. --prefix lab-", prefix)
	}
	var learners []cluster.Learner
	switch file, n := cmd.String("learners"), int(cmd.Int("count")); {
	case file != "" && n != 0:
		return usageErrorf("give either --learners FILE or --count N, not both")
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return usageErrorf("reading the learners: %v; give a file with one name a line", err)
		}
		learners, err = cluster.ReadLearners(f, prefix)
		f.Close()
		if err != nil {
			return usageErrorf("reading the learners from %s: %v", file, err)
		}
		if len(learners) == 0 {
			return usageErrorf("%s names no learner: write one name a line", file)
		}
	case n > 0 && n <= 500:
		learners = cluster.Numbered(n, prefix)
	case n != 0:
		return usageErrorf("--count %d: give a number of learners from 1 to 500", n)
	default:
		return usageErrorf("lab class cluster needs the learners: --learners FILE (one name a line) or --count N")
	}
	ports, err := cluster.ParsePortRange(cmd.String("node-ports"))
	if err != nil {
		return usageErrorf("%v", err)
	}

	client, srv, err := cluster.Connect(cmd.String("kubeconfig"), cmd.String("context"))
	if err != nil {
		return &envError{err: err}
	}
	if u := cmd.String("server"); u != "" {
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
			return usageErrorf("--server %q: give the API server's URL as learners reach it, e.g. https://10.0.0.5:6443", u)
		}
		srv.URL = u
	}
	nodeHost := cmd.String("node-address")
	if nodeHost == "" {
		if nodeHost, err = cluster.NodeAddress(ctx, client); err != nil {
			return &envError{err: err}
		}
	}
	out := cmd.String("out")
	if err := os.MkdirAll(out, 0o700); err != nil {
		return &envError{err: fmt.Errorf("creating the folder for the learners' files: %w", err)}
	}

	fmt.Fprintf(s.Err, "preparing %d learner(s) in the cluster at %s ...\n", len(learners), srv.URL)
	prepared, err := cluster.Prepare(ctx, client, cluster.Options{
		Learners: learners, Ports: ports, TokenWait: 2 * time.Minute,
		Progress: func(line string) { fmt.Fprintln(s.Err, "  "+line) },
	})
	// Whoever is ready gets their file, even when a later learner failed.
	for _, p := range prepared {
		if srv.CA == nil && !srv.Insecure {
			srv.CA = p.CA
		}
		data, kerr := cluster.Kubeconfig(p, srv, nodeHost)
		if kerr == nil {
			kerr = writeFileAtomic(filepath.Join(out, p.Namespace+".kubeconfig"), data, 0o600)
		}
		if kerr != nil {
			return &envError{err: fmt.Errorf("writing the kubeconfig of %q: %w", p.Name, kerr)}
		}
		state := "kept"
		if p.Created {
			state = "new"
		}
		fmt.Fprintf(s.Out, "%-24s namespace %-28s node port %d  %s  (%s)\n", p.Name, p.Namespace, p.NodePort, filepath.Join(out, p.Namespace+".kubeconfig"), state)
	}
	if err != nil {
		return &envError{err: err}
	}
	fmt.Fprintf(s.Out, "\nnode ports answer at %s; the API server is %s\n", nodeHost, srv.URL)
	fmt.Fprintln(s.Out, "give each learner their file (it holds their token); they run: lab class use-cluster FILE")
	if course, err := loadCourse(cmd.String("lessons")); err == nil {
		steps := course.ClusterSteps()
		if images := slices.Concat(course.BuiltImages(steps), course.Images(steps)); len(images) > 0 {
			fmt.Fprintf(s.Out, "the course's cluster steps run %s: load them onto every node before the class\n", strings.Join(images, ", "))
		}
	}
	if isLoopbackURL(srv.URL) {
		fmt.Fprintf(s.Err, "note: the API server %s is reachable from this machine only; for learners on other machines give --server https://ADDRESS:PORT\n", srv.URL)
	}
	return nil
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
