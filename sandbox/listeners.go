package sandbox

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// TCPListener is a TCP socket listening inside a container's network
// namespace. A server bound to a loopback address there cannot be reached
// through a published port: the engine forwards published ports to the
// container's own network address.
type TCPListener struct {
	Addr string // "0.0.0.0", "127.0.0.1", "::", "::1", or a container address
	Port int
}

func (l TCPListener) String() string {
	return net.JoinHostPort(l.Addr, strconv.Itoa(l.Port))
}

// Loopback reports whether only processes inside the container can reach
// the socket.
func (l TCPListener) Loopback() bool {
	a, err := netip.ParseAddr(l.Addr)
	return err == nil && a.Unmap().IsLoopback()
}

// execAPI names the SDK calls TCPListeners makes to run a command in a
// container; *client.Client has them.
type execAPI interface {
	ExecCreate(ctx context.Context, containerID string, options client.ExecCreateOptions) (client.ExecCreateResult, error)
	ExecAttach(ctx context.Context, execID string, options client.ExecAttachOptions) (client.ExecAttachResult, error)
	ExecInspect(ctx context.Context, execID string, options client.ExecInspectOptions) (client.ExecInspectResult, error)
}

var _ execAPI = (*client.Client)(nil)

// TCPListeners lists the TCP sockets listening inside a running container,
// the way `ss -ltn` would show them there, by reading the kernel's
// /proc/net/tcp and /proc/net/tcp6 with `cat` in the container. It tells a
// server that listens on all interfaces from one bound to 127.0.0.1, which
// nothing outside the container reaches.
func (e *Engine) TCPListeners(ctx context.Context, container string) ([]TCPListener, error) {
	api, ok := e.api.(execAPI)
	if !ok {
		return nil, fmt.Errorf("listing the listening sockets of %q: this engine client cannot run commands in containers", container)
	}
	out, err := e.execOutput(ctx, api, container, []string{"cat", "/proc/net/tcp", "/proc/net/tcp6"})
	// Without IPv6 there is no tcp6 file and cat exits 1 after printing tcp.
	if err != nil && !strings.Contains(out, "local_address") {
		return nil, err
	}
	return parseProcNetTCP(out), nil
}

// execOutput runs cmd in a running container and returns its standard
// output; a non-zero exit is an error carrying standard error.
func (e *Engine) execOutput(ctx context.Context, api execAPI, container string, cmd []string) (string, error) {
	what := fmt.Sprintf("running %q in container %q", strings.Join(cmd, " "), container)
	created, err := api.ExecCreate(ctx, container, client.ExecCreateOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return "", &NotFoundError{Kind: "container", Name: container, Err: err}
		}
		return "", e.wrap(err, "%s", what)
	}
	att, err := api.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return "", e.wrap(err, "%s", what)
	}
	defer att.Close()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader); err != nil {
		return stdout.String(), e.wrap(err, "%s: reading its output", what)
	}
	res, err := api.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
	if err != nil {
		return stdout.String(), e.wrap(err, "%s", what)
	}
	if res.ExitCode != 0 {
		return stdout.String(), fmt.Errorf("%s: exit code %d: %s", what, res.ExitCode, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// tcpListen is the socket state LISTEN in /proc/net/tcp.
const tcpListen = "0A"

// parseProcNetTCP reads the listening sockets from the text of
// /proc/net/tcp and /proc/net/tcp6 (one or both, one after the other).
// Addresses there are hex in the kernel's byte order, 32 bits at a time:
//
//	sl  local_address rem_address   st ...
//	 0: 0100007F:6989 00000000:0000 0A ...
func parseProcNetTCP(text string) []TCPListener {
	var out []TCPListener
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasSuffix(f[0], ":") || f[3] != tcpListen {
			continue
		}
		hostHex, portHex, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		port, err := strconv.ParseUint(portHex, 16, 16)
		if err != nil {
			continue
		}
		addr, err := procNetAddr(hostHex)
		if err != nil {
			continue
		}
		l := TCPListener{Addr: addr.String(), Port: int(port)}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// procNetAddr decodes an address of /proc/net/tcp{,6}: 8 or 32 hex digits,
// each group of 4 bytes in host byte order. Every platform Docker runs
// Linux containers on (amd64, arm64) is little-endian.
func procNetAddr(h string) (netip.Addr, error) {
	b, err := hex.DecodeString(h)
	if err != nil {
		return netip.Addr{}, err
	}
	if len(b) != 4 && len(b) != 16 {
		return netip.Addr{}, errors.New("not an IPv4 or IPv6 address")
	}
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	a, _ := netip.AddrFromSlice(b)
	return a, nil
}
