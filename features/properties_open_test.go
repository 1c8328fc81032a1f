package features

import (
	"context"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/mount"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/lab-workshop/lab/sandbox"
)

// The properties asked of running containers, each against a container
// found by name and against the same container found as the one of a
// Compose service: each passes and fails the same way, naming its subject
// and saying how that subject gets the setting.

const (
	mongoID = "sha256:5555555555555555555555555555555555555555555555555555555555555555"
	otherID = "sha256:6666666666666666666666666666666666666666666666666666666666666666"
)

// appContainer is a running container lab-app-1, changed by mutate.
func appContainer(mutate func(*container.InspectResponse)) container.InspectResponse {
	c := webContainer(container.State{Status: container.StateRunning, Running: true}, nil)
	c.Name, c.Image, c.Config.Image = "/lab-app-1", mongoID, "mongo:7.0"
	mutate(&c)
	return c
}

// bothSubjects runs check against c found by name and as the container of
// the Compose service "app", and wants byName and ofService from them.
type propertyCase struct {
	name              string
	c                 container.InspectResponse
	byName, ofService string
}

func runOnBothSubjects(t *testing.T, tests []propertyCase, images map[string]image.InspectResponse,
	byName func(*world, context.Context) error, ofService func(*world, context.Context) error) {
	t.Helper()
	for _, tt := range tests {
		f := &fakeEngineAPI{containers: map[string]container.InspectResponse{"lab-app-1": tt.c}, images: images}
		w := fakeEngineWorld(t, f, "")
		wantFailure(t, tt.name+", by name", byName(w, context.Background()), tt.byName)

		e, err := w.engine(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.InspectContainer(context.Background(), "lab-app-1")
		if err != nil {
			t.Fatal(err)
		}
		ctx, st := composeOf(context.Background())
		st.project, st.services = "lab", map[string]sandbox.ContainerDetails{"app": d}
		wantFailure(t, tt.name+", of the service", ofService(w, ctx), tt.ofService)
	}
}

func TestPropertyRunsTheImage(t *testing.T) {
	images := map[string]image.InspectResponse{"mongo:7.0": {ID: mongoID}, mongoID: {ID: mongoID}, "mongo:6.0": {ID: otherID}}
	from := func(ref, id string) container.InspectResponse {
		return appContainer(func(c *container.InspectResponse) { c.Config.Image, c.Image = ref, id })
	}
	for _, want := range []string{"mongo:7.0", mongoID} {
		tests := []propertyCase{
			{"from it", from("mongo:7.0", mongoID), "", ""},
			{"same image, another tag", from("lab/db:v1", mongoID), "", ""},
			{"by its ID", from(mongoID, mongoID), "", ""},
		}
		runOnBothSubjects(t, tests, images,
			func(w *world, ctx context.Context) error { return w.containerRunsImage(ctx, "lab-app-1", want) },
			func(w *world, ctx context.Context) error { return w.composeContainerRunsImage(ctx, "app", want) })
	}
	tests := []propertyCase{
		{"another image", from("mongo:6.0", otherID),
			`container "lab-app-1" was created from image mongo:6.0, not mongo:7.0` + "\n  expected: a running container lab-app-1 from mongo:7.0\n  observed: lab-app-1 from mongo:6.0 (sha256:666666666666)\n  see it yourself: docker ps -a --filter name=^lab-app-1$\n  fix: remove it (docker rm -f lab-app-1) and run it again from mongo:7.0",
			"the container lab-app-1 was created from image mongo:6.0, not mongo:7.0" + "\n  expected: lab-app-1 created from mongo:7.0\n  observed: lab-app-1 from mongo:6.0 (sha256:666666666666)\n  see it yourself: docker inspect -f '{{.Config.Image}}' lab-app-1\n  fix: set image: mongo:7.0 in the file and run docker compose up -d again"},
	}
	runOnBothSubjects(t, tests, images,
		func(w *world, ctx context.Context) error { return w.containerRunsImage(ctx, "lab-app-1", "mongo:7.0") },
		func(w *world, ctx context.Context) error { return w.composeContainerRunsImage(ctx, "app", "mongo:7.0") })
	tests = []propertyCase{
		{"image not here", from("mongo:6.0", otherID),
			`image "mongo:8.0" is not on this machine, so container "lab-app-1" cannot be from it`,
			`image "mongo:8.0" is not on this machine, so the container lab-app-1 cannot be from it` + "\n  expected: lab-app-1 created from mongo:8.0\n  observed: lab-app-1 runs mongo:6.0; no image mongo:8.0\n  see it yourself: docker images\n  fix: docker pull mongo:8.0"},
	}
	runOnBothSubjects(t, tests, images,
		func(w *world, ctx context.Context) error { return w.containerRunsImage(ctx, "lab-app-1", "mongo:8.0") },
		func(w *world, ctx context.Context) error { return w.composeContainerRunsImage(ctx, "app", "mongo:8.0") })
}

func TestPropertyHasTheLabel(t *testing.T) {
	labelled := func(labels map[string]string) container.InspectResponse {
		return appContainer(func(c *container.InspectResponse) { c.Config.Labels = labels })
	}
	tests := []propertyCase{
		{"set", labelled(map[string]string{"tier": "web", "com.docker.compose.service": "app"}), "", ""},
		{"another value", labelled(map[string]string{"tier": "db"}),
			`container "lab-app-1" has the label tier set to "db", not "web"` + "\n  expected: the label tier=web\n  observed: tier=db\n  see it yourself: docker inspect -f '{{json .Config.Labels}}' lab-app-1\n  fix: a container's labels are fixed when it is created: remove it (docker rm -f lab-app-1) and run it again with --label tier=web",
			`the container lab-app-1 has the label tier set to "db", not "web"` + "\n  expected: the label tier=web\n  observed: tier=db\n  see it yourself: docker inspect -f '{{json .Config.Labels}}' lab-app-1\n  fix: set labels: [\"tier=web\"] in the file and run docker compose up -d again"},
		{"other labels", labelled(map[string]string{"role": "web", "app": "lab"}),
			`container "lab-app-1" has no label tier` + "\n  expected: the label tier=web\n  observed: labels: app, role",
			`the container lab-app-1 has no label tier` + "\n  expected: the label tier=web\n  observed: labels: app, role"},
		{"no labels", labelled(nil), "has no label tier\n  expected: the label tier=web\n  observed: no labels", "has no label tier\n  expected: the label tier=web\n  observed: no labels"},
	}
	runOnBothSubjects(t, tests, nil,
		func(w *world, ctx context.Context) error { return w.containerHasLabel(ctx, "lab-app-1", "tier", "web") },
		func(w *world, ctx context.Context) error {
			return w.composeContainerHasLabel(ctx, "app", "tier", "web")
		})
}

func TestPropertyMountsANamedVolume(t *testing.T) {
	const anon = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	mounted := func(ms ...container.MountPoint) container.InspectResponse {
		return appContainer(func(c *container.InspectResponse) { c.Mounts = ms })
	}
	tests := []propertyCase{
		{"named volume", mounted(container.MountPoint{Type: mount.TypeVolume, Name: "lab-data", Destination: "/data/db"}), "", ""},
		{"bind mount", mounted(container.MountPoint{Type: mount.TypeBind, Source: "/home/me/db", Destination: "/data/db"}),
			`container "lab-app-1" mounts the host folder /home/me/db at /data/db (a bind mount), not a named volume` + "\n  expected: a named volume mounted at /data/db\n  observed: host folder /home/me/db at /data/db\n  see it yourself: docker inspect --format '{{json .Mounts}}' lab-app-1\n  fix: a container's mounts are fixed when it is created: remove it (docker rm -f lab-app-1) and run it again with -v NAME:/data/db (a bind mount keeps data too, but ties it to a folder of this machine; a named volume is Docker's to manage)",
			`the container lab-app-1 mounts the host folder /home/me/db at /data/db (a bind mount), not a named volume` + "\n  expected: a named volume mounted at /data/db\n  observed: host folder /home/me/db at /data/db\n  see it yourself: docker inspect --format '{{json .Mounts}}' lab-app-1\n  fix: set volumes: [\"NAME:/data/db\"] (with NAME under the file's top-level volumes:) in the file and run docker compose up -d again: Compose recreates the containers whose settings changed (a bind mount keeps data too, but ties it to a folder of this machine; a named volume is Docker's to manage)"},
		{"anonymous volume", mounted(container.MountPoint{Type: mount.TypeVolume, Name: anon, Destination: "/data/db"}),
			`container "lab-app-1" keeps /data/db in an anonymous volume (0123456789ab…), which a new container does not get: its data is gone once it is replaced` + "\n  expected: a named volume mounted at /data/db\n  observed: anonymous volume 0123456789ab… at /data/db",
			`the container lab-app-1 keeps /data/db in an anonymous volume (0123456789ab…), which a new container does not get`},
		{"elsewhere", mounted(container.MountPoint{Type: mount.TypeVolume, Name: "lab-data", Destination: "/data"}),
			`nothing is mounted at /data/db in container "lab-app-1": its files live and die with the container` + "\n  expected: a named volume mounted at /data/db\n  observed: volume lab-data at /data",
			`nothing is mounted at /data/db in the container lab-app-1: its files live and die with the container`},
		{"tmpfs", mounted(container.MountPoint{Type: mount.TypeTmpfs, Destination: "/data/db"}),
			`container "lab-app-1" mounts a tmpfs at /data/db, not a named volume`,
			`the container lab-app-1 mounts a tmpfs at /data/db, not a named volume`},
		{"no mounts", mounted(), "observed: no mounts", "observed: no mounts"},
	}
	runOnBothSubjects(t, tests, nil,
		func(w *world, ctx context.Context) error {
			return w.containerMountsNamedVolume(ctx, "lab-app-1", "/data/db")
		},
		func(w *world, ctx context.Context) error {
			return w.composeContainerMountsNamedVolume(ctx, "app", "/data/db")
		})
}

func TestPropertyRunsAsNonRoot(t *testing.T) {
	as := func(user string) container.InspectResponse {
		return appContainer(func(c *container.InspectResponse) { c.Config.User = user })
	}
	var tests []propertyCase
	for _, user := range []string{"node", "1000", "1000:0", "mongodb:mongodb"} {
		tests = append(tests, propertyCase{"user " + user, as(user), "", ""})
	}
	for _, user := range []string{"root", "0", "0:0", "root:1000", "00"} {
		tests = append(tests, propertyCase{"user " + user, as(user),
			`container "lab-app-1" runs as the user "` + user + `", which is root` + "\n  expected: a user other than root (a name or a uid other than 0)\n  observed: user " + user + "\n  see it yourself: docker inspect -f '{{.Config.User}}' lab-app-1\n  fix: a container's user settings are fixed when it is created: remove it (docker rm -f lab-app-1) and run it again with --user UID (a uid other than 0, or a user its image has), or set USER in its image's Dockerfile and build it again",
			`the container lab-app-1 runs as the user "` + user + `", which is root` + "\n  expected: a user other than root (a name or a uid other than 0)\n  observed: user " + user + "\n  see it yourself: docker inspect -f '{{.Config.User}}' lab-app-1\n  fix: set user: \"UID\" (a uid other than 0, or a user its image has) in the file and run docker compose up -d again: Compose recreates the containers whose settings changed, or set USER in its image's Dockerfile and build it again"})
	}
	tests = append(tests, propertyCase{"no user", as(""),
		`container "lab-app-1" runs as root: neither its image nor the way it is run sets another user` + "\n  expected: a user other than root (a name or a uid other than 0)\n  observed: no user set: the default user, root",
		`the container lab-app-1 runs as root: neither its image nor the way it is run sets another user`})
	runOnBothSubjects(t, tests, nil,
		func(w *world, ctx context.Context) error { return w.containerRunsAsNonRoot(ctx, "lab-app-1") },
		func(w *world, ctx context.Context) error { return w.composeContainerRunsAsNonRoot(ctx, "app") })
}

// A container the check looks up by name and that does not exist fails at
// once, whatever the property.
func TestPropertiesOfAMissingContainer(t *testing.T) {
	w := fakeEngineWorld(t, &fakeEngineAPI{containers: map[string]container.InspectResponse{}}, "")
	ctx := context.Background()
	for name, err := range map[string]error{
		"label":  w.containerHasLabel(ctx, "lab-other", "tier", "web"),
		"volume": w.containerMountsNamedVolume(ctx, "lab-other", "/data"),
		"user":   w.containerRunsAsNonRoot(ctx, "lab-other"),
	} {
		wantFailure(t, name, err, `no container named "lab-other" exists`)
		if f, ok := err.(*Failure); ok && f.Code != "not-found" {
			t.Errorf("%s: code %q, want not-found", name, f.Code)
		}
	}
}

func TestPropertiesOfADeploymentsPods(t *testing.T) {
	uid := func(n int64) *int64 { return &n }
	yes, no := true, false
	podSC := func(sc *corev1.PodSecurityContext) func(*appsv1.Deployment) {
		return func(d *appsv1.Deployment) { d.Spec.Template.Spec.SecurityContext = sc }
	}
	containerSC := func(sc *corev1.SecurityContext) func(*appsv1.Deployment) {
		return func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].SecurityContext = sc }
	}
	const try = "\n  see it yourself: kubectl get deployment lab-app -o jsonpath='{.spec.template.spec.securityContext} {.spec.template.spec.containers[*].securityContext}'" +
		"\n  fix: set runAsNonRoot: true and runAsUser: UID (a uid other than 0) in the securityContext of the container or the pod, and apply its manifest again: kubectl apply -f FILE"
	tests := []struct {
		name   string
		mutate []func(*appsv1.Deployment)
		want   string
	}{
		{"runAsNonRoot on the pod", []func(*appsv1.Deployment){podSC(&corev1.PodSecurityContext{RunAsNonRoot: &yes})}, ""},
		{"runAsUser on the pod", []func(*appsv1.Deployment){podSC(&corev1.PodSecurityContext{RunAsUser: uid(1000)})}, ""},
		{"runAsUser on the container", []func(*appsv1.Deployment){containerSC(&corev1.SecurityContext{RunAsUser: uid(1000), RunAsNonRoot: &yes})}, ""},
		{"nothing said", nil,
			`the container app of the Deployment "lab-app" may run as root: its manifest sets neither runAsNonRoot: true nor a runAsUser, and the user its image runs as is not something the cluster's API shows` +
				"\n  expected: runAsNonRoot: true, or a runAsUser other than 0, in the securityContext of the container or the pod\n  observed: no runAsNonRoot and no runAsUser" + try},
		{"runAsNonRoot false", []func(*appsv1.Deployment){podSC(&corev1.PodSecurityContext{RunAsNonRoot: &no})}, "may run as root"},
		{"the container's root over the pod's user", []func(*appsv1.Deployment){
			podSC(&corev1.PodSecurityContext{RunAsUser: uid(1000)}), containerSC(&corev1.SecurityContext{RunAsUser: uid(0)})},
			`the container app of the Deployment "lab-app" runs as the user "0", which is root` + "\n  expected: a user other than root (a name or a uid other than 0)\n  observed: runAsUser: 0" + try},
		{"root and runAsNonRoot", []func(*appsv1.Deployment){podSC(&corev1.PodSecurityContext{RunAsUser: uid(0), RunAsNonRoot: &yes})},
			`runs as the user "0", which is root, and with runAsNonRoot: true as well the kubelet refuses to start it`},
	}
	for _, tt := range tests {
		err := kubeWorld(t, kubeTestDeployment(tt.mutate...)).kubePodsRunAsNonRoot(context.Background(), "lab-app")
		wantFailure(t, tt.name, err, tt.want)
	}
	err := kubeWorld(t).kubePodsRunAsNonRoot(context.Background(), "lab-app")
	wantFailure(t, "no Deployment", err, `there is no Deployment "lab-app"`)

	withImage := func(image string) *appsv1.Deployment {
		return kubeTestDeployment(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = image })
	}
	for _, tt := range []struct {
		name string
		d    *appsv1.Deployment
		want string
	}{
		{"that image", withImage("lab/app:v1"), ""},
		{"a stricter pin", withImage("docker.io/lab/app:v1.2"), ""},
		{"another image", withImage("lab/app:v2"),
			`the Deployment "lab-app" runs lab/app:v2, not lab/app:v1` + "\n  expected: image: lab/app:v1\n  observed: image: lab/app:v2" +
				"\n  see it yourself: kubectl get deployment lab-app -o jsonpath='{.spec.template.spec.containers[*].image}'" +
				"\n  fix: set image: lab/app:v1 in its manifest and apply it again: kubectl apply -f FILE"},
	} {
		err := kubeWorld(t, tt.d).kubePodsRunImage(context.Background(), "lab-app", "lab/app:v1")
		wantFailure(t, tt.name, err, tt.want)
	}
	err = kubeWorld(t).kubePodsRunImage(context.Background(), "lab-app", "lab/app:v1")
	wantFailure(t, "no Deployment", err, `there is no Deployment "lab-app"`)

	labelled := func(l map[string]string) *appsv1.Deployment {
		return kubeTestDeployment(func(d *appsv1.Deployment) { d.Spec.Template.Labels = l })
	}
	for _, tt := range []struct {
		name string
		d    *appsv1.Deployment
		want string
	}{
		{"set", labelled(map[string]string{"app": "lab-app", "tier": "web"}), ""},
		{"another value", labelled(map[string]string{"app": "lab-app", "tier": "db"}),
			`the pod template of the Deployment "lab-app" has the label tier set to "db", not "web"` + "\n  expected: the label tier=web\n  observed: tier=db" +
				"\n  see it yourself: kubectl get deployment lab-app -o jsonpath='{.spec.template.metadata.labels}'" +
				"\n  fix: set tier: \"web\" under spec.template.metadata.labels in its manifest and apply it again: kubectl apply -f FILE (a label its selector names cannot change: delete the Deployment first)"},
		{"missing", labelled(map[string]string{"app": "lab-app"}),
			`the pod template of the Deployment "lab-app" has no label tier` + "\n  expected: the label tier=web\n  observed: labels: app"},
	} {
		err := kubeWorld(t, tt.d).kubePodsHaveLabel(context.Background(), "lab-app", "tier", "web")
		wantFailure(t, tt.name, err, tt.want)
	}
	err = kubeWorld(t).kubePodsHaveLabel(context.Background(), "lab-app", "tier", "web")
	wantFailure(t, "no Deployment", err, `there is no Deployment "lab-app"`)
}

// The volume lesson's check reads the property with its own volume name
// and keeps its own words: wrong states match on them.
func TestKeepsInNamedVolumeKeepsItsTexts(t *testing.T) {
	db := func(ms ...container.MountPoint) container.InspectResponse {
		return appContainer(func(c *container.InspectResponse) { c.Name, c.Mounts = "/lab-db", ms })
	}
	const anon = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	const rerun = "\n  fix: remove lab-db (docker rm -f lab-db) and run it again with -v lab-data:/data/db; the data must then be written again"
	for _, tt := range []struct {
		name string
		c    container.InspectResponse
		want string
	}{
		{"in it", db(container.MountPoint{Type: mount.TypeVolume, Name: "lab-data", Destination: "/data/db"}), ""},
		{"elsewhere", db(container.MountPoint{Type: mount.TypeVolume, Name: "lab-data", Destination: "/data"}),
			`the volume lab-data is mounted at /data in container "lab-db", not at /data/db where it keeps its data` +
				"\n  expected: the named volume lab-data mounted at /data/db\n  observed: volume lab-data at /data\n  see it yourself: docker inspect --format '{{json .Mounts}}' lab-db" + rerun},
		{"nothing", db(), `nothing is mounted at /data/db in container "lab-db": its files live and die with the container` +
			"\n  expected: the named volume lab-data mounted at /data/db\n  observed: no mounts\n  see it yourself: docker inspect --format '{{json .Mounts}}' lab-db" + rerun},
		{"bind", db(container.MountPoint{Type: mount.TypeBind, Source: "/srv/db", Destination: "/data/db"}),
			`container "lab-db" mounts the host folder /srv/db at /data/db (a bind mount), not the named volume lab-data` +
				"\n  expected: the named volume lab-data mounted at /data/db\n  observed: host folder /srv/db at /data/db\n  see it yourself: docker inspect --format '{{json .Mounts}}' lab-db" +
				"\n  fix: a bind mount keeps data too, but ties it to a folder of this machine; let Docker manage it: remove lab-db and run it again with -v lab-data:/data/db"},
		{"anonymous", db(container.MountPoint{Type: mount.TypeVolume, Name: anon, Destination: "/data/db"}),
			`container "lab-db" keeps /data/db in an anonymous volume (0123456789ab…), which a new container does not get: its data is gone once it is replaced` + "\n  expected: the named volume lab-data mounted at /data/db\n  observed: anonymous volume 0123456789ab… at /data/db"},
		{"another volume", db(container.MountPoint{Type: mount.TypeVolume, Name: "other", Destination: "/data/db"}),
			`container "lab-db" mounts the volume other at /data/db, not lab-data`},
		{"tmpfs", db(container.MountPoint{Type: mount.TypeTmpfs, Destination: "/data/db"}),
			`container "lab-db" mounts a tmpfs at /data/db, not the named volume lab-data`},
	} {
		w := fakeEngineWorld(t, &fakeEngineAPI{containers: map[string]container.InspectResponse{"lab-db": tt.c}}, "")
		wantFailure(t, tt.name, w.keepsInNamedVolume(context.Background(), "lab-db", "/data/db", "lab-data"), tt.want)
	}
	w := fakeEngineWorld(t, &fakeEngineAPI{containers: map[string]container.InspectResponse{}}, "")
	wantFailure(t, "no container", w.keepsInNamedVolume(context.Background(), "lab-db", "/data/db", "lab-data"), `container "lab-db" does not exist`)
}
