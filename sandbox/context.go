// Package sandbox is the only part of lab that touches the outside world: the
// Docker engine, the docker CLI and the commands a lesson runs. Everything else
// in lab reaches the machine through it, so its types are plain structs that
// callers can use without importing the Docker SDK.
package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Where an Endpoint came from, in the order the docker CLI consults them.
// Messages name the source so a learner knows which setting to change.
const (
	SourceDockerHost    = "DOCKER_HOST"
	SourceDockerContext = "DOCKER_CONTEXT"
	SourceConfigFile    = "config.json currentContext"
	SourceDefault       = "default"
)

// DefaultContext is the name the docker CLI gives the endpoint that needs no
// context store entry: DOCKER_HOST or the platform's default socket.
const DefaultContext = "default"

// Endpoint is the Docker engine lab talks to and why that one, resolved the
// way the docker CLI resolves it so that lab checks the same engine the
// learner's `docker` commands use.
type Endpoint struct {
	// Context is the docker context name, "default" when none is in use.
	Context string
	// Host is the engine address: unix:///var/run/docker.sock, tcp://HOST:PORT,
	// ssh://[USER@]HOST or npipe:////./pipe/docker_engine.
	Host string
	// Source is the setting that chose the endpoint: one of the Source*
	// constants.
	Source string
	// TLS holds the certificate files for a TLS connection; nil means plain.
	TLS *TLSFiles
	// SkipTLSVerify accepts any server certificate, as DOCKER_TLS without
	// DOCKER_TLS_VERIFY or a context's SkipTLSVerify asks.
	SkipTLSVerify bool
}

// TLSFiles names the PEM files of a TLS connection to the engine. A field is
// empty when that file does not exist, as the docker CLI skips missing files.
type TLSFiles struct {
	CAFile   string
	CertFile string
	KeyFile  string
}

// Origin says in words which setting chose the endpoint, for messages.
func (ep Endpoint) Origin() string {
	switch ep.Source {
	case SourceDockerHost:
		return "set by DOCKER_HOST"
	case SourceDockerContext:
		return fmt.Sprintf("docker context %q set by DOCKER_CONTEXT", ep.Context)
	case SourceConfigFile:
		return fmt.Sprintf("docker context %q, the current context in config.json", ep.Context)
	default:
		return fmt.Sprintf("docker context %q", ep.Context)
	}
}

// Local reports whether the engine runs on this machine (a unix socket or
// named pipe), so that host ports and kernel limits seen here are its own.
func (ep Endpoint) Local() bool {
	return strings.HasPrefix(ep.Host, "unix://") || strings.HasPrefix(ep.Host, "npipe://")
}

// ResolveEndpoint finds the engine the docker CLI would use with the
// environment env (nil means the process environment): DOCKER_HOST, then
// DOCKER_CONTEXT, then currentContext in $DOCKER_CONFIG/config.json, then the
// platform's default socket.
func ResolveEndpoint(env func(string) string) (Endpoint, error) {
	if env == nil {
		env = os.Getenv
	}
	dir := configDir(env)

	if host := strings.TrimSpace(env("DOCKER_HOST")); host != "" {
		return endpointFromHostEnv(host, dir, env)
	}
	if name := strings.TrimSpace(env("DOCKER_CONTEXT")); name != "" {
		return contextEndpoint(dir, name, SourceDockerContext, "DOCKER_CONTEXT")
	}
	configFile := filepath.Join(dir, "config.json")
	name, err := currentContext(configFile)
	if err != nil {
		return Endpoint{}, err
	}
	if name != "" {
		return contextEndpoint(dir, name, SourceConfigFile, "currentContext in "+configFile)
	}
	return Endpoint{Context: DefaultContext, Host: defaultHost(runtime.GOOS), Source: SourceDefault}, nil
}

// defaultHost is the engine address the docker CLI uses when nothing else is
// set.
func defaultHost(goos string) string {
	if goos == "windows" {
		return "npipe:////./pipe/docker_engine"
	}
	return "unix:///var/run/docker.sock"
}

// configDir is the docker CLI's configuration directory: $DOCKER_CONFIG, or
// .docker in the home directory.
func configDir(env func(string) string) string {
	if dir := env("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	home := env("HOME")
	if home == "" && runtime.GOOS == "windows" {
		home = env("USERPROFILE")
	}
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".docker")
}

// endpointFromHostEnv builds the endpoint DOCKER_HOST names, with TLS as
// DOCKER_TLS, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH ask. Like the docker CLI,
// any non-empty DOCKER_TLS_VERIFY turns verification on.
func endpointFromHostEnv(host, dir string, env func(string) string) (Endpoint, error) {
	verify := env("DOCKER_TLS_VERIFY") != ""
	useTLS := verify || env("DOCKER_TLS") != ""
	normalized, err := normalizeHost(host, useTLS)
	if err != nil {
		return Endpoint{}, fmt.Errorf("reading DOCKER_HOST: %w; fix or unset DOCKER_HOST", err)
	}
	ep := Endpoint{Context: DefaultContext, Host: normalized, Source: SourceDockerHost}
	if useTLS && strings.HasPrefix(normalized, "tcp://") {
		certPath := env("DOCKER_CERT_PATH")
		if certPath == "" {
			certPath = dir
		}
		files := existingTLSFiles(certPath)
		ep.TLS = &files
		ep.SkipTLSVerify = !verify
	}
	return ep, nil
}

// normalizeHost checks a DOCKER_HOST value and fills in what the docker CLI
// fills in: tcp for a bare HOST:PORT, the default port, the default socket.
func normalizeHost(host string, useTLS bool) (string, error) {
	proto, addr, found := strings.Cut(host, "://")
	if !found {
		proto, addr = "tcp", host
	}
	switch proto {
	case "unix":
		if addr == "" {
			addr = "/var/run/docker.sock"
		}
		return "unix://" + addr, nil
	case "npipe":
		if addr == "" {
			addr = "//./pipe/docker_engine"
		}
		return "npipe://" + addr, nil
	case "ssh":
		if addr == "" {
			return "", fmt.Errorf("address %q names no host: want ssh://[USER@]HOST[:PORT]", host)
		}
		return host, nil
	case "tcp":
		hostPort, path, _ := strings.Cut(addr, "/")
		h, port, err := net.SplitHostPort(hostPort)
		if err != nil {
			h, port = hostPort, ""
			if strings.Count(h, ":") > 1 && !strings.HasPrefix(h, "[") {
				return "", fmt.Errorf("address %q: put an IPv6 address in brackets: tcp://[ADDR]:PORT", host)
			}
		}
		h = strings.Trim(h, "[]")
		if h == "" {
			h = "localhost"
		}
		if port == "" {
			port = "2375"
			if useTLS {
				port = "2376"
			}
		}
		out := "tcp://" + net.JoinHostPort(h, port)
		if path != "" {
			out += "/" + path
		}
		return out, nil
	default:
		return "", fmt.Errorf("address %q has an unsupported scheme %q: want unix://PATH, tcp://HOST:PORT, ssh://[USER@]HOST or npipe://PATH", host, proto)
	}
}

// currentContext reads currentContext from the docker CLI's config.json. A
// missing or empty file means no context is set.
func currentContext(configFile string) (string, error) {
	data, err := os.ReadFile(configFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading docker config %s: %w", configFile, err)
	}
	if strings.TrimSpace(string(data)) == "" {
		return "", nil
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("reading docker config %s: the file is damaged (%v); fix its JSON or move it aside", configFile, err)
	}
	return strings.TrimSpace(cfg.CurrentContext), nil
}

// contextMeta is the part of a context store meta.json that lab reads.
type contextMeta struct {
	Name      string
	Endpoints map[string]json.RawMessage
}

// dockerEndpointMeta is the "docker" entry of a context's Endpoints.
type dockerEndpointMeta struct {
	Host          string
	SkipTLSVerify bool
}

// contextEndpoint loads the named context from the docker CLI's context store
// under dir; setBy says which setting named it, for the not-found message.
func contextEndpoint(dir, name, source, setBy string) (Endpoint, error) {
	if name == DefaultContext {
		return Endpoint{Context: DefaultContext, Host: defaultHost(runtime.GOOS), Source: source}, nil
	}
	id := contextID(name)
	metaFile := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	data, err := os.ReadFile(metaFile)
	if errors.Is(err, fs.ErrNotExist) {
		return Endpoint{}, fmt.Errorf("docker context %q not found (set by %s); list contexts with: docker context ls", name, setBy)
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("reading docker context %q from %s: %w", name, metaFile, err)
	}
	var meta contextMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return Endpoint{}, fmt.Errorf("reading docker context %q from %s: the file is damaged (%v); recreate the context with: docker context create", name, metaFile, err)
	}
	raw, ok := meta.Endpoints["docker"]
	if !ok {
		return Endpoint{}, fmt.Errorf("docker context %q has no docker endpoint in %s; inspect it with: docker context inspect %s", name, metaFile, name)
	}
	var de dockerEndpointMeta
	if err := json.Unmarshal(raw, &de); err != nil {
		return Endpoint{}, fmt.Errorf("reading docker context %q from %s: the docker endpoint is damaged (%v); recreate the context with: docker context create", name, metaFile, err)
	}
	if de.Host == "" {
		return Endpoint{}, fmt.Errorf("docker context %q has an empty docker host in %s; inspect it with: docker context inspect %s", name, metaFile, name)
	}
	ep := Endpoint{Context: name, Host: de.Host, Source: source, SkipTLSVerify: de.SkipTLSVerify}
	if strings.HasPrefix(de.Host, "tcp://") {
		files := existingTLSFiles(filepath.Join(dir, "contexts", "tls", id, "docker"))
		if files != (TLSFiles{}) || de.SkipTLSVerify {
			ep.TLS = &files
		}
	}
	return ep, nil
}

// contextID is the directory name the docker CLI's context store uses for a
// context: the hex SHA-256 of its name.
func contextID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// existingTLSFiles names ca.pem, cert.pem and key.pem in dir, each only when
// it exists.
func existingTLSFiles(dir string) TLSFiles {
	pick := func(name string) string {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	return TLSFiles{CAFile: pick("ca.pem"), CertFile: pick("cert.pem"), KeyFile: pick("key.pem")}
}
