package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/v6diag/v6diag/live"
)

// progressMode is how a live run reports progress.
type progressMode int

const (
	progressQuiet    progressMode = iota // --quiet: nothing but the verdict
	progressPlain                        // no terminal: one plain line per event
	progressTerminal                     // a terminal: one status line rewritten in place
)

// progress prints what a live run does: on a terminal one status line —
// what was sent, what is awaited, seconds left — rewritten in place and
// counting down every second; otherwise plain lines, one per event, that
// read well in a log; nothing with --quiet.
type progress struct {
	w     io.Writer
	mode  progressMode
	now   func() time.Time
	width int // terminal columns; the line is cut to fit, or it would wrap and \r could not rewrite it

	mu     sync.Mutex
	last   live.Status
	wrote  bool
	stop   chan struct{}
	ticker sync.WaitGroup
}

// newProgress picks the mode from --quiet and whether w is a terminal.
func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, mode: progressPlain, now: time.Now}
	switch {
	case quiet:
		p.mode = progressQuiet
	default:
		if f, ok := w.(*os.File); ok {
			if cols, ok := terminalWidth(f); ok {
				p.mode, p.width = progressTerminal, cols
			}
		}
	}
	return p
}

// status receives live.Config.Status.
func (p *progress) status(s live.Status) {
	switch p.mode {
	case progressQuiet:
		return
	case progressPlain:
		fmt.Fprintf(p.w, "[%s left] %s\n", p.left(s.Deadline), s)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = s
	p.redrawLocked()
	if p.stop == nil {
		// The seconds-left count must move while nothing arrives, which
		// on a broken line is the whole run.
		p.stop = make(chan struct{})
		p.ticker.Add(1)
		go p.tick(p.stop)
	}
}

func (p *progress) tick(stop <-chan struct{}) {
	defer p.ticker.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.redrawLocked()
			p.mu.Unlock()
		}
	}
}

func (p *progress) redrawLocked() {
	line := fmt.Sprintf("[%s left] %s", p.left(p.last.Deadline), p.last)
	if p.width > 1 && utf8.RuneCountInString(line) >= p.width {
		line = string([]rune(line)[:p.width-2]) + "…"
	}
	// \r returns to the start of the line, ESC[K erases the rest of it.
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.wrote = true
}

// left is the time until deadline in whole seconds, never negative.
func (p *progress) left(deadline time.Time) string {
	d := max(deadline.Sub(p.now()), 0)
	return fmt.Sprintf("%ds", int((d+time.Second/2)/time.Second))
}

// done stops the countdown and clears the status line, so the summary
// starts on a clean line.
func (p *progress) done() {
	p.mu.Lock()
	if p.stop != nil {
		close(p.stop)
	}
	p.mu.Unlock()
	p.ticker.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == progressTerminal && p.wrote {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.stop, p.wrote = nil, false
}
