package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os/exec"
	"strings"
	"syscall"
)

// UnreachableError says the Docker engine did not answer. It is an
// environment problem, never a failed check, and its text ends with what the
// learner can do about it.
type UnreachableError struct {
	Endpoint Endpoint
	Cause    error
}

// Error names the engine and the setting that chose it, the cause, and ends
// with the fix.
func (e *UnreachableError) Error() string {
	what := fmt.Sprintf("cannot reach the Docker engine at %s (%s)", e.Endpoint.Host, e.Endpoint.Origin())
	return withFix(what, e.Cause, e.Fix())
}

// withFix is the text of an environment error: what went wrong, its cause
// when there is one, then what to do about it.
func withFix(what string, cause error, fix string) string {
	if cause != nil {
		what += fmt.Sprintf(": %v", cause)
	}
	return what + "; " + fix
}

// Unwrap gives the connection error, for errors.Is and errors.As.
func (e *UnreachableError) Unwrap() error { return e.Cause }

// Fix explains what the cause means and what to do, ending with the command
// that lets the learner see the problem for themselves.
func (e *UnreachableError) Fix() string {
	ep := e.Endpoint
	scheme, _, _ := strings.Cut(ep.Host, "://")
	var fix string
	switch reason(scheme, e.Cause) {
	case reasonPermission:
		fix = "your user may not use the Docker socket: add it to the docker group with `sudo usermod -aG docker $USER`, then log out and in again (or run `newgrp docker`)"
	case reasonNoSocket:
		fix = "nothing serves that socket, so Docker is not running: " + startDocker
		if ep.Source != SourceDefault {
			fix += "; " + switchBack(ep)
		}
	case reasonRefused:
		if scheme == "unix" {
			fix = "the socket exists but nothing answers on it, so Docker is not running: " + startDocker
			if ep.Source != SourceDefault {
				fix += "; " + switchBack(ep)
			}
		} else {
			fix = "nothing accepts connections there: " + checkSetting(ep) + " (is the engine listening on that address?)"
		}
	case reasonTimeout:
		fix = fmt.Sprintf("the engine did not answer within %s: it may be starting or hung; wait a moment, restart Docker, or for a remote engine check the network and %s", pingTimeout, settingName(ep))
	case reasonDNS:
		fix = "the host name does not resolve: " + checkSetting(ep)
	case reasonTLS:
		fix = "the TLS handshake failed: check the certificates (DOCKER_CERT_PATH, DOCKER_TLS_VERIFY, or the context's TLS files) and " + settingName(ep)
	case reasonNoSSH:
		fix = "ssh is not installed: install an OpenSSH client, or " + switchBack(ep)
	case reasonSSH:
		fix = fmt.Sprintf("the ssh connection failed: check that `ssh %s docker version` works", sshTarget(ep.Host))
	case reasonNoPipe:
		fix = "the Docker named pipe does not exist, so Docker is not running: start Docker Desktop"
	default:
		fix = "is Docker running? " + startDocker + "; otherwise " + checkSetting(ep)
	}
	return fix + "; to see it yourself, run: docker info"
}

const startDocker = "start Docker: `sudo systemctl start docker` on Linux, start Docker Desktop on macOS/Windows (on WSL enable WSL integration in Docker Desktop's settings)"

// IsUnreachable reports whether err says the Docker engine did not answer.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}

type unreachableReason int

const (
	reasonUnknown unreachableReason = iota
	reasonPermission
	reasonNoSocket
	reasonRefused
	reasonTimeout
	reasonDNS
	reasonTLS
	reasonNoSSH
	reasonSSH
	reasonNoPipe
)

// reason sorts a connection failure by what the learner has to do. It reads
// the error chain first and the text last, as the SDK rewrites some errors
// into plain text.
func reason(scheme string, err error) unreachableReason {
	if err == nil {
		return reasonUnknown
	}
	text := strings.ToLower(err.Error())
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var alert tls.AlertError
	switch {
	case scheme == "ssh" && errors.Is(err, exec.ErrNotFound):
		return reasonNoSSH
	case errors.Is(err, syscall.EACCES), errors.Is(err, fs.ErrPermission), strings.Contains(text, "permission denied"):
		return reasonPermission
	case scheme == "npipe" && (errors.Is(err, fs.ErrNotExist) || strings.Contains(text, "cannot find the file")):
		return reasonNoPipe
	case errors.Is(err, syscall.ENOENT), errors.Is(err, fs.ErrNotExist), strings.Contains(text, "no such file or directory"):
		return reasonNoSocket
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(text, "connection refused"):
		return reasonRefused
	case errors.As(err, &dnsErr):
		return reasonDNS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return reasonTimeout
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr), errors.As(err, &alert),
		strings.Contains(text, "tls:"), strings.Contains(text, "x509:"):
		return reasonTLS
	case scheme == "ssh":
		return reasonSSH
	}
	return reasonUnknown
}

// checkSetting tells the learner which setting holds the engine address.
func checkSetting(ep Endpoint) string {
	switch ep.Source {
	case SourceDockerHost:
		return fmt.Sprintf("check DOCKER_HOST=%s, or unset it to use the default engine", ep.Host)
	case SourceDockerContext, SourceConfigFile:
		return fmt.Sprintf("check docker context %q with `docker context inspect %s`, or switch with `docker context use default`", ep.Context, ep.Context)
	}
	return "check that Docker is installed: https://docs.docker.com/get-docker/"
}

// settingName names the setting that holds the engine address.
func settingName(ep Endpoint) string {
	switch ep.Source {
	case SourceDockerHost:
		return "DOCKER_HOST"
	case SourceDockerContext, SourceConfigFile:
		return fmt.Sprintf("docker context %q", ep.Context)
	}
	return "the Docker installation"
}

// switchBack tells the learner how to return to the default engine.
func switchBack(ep Endpoint) string {
	switch ep.Source {
	case SourceDockerHost:
		return "unset DOCKER_HOST to use the default engine"
	case SourceDockerContext:
		return "unset DOCKER_CONTEXT to use the current context"
	case SourceConfigFile:
		return fmt.Sprintf("start the engine behind docker context %q or switch with `docker context use default`", ep.Context)
	}
	return ""
}
