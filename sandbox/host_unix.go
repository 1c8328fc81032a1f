//go:build unix

package sandbox

import (
	"fmt"
	"os"
	"syscall"
)

// FreeDisk reports the bytes free to unprivileged users on the file system
// holding path (or its nearest existing parent).
func FreeDisk(path string) (uint64, error) {
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		parent := parentDir(path)
		if parent == path {
			break
		}
		path = parent
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, fmt.Errorf("reading free space of %s: %w", path, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
