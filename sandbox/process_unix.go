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
