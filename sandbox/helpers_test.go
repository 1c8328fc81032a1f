package sandbox

import (
	"errors"
	"net"
	"testing"
	"time"
)

// serveConns listens on address and hands every connection it accepts to
// handle, until the test ends. It stands in for a server that misbehaves
// in a way a real one cannot be made to on demand.
func serveConns(t *testing.T, network, address string, handle func(net.Conn)) net.Listener {
	t.Helper()
	l, err := net.Listen(network, address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			handle(c)
		}
	}()
	return l
}

// isNotInstalled reports whether err says that tool is not on PATH.
func isNotInstalled(err error, tool string) bool {
	var missing *NotInstalledError
	return errors.As(err, &missing) && missing.Tool == tool
}

// returnsAtOnce runs fn and gives its error. A call still running after 10s
// fails the test: it waits, as an open of a FIFO does, where it should have
// refused.
func returnsAtOnce(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still runs after 10s, want it to refuse at once", what)
		return nil
	}
}
