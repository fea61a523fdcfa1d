package e2e

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testbed/lines"
)

// odhcp6cGets is what a line gives the real odhcp6c with one config: the
// ground truth v6diag's model of odhcp6c must match. Each was derived from
// odhcp6c's source (src/dhcpv6.c: dhcpv6_handle_advert,
// dhcpv6_promote_server_cand, dhcpv6_handle_reply; src/odhcp6c.c: main)
// and then checked by running it; why says how it gets there.
type odhcp6cGets struct {
	outcome   string // "bound", "informed" or "nothing"
	address   bool   // an IA_NA address
	prefixLen int    // the delegated prefix's length, 0 for none
	// path are message summaries (lines.Message.Short) that must appear in
	// this order in the exchange, as prefixes.
	path []string
	why  string
}

const (
	gotBound    = "bound"
	gotInformed = "informed"
	gotNothing  = "nothing"
)

// Reasons shared by several cells.
const (
	whyBoth        = "takes the first Advertise after the 1 s collection round and requests both IAs"
	whyForceNoAddr = "-Nforce: discards every Advertise without an address (dhcpv6_handle_advert) and solicits on"
	whyNoPDRetry   = "no prefix in the Advertise and -P is only 'try': drops IA_PD (dhcpv6_promote_server_cand) and solicits again, still with the IA_PD (dhcpv6_send builds one for every Solicit from the -P list), then requests the address alone"
	whyNoNARetry   = "no address in the Advertise and -N try: solicits again without IA_NA (dhcpv6_promote_server_cand), requests the prefix"
	whyNoIALeft    = "the Advertise offers nothing it asked for: it drops the IA and, with no IA left, goes stateless (Information-request)"
	whyNoAnswer    = "no Advertise ever comes: it solicits on, with the same IAs"
)

// odhcp6cTruth is the expected outcome of every line × config cell.
var odhcp6cTruth = map[string]map[string]odhcp6cGets{
	lines.KeaAddressesAndPrefix: {
		lines.ConfigDefault:   {gotBound, true, 48, []string{"Solicit(NA,PD)", "Advertise(NA:", "Request(NA:", "Reply(NA:"}, whyBoth},
		lines.ConfigForce48:   {gotBound, true, 48, []string{"Solicit(NA,PD/48)", "Request(NA:", "Reply(NA:"}, whyBoth},
		lines.ConfigNoPrefix:  {gotBound, true, 0, []string{"Solicit(NA)", "Request(NA:", "Reply(NA:"}, "asks for an address only"},
		lines.ConfigNoAddress: {gotBound, false, 48, []string{"Solicit(PD)", "Request(PD:", "Reply(PD:"}, "asks for a prefix only"},
		lines.ConfigPrefix56:  {gotBound, true, 48, []string{"Solicit(NA,PD/56)", "Request(NA:", "Reply(NA:"}, "Kea ignores the /56 hint with only /48s in its pool; odhcp6c takes the /48"},
	},
	lines.KeaPrefixOnly: {
		lines.ConfigDefault:   {gotBound, false, 48, []string{"Solicit(NA,PD)", "Advertise(NA:NoAddrsAvail,PD:", "Solicit(PD)", "Request(PD:", "Reply(PD:"}, whyNoNARetry},
		lines.ConfigForce48:   {gotNothing, false, 0, []string{"Solicit(NA,PD/48)", "Advertise(NA:NoAddrsAvail,PD:"}, whyForceNoAddr},
		lines.ConfigNoPrefix:  {gotInformed, false, 0, []string{"Solicit(NA)", "Advertise(NA:NoAddrsAvail)", "Information-request()", "Reply()"}, whyNoIALeft},
		lines.ConfigNoAddress: {gotBound, false, 48, []string{"Solicit(PD)", "Request(PD:", "Reply(PD:"}, "asks for a prefix only"},
		lines.ConfigPrefix56:  {gotBound, false, 48, []string{"Solicit(NA,PD/56)", "Advertise(NA:NoAddrsAvail,PD:", "Solicit(PD/56)", "Request(PD:", "Reply(PD:"}, whyNoNARetry + "; takes the /48 for its /56 hint"},
	},
	lines.Kea56For48: {
		lines.ConfigDefault:   {gotBound, true, 56, []string{"Solicit(NA,PD)", "Request(NA:", "Reply(NA:"}, whyBoth},
		lines.ConfigForce48:   {gotBound, true, 56, []string{"Solicit(NA,PD/48)", "Request(NA:", "Reply(NA:"}, "takes the /56 for its /48 hint: the hint's length is never checked"},
		lines.ConfigNoPrefix:  {gotBound, true, 0, []string{"Solicit(NA)", "Request(NA:", "Reply(NA:"}, "asks for an address only"},
		lines.ConfigNoAddress: {gotBound, false, 56, []string{"Solicit(PD)", "Request(PD:", "Reply(PD:"}, "asks for a prefix only"},
		lines.ConfigPrefix56:  {gotBound, true, 56, []string{"Solicit(NA,PD/56)", "Request(NA:", "Reply(NA:"}, whyBoth},
	},
	lines.KeaAddressesOnly: {
		lines.ConfigDefault:   {gotBound, true, 0, []string{"Solicit(NA,PD)", "Advertise(NA:", "Solicit(NA,PD)", "Advertise(NA:", "Request(NA:", "Reply(NA:"}, whyNoPDRetry},
		lines.ConfigForce48:   {gotBound, true, 0, []string{"Solicit(NA,PD/48)", "Advertise(NA:", "Solicit(NA,PD/48)", "Advertise(NA:", "Request(NA:", "Reply(NA:"}, whyNoPDRetry + " (-P48 does not force a prefix; -F would)"},
		lines.ConfigNoPrefix:  {gotBound, true, 0, []string{"Solicit(NA)", "Request(NA:", "Reply(NA:"}, "asks for an address only"},
		lines.ConfigNoAddress: {gotInformed, false, 0, []string{"Solicit(PD)", "Advertise(PD:NoPrefixAvail)", "Information-request()", "Reply()"}, whyNoIALeft},
		lines.ConfigPrefix56:  {gotBound, true, 0, []string{"Solicit(NA,PD/56)", "Advertise(NA:", "Solicit(NA,PD/56)", "Advertise(NA:", "Request(NA:", "Reply(NA:"}, whyNoPDRetry},
	},
	lines.DhcpdAddressesPrefix: {
		lines.ConfigDefault:   {gotBound, true, 48, []string{"Solicit(NA,PD)", "Advertise(NA:", "Request(NA:", "Reply(NA:"}, whyBoth},
		lines.ConfigForce48:   {gotBound, true, 48, []string{"Solicit(NA,PD/48)", "Request(NA:", "Reply(NA:"}, whyBoth},
		lines.ConfigNoPrefix:  {gotBound, true, 0, []string{"Solicit(NA)", "Request(NA:", "Reply(NA:"}, "asks for an address only"},
		lines.ConfigNoAddress: {gotBound, false, 48, []string{"Solicit(PD)", "Request(PD:", "Reply(PD:"}, "asks for a prefix only"},
		lines.ConfigPrefix56:  {gotBound, true, 48, []string{"Solicit(NA,PD/56)", "Request(NA:", "Reply(NA:"}, "dhcpd's prefix-length-mode 'prefer' gives a /48 when it has no /56; odhcp6c takes it"},
	},
	lines.DhcpdPrefixOnly: {
		lines.ConfigDefault:   {gotBound, false, 48, []string{"Solicit(NA,PD)", "Advertise(NA:NoAddrsAvail,PD:", "Solicit(PD)", "Request(PD:", "Reply(PD:"}, whyNoNARetry},
		lines.ConfigForce48:   {gotNothing, false, 0, []string{"Solicit(NA,PD/48)", "Advertise(NA:NoAddrsAvail,PD:"}, whyForceNoAddr},
		lines.ConfigNoPrefix:  {gotInformed, false, 0, []string{"Solicit(NA)", "Advertise(NA:NoAddrsAvail)", "Information-request()", "Reply()"}, whyNoIALeft},
		lines.ConfigNoAddress: {gotBound, false, 48, []string{"Solicit(PD)", "Request(PD:", "Reply(PD:"}, "asks for a prefix only"},
		lines.ConfigPrefix56:  {gotBound, false, 48, []string{"Solicit(NA,PD/56)", "Advertise(NA:NoAddrsAvail,PD:", "Solicit(PD/56)", "Request(PD:", "Reply(PD:"}, whyNoNARetry},
	},
	lines.NoDHCPv6Server: {
		lines.ConfigDefault:   {gotNothing, false, 0, []string{"Solicit(NA,PD)"}, whyNoAnswer},
		lines.ConfigForce48:   {gotNothing, false, 0, []string{"Solicit(NA,PD/48)"}, whyNoAnswer},
		lines.ConfigNoPrefix:  {gotNothing, false, 0, []string{"Solicit(NA)"}, whyNoAnswer},
		lines.ConfigNoAddress: {gotNothing, false, 0, []string{"Solicit(PD)"}, whyNoAnswer},
		lines.ConfigPrefix56:  {gotNothing, false, 0, []string{"Solicit(NA,PD/56)"}, whyNoAnswer},
	},
	lines.TestISPNoIANA: {
		lines.ConfigDefault:   {gotBound, false, 48, []string{"Solicit(NA,PD)", "Advertise(PD:", "Solicit(PD)", "Request(PD:", "Reply(PD:"}, whyNoNARetry + " (an IA_NA left out counts as one without an address)"},
		lines.ConfigForce48:   {gotNothing, false, 0, []string{"Solicit(NA,PD/48)", "Advertise(PD:"}, whyForceNoAddr},
		lines.ConfigNoPrefix:  {gotInformed, false, 0, []string{"Solicit(NA)", "Advertise()", "Information-request()", "Reply()"}, whyNoIALeft},
		lines.ConfigNoAddress: {gotBound, false, 48, []string{"Solicit(PD)", "Request(PD:", "Reply(PD:"}, "asks for a prefix only"},
		lines.ConfigPrefix56:  {gotBound, false, 48, []string{"Solicit(NA,PD/56)", "Advertise(PD:", "Solicit(PD/56)", "Request(PD:", "Reply(PD:"}, whyNoNARetry},
	},
	lines.TestISPNoPrefixAvail: {
		lines.ConfigDefault:   {gotInformed, false, 0, []string{"Solicit(NA,PD)", "Advertise(NA:NoAddrsAvail,PD:NoPrefixAvail)", "Information-request()", "Reply()"}, whyNoIALeft},
		lines.ConfigForce48:   {gotNothing, false, 0, []string{"Solicit(NA,PD/48)", "Advertise(NA:NoAddrsAvail,PD:NoPrefixAvail)"}, whyForceNoAddr},
		lines.ConfigNoPrefix:  {gotInformed, false, 0, []string{"Solicit(NA)", "Advertise(NA:NoAddrsAvail)", "Information-request()", "Reply()"}, whyNoIALeft},
		lines.ConfigNoAddress: {gotInformed, false, 0, []string{"Solicit(PD)", "Advertise(PD:NoPrefixAvail)", "Information-request()", "Reply()"}, whyNoIALeft},
		lines.ConfigPrefix56:  {gotInformed, false, 0, []string{"Solicit(NA,PD/56)", "Advertise(NA:NoAddrsAvail,PD:NoPrefixAvail)", "Information-request()", "Reply()"}, whyNoIALeft},
	},
	lines.TestISPPDOnlySolicits: {
		lines.ConfigDefault:   {gotNothing, false, 0, []string{"Solicit(NA,PD)"}, whyNoAnswer},
		lines.ConfigForce48:   {gotNothing, false, 0, []string{"Solicit(NA,PD/48)"}, whyNoAnswer},
		lines.ConfigNoPrefix:  {gotNothing, false, 0, []string{"Solicit(NA)"}, whyNoAnswer},
		lines.ConfigNoAddress: {gotBound, false, 48, []string{"Solicit(PD)", "Advertise(PD:", "Request(PD:", "Reply(PD:"}, "a PD-only Solicit is the only one answered"},
		lines.ConfigPrefix56:  {gotNothing, false, 0, []string{"Solicit(NA,PD/56)"}, whyNoAnswer},
	},
}

// odhcp6cCellParallel is how many cells run at once: each is mostly
// waiting (DAD, daemons starting, odhcp6c's timers).
const odhcp6cCellParallel = 16

// TestOdhcp6cLines runs the real odhcp6c on every line × config of the
// catalogue (internal/testtools/testbed/lines), each cell on its own Bed, and
// asserts what the line gives it: bound, informed or nothing within
// lines.NothingWait; an address or not; the prefix length; and the
// messages it exchanged on the way. The capture, odhcp6c's log and its
// script's records of each cell are kept in $V6DIAG_TEST_ARTIFACTS
// (odhcp6c-lines/LINE/CONFIG), with a table of all cells in
// odhcp6c-lines/results.md.
func TestOdhcp6cLines(t *testing.T) {
	t.Parallel()
	testbed.NeedPeers(t)
	testbed.BuildTestISP(t) // once, before the cells race for it

	var mu sync.Mutex
	rows := map[string]string{}
	start := time.Now()
	cells := lines.Cells(lines.All(), lines.Configs())
	lines.RunCells(t, cells, odhcp6cCellParallel, func(t *testing.T, c lines.Cell) {
		want, ok := odhcp6cTruth[c.Line.Name][c.Config.Name]
		if !ok {
			t.Fatalf("no expected outcome for %s", c.Name())
		}
		bed := testbed.New(t)
		isp := c.Line.Setup(t, bed)
		res := lines.RunOdhcp6c(t, bed, c.Config, lines.NothingWait)
		dir := lines.SaveArtifacts(t, filepath.Join("odhcp6c-lines", c.Line.Name, c.Config.Name),
			res.CapturePath, res.LogPath, res.RecordsPath, isp.ServerLogPath())
		t.Logf("odhcp6c %s: %s after %v via %s (artifacts %s)", c.Config.ArgString(), res.Outcome(),
			res.BoundAfter.Round(time.Millisecond), res.Path(), dir)

		checkOdhcp6cGets(t, c, want, res)
		bound := "—"
		if res.Bound {
			bound = fmt.Sprintf("%.2f s", res.BoundAfter.Seconds())
		}
		mu.Lock()
		rows[c.Name()] = fmt.Sprintf("| %s | `%s` | %s | %s | %s | %s |", c.Line.Name, c.Config.ArgString(),
			res.Outcome(), bound, res.Path(), want.why)
		mu.Unlock()
		if t.Failed() {
			logPath := filepath.Join(dir, filepath.Base(res.LogPath))
			log, _ := os.ReadFile(logPath)
			t.Logf("odhcp6c log:\n%s", log)
		}
	})

	var table strings.Builder
	fmt.Fprintf(&table, "# odhcp6c on every line × config\n\n%d cells, %s wall time; \"nothing\" means no binding within %v.\n\n",
		len(cells), time.Since(start).Round(time.Second), lines.NothingWait)
	table.WriteString("| line | odhcp6c args | outcome | bound after | exchange | why |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, c := range cells {
		if r, ok := rows[c.Name()]; ok {
			table.WriteString(r + "\n")
		}
	}
	path := filepath.Join(lines.ArtifactsDir(), "odhcp6c-lines", "results.md")
	if err := os.WriteFile(path, []byte(table.String()), 0o644); err != nil {
		t.Errorf("write %s: %v", path, err)
	}
	t.Logf("%s\n(written to %s)", table.String(), path)
}

func checkOdhcp6cGets(t *testing.T, c lines.Cell, want odhcp6cGets, res lines.Result) {
	t.Helper()
	got := gotNothing
	switch {
	case res.Bound && res.Stateful:
		got = gotBound
	case res.Bound:
		got = gotInformed
	}
	if got != want.outcome {
		t.Errorf("odhcp6c %s: got %s (%s), want %s (%s)", c.Config.ArgString(), got, res.Outcome(), want.outcome, want.why)
	}
	if addr := res.Address(); addr.IsValid() != want.address {
		t.Errorf("odhcp6c %s: address %v, want one: %v", c.Config.ArgString(), addr, want.address)
	}
	if p := res.Prefix(); want.prefixLen == 0 && p.IsValid() {
		t.Errorf("odhcp6c %s: got prefix %v, want none", c.Config.ArgString(), p)
	} else if want.prefixLen != 0 && (!p.IsValid() || p.Bits() != want.prefixLen) {
		t.Errorf("odhcp6c %s: got prefix %v, want a /%d", c.Config.ArgString(), p, want.prefixLen)
	}
	// What it holds must be what the line hands out.
	if p := res.Prefix(); p.IsValid() && !slices.ContainsFunc([]netip.Prefix{lines.KeaPD48, lines.KeaPD56, lines.DhcpdPD48, lines.TestISPPrefix},
		func(pool netip.Prefix) bool { return pool.Contains(p.Addr()) }) {
		t.Errorf("odhcp6c holds %v, which no line delegates", p)
	}
	// The messages, in order.
	i := 0
	var shorts []string
	for _, m := range res.Exchange {
		s := m.Short()
		shorts = append(shorts, s)
		if i < len(want.path) && strings.HasPrefix(s, want.path[i]) {
			i++
		}
	}
	if i < len(want.path) {
		t.Errorf("odhcp6c %s: exchange %q lacks %q (after %q)", c.Config.ArgString(), shorts, want.path[i], want.path[:i])
	}
}

// renewTimers are the T1 and T2 each renewing line gives, in seconds.
var renewTimers = map[string][2]uint32{
	lines.TestISPNoIANA:         {3600, 7200},
	lines.KeaAddressesAndPrefix: {1000, 2000},
	lines.DhcpdAddressesPrefix:  {1000, 2000},
}

// TestOdhcp6cRenews binds the real odhcp6c (netifd's default arguments)
// on the test ISP's line and on real servers' lines, then makes it renew
// as netifd's renew handler does (SIGUSR1): the test ISP must answer the
// Renew as Kea and dhcpd do, so that odhcp6c keeps its prefix, its
// lifetimes and the ISP's T1/T2 — it is "updated", never "unbound".
func TestOdhcp6cRenews(t *testing.T) {
	t.Parallel()
	testbed.NeedPeers(t)
	testbed.BuildTestISP(t)
	cfg := lines.Configs()[0] // default
	var cells []lines.Cell
	for _, name := range []string{lines.TestISPNoIANA, lines.KeaAddressesAndPrefix, lines.DhcpdAddressesPrefix} {
		l, _ := lines.Lookup(name)
		cells = append(cells, lines.Cell{Line: l, Config: cfg})
	}
	lines.RunCells(t, cells, len(cells), func(t *testing.T, c lines.Cell) {
		bed := testbed.New(t)
		isp := c.Line.Setup(t, bed)
		dump := bed.StartTcpdump(t, "renew")
		o := bed.StartOdhcp6c(t, cfg.Args...)
		bound, ok, err := o.WaitEvent(lines.NothingWait+12*time.Second, testbed.Odhcp6cBound)
		if err != nil || !ok {
			t.Fatalf("odhcp6c did not bind (%v)\n%s", err, o.Log())
		}
		if len(bound.Prefixes) != 1 {
			t.Fatalf("bound with prefixes %+v, want one", bound.Prefixes)
		}
		if err := o.Renew(); err != nil {
			t.Fatal(err)
		}
		updated, ok, err := o.WaitEvent(5*time.Second, testbed.Odhcp6cUpdated, testbed.Odhcp6cUnbound)
		if err != nil || !ok {
			t.Fatalf("no updated after the Renew (%v)\n%s", err, o.Log())
		}
		o.Stop()
		dump.Stop()
		lines.SaveArtifacts(t, filepath.Join("odhcp6c-renew", c.Line.Name), dump.Path, o.LogPath, o.RecordsPath, isp.ServerLogPath())
		if updated.Event != testbed.Odhcp6cUpdated {
			t.Fatalf("after the Renew: %s\n%s", updated.Event, o.Log())
		}
		if len(updated.Prefixes) != 1 || updated.Prefixes[0].Prefix != bound.Prefixes[0].Prefix {
			t.Errorf("prefixes after the Renew %+v, before %+v", updated.Prefixes, bound.Prefixes)
		}
		// The line's T1 and T2 (testisp: 1 h and 2 h; Kea and dhcpd:
		// 1000 s and 2000 s), and lifetimes that have not run down:
		// Kea and the test ISP renew them in full, dhcpd hands back the
		// lease it has (its dhcp-cache-threshold, 25 % of the lifetime).
		after := updated.Prefixes[0]
		if t1, t2 := renewTimers[c.Line.Name][0], renewTimers[c.Line.Name][1]; after.T1 != t1 || after.T2 != t2 {
			t.Errorf("after the Renew: T1 %d, T2 %d, want %d and %d", after.T1, after.T2, t1, t2)
		}
		if after.Preferred+10 < bound.Prefixes[0].Preferred || after.Valid+10 < bound.Prefixes[0].Valid {
			t.Errorf("the Renew shortened the lifetimes: %d/%d after, %d/%d before", after.Preferred, after.Valid,
				bound.Prefixes[0].Preferred, bound.Prefixes[0].Valid)
		}
		ex, err := lines.ReadExchange(dump.Path, o.Started)
		if err != nil {
			t.Fatal(err)
		}
		var renew, reply bool
		for _, m := range ex {
			switch {
			case m.FromCPE && m.Type == dhcpv6.MessageTypeRenew:
				renew = true
			case renew && !m.FromCPE && m.Type == dhcpv6.MessageTypeReply && len(m.IAPD) == 1 &&
				len(m.IAPD[0].Prefixes) == 1 && m.IAPD[0].Prefixes[0].Prefix == bound.Prefixes[0].Prefix:
				reply = true
			}
		}
		if !renew || !reply {
			t.Errorf("no Renew answered with the prefix on the wire: %v", (lines.Result{Exchange: ex}).Path())
		}
	})
}
