//go:build !unix

package progress

import "testing"

// mkfifo skips: the platform has no FIFOs.
func mkfifo(t *testing.T, path string) {
	t.Skip("no FIFOs on this platform")
}
