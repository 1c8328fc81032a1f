package app

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// spinner shows what a long wait is doing and for how long. On a terminal
// it is one spinner line redrawn in place; elsewhere (CI logs, pipes) each
// new status is printed once, with the time since the start.
type spinner struct {
	w     io.Writer
	tty   bool
	start time.Time

	mu      sync.Mutex
	msg     string
	stopped bool
	done    chan struct{}
	wg      sync.WaitGroup
}

var spinnerFrames = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

func newSpinner(w io.Writer, tty bool) *spinner {
	p := &spinner{w: w, tty: tty, start: time.Now(), done: make(chan struct{})}
	if tty {
		p.wg.Add(1)
		go p.spin()
	}
	return p
}

func (p *spinner) spin() {
	defer p.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.mu.Lock()
			if p.msg != "" {
				fmt.Fprintf(p.w, "\r\033[K%c %s (%s)", spinnerFrames[i%len(spinnerFrames)], p.msg, p.elapsed().Round(time.Second))
			}
			p.mu.Unlock()
		}
	}
}

// set replaces the status shown.
func (p *spinner) set(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped || msg == p.msg {
		return
	}
	p.msg = msg
	if !p.tty {
		fmt.Fprintf(p.w, "%s (%s)\n", msg, p.elapsed().Round(time.Second))
	}
}

// warn prints a line that stays, above the spinner.
func (p *spinner) warn(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "warning: %s\n", msg)
}

func (p *spinner) elapsed() time.Duration { return time.Since(p.start) }

// stop ends the spinner and clears its line; it may be called more than once.
func (p *spinner) stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	close(p.done)
	p.mu.Unlock()
	p.wg.Wait()
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
