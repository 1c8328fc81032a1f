package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/lab-workshop/lab/internal/class/learner"
	"github.com/lab-workshop/lab/lessons"
	"github.com/lab-workshop/lab/sandbox"
)

func newDoctorCmd(s *IOStreams) *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the tools, engine, disk, memory and ports the lessons need, each finding with a fix",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if err := maxArgs(cmd, 0); err != nil {
				return err
			}
			return runDoctor(ctx, s, cmd)
		},
	}
}

// finding is one line of the doctor's report.
type finding struct {
	level string // ok, warn, fail
	what  string
	fix   string
}

func runDoctor(ctx context.Context, s *IOStreams, cmd *cli.Command) error {
	course, err := loadCourse(cmd.String("lessons"))
	fs, _, have := diagnoseTools(ctx, course)
	if err != nil {
		fs = append(fs, finding{"warn", "tested versions: " + err.Error(), ""})
	} else {
		fs = append(fs, testedFindings(course, have)...)
	}
	failed := 0
	for _, f := range fs {
		mark := map[string]string{"ok": "✓", "warn": "!", "fail": "✗"}[f.level]
		fmt.Fprintf(s.Out, "%s %s\n", mark, f.what)
		if f.fix != "" {
			fmt.Fprintf(s.Out, "    fix: %s\n", f.fix)
		}
		if f.level == "fail" {
			failed++
		}
	}
	if failed > 0 {
		return &silentError{code: exitEnvError}
	}
	return nil
}

// diagnose looks at the machine and at course's cluster: each finding for
// the doctor's report, and the same facts as the summary `lab join` sends
// to a class.
func diagnose(ctx context.Context, course *lessons.Course) (fs []finding, sum learner.Readiness) {
	fs, sum, _ = diagnoseTools(ctx, course)
	return fs, sum
}

// diagnoseTools is diagnose that also returns the tool versions it found,
// for comparing with the versions the course was tested with. course may
// be nil when it could not be loaded.
func diagnoseTools(ctx context.Context, course *lessons.Course) (fs []finding, sum learner.Readiness, have toolVersions) {
	have = toolVersions{}
	sum.OS, sum.Arch = runtime.GOOS, runtime.GOARCH
	add := func(level, what, fix string) { fs = append(fs, finding{level, what, fix}) }
	env := os.Environ()

	if v, err := sandbox.CLIVersion(ctx, env); err != nil {
		add("fail", "docker CLI: "+err.Error(), "install Docker: https://docs.docker.com/get-docker/")
	} else if sandbox.CompareVersions(v, "20.10") < 0 {
		add("fail", "docker CLI "+v+" is older than 20.10", "upgrade Docker: https://docs.docker.com/get-docker/")
	} else {
		add("ok", "docker CLI "+v, "")
	}

	var eng *sandbox.Engine
	ep, err := sandbox.ResolveEndpoint(os.Getenv)
	switch {
	case err != nil:
		add("fail", "docker context: "+err.Error(), "")
	default:
		add("ok", fmt.Sprintf("docker context %q (%s, from %s)", ep.Context, ep.Host, ep.Source), "")
		e, err := sandbox.Connect(ctx, ep)
		if err != nil {
			add("fail", "engine: "+err.Error(), "")
			break
		}
		defer e.Close()
		eng = e
		info, err := eng.ServerInfo(ctx)
		if err != nil {
			add("fail", "engine: "+err.Error(), "docker info")
			break
		}
		sum.Engine = info.Version
		have[lessons.ToolEngineAPI] = info.MaxAPIVersion
		add("ok", fmt.Sprintf("engine %s, API %s, %s/%s (%s)", info.Version, info.APIVersion, info.OS, info.Arch, info.OperatingSystem), "")
		if info.ContainerdStore {
			add("ok", "image store: containerd (docker info: driver-type io.containerd.snapshotter.v1)", kindLoadFix(course))
		} else {
			add("ok", "image store: the engine's storage driver (classic)", "")
		}
	}

	if v, err := sandbox.ComposeVersion(ctx, env); err != nil {
		add("fail", "docker compose: not available", "install the Compose v2 plugin: https://docs.docker.com/compose/install/")
	} else {
		sum.Compose = v
		have[lessons.ToolCompose] = v
		add("ok", "docker compose "+v, "")
	}
	for _, tool := range []struct {
		name, arg, fix string
		sum            *string
		tool           lessons.Tool
	}{
		{"kind", "version", "needed from lesson 6: https://kind.sigs.k8s.io/docs/user/quick-start/#installation", &sum.Kind, lessons.ToolKind},
		{"kubectl", "version --client", "needed from lesson 6: https://kubernetes.io/docs/tasks/tools/", &sum.Kubectl, lessons.ToolKubectl},
	} {
		v, err := sandbox.ToolVersion(ctx, env, tool.name, tool.arg)
		var missing *sandbox.NotInstalledError
		switch {
		case errors.As(err, &missing):
			add("warn", tool.name+": not installed", tool.fix)
		case err != nil:
			add("warn", tool.name+": "+err.Error(), tool.fix)
		default:
			*tool.sum = v
			have[tool.tool] = v
			add("ok", tool.name+": "+v, "")
		}
	}

	home, _ := os.UserHomeDir()
	if free, err := sandbox.FreeDisk(home); err == nil {
		sum.DiskBytes = int64(free)
		level, fix := "ok", ""
		if free < 10<<30 {
			level, fix = "warn", "images, volumes and a kind cluster need about 10 GiB; free some with: docker system df && docker system prune"
		}
		add(level, fmt.Sprintf("free disk: %.1f GiB", float64(free)/(1<<30)), fix)
	}
	if mem, ok, err := sandbox.AvailableMemory(); err == nil && ok {
		sum.MemoryBytes = int64(mem)
		level, fix := "ok", ""
		if mem < 4<<30 {
			level, fix = "warn", "a kind cluster needs about 4 GiB available; close other programs or give Docker Desktop more memory"
		}
		add(level, fmt.Sprintf("available memory: %.1f GiB", float64(mem)/(1<<30)), fix)
	}
	if p := sandbox.InotifyProblem(); p != nil {
		add("warn", p.What, p.Fix)
	}
	clusterPorts := map[int]bool{}
	var cluster *lessons.Cluster
	if course != nil {
		cluster = course.Cluster
	}
	if eng != nil && cluster != nil {
		if nodes, err := eng.KindNodes(ctx, cluster.Name); err == nil && len(nodes) > 0 {
			add("ok", fmt.Sprintf("kind cluster %q: node %s %s", cluster.Name, nodes[0].Name, nodes[0].State), "")
			for _, p := range cluster.NodePorts {
				clusterPorts[p] = true
			}
		}
	}
	switch v, contextName, absent, err := kubeServerVersion(ctx, os.Getenv, course); {
	case err == nil:
		have[lessons.ToolKubernetes] = v
		add("ok", fmt.Sprintf("Kubernetes %s (context %q)", v, contextName), "")
	case !absent:
		add("warn", "Kubernetes: "+err.Error(), "")
	}
	var ports []lessons.HostPort
	if course != nil {
		ports = course.HostPorts()
	}
	for _, p := range ports {
		use := portUse(p, cluster)
		if clusterPorts[p.Port] {
			add("ok", fmt.Sprintf("port %d held by the kind cluster %q (%s)", p.Port, cluster.Name, use), "")
			continue
		}
		if sandbox.PortFree(p.Port) {
			add("ok", fmt.Sprintf("port %d free (%s)", p.Port, use), "")
		} else {
			sum.BusyPorts = append(sum.BusyPorts, p.Port)
			add("warn", fmt.Sprintf("port %d is in use (%s)", p.Port, use), fmt.Sprintf("find what holds it: ss -ltnp 'sport = :%d' (or docker ps)", p.Port))
		}
	}

	return fs, sum, have
}

// portUse says what a host port is for: the course variables that hold it
// and the lessons that use them ("web_port: lessons 2, 3"), or, for a node
// port no variable holds, the cluster that publishes it.
func portUse(p lessons.HostPort, cluster *lessons.Cluster) string {
	if len(p.Vars) == 0 {
		return fmt.Sprintf("a node port of the kind cluster %q", cluster.Name)
	}
	use := strings.Join(p.Vars, ", ")
	switch len(p.Lessons) {
	case 0:
	case 1:
		use += fmt.Sprintf(": lesson %d", p.Lessons[0])
	default:
		nums := make([]string, len(p.Lessons))
		for i, n := range p.Lessons {
			nums[i] = strconv.Itoa(n)
		}
		use += ": lessons " + strings.Join(nums, ", ")
	}
	return use
}

// kindLoadFix is what to do when `kind load docker-image` fails on
// containerd's image store: load an archive of the image instead. It names
// the course's app image (app_build) and kind cluster when the course has
// them.
func kindLoadFix(course *lessons.Course) string {
	image, archive, name, when := "IMAGE", "image.tar", "", ""
	if course != nil {
		if v := course.Vars["app_build"]; v != "" {
			image, archive = v, "app.tar"
		}
		if course.Cluster != nil {
			name = " --name " + course.Cluster.Name
		}
		for _, l := range course.Lessons {
			if l.OwnCluster {
				when = fmt.Sprintf(" in lesson %d", l.Index)
				break
			}
		}
	}
	return fmt.Sprintf("if `kind load docker-image` fails%s (\"content digest ... not found\", a multi-platform image), load an archive instead: docker save %s -o %s && kind load image-archive %s%s",
		when, image, archive, archive, name)
}
