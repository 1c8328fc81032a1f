package sandbox

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// versionFormatTimeout bounds `docker version`, which also asks the engine
// and can hang on an unreachable remote one; `docker --version` answers
// without the engine.
const versionFormatTimeout = 10 * time.Second

// NotInstalledError says a tool lab needs is not on PATH, so the learner is
// told to install it rather than shown a failed command.
type NotInstalledError struct {
	Tool string // e.g. "docker", "kind", "kubectl"
}

// Error names the tool and where to get it.
func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("%s not found on PATH; %s", e.Tool, installHint(e.Tool))
}

// installHint is where to get each tool the lessons use.
func installHint(tool string) string {
	switch tool {
	case "docker":
		return "install Docker: https://docs.docker.com/get-docker/"
	case "docker compose", "docker-compose":
		return "install the Compose v2 plugin: https://docs.docker.com/compose/install/"
	case "kind":
		return "install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
	case "kubectl":
		return "install kubectl: https://kubernetes.io/docs/tasks/tools/"
	}
	return "install " + tool + " and put it on PATH"
}

// CLIVersion reports the docker CLI's own version, e.g. "28.2.2", running the
// docker found on the PATH of env (nil means the process environment). It
// asks `docker version --format '{{.Client.Version}}'` first, which prints the
// client version even when the engine is down, and falls back to
// `docker --version`. A missing CLI gives a *NotInstalledError.
func CLIVersion(ctx context.Context, env []string) (string, error) {
	if _, err := lookPathIn("docker", env); err != nil {
		return "", &NotInstalledError{Tool: "docker"}
	}
	fctx, cancel := context.WithTimeout(ctx, versionFormatTimeout)
	res, ferr := runCommand(fctx, "", env, true, "docker", "version", "--format", "{{.Client.Version}}")
	cancel()
	if v := firstLine(res.stdout); looksLikeVersion(v) {
		return strings.TrimPrefix(v, "v"), nil
	}
	res, err := runCommand(ctx, "", env, true, "docker", "--version")
	if err != nil {
		return "", fmt.Errorf("reading the docker CLI version: %w", errors.Join(ferr, err))
	}
	if v := versionIn(res.stdout); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("reading the docker CLI version: `docker --version` printed no version: %q; check which docker is on PATH with: command -v docker", strings.TrimSpace(res.combined))
}

// ComposeVersion reports the version of the Compose v2 plugin, e.g. "2.29.1",
// from `docker compose version --short`, falling back to the text of
// `docker compose version`. A missing docker CLI gives a *NotInstalledError;
// a docker without the compose plugin gives an error that says how to
// install it.
func ComposeVersion(ctx context.Context, env []string) (string, error) {
	if _, err := lookPathIn("docker", env); err != nil {
		return "", &NotInstalledError{Tool: "docker"}
	}
	res, serr := runCommand(ctx, "", env, true, "docker", "compose", "version", "--short")
	if v := firstLine(res.stdout); serr == nil && looksLikeVersion(v) {
		return strings.TrimPrefix(v, "v"), nil
	}
	res, err := runCommand(ctx, "", env, true, "docker", "compose", "version")
	if err == nil {
		if v := versionIn(res.stdout); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("reading the docker compose version: `docker compose version` printed no version: %q; reinstall the Compose plugin: https://docs.docker.com/compose/install/", strings.TrimSpace(res.combined))
	}
	if noComposePlugin(res.combined) {
		return "", fmt.Errorf("docker compose is not installed (%w); install the Compose v2 plugin: https://docs.docker.com/compose/install/", err)
	}
	return "", fmt.Errorf("reading the docker compose version: %w", err)
}

// noComposePlugin recognises the docker CLI's answers to an unknown
// subcommand, across CLI versions.
func noComposePlugin(output string) bool {
	out := strings.ToLower(output)
	return strings.Contains(out, "is not a docker command") ||
		strings.Contains(out, "unknown command") ||
		strings.Contains(out, "unknown shorthand flag") ||
		strings.Contains(out, "unknown flag")
}

var (
	// versionWord finds the version after the word "version", as in
	// "Docker version 28.2.2, build e6534b4" or "Docker Compose version v2.29.1".
	versionWord = regexp.MustCompile(`(?i)\bversion:?\s+(v?\d+(?:\.\d+)*[0-9A-Za-z.+~-]*)`)
	// versionLike is a whole version string, with an optional v prefix and
	// suffixes such as -desktop.1 or +dfsg1.
	versionLike = regexp.MustCompile(`^v?\d+(\.\d+)*[0-9A-Za-z.+~-]*$`)
)

// versionIn finds the version in a tool's version banner.
func versionIn(text string) string {
	m := versionWord.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return strings.TrimPrefix(strings.TrimRight(m[1], ".,"), "v")
}

func looksLikeVersion(s string) bool { return versionLike.MatchString(s) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// CompareVersions orders versions like "20.10.24", "28.2.2", "v2.29.1" or
// "5.0.1-desktop.1" by their numbers: it returns -1 when a is older than b,
// 0 when their numbers are equal, and +1 when a is newer. A leading v and any
// suffix after the numbers (-rc.1, +dfsg1, -desktop.1) are ignored, and
// missing parts count as 0, so "1.41" equals "1.41.0".
func CompareVersions(a, b string) int {
	pa, pb := versionNumbers(a), versionNumbers(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

// versionNumbers reads the dotted numbers at the start of a version.
func versionNumbers(v string) []int {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	var nums []int
	for _, part := range strings.Split(v, ".") {
		end := 0
		for end < len(part) && part[end] >= '0' && part[end] <= '9' {
			end++
		}
		if end == 0 {
			break
		}
		n, err := strconv.Atoi(part[:end])
		if err != nil {
			break
		}
		nums = append(nums, n)
		if end < len(part) {
			break // a suffix such as -rc.1 ends the numbers
		}
	}
	return nums
}
