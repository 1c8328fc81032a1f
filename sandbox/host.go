package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
)

func parentDir(p string) string {
	i := strings.LastIndex(strings.TrimRight(p, "/"), "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// AvailableMemory reports the memory the kernel says is available for new
// work (MemAvailable). It is known on Linux only; elsewhere ok is false.
func AvailableMemory() (bytes uint64, ok bool, err error) {
	if runtime.GOOS != "linux" {
		return 0, false, nil
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false, fmt.Errorf("reading memory information: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				return 0, false, fmt.Errorf("parsing MemAvailable: %w", err)
			}
			return kb * 1024, true, nil
		}
	}
	return 0, false, sc.Err()
}

// PortFree reports whether a TCP port on the loopback address can be bound
// now, that is, whether a lesson that publishes it will find it free.
func PortFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// ToolVersion runs `name args...` with env and returns its first output
// line, or a NotInstalledError when name is not on env's PATH.
func ToolVersion(ctx context.Context, env []string, name string, args ...string) (string, error) {
	script := name
	for _, a := range args {
		script += " " + a
	}
	if _, err := lookPathIn(name, env); err != nil {
		return "", &NotInstalledError{Tool: name}
	}
	out, err := Run(ctx, "", env, script)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	return line, nil
}
