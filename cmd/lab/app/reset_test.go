package app

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tty      bool
		in       string
		want     bool
		wantCode int // 0: no error
		wantErr  string
	}{
		{"yes", true, "y\n", true, 0, ""},
		{"YES", true, " YES \n", true, 0, ""},
		{"no", true, "n\n", false, 0, ""},
		{"empty answer", true, "\n", false, 0, ""},
		{"end of input", true, "", false, 0, ""},
		{"no terminal", false, "y\n", false, exitUsage, "add --yes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errOut bytes.Buffer
			s := &IOStreams{In: strings.NewReader(tc.in), Out: io.Discard, Err: &errOut, InTTY: tc.tty}
			got, err := confirm(context.Background(), s, "Remove them?")
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			switch {
			case tc.wantCode == 0 && err != nil:
				t.Errorf("got error %v, want none", err)
			case tc.wantCode != 0 && err == nil:
				t.Errorf("got no error, want exit %d", tc.wantCode)
			case err != nil:
				if code := exitCode(err); code != tc.wantCode {
					t.Errorf("got exit %d, want %d", code, tc.wantCode)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("got %q, want it to say %q", err, tc.wantErr)
				}
			}
			if !got && err == nil && !strings.Contains(errOut.String(), "nothing removed") {
				t.Errorf("stderr %q does not say nothing was removed", errOut.String())
			}
		})
	}
}

// An interrupt while the prompt waits for an answer ends it at once.
func TestConfirmInterrupted(t *testing.T) {
	in, w := io.Pipe() // an answer that never comes
	defer w.Close()
	var errOut bytes.Buffer
	s := &IOStreams{In: in, Out: io.Discard, Err: &errOut, InTTY: true}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		ok, err := confirm(ctx, s, "Remove them?")
		if ok {
			t.Error("confirmed without an answer")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), "nothing removed") {
			t.Errorf("got %v, want an error saying it was interrupted and nothing was removed", err)
		}
		if code := exitCode(err); code != exitEnvError {
			t.Errorf("got exit %d, want %d", code, exitEnvError)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("confirm still waits for an answer after the interrupt")
	}
}
