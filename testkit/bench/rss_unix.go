//go:build unix

package main

import (
	"os"
	"syscall"
)

// peakRSSKiB is a finished process's peak resident set size in KiB (bytes
// on darwin, where getrusage counts in bytes).
func peakRSSKiB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return rssKiB(int64(ru.Maxrss))
}
