package dhcpv6

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	t0         = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	serverDUID = DUID{0, 1, 0, 1, 0x18, 0x46, 0x49, 0x99, 0, 0x11, 0x22, 0x33, 0x44, 0x55}
	server2    = DUID{0, 3, 0, 1, 0xca, 0x01, 0x0e, 0x88, 0, 8}
)

// xids hands out 0x000001, 0x000002, … so tests know every exchange's id.
func xids() func() TransactionID {
	var n byte
	return func() TransactionID { n++; return TransactionID{0, 0, n} }
}

func fixedRand(u float64) func() float64 { return func() float64 { return u } }

func newTestClient(mod func(*ClientConfig)) *Client {
	cfg := ClientConfig{
		Identity:         testIdentity(),
		Shape:            RequestShape{IANA: true, IAPD: true, PrefixLength: 56},
		Rand:             fixedRand(0.5),
		NewTransactionID: xids(),
	}
	if mod != nil {
		mod(&cfg)
	}
	return NewClient(cfg)
}

func pdLease(iaid [4]byte, p string) IA {
	return IA{IAID: iaid, T1: 30 * time.Minute, T2: 48 * time.Minute, Prefixes: []IAPrefix{{
		Prefix: netip.MustParsePrefix(p), PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour,
	}}}
}

func naLease(iaid [4]byte, a string) IA {
	return IA{IAID: iaid, T1: 30 * time.Minute, T2: 48 * time.Minute, Addresses: []IAAddress{{
		Address: netip.MustParseAddr(a), PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour,
	}}}
}

// answer is a server message to the client c for its current exchange.
func answer(c *Client, typ MessageType, server DUID, pref *uint8, na, pd []IA) *Message {
	return &Message{
		Type: typ, TransactionID: c.xid, ClientID: c.cfg.Identity.DUID, ServerID: server,
		Preference: pref, IANA: na, IAPD: pd,
	}
}

func mustParse(t *testing.T, out []Outgoing, want MessageType) *Message {
	t.Helper()
	if len(out) != 1 {
		t.Fatalf("got %d outgoing messages, want one %s", len(out), want)
	}
	m, err := Parse(out[0].Payload)
	if err != nil {
		t.Fatalf("sent %s does not parse: %v", out[0].Type, err)
	}
	if m.Type != want || out[0].Type != want || m.TransactionID != out[0].TransactionID {
		t.Fatalf("sent %s/%s xid %s/%s, want %s", out[0].Type, m.Type, out[0].TransactionID, m.TransactionID, want)
	}
	return m
}

// solicitTimes runs the client with no answer and returns the offsets from
// Start of the first n Solicits.
func solicitTimes(t *testing.T, c *Client, n int) []time.Duration {
	t.Helper()
	var times []time.Duration
	now := t0
	out := c.Start(now)
	for len(times) < n {
		m := mustParse(t, out, MessageTypeSolicit)
		if got, want := *m.ElapsedTime, min(now.Sub(t0).Round(10*time.Millisecond), maxElapsed); got != want {
			t.Errorf("Solicit at +%v has Elapsed Time %v, want %v", now.Sub(t0), got, want)
		}
		if m.TransactionID != (TransactionID{0, 0, 1}) {
			t.Errorf("retransmitted Solicit changed xid to %s", m.TransactionID)
		}
		times = append(times, now.Sub(t0))
		if len(times) == n {
			break
		}
		now = c.Deadline()
		if early := c.Tick(now.Add(-time.Millisecond)); early != nil {
			t.Fatalf("Tick before the deadline sent %v", early)
		}
		out = c.Tick(now)
	}
	return times
}

func approx(t *testing.T, what string, got, want []time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for i := range got {
		if d := got[i] - want[i]; d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("%s[%d] = %v, want %v (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

func TestClientSolicitSchedule(t *testing.T) {
	ms, us := time.Millisecond, time.Microsecond
	tests := []struct {
		name string
		rand float64
		want []time.Duration
	}{
		// RT: 1.05, then doubling exactly (RAND 0): 2.1, 4.2, 8.4, 16.8.
		{"rand 0.5", 0.5, []time.Duration{0, 1050 * ms, 3150 * ms, 7350 * ms, 15750 * ms, 32550 * ms}},
		// RT: 1s+100ns, then ×1.9.
		{"rand 0", 0, []time.Duration{0, 1000 * ms, 2900 * ms, 6510 * ms, 13369 * ms, 26401100 * us}},
		// RT: 1.0999, then ×2.0998.
		{"rand 0.999", 0.999, []time.Duration{0, 1099900 * us, 3409470 * us, 8259110 * us, 18442370 * us, 39825190 * us}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(func(cfg *ClientConfig) { cfg.Rand = fixedRand(tt.rand) })
			got := solicitTimes(t, c, len(tt.want))
			for i := range got { // compare to 10µs: rand 0 adds 100ns·1.9^n
				got[i] = got[i].Round(10 * time.Microsecond)
			}
			approx(t, "Solicit times", got, tt.want)
			if c.Result().SolicitsSent != len(tt.want) || c.Phase() != PhaseSoliciting {
				t.Errorf("sent %d Solicits, phase %v", c.Result().SolicitsSent, c.Phase())
			}
		})
	}
}

func TestClientSolicitCappedAtSolMaxRT(t *testing.T) {
	c := newTestClient(nil)
	times := solicitTimes(t, c, 20)
	for i := 1; i < len(times); i++ {
		if gap := times[i] - times[i-1]; gap > SolMaxRT {
			t.Fatalf("gap %d is %v, above SOL_MAX_RT", i, gap)
		}
	}
	if gap := times[19] - times[18]; gap != SolMaxRT {
		t.Errorf("late gap %v, want SOL_MAX_RT exactly with RAND 0", gap)
	}
}

// toRequest drives c from Start through one usable Advertise to the
// Request and returns it with the time.
func toRequest(t *testing.T, c *Client) (*Message, time.Time) {
	t.Helper()
	mustParse(t, c.Start(t0), MessageTypeSolicit)
	id := c.cfg.Identity
	now := t0.Add(300 * time.Millisecond)
	if out := c.Receive(now, answer(c, MessageTypeAdvertise, serverDUID, nil, nil, []IA{pdLease(id.IAID, "2a00:1:1:100::/56")})); out != nil {
		t.Fatalf("Advertise with preference 0 sent %v at once", out)
	}
	if got, want := c.Deadline(), now.Add(DefaultCollectWindow); !got.Equal(want) {
		t.Fatalf("Deadline %v, want end of collect window %v", got, want)
	}
	now = c.Deadline()
	req := mustParse(t, c.Tick(now), MessageTypeRequest)
	if c.Phase() != PhaseRequesting {
		t.Fatalf("phase %v after collect window, want requesting", c.Phase())
	}
	return req, now
}

func TestClientRequestExhausted(t *testing.T) {
	c := newTestClient(nil)
	req, now := toRequest(t, c)
	if !req.ServerID.Equal(serverDUID) || req.TransactionID != (TransactionID{0, 0, 2}) || len(req.IAPD) != 1 || len(req.IANA) != 0 {
		t.Fatalf("Request %+v: want Server ID, xid 0x000002 and only the offered IA_PD", req)
	}
	start := now
	var gaps []time.Duration
	for c.Phase() == PhaseRequesting {
		next := c.Deadline()
		gaps = append(gaps, next.Sub(now))
		now = next
		if out := c.Tick(now); out != nil {
			m := mustParse(t, out, MessageTypeRequest)
			if *m.ElapsedTime != now.Sub(start).Round(10*time.Millisecond) {
				t.Errorf("Request Elapsed Time %v at +%v", *m.ElapsedTime, now.Sub(start))
			}
		}
	}
	s := time.Second
	approx(t, "Request RTs", gaps, []time.Duration{s, 2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s, 30 * s, 30 * s, 30 * s})
	r := c.Result()
	if r.Outcome != OutcomeRequestUnanswered || r.RequestsSent != ReqMaxRC || r.SolicitsSent != 1 || !c.Deadline().IsZero() {
		t.Errorf("outcome %q, %d Requests, %d Solicits, deadline %v; want request-unanswered after %d",
			r.Outcome, r.RequestsSent, r.SolicitsSent, c.Deadline(), ReqMaxRC)
	}
	if c.Tick(now.Add(time.Hour)) != nil {
		t.Error("Tick after done sent something")
	}
}

func TestClientIgnores(t *testing.T) {
	c := newTestClient(func(cfg *ClientConfig) { cfg.Shape.RapidCommit = false })
	c.Start(t0)
	deadline := c.Deadline()
	good := func() *Message {
		return answer(c, MessageTypeAdvertise, serverDUID, nil, nil, []IA{pdLease(c.cfg.Identity.IAID, "2001:db8::/56")})
	}
	wrongXID := good()
	wrongXID.TransactionID = TransactionID{9, 9, 9}
	foreign := good()
	foreign.ClientID = DUID{0, 3, 0, 1, 1, 2, 3, 4, 5, 6}
	noClient := good()
	noClient.ClientID = nil
	noServer := good()
	noServer.ServerID = nil
	ownSolicit := good()
	ownSolicit.Type = MessageTypeSolicit
	relayed := good()
	relayed.RelayHops = 1
	reply := good()
	reply.Type = MessageTypeReply
	rapid := good()
	rapid.Type = MessageTypeReply
	rapid.RapidCommit = true

	var in []*Message
	for _, m := range []*Message{wrongXID, foreign, noClient, noServer, ownSolicit, relayed, reply, rapid} {
		in = append(in, m)
		if out := c.Receive(t0.Add(100*time.Millisecond), m); out != nil {
			t.Errorf("ignored message caused %v", out)
		}
	}
	want := []string{
		"transaction id 0x090909 does not match our Solicit 0x000001",
		"Advertise Client ID 00030001010203040506 is not ours (" + c.cfg.Identity.DUID.String() + ")",
		"Advertise has no Client ID",
		"Advertise has no Server ID",
		"Solicit is not a message a client accepts",
		"relayed Advertise (1 relay layers) is not addressed to a client",
		"Reply to Solicit without Rapid Commit option",
		"Rapid Commit Reply to a Solicit that did not ask for Rapid Commit",
	}
	r := c.Result()
	var got []string
	for i, ig := range r.Ignored {
		got = append(got, ig.Reason)
		if ig.Message != in[i] {
			t.Errorf("Ignored[%d] holds another message", i)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ignore reasons (-want +got):\n%s", diff)
	}
	if len(r.Advertises) != 0 || c.Phase() != PhaseSoliciting || !c.Deadline().Equal(deadline) {
		t.Errorf("ignored messages changed state: %d advertises, phase %v, deadline %v", len(r.Advertises), c.Phase(), c.Deadline())
	}
}

func TestClientPreference255EndsCollection(t *testing.T) {
	c := newTestClient(nil)
	c.Start(t0)
	iaid := c.cfg.Identity.IAID
	now := t0.Add(200 * time.Millisecond)
	c.Receive(now, answer(c, MessageTypeAdvertise, server2, ptr(uint8(10)), nil, []IA{pdLease(iaid, "2001:db8:2::/56")}))
	now = now.Add(10 * time.Millisecond)
	out := c.Receive(now, answer(c, MessageTypeAdvertise, serverDUID, ptr(uint8(255)), []IA{naLease(iaid, "2001:db8::5")}, nil))
	req := mustParse(t, out, MessageTypeRequest)
	if !req.ServerID.Equal(serverDUID) || len(req.IANA) != 1 || len(req.IAPD) != 0 {
		t.Errorf("Request went to %s with %d IA_NA %d IA_PD, want the preference-255 server's IA_NA", req.ServerID, len(req.IANA), len(req.IAPD))
	}
	if c.Result().Chosen.ServerID.String() != serverDUID.String() || c.Phase() != PhaseRequesting {
		t.Errorf("chosen %s, phase %v", c.Result().Chosen.ServerID, c.Phase())
	}
}

func TestClientChoosesBestAdvertise(t *testing.T) {
	s3 := DUID{0, 3, 0, 1, 3, 3, 3, 3, 3, 3}
	tests := []struct {
		name string
		advs func(iaid [4]byte) []*Message // each gets the client's xid
		want DUID
	}{
		{"highest preference wins", func(iaid [4]byte) []*Message {
			return []*Message{
				{ServerID: serverDUID, IAPD: []IA{pdLease(iaid, "2001:db8:1::/56")}},
				{ServerID: server2, Preference: ptr(uint8(10)), IANA: []IA{naLease(iaid, "2001:db8::2")}},
			}
		}, server2},
		{"equal preference: the one offering IA_PD", func(iaid [4]byte) []*Message {
			return []*Message{
				{ServerID: serverDUID, IANA: []IA{naLease(iaid, "2001:db8::1")}},
				{ServerID: server2, IAPD: []IA{pdLease(iaid, "2001:db8:2::/56")}},
			}
		}, server2},
		{"otherwise the first", func(iaid [4]byte) []*Message {
			return []*Message{
				{ServerID: s3, IAPD: []IA{{IAID: iaid, Status: &Status{Code: StatusNoPrefixAvail}}}}, // unusable
				{ServerID: serverDUID, IAPD: []IA{pdLease(iaid, "2001:db8:1::/56")}},
				{ServerID: server2, IAPD: []IA{pdLease(iaid, "2001:db8:2::/56")}},
			}
		}, serverDUID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(nil)
			c.Start(t0)
			now := t0
			for _, a := range tt.advs(c.cfg.Identity.IAID) {
				a.Type, a.TransactionID, a.ClientID = MessageTypeAdvertise, c.xid, c.cfg.Identity.DUID
				now = now.Add(10 * time.Millisecond)
				c.Receive(now, a)
			}
			req := mustParse(t, c.Tick(c.Deadline()), MessageTypeRequest)
			if !req.ServerID.Equal(tt.want) {
				t.Errorf("Request to %s, want %s", req.ServerID, tt.want)
			}
		})
	}
}

func TestClientReleaseCycle(t *testing.T) {
	c := newTestClient(nil)
	_, now := toRequest(t, c)
	iaid := c.cfg.Identity.IAID
	// A Reply carrying the Solicit's xid is not the answer.
	stale := answer(c, MessageTypeReply, serverDUID, nil, nil, nil)
	stale.TransactionID = TransactionID{0, 0, 1}
	c.Receive(now, stale)

	now = now.Add(40 * time.Millisecond)
	reply := answer(c, MessageTypeReply, serverDUID, nil,
		[]IA{{IAID: iaid, Status: &Status{Code: StatusNoAddrsAvail}}},
		[]IA{pdLease(iaid, "2a00:1:1:100::/56")})
	rel := mustParse(t, c.Receive(now, reply), MessageTypeRelease)
	want := &Message{
		Type: MessageTypeRelease, TransactionID: TransactionID{0, 0, 3},
		ClientID: c.cfg.Identity.DUID, ServerID: serverDUID,
		ElapsedTime: ptr(time.Duration(0)),
		IAPD:        []IA{{IAID: iaid, Prefixes: []IAPrefix{{Prefix: netip.MustParsePrefix("2a00:1:1:100::/56")}}}},
		OptionCodes: []OptionCode{8, 1, 2, 25},
	}
	if diff := cmp.Diff(want, rel, cmpNetip); diff != "" {
		t.Errorf("Release (-want +got):\n%s", diff)
	}
	r := c.Result()
	if r.Reply != reply || len(r.ObtainedNA) != 0 || len(r.ObtainedPD) != 1 || c.Phase() != PhaseReleasing {
		t.Fatalf("after Reply: obtained %v/%v, phase %v", r.ObtainedNA, r.ObtainedPD, c.Phase())
	}
	if len(r.Ignored) != 1 || r.Ignored[0].Reason != "transaction id 0x000001 does not match our Request 0x000002" {
		t.Errorf("stale Reply: ignored %+v", r.Ignored)
	}
	// One retransmission, then the server answers.
	now = c.Deadline()
	if !now.Equal(t0.Add(300*time.Millisecond + DefaultCollectWindow + 40*time.Millisecond + time.Second)) {
		t.Errorf("first Release retransmission at %v", now.Sub(t0))
	}
	mustParse(t, c.Tick(now), MessageTypeRelease)
	done := answer(c, MessageTypeReply, serverDUID, nil, nil, nil)
	done.Status = &Status{Code: StatusSuccess}
	if out := c.Receive(now.Add(5*time.Millisecond), done); out != nil {
		t.Errorf("Reply to Release sent %v", out)
	}
	r = c.Result()
	if r.Outcome != OutcomeReleased || r.ReleaseReply != done || r.ReleasesSent != 2 || c.Phase() != PhaseDone || !c.Deadline().IsZero() {
		t.Errorf("outcome %q, release reply %v, %d Releases, phase %v", r.Outcome, r.ReleaseReply, r.ReleasesSent, c.Phase())
	}
	if c.Receive(now.Add(time.Second), done) != nil || c.Result().Ignored[1].Reason != "exchange already finished" {
		t.Errorf("late message not ignored as finished: %+v", c.Result().Ignored)
	}
}

func TestClientReleaseUnanswered(t *testing.T) {
	c := newTestClient(nil)
	_, now := toRequest(t, c)
	iaid := c.cfg.Identity.IAID
	mustParse(t, c.Receive(now, answer(c, MessageTypeReply, serverDUID, nil, []IA{naLease(iaid, "2001:db8::7")}, []IA{pdLease(iaid, "2001:db8:7::/56")})), MessageTypeRelease)
	start := now
	var sent []time.Duration
	sent = append(sent, 0)
	for c.Phase() == PhaseReleasing {
		now = c.Deadline()
		if out := c.Tick(now); out != nil {
			rel := mustParse(t, out, MessageTypeRelease)
			if len(rel.IANA) != 1 || len(rel.IAPD) != 1 {
				t.Errorf("Release carries %d IA_NA, %d IA_PD; want both obtained", len(rel.IANA), len(rel.IAPD))
			}
			sent = append(sent, now.Sub(start))
		}
	}
	s := time.Second
	approx(t, "Release times", sent, []time.Duration{0, s, 3 * s, 7 * s})
	if r := c.Result(); r.Outcome != OutcomeReleaseUnanswered || r.ReleasesSent != RelMaxRC {
		t.Errorf("outcome %q after %d Releases, want release-unanswered after %d", r.Outcome, r.ReleasesSent, RelMaxRC)
	}
}

func TestClientRapidCommit(t *testing.T) {
	c := newTestClient(func(cfg *ClientConfig) { cfg.Shape.RapidCommit = true })
	sol := mustParse(t, c.Start(t0), MessageTypeSolicit)
	if !sol.RapidCommit {
		t.Fatal("Solicit lacks Rapid Commit")
	}
	reply := answer(c, MessageTypeReply, serverDUID, nil, nil, []IA{pdLease(c.cfg.Identity.IAID, "2001:db8:100::/56")})
	reply.RapidCommit = true
	mustParse(t, c.Receive(t0.Add(20*time.Millisecond), reply), MessageTypeRelease)
	r := c.Result()
	if !r.RapidCommit || r.Reply != reply || r.Chosen != nil || r.RequestsSent != 0 || len(r.ObtainedPD) != 1 {
		t.Errorf("rapid commit result %+v", r)
	}
}

func TestClientOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*ClientConfig)
		reply  func(iaid [4]byte) (na, pd []IA)
		want   Outcome
		phase  Phase
		leases int
	}{
		{"kept with NoRelease", func(cfg *ClientConfig) { cfg.NoRelease = true },
			func(iaid [4]byte) ([]IA, []IA) { return nil, []IA{pdLease(iaid, "2001:db8::/56")} }, OutcomeObtained, PhaseDone, 1},
		{"nothing bound", nil,
			func(iaid [4]byte) ([]IA, []IA) {
				return nil, []IA{{IAID: iaid, Status: &Status{Code: StatusNoPrefixAvail, Message: "none"}}}
			}, OutcomeNothingObtained, PhaseDone, 0},
		{"zero valid lifetime is not a lease", nil,
			func(iaid [4]byte) ([]IA, []IA) {
				return nil, []IA{{IAID: iaid, Prefixes: []IAPrefix{{Prefix: netip.MustParsePrefix("2001:db8::/56")}}}}
			}, OutcomeNothingObtained, PhaseDone, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(tt.mod)
			_, now := toRequest(t, c)
			na, pd := tt.reply(c.cfg.Identity.IAID)
			if out := c.Receive(now, answer(c, MessageTypeReply, serverDUID, nil, na, pd)); out != nil {
				t.Errorf("sent %v", out)
			}
			r := c.Result()
			if r.Outcome != tt.want || c.Phase() != tt.phase || len(r.ObtainedNA)+len(r.ObtainedPD) != tt.leases || r.ReleasesSent != 0 {
				t.Errorf("outcome %q phase %v obtained %d; want %q %v %d", r.Outcome, c.Phase(), len(r.ObtainedNA)+len(r.ObtainedPD), tt.want, tt.phase, tt.leases)
			}
		})
	}
}

func TestClientSolicitOnlyAndUnusable(t *testing.T) {
	t.Run("solicit only", func(t *testing.T) {
		c := newTestClient(func(cfg *ClientConfig) { cfg.SolicitOnly = true; cfg.CollectWindow = time.Second })
		c.Start(t0)
		c.Receive(t0.Add(time.Millisecond), answer(c, MessageTypeAdvertise, serverDUID, nil, nil, []IA{pdLease(c.cfg.Identity.IAID, "2001:db8::/56")}))
		if !c.Deadline().Equal(t0.Add(time.Millisecond + time.Second)) {
			t.Errorf("deadline %v, want the 1s collect window", c.Deadline().Sub(t0))
		}
		if out := c.Tick(c.Deadline()); out != nil {
			t.Errorf("SolicitOnly sent %v", out)
		}
		if r := c.Result(); r.Outcome != OutcomeSolicitOnly || len(r.Advertises) != 1 || r.RequestsSent != 0 {
			t.Errorf("result %+v", r)
		}
	})
	t.Run("no usable advertise", func(t *testing.T) {
		c := newTestClient(nil)
		c.Start(t0)
		adv := answer(c, MessageTypeAdvertise, serverDUID, ptr(uint8(255)), nil, []IA{{IAID: c.cfg.Identity.IAID}})
		adv.Status = &Status{Code: StatusNoPrefixAvail}
		if out := c.Receive(t0.Add(time.Millisecond), adv); out != nil {
			t.Errorf("unusable preference-255 Advertise sent %v", out)
		}
		c.Tick(c.Deadline())
		if r := c.Result(); r.Outcome != OutcomeNoUsableAdvertise || len(r.Advertises) != 1 || r.Advertises[0] != adv || r.RequestsSent != 0 {
			t.Errorf("result %+v", r)
		}
	})
}

func TestClientBuildFailure(t *testing.T) {
	c := newTestClient(func(cfg *ClientConfig) { cfg.Shape = RequestShape{} })
	if out := c.Start(t0); out != nil {
		t.Errorf("sent %v", out)
	}
	if r := c.Result(); r.Outcome != OutcomeFailed || r.Err == nil || c.Phase() != PhaseDone || r.SolicitsSent != 0 {
		t.Errorf("result %+v phase %v", r, c.Phase())
	}
}

func TestPhaseString(t *testing.T) {
	got := []string{PhaseIdle.String(), PhaseSoliciting.String(), PhaseRequesting.String(), PhaseReleasing.String(), PhaseDone.String(), Phase(9).String()}
	want := []string{"idle", "soliciting", "requesting", "releasing", "done", "Phase(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}
