//go:build !unix

package main

import "os"

// peakRSSKiB is 0 where the platform does not report a process's peak
// resident set size.
func peakRSSKiB(*os.ProcessState) int64 { return 0 }
