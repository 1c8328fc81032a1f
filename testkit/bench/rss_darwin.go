package main

// rssKiB converts getrusage's ru_maxrss, in bytes on darwin, to KiB.
func rssKiB(v int64) int64 { return v / 1024 }
