//go:build !unix

package sandbox

import "errors"

// FreeDisk is not measured on this platform yet.
func FreeDisk(path string) (uint64, error) {
	return 0, errors.New("free disk space is not measured on this platform")
}
