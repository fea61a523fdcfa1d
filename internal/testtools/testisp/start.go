package testisp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// Handle is a test ISP running in a testbed's ISP namespace.
type Handle struct {
	Proc     *testbed.Process
	LogPath  string
	Scenario Scenario
}

var instances atomic.Int64

// Start writes sc to the bed's directory, runs the testisp command on the
// ISP side of the veth pair, waits until it is listening, and stops it when
// the test ends (Stop stops it earlier). Several may run on one Bed, one
// after another or side by side.
func Start(t testing.TB, bed *testbed.Bed, sc Scenario) *Handle {
	t.Helper()
	bin := testbed.BuildTestISP(t)
	n := instances.Add(1)
	scPath := filepath.Join(bed.Dir, fmt.Sprintf("testisp-%d.json", n))
	h := &Handle{LogPath: filepath.Join(bed.Dir, fmt.Sprintf("testisp-%d.log", n)), Scenario: sc}
	if err := sc.WriteFile(scPath); err != nil {
		t.Fatal(err)
	}
	cmd := bed.ExecISP(context.Background(), bin, "-i", bed.ISPIf, "-scenario", scPath, "-log", h.LogPath)
	h.Proc = bed.Start(t, fmt.Sprintf("testisp-%d", n), cmd)
	t.Cleanup(h.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(h.LogPath)
		if bytes.Contains(data, []byte(`"event":"ready"`)) {
			return h
		}
		if h.Proc.Exited() || time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(bed.Dir, fmt.Sprintf("testisp-%d.out", n)))
			t.Fatalf("testisp: not ready (exited %v): %s\nlog:\n%s", h.Proc.Exited(), strings.TrimSpace(string(out)), data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop ends the test ISP now, as a server that dies mid-exchange does.
// It is idempotent.
func (h *Handle) Stop() { h.Proc.Stop(5 * time.Second) }

// Log returns what the test ISP has logged so far.
func (h *Handle) Log(t testing.TB) []Entry {
	t.Helper()
	f, err := os.Open(h.LogPath)
	if err != nil {
		t.Fatalf("testisp: %v", err)
	}
	defer f.Close()
	es, err := ReadLog(f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// Sent returns the log entries of frames sent, of the given kind ("RA",
// "Advertise"…; empty for all).
func (h *Handle) Sent(t testing.TB, kind string) []Entry {
	t.Helper()
	return Filter(h.Log(t), EventSent, kind)
}

// Received returns the log entries of frames heard, of the given kind.
func (h *Handle) Received(t testing.TB, kind string) []Entry {
	t.Helper()
	return Filter(h.Log(t), EventReceived, kind)
}

// Filter keeps the entries of one event and kind (empty kind: any).
func Filter(es []Entry, event, kind string) []Entry {
	var out []Entry
	for _, e := range es {
		if e.Event == event && (kind == "" || e.Kind == kind) {
			out = append(out, e)
		}
	}
	return out
}
