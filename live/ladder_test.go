package live

import (
	"github.com/v6diag/v6diag/uciconfig"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	idhcp "github.com/insomniacslk/dhcp/dhcpv6"
	"github.com/insomniacslk/dhcp/iana"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/ndp"
	"github.com/v6diag/v6diag/odhcp6c"
)

var (
	t0       = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	simMAC   = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	clientLL = netip.MustParseAddr("fe80::1")
	serverLL = netip.MustParseAddr("fe80::2")
	allNodes = netip.MustParseAddr("ff02::1")
	// routerArgs are the router's own odhcp6c arguments in these tests:
	// reqprefix '48' (-P48), everything else netifd's default.
	routerArgs = odhcp6c.Args{Prefixes: []odhcp6c.PrefixRequest{{Length: 48, IAID: [4]byte{0, 0, 0, 1}}}, SolicitMaxRT: odhcp6c.IntArg{Value: 120, Given: true}}
	simHost    = odhcp6c.Host{IfName: "wan", HostName: "OpenWrt"}
)

// simISP is a DHCPv6 server in the test, scripted with the faults the
// ladder must work around. It keeps its bindings, so a test can check that
// every lease the ladder obtained was released.
type simISP struct {
	t        *testing.T
	pdLen    int  // length it delegates; 0: what the hint asks, else /56
	onlyHint int  // IA_PD only for this hint; NoPrefixAvail otherwise
	noIANA   bool // Advertise NoAddrsAvail (message level) to any Solicit with IA_NA
	rapid    bool // answers only Solicits with Rapid Commit
	dropFQDN bool // drops Solicits with a Client FQDN
	onlyLL   bool // answers only DUID-LL clients
	silent   bool
	// lostReply binds on Request but never answers it.
	lostReply bool
	// deafRelease never answers a Release (nor unbinds).
	deafRelease bool
	// dropFirst drops this many Solicits before answering any.
	dropFirst int
	// wanted is the prefix size the run wants (--prefix-len); 0 means 48.
	wanted    int
	bound     map[string]bool
	everBound []string
}

func (s *simISP) sid() idhcp.DUID {
	return &idhcp.DUIDLL{HWType: iana.HWTypeEthernet, LinkLayerAddr: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
}

func has(m *idhcp.Message, code idhcp.OptionCode) bool { return m.GetOneOption(code) != nil }

// offer builds the IAs the server gives for m's IAs; bind records them.
func (s *simISP) offer(m *idhcp.Message, bind bool) []idhcp.Modifier {
	var mods []idhcp.Modifier
	key := func(k string) string { return m.Options.ClientID().String() + " " + k }
	for _, na := range m.Options.IANA() {
		addr := net.ParseIP("2001:db8::100")
		mods = append(mods, idhcp.WithOption(&idhcp.OptIANA{IaId: na.IaId, T1: time.Hour, T2: 2 * time.Hour,
			Options: idhcp.IdentityOptions{Options: []idhcp.Option{&idhcp.OptIAAddress{IPv6Addr: addr, PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour}}}}))
		if bind {
			s.bind(key(addr.String()))
		}
	}
	for _, pd := range m.Options.IAPD() {
		hint := 0
		for _, p := range pd.Options.Prefixes() {
			hint, _ = p.Prefix.Mask.Size()
		}
		if s.onlyHint > 0 && hint != s.onlyHint {
			mods = append(mods, idhcp.WithOption(&idhcp.OptIAPD{IaId: pd.IaId, Options: idhcp.PDOptions{Options: []idhcp.Option{
				&idhcp.OptStatusCode{StatusCode: iana.StatusNoPrefixAvail, StatusMessage: "only /56"}}}}))
			continue
		}
		l := s.pdLen
		if l == 0 {
			l = hint
		}
		if l == 0 {
			l = 56
		}
		p := &net.IPNet{IP: net.ParseIP("2001:db8:100::"), Mask: net.CIDRMask(l, 128)}
		mods = append(mods, idhcp.WithOption(&idhcp.OptIAPD{IaId: pd.IaId, T1: time.Hour, T2: 2 * time.Hour, Options: idhcp.PDOptions{Options: []idhcp.Option{
			&idhcp.OptIAPrefix{Prefix: p, PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour}}}}))
		if bind {
			s.bind(key(p.String()))
		}
	}
	return mods
}

func (s *simISP) bind(k string) {
	if s.bound == nil {
		s.bound = map[string]bool{}
	}
	s.bound[k] = true
	s.everBound = append(s.everBound, k)
}

// answer returns the server's answer to a client message, or nil.
func (s *simISP) answer(b []byte) []byte {
	m, err := idhcp.MessageFromBytes(b)
	if err != nil {
		s.t.Fatalf("server cannot read what the client sent: %v", err)
	}
	withSID := idhcp.WithServerID(s.sid())
	var out *idhcp.Message
	switch m.MessageType {
	case idhcp.MessageTypeSolicit:
		isLL := m.Options.ClientID().DUIDType() == idhcp.DUID_LL
		if s.dropFirst > 0 {
			s.dropFirst--
			return nil
		}
		if s.silent || (s.dropFQDN && has(m, idhcp.OptionFQDN)) || (s.onlyLL && !isLL) || (s.rapid && !has(m, idhcp.OptionRapidCommit)) {
			return nil
		}
		if s.rapid {
			out, err = idhcp.NewReplyFromMessage(m, append([]idhcp.Modifier{withSID}, s.offer(m, true)...)...)
			break
		}
		if s.noIANA && len(m.Options.IANA()) > 0 {
			out, err = idhcp.NewAdvertiseFromSolicit(m, withSID, idhcp.WithOption(&idhcp.OptStatusCode{StatusCode: iana.StatusNoAddrsAvail}))
			break
		}
		out, err = idhcp.NewAdvertiseFromSolicit(m, append([]idhcp.Modifier{withSID}, s.offer(m, false)...)...)
	case idhcp.MessageTypeRequest:
		mods := s.offer(m, true)
		if s.lostReply {
			return nil
		}
		out, err = idhcp.NewReplyFromMessage(m, append([]idhcp.Modifier{withSID}, mods...)...)
	case idhcp.MessageTypeRelease:
		if s.deafRelease {
			return nil
		}
		for _, na := range m.Options.IANA() {
			for _, a := range na.Options.Addresses() {
				delete(s.bound, m.Options.ClientID().String()+" "+a.IPv6Addr.String())
			}
		}
		for _, pd := range m.Options.IAPD() {
			for _, p := range pd.Options.Prefixes() {
				delete(s.bound, m.Options.ClientID().String()+" "+p.Prefix.String())
			}
		}
		out, err = idhcp.NewReplyFromMessage(m, withSID, idhcp.WithOption(&idhcp.OptStatusCode{StatusCode: iana.StatusSuccess}))
	default:
		return nil
	}
	if err != nil {
		s.t.Fatalf("server: %v", err)
	}
	return out.ToBytes()
}

// sim is a run of the ladder on an injected clock, against a simISP, with
// every message recorded as a frame and judged by diag as in a live run.
type sim struct {
	t        *testing.T
	isp      *simISP
	now      time.Time
	frames   []capture.Frame
	analyzer *diag.Analyzer
	ladder   *ladder
	// sent records each Solicit with its attempt and time.
	solicits map[int][]time.Duration
	pending  []pendingAnswer
	// wanted is the prefix length the user wants (--prefix-len).
	wanted int
}

type pendingAnswer struct {
	at time.Time
	b  []byte
}

func (s *sim) frame(src, dst netip.Addr, sport, dport uint16, payload []byte) {
	pkt, err := capture.IPv6Packet{Source: src, Destination: dst, HopLimit: 1, Transport: capture.TransportUDP,
		SourcePort: sport, DestinationPort: dport, Payload: payload}.Marshal()
	if err != nil {
		s.t.Fatal(err)
	}
	s.add(pkt)
}

func (s *sim) add(pkt []byte) {
	f := capture.Frame{Number: len(s.frames) + 1, Timestamp: s.now, LinkType: capture.LinkTypeRaw, Data: pkt, OriginalLength: len(pkt)}
	s.frames = append(s.frames, f)
	s.analyzer.Add(f)
}

func (s *sim) send(out []dhcpv6.Outgoing) {
	for _, o := range out {
		s.frame(clientLL, netip.MustParseAddr("ff02::1:2"), 546, 547, o.Payload)
		if o.Type == dhcpv6.MessageTypeSolicit {
			i := len(s.ladder.Attempts())
			s.solicits[i] = append(s.solicits[i], s.now.Sub(s.ladder.Attempts()[i-1].Started))
		}
		if b := s.isp.answer(o.Payload); b != nil {
			s.pending = append(s.pending, pendingAnswer{s.now.Add(5 * time.Millisecond), b})
		}
	}
}

func testRA(t *testing.T) []byte {
	ra := &ndp.RouterAdvertisement{CurrentHopLimit: 64, ManagedConfiguration: true, OtherConfiguration: true,
		RouterLifetime: 30 * time.Minute, Options: []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Source, Addr: simMAC}}}
	b, err := ra.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	pkt, err := capture.IPv6Packet{Source: serverLL, Destination: allNodes, HopLimit: 255, Transport: capture.TransportICMPv6, Payload: b}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return pkt
}

// runSim runs the ladder until it is done or the timeout passes, then ends
// it as the runner does.
func runSim(t *testing.T, isp *simISP, strategy Strategy, timeout time.Duration, mod func(*ladderConfig)) *sim {
	t.Helper()
	isp.t = t
	s := &sim{t: t, isp: isp, now: t0, solicits: map[int][]time.Duration{}, wanted: 48}
	if isp.wanted != 0 {
		s.wanted = isp.wanted
	}
	s.analyzer = diag.NewAnalyzer(diag.Facts{Live: true, Carrier: true, WantedPrefixLength: s.wanted,
		RouterClient: &diag.RouterClientFacts{Args: routerArgs, ArgsText: routerArgs.String(), Host: simHost}})
	s.add(testRA(t))
	var n byte
	cfg := ladderConfig{
		Strategy: strategy,
		Client: dhcpv6.ClientConfig{Identity: dhcpv6.Identity{DUID: dhcpv6.StableDUID(simMAC), IAID: dhcpv6.StableIAID(simMAC), PDIAID: dhcpv6.StableIAID(simMAC)},
			Rand:             func() float64 { return 0.5 },
			NewTransactionID: func() dhcpv6.TransactionID { n++; return dhcpv6.TransactionID{0xaa, 0, n} }},
		RouterArgs: routerArgs, Host: simHost,
		RouterIdentity: dhcpv6.Identity{DUID: dhcpv6.DUIDLL(simMAC), IAID: dhcpv6.StableIAID(simMAC), PDIAID: dhcpv6.StableIAID(simMAC)},
		Start:          t0, End: t0.Add(timeout),
		Judge:  s.analyzer.Attempt,
		Frames: func() int { return len(s.frames) },
	}
	if mod != nil {
		mod(&cfg)
	}
	s.ladder = newLadder(cfg)
	s.send(s.ladder.Start(s.now))
	end := t0.Add(timeout)
	for i := 0; !s.ladder.Done() && s.now.Before(end); i++ {
		if i > 100000 {
			t.Fatal("ladder does not progress")
		}
		next := s.ladder.Deadline()
		for _, p := range s.pending {
			if next.IsZero() || p.at.Before(next) {
				next = p.at
			}
		}
		if next.IsZero() {
			t.Fatal("ladder not done but waits for nothing")
		}
		if next.After(s.now) {
			s.now = next
		}
		if !s.now.Before(end) {
			s.now = end
		}
		s.deliver()
		if d := s.ladder.Deadline(); !d.IsZero() && !s.now.Before(d) {
			s.send(s.ladder.Tick(s.now))
		}
	}
	out, _, _ := s.ladder.Interrupt(s.now)
	s.send(out)
	s.now = s.now.Add(10 * time.Millisecond)
	s.deliver()
	return s
}

func (s *sim) deliver() {
	due := s.pending[:0:0]
	var keep []pendingAnswer
	for _, p := range s.pending {
		if !p.at.After(s.now) {
			due = append(due, p)
		} else {
			keep = append(keep, p)
		}
	}
	s.pending = keep
	for _, p := range due {
		s.frame(serverLL, clientLL, 547, 546, p.b)
		m, err := dhcpv6.Parse(p.b)
		if err != nil {
			s.t.Fatalf("client cannot parse the server's answer: %v", err)
		}
		s.send(s.ladder.Receive(s.now, m))
	}
}

// ran returns the attempts that ran.
func (s *sim) ran() []Attempt {
	var out []Attempt
	for _, a := range s.ladder.Attempts() {
		if a.Skipped == "" {
			out = append(out, a)
		}
	}
	return out
}

// final analyses the whole capture with the attempt windows, as
// `v6diag run` does after the run.
func (s *sim) final() *diag.Result {
	var ws []diag.AttemptWindow
	for _, a := range s.ran() {
		ws = append(ws, a.Window)
	}
	an := diag.NewAnalyzer(diag.Facts{Live: true, Carrier: true, ClientDUID: s.ran()[0].Identity.DUID, Attempts: ws,
		RouterClient: &diag.RouterClientFacts{Args: routerArgs, ArgsText: routerArgs.String(), Host: simHost}, WantedPrefixLength: s.wanted})
	for _, f := range s.frames {
		an.Add(f)
	}
	return an.Finish()
}

func TestAttemptBudget(t *testing.T) {
	for _, tc := range []struct {
		name        string
		index       int
		strategy    Strategy
		total, left time.Duration
		pending     int
		want        time.Duration
		wantOK      bool
	}{
		{"first of auto gets 10s of 30s", 1, StrategyAuto, 30 * time.Second, 30 * time.Second, 5, 10 * time.Second, true},
		{"first of auto gets a third of 60s", 1, StrategyAuto, 60 * time.Second, 60 * time.Second, 5, 20 * time.Second, true},
		{"first of a short run gets all", 1, StrategyAuto, 8 * time.Second, 8 * time.Second, 5, 8 * time.Second, true},
		{"first with --strategy first gets all", 1, StrategyFirst, 30 * time.Second, 30 * time.Second, 0, 30 * time.Second, true},
		{"later ones share", 2, StrategyAuto, 30 * time.Second, 20 * time.Second, 3, 5 * time.Second, true},
		{"at least MinAttempt", 2, StrategyAuto, 30 * time.Second, 20 * time.Second, 9, MinAttempt, true},
		{"the last takes the rest", 3, StrategyAuto, 30 * time.Second, 7 * time.Second, 0, 7 * time.Second, true},
		{"no time for another", 4, StrategyAuto, 30 * time.Second, 3 * time.Second, 2, 0, false},
		{"takes what would be too little for the next", 5, StrategyAuto, 30 * time.Second, 6 * time.Second, 1, 6 * time.Second, true},
		{"a first attempt leaving too little takes all", 1, StrategyAuto, 12 * time.Second, 12 * time.Second, 4, 12 * time.Second, true},
		{"leaves enough for the next", 5, StrategyAuto, 30 * time.Second, 9 * time.Second, 2, MinAttempt, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := AttemptBudget(tc.index, tc.strategy, tc.total, tc.left, tc.pending)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("AttemptBudget = %s, %v; want %s, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// The planner follows the evidence: what one attempt's diagnosis says
// decides the next rung.
func TestPlannerFollowsEvidence(t *testing.T) {
	first := Rung{Args: routerArgs}
	for _, tc := range []struct {
		name string
		res  diag.AttemptResult
		want string // Label of the next rung
	}{
		{"NoAddrsAvail: IA_PD alone", diag.AttemptResult{Answered: true, StatusCodes: []string{"NoAddrsAvail"}, PrefixHint: 48},
			"IA_PD alone with /48 hint, Client FQDN, Reconfigure Accept"},
		{"a /56 for a /48 hint: ask for /56", diag.AttemptResult{Answered: true, AddressObtained: true, PrefixInAnswer: true, DelegatedPrefixLength: 56, PrefixHint: 48},
			"IA_NA + IA_PD with /56 hint, Client FQDN, Reconfigure Accept"},
		{"NoPrefixAvail: no hint", diag.AttemptResult{Answered: true, AddressObtained: true, StatusCodes: []string{"NoPrefixAvail"}, PrefixHint: 48},
			"IA_NA + IA_PD with no prefix hint, Client FQDN, Reconfigure Accept"},
		{"no answer: IA_PD alone first, a setting the user can make", diag.AttemptResult{},
			"IA_PD alone with /48 hint, Client FQDN, Reconfigure Accept"},
		{"request unanswered: Rapid Commit", diag.AttemptResult{Answered: true, AddressObtained: true, PrefixInAnswer: true, Verdict: diag.Verdict{Code: diag.CodeRequestUnanswered}},
			"IA_NA + IA_PD with /48 hint, Rapid Commit, Client FQDN, Reconfigure Accept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPlanner(StrategyAuto, first, "", 48)
			p.Record(first, tc.res)
			r, ok := p.Next()
			if !ok || r.Label() != tc.want {
				t.Fatalf("next %q (%v); want %q", r.Label(), ok, tc.want)
			}
			if r.Why == "" {
				t.Error("the rung does not say why it was chosen")
			}
		})
	}
	t.Run("a working attempt ends auto", func(t *testing.T) {
		p := NewPlanner(StrategyAuto, first, "", 48)
		p.Record(first, diag.AttemptResult{PrefixOK: true})
		if r, ok := p.Next(); ok {
			t.Errorf("auto goes on after success with %q", r.Label())
		}
	})
	t.Run("all goes on after success", func(t *testing.T) {
		p := NewPlanner(StrategyAll, first, "", 48)
		p.Record(first, diag.AttemptResult{PrefixOK: true})
		var labels []string
		for r, ok := p.Next(); ok; r, ok = p.Next() {
			labels = append(labels, r.Label())
		}
		if want := applicable(first); len(labels) != want {
			t.Errorf("all tries %d more rungs, want %d: %q", len(labels), want, labels)
		}
	})
	t.Run("first makes one attempt", func(t *testing.T) {
		p := NewPlanner(StrategyFirst, first, "", 48)
		p.Record(first, diag.AttemptResult{})
		if _, ok := p.Next(); ok {
			t.Error("first goes on")
		}
	})
	t.Run("DUID-LL skipped with its reason", func(t *testing.T) {
		p := NewPlanner(StrategyAuto, first, "the WAN holds 2001:db8::5/128", 48)
		p.Record(first, diag.AttemptResult{})
		p.Record(Rung{Args: routerArgs, RapidCommit: true}, diag.AttemptResult{})
		for r, ok := p.Next(); ok; r, ok = p.Next() {
			if r.RouterDUID {
				if r.Skipped != "the WAN holds 2001:db8::5/128" {
					t.Errorf("DUID-LL rung skipped %q", r.Skipped)
				}
				return
			}
		}
		t.Error("the DUID-LL rung never came up")
	})
}

// applicable counts the rungs of everyRung that change first: --strategy
// all tries each of them once.
func applicable(first Rung) int {
	seen := map[string]bool{first.key(): true}
	for _, m := range everyRung {
		if r, ok := m.apply(first); ok && !seen[r.key()] {
			seen[r.key()] = true
		}
	}
	return len(seen) - 1
}

func TestRungNetifd(t *testing.T) {
	ll := dhcpv6.DUIDLL(simMAC)
	for _, tc := range []struct {
		rung Rung
		want uciconfig.ClientSettings
	}{
		{Rung{Args: routerArgs}, uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48}},
		{Rung{Args: odhcp6c.Args{Addresses: odhcp6c.AddressNone, Prefixes: []odhcp6c.PrefixRequest{{}}, NoClientFQDN: true, NoAcceptReconfig: true}},
			uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressNone, ReqPrefix: uciconfig.ReqPrefixAuto, NoClientFQDN: true, NoAcceptReconfig: true}},
		{Rung{Args: odhcp6c.Args{Addresses: odhcp6c.AddressForce, ForcePrefix: true, Prefixes: []odhcp6c.PrefixRequest{{Length: 56}}}},
			uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressForce, ReqPrefix: 56, ForcePrefix: true}},
		{Rung{Args: odhcp6c.Args{NoClientFQDN: true, NoAcceptReconfig: true}, RouterDUID: true},
			uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: uciconfig.ReqPrefixNo, NoClientFQDN: true, NoAcceptReconfig: true, ClientID: "00030001020000000001"}},
	} {
		if got := tc.rung.Netifd(ll); got != tc.want {
			t.Errorf("%s: netifd %+v, want %+v", tc.rung.Label(), got, tc.want)
		}
	}
}

// A line that never answers: the first attempt puts at least four
// Solicits on the wire at about 0, 1, 3 and 7 s (RFC 8415 §15 with RAND
// fixed at 0), the later ones share the rest, and all ends by --timeout.
func TestLadderNoAnswer(t *testing.T) {
	s := runSim(t, &simISP{silent: true}, StrategyAuto, 30*time.Second, nil)
	first := s.solicits[1]
	if len(first) < 4 {
		t.Fatalf("first attempt sent %d Solicits, want at least 4", len(first))
	}
	for i, want := range []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second} {
		if d := first[i] - want; d < -want/10-time.Millisecond || d > want/10+time.Millisecond {
			t.Errorf("Solicit %d at %s, want %s ± 10%%", i+1, first[i], want)
		}
	}
	ran := s.ran()
	if len(ran) < 3 {
		t.Fatalf("%d attempts ran in 30 s, want the first and at least two more", len(ran))
	}
	for _, a := range ran {
		if a.Ended.After(t0.Add(30 * time.Second)) {
			t.Errorf("attempt %d ended at %s, after --timeout", a.Index, a.Ended.Sub(t0))
		}
		if a.Index > 1 && a.Ended.Sub(a.Started) < MinAttempt && a.Ended.Before(t0.Add(30*time.Second)) {
			t.Errorf("attempt %d ran only %s", a.Index, a.Ended.Sub(a.Started))
		}
		if a.Judged.Answered || a.Judged.Solicits != len(s.solicits[a.Index]) {
			t.Errorf("attempt %d judged %+v; %d Solicits sent", a.Index, a.Judged, len(s.solicits[a.Index]))
		}
	}
	if got := ran[0].Ended.Sub(t0); got != FirstAttemptMin {
		t.Errorf("first attempt ran %s, want %s", got, FirstAttemptMin)
	}
	if ran[1].Rung.Args.Addresses != odhcp6c.AddressNone {
		t.Errorf("after no answer the ladder tried %q, want IA_PD alone (reqaddress 'none')", ran[1].Label)
	}
	r := s.final()
	if r.BestAttempt != 0 || r.Verdict.Code != diag.CodeNoDHCPv6Reply {
		t.Errorf("best %d verdict %s; want 0 and no-dhcpv6-reply", r.BestAttempt, r.Verdict.Code)
	}
}

// Each fault the ladder must find a way around, against the simulated ISP:
// the attempt that works, its netifd settings, the verdict that names them,
// and no binding left behind.
func TestLadderFindsWhatWorks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		isp       simISP
		skipLL    string
		wantBest  int
		wantLabel string
		want      uciconfig.ClientSettings
		advice    string
		// routerGets: the best rung is the router's own identity.
		routerGets bool
	}{
		{"healthy: the first attempt", simISP{pdLen: 48}, "", 1, "IA_NA + IA_PD with /48 hint", uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48}, "", false},
		{"PD only", simISP{noIANA: true}, "", 2, "IA_PD alone with /48 hint", uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressNone, ReqPrefix: 48}, "reqaddress 'none'", false},
		{"only /56 gives a /56", simISP{onlyHint: 56, wanted: 56}, "", 3, "IA_NA + IA_PD with /56 hint", uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 56}, "reqprefix '56'", false},
		{"always /56 and a /56 is wanted: the router's own settings", simISP{pdLen: 56, wanted: 56}, "", 1, "IA_NA + IA_PD with /48 hint", uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48}, "", false},
		{"Rapid Commit only", simISP{rapid: true, pdLen: 48}, "", 5, "Rapid Commit", uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48}, "odhcp6c cannot send", false},
		{"drops FQDN", simISP{dropFQDN: true, pdLen: 48}, "", 3, "no Client FQDN", uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48, NoClientFQDN: true}, "noclientfqdn '1'", false},
		{"only DUID-LL", simISP{onlyLL: true, pdLen: 48}, "", 6, "DUID-LL of the WAN MAC", uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48, ClientID: "00030001020000000001"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isp := tc.isp
			s := runSim(t, &isp, StrategyAuto, 30*time.Second, func(c *ladderConfig) { c.RouterDUIDSkip = tc.skipLL })
			var labels []string
			for _, a := range s.ladder.Attempts() {
				labels = append(labels, a.Label+" → "+string(a.Judged.Verdict.Code)+a.Skipped)
			}
			r := s.final()
			if r.BestAttempt != tc.wantBest {
				t.Fatalf("best attempt %d, want %d\n%s", r.BestAttempt, tc.wantBest, strings.Join(labels, "\n"))
			}
			if len(s.ran()) != tc.wantBest {
				t.Errorf("%d attempts ran, want the ladder to stop at the one that worked\n%s", len(s.ran()), strings.Join(labels, "\n"))
			}
			best := s.ladder.Attempts()[tc.wantBest-1]
			if !strings.Contains(best.Label, tc.wantLabel) || best.Netifd != tc.want {
				t.Errorf("best %q %+v; want %q %+v", best.Label, best.Netifd, tc.wantLabel, tc.want)
			}
			if !r.Attempts[tc.wantBest-1].PrefixOK {
				t.Errorf("final analysis of attempt %d: %+v", tc.wantBest, r.Attempts[tc.wantBest-1])
			}
			if tc.routerGets {
				// The line answers only the router's own DUID-LL, which its
				// odhcp6c sends: the router gets the prefix.
				if r.Verdict.Code != diag.CodeOK || r.RouterClient == nil || !r.RouterClient.Got() || r.Suggested != nil {
					t.Errorf("verdict %s %q, router client %+v, suggested %+v; want ok: the router's own DUID-LL gets the prefix", r.Verdict.Code, r.Verdict.Summary, r.RouterClient, r.Suggested)
				}
			} else if tc.wantBest > 1 {
				if !strings.Contains(r.Verdict.Summary, tc.advice) || r.Verdict.Code == diag.CodeOK {
					t.Errorf("verdict %s %q; want the first attempt's problem and %q", r.Verdict.Code, r.Verdict.Summary, tc.advice)
				}
			} else if r.Verdict.Code != diag.CodeOK {
				t.Errorf("verdict %s (%s), want ok", r.Verdict.Code, r.Verdict.Summary)
			}
			if len(isp.everBound) == 0 || len(isp.bound) != 0 {
				t.Errorf("server bound %v and still holds %v after the run", isp.everBound, isp.bound)
			}
		})
	}
}

// The DUID-LL rung is the router's identity: when the router may hold a
// lease it is recorded as skipped with the reason, never run.
func TestLadderSkipsRouterDUID(t *testing.T) {
	isp := simISP{onlyLL: true, pdLen: 48}
	s := runSim(t, &isp, StrategyAuto, 30*time.Second, func(c *ladderConfig) { c.RouterDUIDSkip = "br-lan holds 2001:db8:5::1/64" })
	found := false
	for _, a := range s.ladder.Attempts() {
		if a.Rung.RouterDUID {
			found = true
			if a.Skipped != "br-lan holds 2001:db8:5::1/64" || !a.Started.IsZero() {
				t.Errorf("DUID-LL attempt %+v; want skipped with the reason", a)
			}
		}
		if a.Skipped == "" && a.Identity.DUID.Type() == dhcpv6.DUIDTypeLL {
			t.Errorf("attempt %d ran with the router's DUID-LL", a.Index)
		}
	}
	if !found {
		t.Error("DUID-LL rung not recorded")
	}
	if len(isp.everBound) != 0 {
		t.Errorf("server bound %v", isp.everBound)
	}
}

// An attempt that runs out of time with its Request unanswered releases
// what the Advertise offered before the next attempt starts: the server
// may have bound it.
func TestLadderReleasesAtAttemptEnd(t *testing.T) {
	isp := simISP{lostReply: true, pdLen: 48}
	s := runSim(t, &isp, StrategyAuto, 30*time.Second, nil)
	ran := s.ran()
	if len(ran) < 2 || !ran[0].ReleasedAtEnd {
		t.Fatalf("attempts %+v; want the first released at its end", ran)
	}
	if len(isp.everBound) == 0 || len(isp.bound) != 0 {
		t.Errorf("server bound %v and still holds %v", isp.everBound, isp.bound)
	}
	if !slices.ContainsFunc(ran[0].Window.TransactionIDs, func(x dhcpv6.TransactionID) bool { return x != ran[0].Window.TransactionIDs[0] }) {
		t.Error("the Release's transaction id is not in the attempt's window")
	}
	for i := 1; i < len(ran); i++ {
		if ran[i].Started.Before(ran[i-1].Ended) {
			t.Errorf("attempt %d started before attempt %d ended", ran[i].Index, ran[i-1].Index)
		}
	}
}

// --strategy all runs every rung even after the first worked, releases
// each, and the best is the first (largest prefix, earliest).
func TestLadderAll(t *testing.T) {
	isp := simISP{}
	s := runSim(t, &isp, StrategyAll, 30*time.Second, nil)
	if got, want := len(s.ran()), 1+applicable(Rung{Args: routerArgs}); got != want {
		t.Errorf("%d attempts ran, want %d", got, want)
	}
	r := s.final()
	if r.BestAttempt != 1 || r.Verdict.Code != diag.CodeOK {
		t.Errorf("best %d verdict %s", r.BestAttempt, r.Verdict.Code)
	}
	if len(isp.bound) != 0 {
		t.Errorf("still bound: %v", isp.bound)
	}
	seen := map[dhcpv6.TransactionID]int{}
	for _, a := range s.ran() {
		for _, x := range a.Window.TransactionIDs {
			if prev, ok := seen[x]; ok {
				t.Errorf("attempts %d and %d share transaction id %s", prev, a.Index, x)
			}
			seen[x] = a.Index
		}
	}
}

// --no-release keeps the first lease, so the ladder stops there.
func TestLadderNoReleaseStops(t *testing.T) {
	isp := simISP{noIANA: false, onlyHint: 60}
	s := runSim(t, &isp, StrategyAuto, 30*time.Second, func(c *ladderConfig) { c.Client.NoRelease = true })
	if len(s.ran()) != 1 {
		t.Fatalf("%d attempts ran with --no-release", len(s.ran()))
	}
	at := s.ladder.Attempts()
	if len(at) != 2 || !strings.Contains(at[1].Skipped, "--no-release") {
		t.Errorf("attempts %+v; want the next one skipped for --no-release", at)
	}
}

// A server that never answers the Release: the attempt that works keeps
// retransmitting its Release until its time is up, then the ladder waits a
// moment for a Reply and ends; cut short by --timeout, the run is told to
// wait for the Reply to that same Release.
func TestLadderReleaseUnanswered(t *testing.T) {
	isp := simISP{deafRelease: true, pdLen: 48}
	s := runSim(t, &isp, StrategyAuto, 30*time.Second, nil)
	ran := s.ran()
	if len(ran) != 1 || ran[0].Client.ReleasesSent < 2 || ran[0].ReleasedAtEnd {
		t.Fatalf("attempts %+v; want one that retransmitted its own Release", ran)
	}
	if got, want := ran[0].Ended.Sub(t0), FirstAttemptMin+releaseGrace; got != want {
		t.Errorf("attempt ended after %s, want its budget plus the release grace, %s", got, want)
	}

	isp2 := simISP{deafRelease: true, pdLen: 48}
	s2 := &sim{t: t, isp: &isp2, now: t0, analyzer: diag.NewAnalyzer(diag.Facts{}), solicits: map[int][]time.Duration{}}
	isp2.t = t
	var n byte
	s2.ladder = newLadder(ladderConfig{Strategy: StrategyAuto,
		Client: dhcpv6.ClientConfig{Identity: dhcpv6.Identity{DUID: dhcpv6.StableDUID(simMAC), IAID: dhcpv6.StableIAID(simMAC), PDIAID: dhcpv6.StableIAID(simMAC)},
			Rand: func() float64 { return 0.5 }, NewTransactionID: func() dhcpv6.TransactionID { n++; return dhcpv6.TransactionID{0xbb, 0, n} }},
		RouterArgs: routerArgs, Host: simHost,
		Start: t0, End: t0.Add(30 * time.Second), Judge: s2.analyzer.Attempt, Frames: func() int { return len(s2.frames) }})
	s2.send(s2.ladder.Start(s2.now))
	for i := 0; i < 20 && s2.ladder.Client().Phase() != dhcpv6.PhaseReleasing; i++ {
		s2.now = s2.now.Add(100 * time.Millisecond)
		s2.deliver()
		if d := s2.ladder.Deadline(); !d.IsZero() && !s2.now.Before(d) {
			s2.send(s2.ladder.Tick(s2.now))
		}
	}
	out, xid, wait := s2.ladder.Interrupt(s2.now)
	at := s2.ladder.Attempts()[0]
	if len(out) != 0 || !wait || xid != at.Window.TransactionIDs[len(at.Window.TransactionIDs)-1] {
		t.Errorf("interrupt while releasing: %d new messages, wait %v, xid %s; want none, wait for the Release %v", len(out), wait, xid, at.Window.TransactionIDs)
	}
}

// A /56 for the router's /48 hint, and no setting gets more: the ISP gives
// less than wanted, and no config is suggested — asking for the /56 it
// gives gets the router nothing more (issue 10).
func TestLadderSmallerPrefixIsTheISPs(t *testing.T) {
	isp := simISP{pdLen: 56}
	s := runSim(t, &isp, StrategyAuto, 30*time.Second, nil)
	r := s.final()
	if r.Verdict.Code != diag.CodePrefixSmallerThanRequested || r.Verdict.WhoMustAct != diag.PartyISP {
		t.Errorf("verdict %s, who %s: %s; want prefix-smaller-than-requested for the ISP", r.Verdict.Code, r.Verdict.WhoMustAct, r.Verdict.Summary)
	}
	if r.Suggested != nil {
		t.Errorf("suggested %+v; no setting gets more than the /56", r.Suggested)
	}
	if rc := r.RouterClient; rc == nil || rc.Prefix.Bits() != 56 {
		t.Errorf("router client %+v, want the /56 it gets", rc)
	}
	if len(s.ran()) < 2 {
		t.Errorf("%d attempts: the ladder must look for a setting that gets the /48", len(s.ran()))
	}
}

// A server that was merely slow to start (it drops the first 13 Solicits:
// those of the first attempt and of the three config rungs) answers the
// Rapid Commit rung with a plain Advertise: the verdict must not blame
// Rapid Commit.
func TestLadderRapidCommitNotTheCause(t *testing.T) {
	isp := simISP{dropFirst: 13, pdLen: 48}
	s := runSim(t, &isp, StrategyAuto, 30*time.Second, nil)
	r := s.final()
	if r.BestAttempt != 5 || !s.ran()[4].Rung.RapidCommit || s.ran()[4].Judged.RapidCommit {
		t.Fatalf("best %d, attempts %+v", r.BestAttempt, s.ran())
	}
	if strings.Contains(r.Verdict.Summary, "answers only") || !strings.Contains(r.Verdict.Summary, "the router's own wan6 settings") {
		t.Errorf("verdict %q blames Rapid Commit", r.Verdict.Summary)
	}
}
