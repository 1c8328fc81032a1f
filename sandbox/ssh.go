package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// sshDialer reaches an engine on ssh://[USER@]HOST[:PORT][/SOCKET] the way
// the docker CLI does: every connection runs `ssh HOST docker system
// dial-stdio` and speaks HTTP over the command's stdin and stdout, so the
// remote user needs only ssh access and a docker CLI.
func sshDialer(host string) (dialFunc, error) {
	args, err := sshArgs(host)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		return dialCommand(ctx, "ssh", args...)
	}, nil
}

// sshArgs builds the ssh command line for an ssh:// engine address.
func sshArgs(host string) ([]string, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("reading ssh address %q: %w", host, err)
	}
	if u.Scheme != "ssh" || u.Hostname() == "" {
		return nil, fmt.Errorf("ssh address %q names no host: want ssh://[USER@]HOST[:PORT]", host)
	}
	if _, ok := u.User.Password(); ok {
		return nil, fmt.Errorf("ssh address %q holds a password: remove it and use an ssh key or ssh-agent", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("ssh address %q has extra parts: want ssh://[USER@]HOST[:PORT][/SOCKET]", host)
	}
	args := []string{"-o", "ConnectTimeout=30", "-T"}
	if u.User != nil && u.User.Username() != "" {
		args = append(args, "-l", u.User.Username())
	}
	if p := u.Port(); p != "" {
		args = append(args, "-p", p)
	}
	args = append(args, "--", u.Hostname(), "docker")
	if u.Path != "" && u.Path != "/" {
		args = append(args, "--host", "unix://"+u.Path)
	}
	return append(args, "system", "dial-stdio"), nil
}

// sshTarget is the [USER@]HOST part of an ssh:// address, for messages.
func sshTarget(host string) string {
	u, err := url.Parse(host)
	if err != nil || u.Hostname() == "" {
		return strings.TrimPrefix(host, "ssh://")
	}
	if u.User != nil && u.User.Username() != "" {
		return u.User.Username() + "@" + u.Hostname()
	}
	return u.Hostname()
}

// dialCommand starts name with args and returns a connection over its stdin
// and stdout.
func dialCommand(ctx context.Context, name string, args ...string) (net.Conn, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	// The connection outlives the dial, so the command must not be bound
	// to the dial's context. Pipes are made here rather than with
	// StdoutPipe so that Wait, run in the background, does not close the
	// end being read.
	cmd := exec.Command(path, args...)
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		stdinR.Close()
		stdinW.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &commandConn{cmd: cmd, stdin: stdinW, stdout: stdoutR, done: make(chan struct{})}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, stdoutW, &c.stderr
	err = ctx.Err()
	if err == nil {
		err = cmd.Start()
	}
	stdinR.Close()
	stdoutW.Close()
	if err != nil {
		stdinW.Close()
		stdoutR.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// commandConn is a net.Conn over a child process's stdin and stdout.
type commandConn struct {
	cmd       *exec.Cmd
	stdin     *os.File
	stdout    *os.File
	stderr    lockedBuffer
	done      chan struct{}
	waitErr   error
	closeOnce sync.Once
}

// Read returns the command's output. When the command fails, the error
// carries what it printed on stderr, which is ssh's own explanation.
func (c *commandConn) Read(p []byte) (int, error) {
	n, err := c.stdout.Read(p)
	if !errors.Is(err, io.EOF) {
		return n, err
	}
	return n, c.explain(err, io.ErrUnexpectedEOF)
}

// Write sends to the command's input. A command that already ended (ssh
// that could not connect) breaks the pipe; the error then carries its
// explanation as Read's does.
func (c *commandConn) Write(p []byte) (int, error) {
	n, err := c.stdin.Write(p)
	if err != nil {
		return n, c.explain(err, err)
	}
	return n, nil
}

// explain waits briefly for the command to end and, when it failed,
// returns its stderr wrapped around wrap; otherwise it returns err as is.
func (c *commandConn) explain(err, wrap error) error {
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
		return err
	}
	if c.waitErr == nil {
		return err
	}
	msg := strings.TrimSpace(c.stderr.String())
	if msg == "" {
		msg = c.waitErr.Error()
	}
	return fmt.Errorf("%s: %s: %w", filepath.Base(c.cmd.Path), msg, wrap)
}

// CloseWrite ends the command's input, for half-closed HTTP streams.
func (c *commandConn) CloseWrite() error { return c.stdin.Close() }

// Close ends the command.
func (c *commandConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.stdin.Close()
		_ = c.cmd.Process.Kill()
		<-c.done
		_ = c.stdout.Close()
	})
	return nil
}

func (c *commandConn) LocalAddr() net.Addr                { return commandAddr{} }
func (c *commandConn) RemoteAddr() net.Addr               { return commandAddr{} }
func (c *commandConn) SetDeadline(t time.Time) error      { return nil }
func (c *commandConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *commandConn) SetWriteDeadline(t time.Time) error { return nil }

type commandAddr struct{}

func (commandAddr) Network() string { return "command" }
func (commandAddr) String() string  { return "command" }

// lockedBuffer is a bytes.Buffer that a child process's output copier and
// readers may use at the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
