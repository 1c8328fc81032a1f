package sandbox

import (
	"slices"
	"testing"
)

// Captured from a container whose mongod listens on 127.0.0.1:27017 and
// whose other server listens on every IPv4 and IPv6 address on port 8080,
// with one established connection that must be ignored.
const procNetSample = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:6989 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 31337 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 100 0 0 10 0
   2: 0100007F:6989 0100007F:D431 01 00000000:00000000 00:00000000 00000000   999        0 31339 1 0000000000000000 20 4 30 10 -1
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31340 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:6989 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 31341 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000200A8C0:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31342 1 0000000000000000 100 0 0 10 0
`

func TestParseProcNetTCP(t *testing.T) {
	got := parseProcNetTCP(procNetSample)
	want := []TCPListener{
		{Addr: "127.0.0.1", Port: 27017},
		{Addr: "0.0.0.0", Port: 8080},
		{Addr: "::", Port: 8080},
		{Addr: "::1", Port: 27017},
		{Addr: "::ffff:192.168.0.2", Port: 80},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := parseProcNetTCP("cat: /proc/net/tcp6: No such file or directory\n"); len(got) != 0 {
		t.Errorf("from an error message: got %v, want none", got)
	}
}

func TestTCPListenerLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.11", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"0.0.0.0", false},
		{"::", false},
		{"172.17.0.2", false},
		{"not an address", false},
	} {
		if got := (TCPListener{Addr: tc.addr, Port: 1}).Loopback(); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.addr, got, tc.want)
		}
	}
	if got := (TCPListener{Addr: "::1", Port: 27017}).String(); got != "[::1]:27017" {
		t.Errorf("String: got %q, want [::1]:27017", got)
	}
}
