//go:build !linux

package sandbox

// remoteFileSystem reports no network file system where lab cannot tell:
// the operating system's notifications are tried, and polling is one flag
// away.
func remoteFileSystem(string) (string, bool) { return "", false }
