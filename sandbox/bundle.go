package sandbox

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/defaults"
)

// A bundle is one archive with every image a class needs, for rooms where
// thirty learners cannot each pull from a registry. It is a tar file:
// manifest.json first (what is inside, with a SHA-256 of every image
// archive), then one `docker save` archive per image. Loading checks every
// digest before it loads anything, so a damaged or edited bundle changes
// nothing on the learner's engine.

// BundleFormat is the bundle layout this lab writes and reads.
const BundleFormat = 1

// bundleManifestName is the archive's first entry.
const bundleManifestName = "manifest.json"

// maxBundleManifest bounds the manifest a load reads into memory.
const maxBundleManifest = 1 << 20

// BundleImage is one image in a bundle.
type BundleImage struct {
	Ref    string `json:"ref"`    // the name it is loaded under
	ID     string `json:"id"`     // the image ID it had when saved
	File   string `json:"file"`   // its docker save archive in the bundle
	SHA256 string `json:"sha256"` // of that archive
	Size   int64  `json:"size"`
	// NodeImage marks the kind node image, which lab cluster up then uses.
	NodeImage bool `json:"node_image,omitempty"`
}

// BundleManifest says what a bundle holds.
type BundleManifest struct {
	Format     int           `json:"format"`
	Course     string        `json:"course"`
	CourseHash string        `json:"course_hash"`
	Created    time.Time     `json:"created"`
	Images     []BundleImage `json:"images"`
}

// DefaultNodeImage is the node image kind makes clusters from when none is
// named.
func DefaultNodeImage() string { return defaults.Image }

// SaveBundle writes the images refs name into w as a bundle. Every image
// must be on the engine; a missing one is named with the way to get it.
// nodeImage, when not empty, is one of refs: the kind node image. progress
// receives one line per image.
func (e *Engine) SaveBundle(ctx context.Context, w io.Writer, m BundleManifest, refs []string, nodeImage string, progress func(string)) (BundleManifest, error) {
	m.Format = BundleFormat
	if m.Created.IsZero() {
		m.Created = time.Now().UTC().Truncate(time.Second)
	}
	m.Images = nil
	var missing []string
	ids := make([]string, len(refs))
	for i, ref := range refs {
		img, err := e.InspectImage(ctx, ref)
		if IsNotFound(err) {
			missing = append(missing, ref)
			continue
		}
		if err != nil {
			return m, err
		}
		ids[i] = img.ID
	}
	if len(missing) > 0 {
		return m, fmt.Errorf("not on this machine: %s; pull them first (docker pull %s), then save again",
			strings.Join(missing, ", "), missing[0])
	}

	tmp, err := os.MkdirTemp("", "lab-bundle-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(tmp)
	for i, ref := range refs {
		progress(fmt.Sprintf("saving %s (%d/%d)", ref, i+1, len(refs)))
		file := fmt.Sprintf("images/%02d.tar", i+1)
		sum, size, err := e.saveImage(ctx, ref, path.Join(tmp, path.Base(file)))
		if err != nil {
			return m, err
		}
		m.Images = append(m.Images, BundleImage{
			Ref: ref, ID: ids[i], File: file, SHA256: sum, Size: size, NodeImage: ref == nodeImage,
		})
	}

	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	tw := tar.NewWriter(w)
	if err := writeTarFile(tw, bundleManifestName, int64(len(manifest)), strings.NewReader(string(manifest))); err != nil {
		return m, err
	}
	for _, img := range m.Images {
		f, err := os.Open(path.Join(tmp, path.Base(img.File)))
		if err != nil {
			return m, err
		}
		err = writeTarFile(tw, img.File, img.Size, f)
		f.Close()
		if err != nil {
			return m, err
		}
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("writing the bundle: %w", err)
	}
	return m, nil
}

// saveImage writes one image's docker save archive to file and returns its
// SHA-256 and size.
func (e *Engine) saveImage(ctx context.Context, ref, file string) (string, int64, error) {
	rc, err := e.api.ImageSave(ctx, []string{ref})
	if err != nil {
		return "", 0, e.wrap(err, "saving image %q", ref)
	}
	defer rc.Close()
	f, err := os.Create(file)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(f, h), rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, e.wrap(err, "saving image %q", ref)
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

func writeTarFile(tw *tar.Writer, name string, size int64, r io.Reader) error {
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: time.Now().UTC().Truncate(time.Second), Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing the bundle: %w", err)
	}
	if _, err := io.CopyN(tw, r, size); err != nil {
		return fmt.Errorf("writing %s into the bundle: %w", name, err)
	}
	return nil
}

// BundleError is a bundle that cannot be trusted: damaged, edited, or not a
// bundle. Nothing was loaded.
type BundleError struct{ Msg string }

func (e *BundleError) Error() string { return e.Msg + "; nothing was loaded" }

func bundleErrorf(format string, args ...any) error {
	return &BundleError{Msg: fmt.Sprintf(format, args...)}
}

// VerifyBundle reads the whole bundle at file and checks the manifest and
// the digest and size of every image in it, without an engine.
func VerifyBundle(file string) (BundleManifest, error) {
	var m BundleManifest
	f, err := openBundle(file)
	if err != nil {
		return m, err
	}
	defer f.Close()
	tr := tar.NewReader(bufio.NewReader(f))
	m, err = readBundleManifest(tr, file)
	if err != nil {
		return m, err
	}
	want := map[string]BundleImage{}
	for _, img := range m.Images {
		want[img.File] = img
	}
	seen := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, bundleErrorf("%s is damaged: the bundle is cut short or corrupt: %v", file, err)
		}
		img, ok := want[hdr.Name]
		if !ok || seen[hdr.Name] {
			return m, bundleErrorf("%s holds %s, which its manifest does not list", file, hdr.Name)
		}
		seen[hdr.Name] = true
		h := sha256.New()
		n, err := io.Copy(h, tr)
		if err != nil {
			return m, bundleErrorf("%s is damaged: reading %s: %v", file, hdr.Name, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); n != img.Size || got != img.SHA256 {
			return m, bundleErrorf("%s: %s (%s) has SHA-256 %.12s and %d bytes; the manifest says %.12s and %d bytes: the bundle was damaged or changed",
				file, img.File, img.Ref, got, n, img.SHA256, img.Size)
		}
	}
	for _, img := range m.Images {
		if !seen[img.File] {
			return m, bundleErrorf("%s lacks %s (%s), which its manifest lists: the bundle is incomplete", file, img.File, img.Ref)
		}
	}
	return m, nil
}

func openBundle(file string) (*os.File, error) {
	info, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("opening the bundle: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, bundleErrorf("%s is not a regular file", file)
	}
	return os.Open(file)
}

func readBundleManifest(tr *tar.Reader, file string) (BundleManifest, error) {
	var m BundleManifest
	hdr, err := tr.Next()
	if err != nil || hdr.Name != bundleManifestName {
		return m, bundleErrorf("%s is not a lab bundle: it does not start with %s (make one with: lab bundle save FILE)", file, bundleManifestName)
	}
	data, err := io.ReadAll(io.LimitReader(tr, maxBundleManifest+1))
	if err != nil {
		return m, bundleErrorf("%s is damaged: reading its manifest: %v", file, err)
	}
	if len(data) > maxBundleManifest {
		return m, bundleErrorf("%s: its manifest is over %d bytes", file, maxBundleManifest)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, bundleErrorf("%s: its manifest is not one lab reads: %v", file, err)
	}
	switch {
	case m.Format > BundleFormat:
		return m, bundleErrorf("%s is bundle format %d, newer than this lab reads (%d): upgrade lab", file, m.Format, BundleFormat)
	case m.Format != BundleFormat:
		return m, bundleErrorf("%s: bundle format %d is not one this lab reads", file, m.Format)
	case len(m.Images) == 0:
		return m, bundleErrorf("%s holds no image", file)
	}
	for _, img := range m.Images {
		if img.Ref == "" || img.File == "" || len(img.SHA256) != 64 {
			return m, bundleErrorf("%s: its manifest has an image without a name, file or SHA-256", file)
		}
	}
	return m, nil
}

// LoadBundle checks the whole bundle first (VerifyBundle), then loads each
// image into the engine, one line of progress per image.
func (e *Engine) LoadBundle(ctx context.Context, file string, progress func(string)) (BundleManifest, error) {
	progress("checking every image's SHA-256 before loading anything")
	m, err := VerifyBundle(file)
	if err != nil {
		return m, err
	}
	f, err := openBundle(file)
	if err != nil {
		return m, err
	}
	defer f.Close()
	tr := tar.NewReader(bufio.NewReader(f))
	if _, err := tr.Next(); err != nil { // the manifest, read above
		return m, err
	}
	for i := range m.Images {
		hdr, err := tr.Next()
		if err != nil {
			return m, fmt.Errorf("reading the bundle: %w", err)
		}
		var img BundleImage
		for _, c := range m.Images {
			if c.File == hdr.Name {
				img = c
			}
		}
		progress(fmt.Sprintf("loading %s (%d/%d, %.0f MB)", img.Ref, i+1, len(m.Images), float64(img.Size)/1e6))
		if err := e.loadImage(ctx, tr); err != nil {
			return m, fmt.Errorf("loading %s: %w", img.Ref, err)
		}
	}
	return m, nil
}

func (e *Engine) loadImage(ctx context.Context, r io.Reader) error {
	res, err := e.api.ImageLoad(ctx, r)
	if err != nil {
		return e.wrap(err, "loading an image")
	}
	defer res.Close()
	// The engine streams JSON messages; an error arrives as one of them.
	dec := json.NewDecoder(res)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the engine's answer: %w", err)
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
		if msg.ErrorDetail.Message != "" {
			return errors.New(msg.ErrorDetail.Message)
		}
	}
}
