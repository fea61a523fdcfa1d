package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/live"
)

// statuses is what a run on a line without a DHCPv6 server reports.
func statuses(start time.Time) []live.Status {
	dl := start.Add(30 * time.Second)
	return []live.Status{
		{Event: "Router Solicitation 1 sent", Awaiting: []string{"Router Advertisement"}, Deadline: dl},
		{Event: "Solicit sent (xid 0a0b0c)", Awaiting: []string{"Router Advertisement", "Advertise"}, Deadline: dl},
		{Event: "Router Advertisement from fe80::1 (frame 3)", Awaiting: []string{"Advertise"}, Deadline: dl},
	}
}

// fakeClock returns times that advance by step on every call after the first.
func fakeClock(start time.Time, step time.Duration) func() time.Time {
	n := -1
	return func() time.Time { n++; return start.Add(time.Duration(n) * step) }
}

// Without a terminal every event is one plain line with the seconds left
// and what is awaited; no carriage returns or escapes that would litter a log.
func TestProgressPlain(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	p := newProgress(&buf, false)
	if p.mode != progressPlain {
		t.Fatalf("a bytes.Buffer is no terminal: mode %d, want plain", p.mode)
	}
	p.now = fakeClock(start, 2*time.Second)
	for _, s := range statuses(start) {
		p.status(s)
	}
	p.done()
	want := "[30s left] Router Solicitation 1 sent; awaiting Router Advertisement\n" +
		"[28s left] Solicit sent (xid 0a0b0c); awaiting Router Advertisement, Advertise\n" +
		"[26s left] Router Advertisement from fe80::1 (frame 3); awaiting Advertise\n"
	if buf.String() != want {
		t.Errorf("plain progress:\n%q\nwant\n%q", buf.String(), want)
	}
}

// --quiet prints no progress at all.
func TestProgressQuiet(t *testing.T) {
	start := time.Now()
	var buf bytes.Buffer
	p := newProgress(&buf, true)
	for _, s := range statuses(start) {
		p.status(s)
	}
	p.done()
	if buf.Len() != 0 {
		t.Errorf("--quiet progress printed %q", buf.String())
	}
}

// On a terminal the status line is rewritten in place (\r, erase line),
// never ends in a newline, is cut to the terminal's width, and is erased
// when the run ends so the summary starts on a clean line.
func TestProgressTerminal(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	p := &progress{w: &buf, mode: progressTerminal, now: fakeClock(start, time.Second), width: 60}
	for _, s := range statuses(start) {
		p.status(s)
	}
	p.done()
	out := buf.String()
	if strings.Contains(out, "\n") {
		t.Errorf("terminal progress contains a newline: %q", out)
	}
	parts := strings.Split(out, "\r\033[K")
	if parts[0] != "" || parts[len(parts)-1] != "" {
		t.Fatalf("terminal progress does not start with and end in an erased line: %q", out)
	}
	lines := parts[1 : len(parts)-1]
	if len(lines) < 3 {
		t.Fatalf("%d status lines, want one per event: %q", len(lines), out)
	}
	for _, l := range lines {
		if n := len([]rune(l)); n >= 60 {
			t.Errorf("status line of %d columns on a 60-column terminal: %q", n, l)
		}
	}
	if !strings.HasPrefix(lines[0], "[30s left] Router Solicitation 1 sent; awaiting Router") || !strings.HasSuffix(lines[0], "…") {
		t.Errorf("first status %q", lines[0])
	}
	if !strings.HasPrefix(lines[2], "[28s left] Router Advertisement from fe80::1") {
		t.Errorf("third status %q", lines[2])
	}
}

// A real stderr that is not a terminal (a file here) gives plain mode.
func TestProgressDetectsNonTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p := newProgress(f, false); p.mode != progressPlain {
		t.Errorf("a regular file: mode %d, want plain", p.mode)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	// /dev/null is a character device but no terminal: the old
	// ModeCharDevice test took it for one.
	if p := newProgress(null, false); p.mode != progressPlain {
		t.Errorf("/dev/null: mode %d, want plain", p.mode)
	}
}
