package sandbox

import (
	"fmt"
	"net"
	"net/url"
)

// PublishedHost is the host where the ports that containers publish (`-p
// 8080:80`) are reached: the engine's own host for a tcp:// or ssh://
// endpoint, since ports are published on the machine the engine runs on,
// and localhost for a local socket (Docker Desktop, Colima, OrbStack and
// Rancher Desktop forward published ports to this machine's loopback).
func PublishedHost(ep Endpoint) string {
	u, err := url.Parse(ep.Host)
	if err != nil || (u.Scheme != "tcp" && u.Scheme != "ssh") || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}

// PublishedURL rewrites a lesson's http://localhost:PORT/... address to
// where the engine publishes ports, so a check of a remote engine asks the
// engine's host. Any other host is left as written.
func PublishedURL(ep Endpoint, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("reading address %q: %w", raw, err)
	}
	if u.Hostname() != "localhost" {
		return raw, nil
	}
	host := PublishedHost(ep)
	if host == "localhost" {
		return raw, nil
	}
	if port := u.Port(); port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		u.Host = "[" + host + "]"
	} else {
		u.Host = host
	}
	return u.String(), nil
}
