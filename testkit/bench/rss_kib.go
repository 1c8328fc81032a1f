//go:build unix && !darwin

package main

// rssKiB converts getrusage's ru_maxrss, in KiB outside darwin, to KiB.
func rssKiB(v int64) int64 { return v }
