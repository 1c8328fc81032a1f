//go:build unix

package progress

import "syscall"

// openNoFollow makes opening a symbolic link fail instead of following it,
// and opening a FIFO return at once instead of waiting for a writer.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
