package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/distribution/reference"
)

// ManifestMediaTypes are the manifest kinds a registry may hold for a tag:
// Docker's image manifest and manifest list, and their OCI counterparts. A
// registry serves a manifest only in a kind the request accepts, so digest
// look-ups accept all four, as `docker pull` does.
var ManifestMediaTypes = []string{
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
}

// maxPages bounds how many pages of a catalog or tag list are followed, so a
// registry that links to itself cannot keep a check busy.
const maxPages = 50

// Registry reads a container registry through the Docker Registry HTTP API
// v2 (the OCI distribution spec): what the lessons' local registry holds,
// without credentials.
type Registry struct {
	// Base is the registry's root URL, like http://127.0.0.1:5000.
	Base string
	// HTTP sends the requests; nil means DefaultHTTPClient.
	HTTP *http.Client
}

// RegistryError is an answer of the registry that is not a success, with the
// spec's error code (NAME_UNKNOWN, MANIFEST_UNKNOWN, ...) when it sent one.
type RegistryError struct {
	URL     string
	Status  int
	Code    string
	Message string
}

func (e *RegistryError) Error() string {
	msg := fmt.Sprintf("%s answered %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		msg += ": " + e.Code
		if e.Message != "" {
			msg += " (" + e.Message + ")"
		}
	}
	return msg
}

// IsRegistryNotFound reports whether err is the registry saying that a
// repository, tag or manifest does not exist.
func IsRegistryNotFound(err error) bool {
	var re *RegistryError
	return errors.As(err, &re) && re.Status == http.StatusNotFound
}

func (r *Registry) client() *http.Client {
	if r.HTTP != nil {
		return r.HTTP
	}
	return DefaultHTTPClient
}

// Ping asks the registry whether it speaks API v2 (GET /v2/). A registry
// that wants credentials answers 401, which still proves it is one.
func (r *Registry) Ping(ctx context.Context) error {
	resp, err := r.do(ctx, http.MethodGet, "/v2/", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
		return nil
	}
	return registryError(resp)
}

// Catalog lists every repository the registry holds (GET /v2/_catalog),
// following its pagination links.
func (r *Registry) Catalog(ctx context.Context) ([]string, error) {
	out, err := list[catalogPage](ctx, r, "/v2/_catalog?n=1000")
	if err != nil {
		return nil, fmt.Errorf("reading the catalog of %s: %w", r.Base, err)
	}
	return out, nil
}

// Tags lists the tags of repository repo (GET /v2/REPO/tags/list). A
// repository the registry does not hold gives an error for which
// IsRegistryNotFound is true.
func (r *Registry) Tags(ctx context.Context, repo string) ([]string, error) {
	out, err := list[tagsPage](ctx, r, "/v2/"+repo+"/tags/list?n=1000")
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %q in %s: %w", repo, r.Base, err)
	}
	return out, nil
}

// listPage is one page of a list the registry hands out in pages.
type listPage interface{ items() []string }

// catalogPage is a page of GET /v2/_catalog.
type catalogPage struct {
	Repositories []string `json:"repositories"`
}

func (p catalogPage) items() []string { return p.Repositories }

// tagsPage is a page of GET /v2/REPO/tags/list.
type tagsPage struct {
	Tags []string `json:"tags"`
}

func (p tagsPage) items() []string { return p.Tags }

// list reads path and every page after it as pages of type P, and returns
// their items in order.
func list[P listPage](ctx context.Context, r *Registry, path string) ([]string, error) {
	var out []string
	err := r.pages(ctx, path, func(body []byte) error {
		var page P
		if err := json.Unmarshal(body, &page); err != nil {
			return err
		}
		out = append(out, page.items()...)
		return nil
	})
	return out, err
}

// Manifest is what a registry says about the manifest a tag points to.
type Manifest struct {
	Digest    string // sha256:..., the content digest `docker push` printed
	MediaType string
	Size      int64
}

// ManifestDigest asks which manifest repo:ref names, accepting every
// manifest kind. It reads the Docker-Content-Digest header of a HEAD
// request and, for a registry that does not send one, hashes the body of a
// GET. A tag or repository the registry does not hold gives an error for
// which IsRegistryNotFound is true.
func (r *Registry) ManifestDigest(ctx context.Context, repo, ref string) (Manifest, error) {
	path := "/v2/" + repo + "/manifests/" + ref
	accept := http.Header{"Accept": {strings.Join(ManifestMediaTypes, ", ")}}
	resp, err := r.do(ctx, http.MethodHead, path, accept)
	if err != nil {
		return Manifest{}, fmt.Errorf("reading manifest %s:%s: %w", repo, ref, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if d := resp.Header.Get("Docker-Content-Digest"); d != "" {
			return Manifest{Digest: d, MediaType: mediaType(resp.Header), Size: resp.ContentLength}, nil
		}
	} else if resp.StatusCode != http.StatusMethodNotAllowed {
		return Manifest{}, fmt.Errorf("reading manifest %s:%s: %w", repo, ref, registryError(resp))
	}
	resp, err = r.do(ctx, http.MethodGet, path, accept)
	if err != nil {
		return Manifest{}, fmt.Errorf("reading manifest %s:%s: %w", repo, ref, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Manifest{}, fmt.Errorf("reading manifest %s:%s: %w", repo, ref, registryError(resp))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Manifest{}, fmt.Errorf("reading manifest %s:%s: %w", repo, ref, err)
	}
	sum := sha256.Sum256(body)
	m := Manifest{Digest: "sha256:" + hex.EncodeToString(sum[:]), MediaType: mediaType(resp.Header), Size: int64(len(body))}
	if d := resp.Header.Get("Docker-Content-Digest"); d != "" {
		m.Digest = d
	}
	return m, nil
}

func mediaType(h http.Header) string {
	t, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return strings.TrimSpace(t)
}

// pages GETs path and every page its Link headers point to, handing each
// body to read.
func (r *Registry) pages(ctx context.Context, path string, read func([]byte) error) error {
	for i := 0; path != ""; i++ {
		if i == maxPages {
			return fmt.Errorf("more than %d pages; stopped reading", maxPages)
		}
		resp, err := r.do(ctx, http.MethodGet, path, nil)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			err := registryError(resp)
			resp.Body.Close()
			return err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if err := read(body); err != nil {
			return fmt.Errorf("decoding the answer to %s: %w", path, err)
		}
		path = nextPage(resp.Header.Get("Link"))
	}
	return nil
}

var linkNext = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?next"?`)

// nextPage reads the path of the next page from an RFC 5988 Link header, as
// registries paginate catalogs and tag lists.
func nextPage(link string) string {
	m := linkNext.FindStringSubmatch(link)
	if m == nil {
		return ""
	}
	u, err := url.Parse(m[1])
	if err != nil {
		return ""
	}
	return u.RequestURI()
}

func (r *Registry) do(ctx context.Context, method, path string, h http.Header) (*http.Response, error) {
	u := strings.TrimRight(r.Base, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, fmt.Errorf("requesting %s: %w", u, err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := r.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("requesting %s: %w", u, err)
	}
	return resp, nil
}

// registryError reads the spec's error body ({"errors":[{"code":...}]}) of
// a failed answer.
func registryError(resp *http.Response) error {
	e := &RegistryError{URL: resp.Request.URL.String(), Status: resp.StatusCode}
	var body struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if resp.Request.Method != http.MethodHead {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(data, &body) == nil && len(body.Errors) > 0 {
			e.Code, e.Message = body.Errors[0].Code, body.Errors[0].Message
		}
	}
	return e
}

// RepoDigests returns the digests img records for repository repo (from
// entries like localhost:5000/profile@sha256:...): the manifests the engine
// pushed to or pulled from that repository. repo may carry a tag, which is
// ignored (localhost:5000/profile:v1 means localhost:5000/profile). Names
// are compared in their normalized form, so "nginx" matches
// "docker.io/library/nginx".
func RepoDigests(img Image, repo string) []string {
	want, err := reference.ParseNormalizedNamed(repo)
	if err != nil {
		return nil
	}
	var out []string
	for _, rd := range img.RepoDigests {
		ref, err := reference.ParseNormalizedNamed(rd)
		if err != nil {
			continue
		}
		c, ok := ref.(reference.Canonical)
		if ok && c.Name() == want.Name() {
			out = append(out, c.Digest().String())
		}
	}
	return out
}

// SameReference reports whether two image references name the same
// repository and tag in their normalized form: "nginx:1.27" and
// "docker.io/library/nginx:1.27" do, and so do "nginx" and "nginx:latest".
func SameReference(a, b string) bool {
	ra, rb, ok := parseReferences(a, b)
	return ok && reference.TagNameOnly(ra).String() == reference.TagNameOnly(rb).String()
}

// parseReferences reads two image references in normalized form; ok is
// false when either is not one.
func parseReferences(a, b string) (ra, rb reference.Named, ok bool) {
	ra, err := reference.ParseNormalizedNamed(a)
	if err != nil {
		return nil, nil, false
	}
	rb, err = reference.ParseNormalizedNamed(b)
	if err != nil {
		return nil, nil, false
	}
	return ra, rb, true
}

// PinAtLeast reports whether the image reference got pins the image at least
// as strictly as want does: the same repository in normalized form (so
// "docker.io/library/mongo:7.0" matches "mongo:7.0"), and either a digest, the
// same tag, or a more precise version under want's tag ("mongo:7.0.14" under
// "mongo:7.0"). No tag, "latest", a shorter version ("mongo:7") or another
// release ("mongo:8.0") do not count when want names a tag; a digest with a
// tag that does not match does not count either.
func PinAtLeast(got, want string) bool {
	g, w, ok := parseReferences(got, want)
	if !ok || g.Name() != w.Name() {
		return false
	}
	wt, wantTagged := w.(reference.Tagged)
	if wd, ok := w.(reference.Digested); ok {
		gd, ok := g.(reference.Digested)
		return ok && gd.Digest() == wd.Digest()
	}
	gt, gotTagged := g.(reference.Tagged)
	_, gotDigest := g.(reference.Digested)
	if !wantTagged {
		return true
	}
	if gotTagged {
		return tagAtLeast(gt.Tag(), wt.Tag())
	}
	return gotDigest
}

// tagAtLeast reports whether tag got is want or a more precise version under
// it: "7.0.14" under "7.0", but not "7.01" nor "7.0-rc".
func tagAtLeast(got, want string) bool {
	if got == want {
		return true
	}
	rest, ok := strings.CutPrefix(got, want+".")
	return ok && rest != "" && rest[0] >= '0' && rest[0] <= '9'
}

// SameRepository reports whether two repository names are the same in their
// normalized form: "mongo" and "docker.io/library/mongo" are.
func SameRepository(a, b string) bool {
	ra, err := reference.ParseNormalizedNamed(a)
	if err != nil {
		return false
	}
	rb, err := reference.ParseNormalizedNamed(b)
	return err == nil && ra.Name() == rb.Name()
}
