package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// waitDelay bounds how long a cancelled command's leftover children may hold
// its output open before lab stops waiting for them.
const waitDelay = 5 * time.Second

// Run runs `sh -c script` in dir (empty means the current directory) with the
// environment env (nil means the process environment) and returns its
// combined output. selftest applies reference solutions with it, so a failure
// is a *CommandError carrying the exit code and the output.
func Run(ctx context.Context, dir string, env []string, script string) (output string, err error) {
	res, err := runCommand(ctx, dir, env, false, "sh", "-c", script)
	return res.combined, err
}

// CommandError says an external command failed, with everything needed to
// understand why without running it again.
type CommandError struct {
	Args     []string // the command line
	Dir      string   // where it ran; empty means the current directory
	ExitCode int      // -1 when it did not start or was killed by a signal
	Output   string   // stdout and stderr as they came
	Err      error    // the underlying error from os/exec
}

// maxErrorOutput bounds how much of a command's output an error message
// repeats; the whole output stays in CommandError.Output.
const maxErrorOutput = 4000

// Error gives the command line, the exit code and the output.
func (e *CommandError) Error() string {
	var b strings.Builder
	b.WriteString(quoteArgs(e.Args))
	if e.ExitCode >= 0 {
		fmt.Fprintf(&b, " failed with exit code %d", e.ExitCode)
	} else {
		fmt.Fprintf(&b, " failed: %v", e.Err)
	}
	out := strings.TrimSpace(e.Output)
	if len(out) > maxErrorOutput {
		out = "..." + out[len(out)-maxErrorOutput:]
	}
	if out != "" {
		b.WriteString(": ")
		b.WriteString(out)
	} else {
		b.WriteString(" and printed nothing")
	}
	return b.String()
}

// Unwrap gives the os/exec error, for errors.Is and errors.As.
func (e *CommandError) Unwrap() error { return e.Err }

// quoteArgs renders a command line the way a learner would type it.
func quoteArgs(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`|&;<>(){}*?[]#~!") {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// commandResult is what a finished command printed.
type commandResult struct {
	stdout   string
	combined string
}

// runCommand runs name, found on env's PATH, with args in dir and env. With
// split it also keeps stdout apart; without, stdout and stderr share one pipe
// so the combined output keeps the order the command wrote in.
func runCommand(ctx context.Context, dir string, env []string, split bool, name string, args ...string) (commandResult, error) {
	defer since(&waitedCommands, time.Now())
	if env == nil {
		env = os.Environ()
	}
	argv := append([]string{name}, args...)
	path, err := lookPathIn(name, env)
	if err != nil && name == "sh" && isExecutable("/bin/sh") {
		path, err = "/bin/sh", nil
	}
	if err != nil {
		return commandResult{}, &CommandError{Args: argv, Dir: dir, ExitCode: -1, Err: err}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.WaitDelay = waitDelay
	ownProcessGroup(cmd)
	var stdout, combined lockedBuffer
	cmd.Stdout, cmd.Stderr = &combined, &combined
	if split {
		cmd.Stdout = teeWriter{&stdout, &combined}
	}
	err = cmd.Run()
	res := commandResult{stdout: stdout.String(), combined: combined.String()}
	if err != nil {
		code := -1
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return res, &CommandError{Args: argv, Dir: dir, ExitCode: code, Output: res.combined, Err: err}
	}
	return res, nil
}

// teeWriter writes stdout both to its own buffer and to the combined one.
type teeWriter struct{ own, combined *lockedBuffer }

func (t teeWriter) Write(p []byte) (int, error) {
	_, _ = t.own.Write(p)
	return t.combined.Write(p)
}

// envValue returns the last value of key in env, as the process would see it.
// Windows compares names without case.
func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		k, v, ok := strings.Cut(env[i], "=")
		if !ok {
			continue
		}
		if k == key || (runtime.GOOS == "windows" && strings.EqualFold(k, key)) {
			return v
		}
	}
	return ""
}

// lookPathIn finds an executable on the PATH of env (nil means the process
// environment), the environment the command will run with rather than lab's
// own, so that a fake docker placed first on that PATH is the one that runs.
func lookPathIn(name string, env []string) (string, error) {
	if env == nil {
		env = os.Environ()
	}
	if strings.ContainsRune(name, filepath.Separator) || strings.ContainsRune(name, '/') {
		if isExecutable(name) {
			return name, nil
		}
		return "", fmt.Errorf("%s: %w", name, exec.ErrNotFound)
	}
	exts := []string{""}
	if runtime.GOOS == "windows" {
		exts = []string{".exe", ".cmd", ".bat", ".com", ""}
	}
	for _, dir := range filepath.SplitList(envValue(env, "PATH")) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		for _, ext := range exts {
			p := filepath.Join(dir, name+ext)
			if isExecutable(p) {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s: %w", name, exec.ErrNotFound)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0
}
