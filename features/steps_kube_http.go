package features

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lab-workshop/lab/sandbox"
)

// kubeURL rewrites http://localhost:PORT to where the kind node publishes
// its ports: the Docker engine's host.
func (w *world) kubeURL(ctx context.Context, raw string) string {
	if _, url, err := w.publishedURL(ctx, raw); err == nil {
		return url
	}
	return raw
}

func (w *world) kubeHomePage(ctx context.Context, raw, name string) error {
	k, d, err := w.kubeDeployment(ctx, name)
	if err != nil {
		return err
	}
	url := w.kubeURL(ctx, raw)
	host, err := homePageHost(ctx, url, raw, kubeSettle, "the sample app's home page, from a pod of "+name,
		fmt.Sprintf("the cluster must publish node port %s on your machine (extraPortMappings in its kind configuration) and the Service must open that node port", composePortOf(raw)))
	if err != nil {
		return err
	}
	pods, err := k.DeploymentPods(ctx, d)
	if err != nil {
		return kubeErr(err)
	}
	isPod := func(h string) bool {
		return slices.ContainsFunc(pods, func(p sandbox.Pod) bool { return p.Name == h })
	}
	if !isPod(host) {
		return &Failure{
			Code:     "port-taken",
			Message:  fmt.Sprintf("%s was answered by the host %q, which is not a pod of the Deployment %q: something else holds port %s", raw, host, name, composePortOf(raw)),
			Expected: "the page served by a pod of " + name,
			Observed: "served by " + host,
			Try:      kubectl(k, "get pods -l "+d.SelectorText),
			Fix:      "stop what else answers on that port (docker ps --filter publish=" + composePortOf(raw) + ")",
		}
	}
	// A few more requests show the Service spreading them over the pods.
	seen := []string{host}
	for range 5 {
		r, err := sandbox.GetHTTP(ctx, nil, url)
		if err != nil || r.Status != 200 {
			break
		}
		if m := composeHostname.FindSubmatch(r.Body); m != nil && !slices.Contains(seen, string(m[1])) && isPod(string(m[1])) {
			seen = append(seen, string(m[1]))
		}
	}
	w.note("%s was served by %d %s of %s: %s", raw, len(seen), map[bool]string{true: "pod", false: "pods"}[len(seen) == 1], name, strings.Join(seen, ", "))
	return nil
}

// listNouns are the words a sentence may call listed documents by, each
// with its singular and plural.
var listNouns = map[string][2]string{
	"post": {"post", "posts"}, "posts": {"post", "posts"},
	"document": {"document", "documents"}, "documents": {"document", "documents"},
	"item": {"item", "items"}, "items": {"item", "items"},
	"entry": {"entry", "entries"}, "entries": {"entry", "entries"},
}

// kubeListsPosts checks that a page lists at least least JSON documents;
// noun is the word the sentence calls them by, and the failure uses it.
func (w *world) kubeListsPosts(ctx context.Context, raw string, least int, noun string) error {
	forms := listNouns[noun]
	one, plural := forms[0], forms[1]
	k, err := w.kube(ctx)
	if err != nil {
		return err
	}
	url := w.kubeURL(ctx, raw)
	posts, last, err := listPosts(ctx, url, kubePostsWithin)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		f := &Failure{
			Code:     "page-differs",
			Message:  fmt.Sprintf("%s does not list the %s", raw, plural),
			Expected: "HTTP 200 with a JSON list of the " + plural,
			Observed: err.Error(),
			Try:      "curl -i '" + raw + "'",
		}
		if last.Status == 503 {
			f.Message = fmt.Sprintf("%s answers 503: the app cannot read its database", raw)
			f.Fix = "the app's setting that names its database must name the database's Service, and that Service must send traffic to the database's ready pod"
			f.Try = kubectl(k, "get pods") + ", then " + kubectl(k, "logs POD")
		}
		return f
	}
	if len(posts) < least {
		return &Failure{
			Code:     "data-missing",
			Message:  fmt.Sprintf("%s lists %d %s: the database has none yet", raw, len(posts), plural),
			Expected: fmt.Sprintf("at least %d", least),
			Observed: fmt.Sprintf("%d %s", len(posts), plural),
			Try:      "curl '" + raw + "'",
			Fix:      fmt.Sprintf("put at least %d %s into the database the app reads, then load %s again", least, kubePlural(int32(least), one, plural), raw),
		}
	}
	w.note("%s lists %d %s", raw, len(posts), plural)
	return nil
}
