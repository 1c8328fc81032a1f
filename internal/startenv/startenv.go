// Package startenv sets up lab's process before the rest of its packages
// are initialised, and puts things back when main starts.
//
// Packages are initialised in the order of their import paths among those
// whose imports are ready. This package imports only os and runtime/debug,
// so it runs long before the large dependencies, and its init can change
// how they are initialised:
//
//   - It takes PATH away. godog's internal/builder sets a package-level
//     variable with `go env GOTOOLDIR` (its findToolDir), so every lab start
//     on a machine with Go on PATH ran the go command before main: 10–40 ms,
//     more than the rest of lab's package initialisation. lab never uses
//     that builder. The builder waits for os/exec and text/template, so it
//     is initialised long after this package.
//   - It turns the garbage collector off. Package initialisation builds
//     tables that live as long as the process; collecting while they are
//     built finds nothing to free and costs several milliseconds of every
//     start. A GOGC the user set is left alone.
//
// A test of cmd/lab runs the whole binary with a stand-in go on PATH to hold
// both halves of the PATH change.
package startenv

import (
	"os"
	"runtime/debug"
)

var (
	path, hadPath = os.LookupEnv("PATH")
	_, userGOGC   = os.LookupEnv("GOGC")
)

func init() {
	if hadPath {
		os.Unsetenv("PATH")
	}
	if !userGOGC {
		debug.SetGCPercent(-1)
	}
}

// Restore gives PATH back the value lab started with and turns the garbage
// collector back on as Go's default has it. main calls it first.
func Restore() {
	if hadPath {
		os.Setenv("PATH", path)
	}
	if !userGOGC {
		debug.SetGCPercent(100)
	}
}
