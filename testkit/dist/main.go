// Command dist builds lab's release archives: for each target, a stripped
// binary built with -trimpath and the version, commit and date from git in
// its linker flags, packed with README.md into lab_VERSION_OS_ARCH.tar.gz
// (.zip for Windows), and a checksums.txt in sha256sum's format.
// `make dist` runs it; `-targets` builds fewer platforms.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// allTargets are the platforms a release covers.
const allTargets = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

const appPkg = "github.com/lab-workshop/lab/cmd/lab/app"

func main() {
	out := flag.String("out", "dist", "the `DIR` the archives and checksums.txt are written to")
	targets := flag.String("targets", allTargets, "comma-separated `OS/ARCH` list; \"host\" is this machine's")
	version := flag.String("version", "", "the version to stamp (default: git describe --tags --always --dirty)")
	flag.Parse()
	if err := run(*out, *targets, *version); err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

func run(out, targets, version string) error {
	if version == "" {
		version = git("describe", "--tags", "--always", "--dirty")
	}
	if version == "" {
		version = "dev"
	}
	commit := git("rev-parse", "--short=12", "HEAD")
	if commit == "" {
		commit = "unknown"
	}
	// The commit's time, not the clock's, so that a rebuild of the same
	// commit gives the same archives; SOURCE_DATE_EPOCH overrides it.
	when := time.Now().UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			when = time.Unix(n, 0).UTC()
		}
	} else if s := git("log", "-1", "--format=%ct"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			when = time.Unix(n, 0).UTC()
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return fmt.Errorf("reading README.md (run dist from the repository root): %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ldflags := fmt.Sprintf("-s -w -X %[1]s.version=%[2]s -X %[1]s.commit=%[3]s -X %[1]s.date=%[4]s",
		appPkg, version, commit, when.Format(time.RFC3339))

	var sums strings.Builder
	for _, t := range strings.Split(targets, ",") {
		t = strings.TrimSpace(t)
		if t == "host" {
			t = goEnv("GOOS") + "/" + goEnv("GOARCH")
		}
		goos, goarch, ok := strings.Cut(t, "/")
		if !ok || goos == "" || goarch == "" {
			return fmt.Errorf("target %q is not OS/ARCH, such as linux/amd64", t)
		}
		name, err := buildArchive(out, goos, goarch, version, ldflags, readme, when)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", goos, goarch, err)
		}
		sum, err := fileSHA256(filepath.Join(out, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%s  %s\n", sum, name)
		fmt.Println(filepath.Join(out, name))
	}
	sumsPath := filepath.Join(out, "checksums.txt")
	if err := os.WriteFile(sumsPath, []byte(sums.String()), 0o644); err != nil {
		return err
	}
	fmt.Println(sumsPath)
	return nil
}

// buildArchive builds lab for one platform and packs it with the README.
func buildArchive(out, goos, goarch, version, ldflags string, readme []byte, when time.Time) (string, error) {
	exe := "lab"
	if goos == "windows" {
		exe = "lab.exe"
	}
	tmp, err := os.MkdirTemp("", "lab-dist-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, exe)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, "./cmd/lab")
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "building %s/%s...\n", goos, goarch)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w", err)
	}
	binData, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	files := []file{{exe, binData, 0o755}, {"README.md", readme, 0o644}}
	base := fmt.Sprintf("lab_%s_%s_%s", strings.TrimPrefix(version, "v"), goos, goarch)
	var buf bytes.Buffer
	name := base + ".tar.gz"
	if goos == "windows" {
		name = base + ".zip"
		err = writeZip(&buf, files, when)
	} else {
		err = writeTarGz(&buf, files, when)
	}
	if err != nil {
		return "", err
	}
	return name, os.WriteFile(filepath.Join(out, name), buf.Bytes(), 0o644)
}

type file struct {
	name string
	data []byte
	mode int64
}

func writeTarGz(w io.Writer, files []file, when time.Time) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: when, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, files []file, when time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: when}
		hdr.SetMode(os.FileMode(f.mode))
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// git runs git and returns its trimmed output, or "" when it fails.
func git(args ...string) string {
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func goEnv(key string) string {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
