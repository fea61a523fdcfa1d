package lines

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// Result is what the real odhcp6c got in one cell.
type Result struct {
	// Bound is set when odhcp6c bound within the wait: Stateful when it
	// got an address or a prefix (the script's "bound"), else it only
	// got an Information-request answered ("informed").
	Bound, Stateful bool
	// BoundAfter is the time from odhcp6c's start to its binding, from
	// its log (testbed.Odhcp6c.BoundAfter).
	BoundAfter time.Duration
	// Record is the script's bound or informed record (zero when not
	// bound): what netifd would be told.
	Record testbed.Odhcp6cRecord
	// Exchange is the DHCPv6 messages on the CPE veth, in order.
	Exchange []Message
	// Hostname is the name odhcp6c sent in its Client FQDN.
	Hostname string

	CapturePath, LogPath, RecordsPath string
}

// Outcome is Result in a few words, for tables and comparisons:
// "bound: 2001:db8:1::100/128 + 2001:db8:8000::/48", "informed", "nothing".
func (r Result) Outcome() string {
	switch {
	case !r.Bound:
		return "nothing"
	case !r.Stateful:
		return "informed"
	}
	var got []string
	for _, l := range r.Record.Addresses {
		got = append(got, l.Prefix.String())
	}
	for _, l := range r.Record.Prefixes {
		got = append(got, l.Prefix.String())
	}
	return "bound: " + strings.Join(got, " + ")
}

// Prefix is the first delegated prefix odhcp6c holds, invalid if none.
func (r Result) Prefix() netip.Prefix {
	if len(r.Record.Prefixes) == 0 {
		return netip.Prefix{}
	}
	return r.Record.Prefixes[0].Prefix
}

// Address is the first IA_NA address odhcp6c holds, invalid if none.
func (r Result) Address() netip.Addr {
	if len(r.Record.Addresses) == 0 {
		return netip.Addr{}
	}
	return r.Record.Addresses[0].Prefix.Addr()
}

// Path is the exchange in short, a repeated message once with its count:
// "Solicit(NA,PD) Advertise(NA:NoAddrsAvail,PD:2001:db8:8000::/48)
// Solicit(PD) Advertise(PD:2001:db8:8000::/48) Request(PD:…) Reply(PD:…)".
func (r Result) Path() string {
	var parts []string
	var last string
	n := 0
	flush := func() {
		switch {
		case n == 1:
			parts = append(parts, last)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%s×%d", last, n))
		}
	}
	for _, m := range r.Exchange {
		s := m.Short()
		if s == last {
			n++
			continue
		}
		flush()
		last, n = s, 1
	}
	flush()
	return strings.Join(parts, " ")
}

// RunOdhcp6c runs odhcp6c with cfg's arguments on bed's CPE veth while
// tcpdump captures, waits up to wait for it to bind, then for the script
// to be told (odhcp6c holds "bound" back until its next event, at most
// 10 s: testbed.Odhcp6cRecord.Time), stops it (it sends a Release) and
// returns what it got and the frames it exchanged. Capture, log and
// script records stay in the Bed's folder; SaveArtifacts copies them.
func RunOdhcp6c(t testing.TB, bed *testbed.Bed, cfg Config, wait time.Duration) Result {
	t.Helper()
	res, log := runOdhcp6cOnce(t, bed, cfg, wait, "")
	// Now and then (about one run in twenty here) odhcp6c's sendmsg of a
	// Request fails with EINVAL, and it never binds: a fault of the
	// peer's, not of the line. Such a run is run again once, and says so.
	if !res.Bound && strings.Contains(log, "Failed to send") {
		t.Logf("lines: odhcp6c %s failed to send (%s); running it again", cfg.ArgString(), firstLineWith(log, "Failed to send"))
		res, _ = runOdhcp6cOnce(t, bed, cfg, wait, "-again")
	}
	return res
}

func firstLineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// runOdhcp6cOnce is one run of RunOdhcp6c; it also returns odhcp6c's log.
func runOdhcp6cOnce(t testing.TB, bed *testbed.Bed, cfg Config, wait time.Duration, suffix string) (Result, string) {
	t.Helper()
	name := "odhcp6c-" + cfg.Name + suffix
	dump := bed.StartTcpdump(t, name)
	o := bed.StartOdhcp6c(t, cfg.Args...)
	res := Result{Hostname: o.Hostname, CapturePath: dump.Path, LogPath: o.LogPath, RecordsPath: o.RecordsPath}

	deadline := time.Now().Add(wait)
	for {
		if d, stateful, ok := o.BoundAfter(); ok {
			res.Bound, res.Stateful, res.BoundAfter = true, stateful, d
			break
		}
		if o.Proc.Exited() {
			t.Fatalf("lines: odhcp6c %s exited: %v\n%s", cfg.ArgString(), o.Proc.Wait(), o.Log())
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if res.Bound {
		event := testbed.Odhcp6cInformed
		if res.Stateful {
			event = testbed.Odhcp6cBound
		}
		// 10 s: script_sync_delay (src/odhcp6c.c), plus a margin.
		rec, ok, err := o.WaitEvent(12*time.Second, event)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Fatalf("lines: odhcp6c bound after %v but its script was not told %q within 12 s\n%s", res.BoundAfter, event, o.Log())
		}
		res.Record = rec
		if len(rec.Errors) > 0 {
			t.Errorf("lines: odhcp6c's script record: %s", strings.Join(rec.Errors, "; "))
		}
	}
	o.Stop()
	// The Release odhcp6c sends as it stops, and the server's Reply, are
	// still on their way.
	time.Sleep(releaseSettle)
	dump.Stop()
	ex, err := ReadExchange(dump.Path, o.Started)
	if err != nil {
		t.Fatalf("lines: %v", err)
	}
	res.Exchange = ex
	return res, o.Log()
}

// releaseSettle is how long the capture goes on after odhcp6c stopped:
// enough for its Release and a server's Reply on a veth.
const releaseSettle = 300 * time.Millisecond

// Message is one DHCPv6 message on the wire.
type Message struct {
	Frame    int           // number in the capture, from 1
	After    time.Duration // since odhcp6c's start
	FromCPE  bool
	Type     dhcpv6.MessageType
	XID      dhcpv6.TransactionID
	IANA     []dhcpv6.IA
	IAPD     []dhcpv6.IA
	Status   *dhcpv6.Status
	Problems []string
}

// Short is the message type and its IAs, e.g. "Solicit(NA,PD/48)" (an
// IA_NA and an IA_PD hinting /48), "Advertise(NA:NoAddrsAvail,
// PD:2001:db8:8000::/48)", "Request(PD:2001:db8:8000::/48)".
func (m Message) Short() string {
	var ias []string
	for _, ia := range m.IANA {
		ias = append(ias, "NA"+m.iaLeases(ia))
	}
	for _, ia := range m.IAPD {
		ias = append(ias, "PD"+m.iaLeases(ia))
	}
	if m.Status != nil && m.Status.Code != dhcpv6.StatusSuccess {
		ias = append(ias, m.Status.Name())
	}
	return fmt.Sprintf("%s(%s)", m.Type, strings.Join(ias, ","))
}

// iaLeases is ":STATUS", ":lease,lease", "/LEN" (a client's hint with no
// prefix) or nothing.
func (m Message) iaLeases(ia dhcpv6.IA) string {
	if ia.Status != nil && ia.Status.Code != dhcpv6.StatusSuccess {
		return ":" + ia.Status.Name()
	}
	var leases []string
	for _, a := range ia.Addresses {
		leases = append(leases, a.Address.String())
	}
	for _, p := range ia.Prefixes {
		if m.FromCPE && p.Prefix.Addr().IsUnspecified() {
			return fmt.Sprintf("/%d", p.Prefix.Bits())
		}
		leases = append(leases, p.Prefix.String())
	}
	switch {
	case len(leases) > 0:
		return ":" + strings.Join(leases, ",")
	case m.FromCPE:
		return ""
	}
	return ":empty"
}

// ReadExchange reads the DHCPv6 messages in a capture, with times relative
// to start.
func ReadExchange(path string, start time.Time) ([]Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lines: %w", err)
	}
	defer f.Close()
	r, err := capture.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("lines: %s: %w", path, err)
	}
	var out []Message
	for {
		fr, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			// tcpdump stopped by a signal may leave a partial last record.
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return out, nil
			}
			return out, fmt.Errorf("lines: %s: %w", path, err)
		}
		p, err := capture.Decode(fr)
		if err != nil || p.Transport != capture.TransportUDP {
			continue
		}
		fromCPE := p.DestinationPort == 547
		if !fromCPE && p.DestinationPort != 546 {
			continue
		}
		msg, _ := dhcpv6.Parse(p.UDPPayload)
		if msg == nil {
			continue
		}
		out = append(out, Message{Frame: fr.Number, After: fr.Timestamp.Sub(start), FromCPE: fromCPE, Type: msg.Type,
			XID: msg.TransactionID, IANA: msg.IANA, IAPD: msg.IAPD, Status: msg.Status, Problems: msg.Problems})
	}
}

// ArtifactsDir is $V6DIAG_TEST_ARTIFACTS, else v6diag-test-artifacts
// under the system's temporary folder.
func ArtifactsDir() string {
	if dir := os.Getenv("V6DIAG_TEST_ARTIFACTS"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "v6diag-test-artifacts")
}

// SaveArtifacts copies files into ArtifactsDir()/sub (made if needed),
// each under its base name, and returns that folder. Files that do not
// exist are skipped.
func SaveArtifacts(t testing.TB, sub string, files ...string) string {
	t.Helper()
	dir := filepath.Join(ArtifactsDir(), sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("lines: %v", err)
	}
	for _, f := range files {
		if f == "" {
			continue
		}
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatalf("lines: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatalf("lines: %v", err)
		}
	}
	return dir
}

// RunCells runs fn for every cell as a subtest of t, up to parallel at a
// time. The subtests run side by side because RunCells calls t.Run from
// several goroutines, which the testing package allows, and not through
// t.Parallel: go test's -parallel (GOMAXPROCS, so 2 on a 2-core machine)
// would let only two cells run at once, and a cell spends nearly all its
// time waiting on namespaces, daemons and odhcp6c's timers, not on a CPU.
// The subtests must not call t.Parallel.
func RunCells(t *testing.T, cells []Cell, parallel int, fn func(t *testing.T, c Cell)) {
	t.Helper()
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for _, c := range cells {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t.Run(c.Name(), func(t *testing.T) { fn(t, c) })
		}()
	}
	wg.Wait()
}
