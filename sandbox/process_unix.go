//go:build unix

package sandbox

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the command in a process group of its own so that
// cancelling it also stops the children a script started (a `docker run`
// left in the foreground, say), not only the shell.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// processAlive reports whether a process with the ID runs on this machine
// (one of another user's counts).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
