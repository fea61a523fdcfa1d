package dhcpv6

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, that its errors wrap
// ErrMalformed, and that what we build from a parsed message (a Request
// from an Advertise, a Release from a Reply) parses back with the same
// leases. Seeds: every captured payload, our own messages, and the
// killer inputs of TestParseMalformed (also under testdata/fuzz/FuzzParse).
func FuzzParse(f *testing.F) {
	for _, c := range loadCaptures(f) {
		f.Add(c.data)
	}
	id := testIdentity()
	for _, shape := range []RequestShape{
		{IANA: true, IAPD: true, PrefixLength: 56, RapidCommit: true, ReconfigureAccept: true},
		{IAPD: true, RequestedOptions: []OptionCode{}},
	} {
		b, err := NewSolicit(id, shape, TransactionID{1, 2, 3}, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if m == nil {
			t.Fatal("nil message without error")
		}
		checkRebuild(t, m)
	})
}

// zeroed is ia with T1, T2, lifetimes and statuses cleared, as a client
// sends it.
func zeroed(ias []IA) []IA {
	var out []IA
	for _, ia := range ias {
		z := IA{IAID: ia.IAID}
		for _, a := range ia.Addresses {
			z.Addresses = append(z.Addresses, IAAddress{Address: a.Address})
		}
		for _, p := range ia.Prefixes {
			z.Prefixes = append(z.Prefixes, IAPrefix{Prefix: p.Prefix})
		}
		out = append(out, z)
	}
	return out
}

// hinted is what a Request carries of offered IAs: the addresses and
// prefixes with their lifetimes as hints, T1, T2 and statuses left out.
func hinted(ias []IA) []IA {
	var out []IA
	for _, ia := range ias {
		z := IA{IAID: ia.IAID}
		for _, a := range ia.Addresses {
			z.Addresses = append(z.Addresses, IAAddress{Address: a.Address, PreferredLifetime: a.PreferredLifetime, ValidLifetime: a.ValidLifetime})
		}
		for _, p := range ia.Prefixes {
			z.Prefixes = append(z.Prefixes, IAPrefix{Prefix: p.Prefix, PreferredLifetime: p.PreferredLifetime, ValidLifetime: p.ValidLifetime})
		}
		out = append(out, z)
	}
	return out
}

func checkRebuild(t *testing.T, m *Message) {
	if len(m.ClientID) < 3 || len(m.ClientID) > maxDUIDLen || len(m.ServerID) < 3 || len(m.ServerID) > maxDUIDLen {
		return
	}
	var iaid [4]byte
	switch {
	case len(m.IAPD) > 0:
		iaid = m.IAPD[0].IAID
	case len(m.IANA) > 0:
		iaid = m.IANA[0].IAID
	default:
		return
	}
	id := Identity{DUID: m.ClientID, IAID: iaid, PDIAID: iaid}
	shape := RequestShape{IANA: true, IAPD: true}
	opts := cmpNetip

	if b, err := NewRequest(id, shape, m.TransactionID, 0, m); err == nil {
		req, err := Parse(b)
		if err != nil {
			t.Fatalf("built Request does not parse: %v", err)
		}
		na, pd := Offered(m, id, shape)
		if diff := cmp.Diff(hinted(na), req.IANA, opts); diff != "" {
			t.Errorf("Request IA_NA (-offered +sent):\n%s", diff)
		}
		if diff := cmp.Diff(hinted(pd), req.IAPD, opts); diff != "" {
			t.Errorf("Request IA_PD (-offered +sent):\n%s", diff)
		}
		if !req.ServerID.Equal(m.ServerID) || !req.ClientID.Equal(m.ClientID) {
			t.Errorf("Request IDs %s/%s, want %s/%s", req.ClientID, req.ServerID, m.ClientID, m.ServerID)
		}
	} else if !errors.Is(err, ErrNothingOffered) {
		t.Fatalf("NewRequest: %v", err)
	}

	if b, err := NewRelease(id, m.TransactionID, 0, m.ServerID, m.IANA, m.IAPD); err == nil {
		rel, err := Parse(b)
		if err != nil {
			t.Fatalf("built Release does not parse: %v", err)
		}
		var na, pd []IA
		for _, ia := range m.IANA {
			if len(ia.Addresses) > 0 {
				na = append(na, ia)
			}
		}
		for _, ia := range m.IAPD {
			if len(ia.Prefixes) > 0 {
				pd = append(pd, ia)
			}
		}
		if diff := cmp.Diff(zeroed(na), rel.IANA, opts); diff != "" {
			t.Errorf("Release IA_NA (-obtained +sent):\n%s", diff)
		}
		if diff := cmp.Diff(zeroed(pd), rel.IAPD, opts); diff != "" {
			t.Errorf("Release IA_PD (-obtained +sent):\n%s", diff)
		}
	} else if !errors.Is(err, ErrNothingOffered) {
		t.Fatalf("NewRelease: %v", err)
	}
}

// FuzzClient hands the client state machine a stream of arbitrary server
// messages, each parsed from fuzzed bytes, at fuzzed times: whatever a
// hostile or broken server sends, the client never panics, keeps at most
// MaxKept Advertises and ignored messages, sends only messages that parse,
// and never sends a Request or Release naming a server that did not
// answer its own transaction.
func FuzzClient(f *testing.F) {
	id := testIdentity()
	adv := cat([]byte{2, 0, 0, 1}, opt(2, serverDUID), opt(1, id.DUID),
		opt(25, cat(id.IAID[:], make([]byte, 8), opt(26, cat(mustHex(f, "00000e10 00001c20 38 2a000001000101000000000000000000"))))))
	reply := append([]byte{7}, adv[1:]...)
	f.Add(adv, []byte{1, 1})
	f.Add(cat(adv, reply), []byte{0, 30})
	f.Add(cat(reply, adv, adv), []byte{5, 255, 0})
	f.Fuzz(func(t *testing.T, stream, steps []byte) {
		c := newTestClient(nil)
		now := t0
		sent := map[TransactionID]bool{}
		servers := map[string]bool{}
		check := func(out []Outgoing) {
			for _, o := range out {
				m, err := Parse(o.Payload)
				if err != nil {
					t.Fatalf("sent %s does not parse: %v", o.Type, err)
				}
				sent[m.TransactionID] = true
				if (m.Type == MessageTypeRequest || m.Type == MessageTypeRelease) && !servers[string(m.ServerID)] {
					t.Fatalf("%s to server %s, which never answered us", m.Type, m.ServerID)
				}
			}
		}
		check(c.Start(now))
		// The stream is a sequence of (2-byte length, message) records;
		// each step byte advances the clock by that many 10 ms first.
		for i := 0; len(stream) >= 2; i++ {
			n := min(int(stream[0])<<8|int(stream[1]), len(stream)-2)
			b := stream[2 : 2+n]
			stream = stream[2+n:]
			if i < len(steps) {
				now = now.Add(time.Duration(steps[i]) * 10 * time.Millisecond)
			}
			if d := c.Deadline(); !d.IsZero() && !now.Before(d) {
				check(c.Tick(now))
			}
			m, err := Parse(b)
			if m == nil || err != nil {
				continue
			}
			if sent[m.TransactionID] && m.ClientID.Equal(id.DUID) && len(m.ServerID) > 0 {
				servers[string(m.ServerID)] = true
			}
			check(c.Receive(now, m))
		}
		r := c.Result()
		if len(r.Advertises) > MaxKept || len(r.Ignored) > MaxKept {
			t.Fatalf("kept %d Advertises and %d ignored messages; the cap is %d", len(r.Advertises), len(r.Ignored), MaxKept)
		}
	})
}

// TestClientFloodBounded: an Advertise flood (valid ones for our Solicit,
// from thousands of servers) and a flood of messages for other clients
// keep at most MaxKept of each, count the rest, and the exchange still
// goes on with one of the kept Advertises.
func TestClientFloodBounded(t *testing.T) {
	c := newTestClient(nil)
	c.Start(t0)
	id := c.cfg.Identity
	now := t0.Add(10 * time.Millisecond)
	for i := range 3 * MaxKept {
		server := DUID{0, 3, 0, 1, 2, 0, 0, 0, byte(i >> 8), byte(i)}
		if out := c.Receive(now, answer(c, MessageTypeAdvertise, server, nil, nil, []IA{pdLease(id.IAID, "2001:db8::/56")})); out != nil {
			t.Fatalf("Advertise %d sent %v before the collect window closed", i, out)
		}
		foreign := answer(c, MessageTypeReply, server, nil, nil, nil)
		foreign.ClientID = DUID{0, 3, 0, 1, 9, 9, 9, 9, 9, byte(i)}
		c.Receive(now, foreign)
	}
	r := c.Result()
	if len(r.Advertises) != MaxKept || len(r.Ignored) != MaxKept || r.Dropped != 4*MaxKept {
		t.Fatalf("kept %d Advertises, %d ignored, dropped %d; want %d, %d, %d",
			len(r.Advertises), len(r.Ignored), r.Dropped, MaxKept, MaxKept, 4*MaxKept)
	}
	req := mustParse(t, c.Tick(c.Deadline()), MessageTypeRequest)
	if !req.ServerID.Equal(r.Advertises[0].ServerID) {
		t.Errorf("Request to %s, want the first kept Advertise's server %s", req.ServerID, r.Advertises[0].ServerID)
	}
}

// TestSolMaxRTOutOfRange: RFC 8415 §21.24 has a client ignore a SOL_MAX_RT
// option outside 60–86400 s; within, it caps the Solicit timeout.
func TestSolMaxRTOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		seconds uint32
		want    time.Duration
	}{
		{0, SolMaxRT}, {59, SolMaxRT}, {60, 60 * time.Second}, {86400, 86400 * time.Second}, {86401, SolMaxRT}, {0xffffffff, SolMaxRT},
	} {
		t.Run(fmt.Sprint(tc.seconds), func(t *testing.T) {
			c := newTestClient(nil)
			c.Start(t0)
			// An Advertise with no usable lease still carries SOL_MAX_RT.
			b := cat([]byte{2, 0, 0, 1}, opt(2, serverDUID), opt(1, c.cfg.Identity.DUID), opt(82, binary.BigEndian.AppendUint32(nil, tc.seconds)))
			m, err := Parse(b)
			if err != nil || m.SolMaxRT == nil || *m.SolMaxRT != time.Duration(tc.seconds)*time.Second {
				t.Fatalf("Parse: %v, %v", m, err)
			}
			if out := tc.seconds < 60 || tc.seconds > 86400; out != (len(m.Problems) == 1) {
				t.Errorf("problems %q for SOL_MAX_RT %d s; want one exactly when outside 60–86400", m.Problems, tc.seconds)
			}
			c.Receive(t0.Add(time.Millisecond), m)
			if c.solMaxRT != tc.want {
				t.Errorf("SOL_MAX_RT %v after the option said %ds; want %v", c.solMaxRT, tc.seconds, tc.want)
			}
		})
	}
}

// TestOddOptionsPassOver: options v6diag does not interpret, with lengths
// that broke other parsers — a PD-Exclude (RFC 6603) inside the IA Prefix
// of odd or zero length, a captive-portal URI (RFC 8910) of odd length —
// are passed over: the lease around them is read, nothing else fails.
func TestOddOptionsPassOver(t *testing.T) {
	prefix := mustHex(t, "00000e10 00001c20 30 2a000001000100000000000000000000")
	for _, tc := range []struct {
		name  string
		inner []byte // inside the IA Prefix
		top   []byte // at the top level
	}{
		{"PD-Exclude of 3 bytes", opt(67, []byte{64, 0x12, 0x34}), nil},
		{"PD-Exclude of 0 bytes", opt(67, nil), nil},
		{"PD-Exclude of 1 byte", opt(67, []byte{0xff}), nil},
		{"captive portal of 9 bytes", nil, opt(103, []byte("http://x/"))},
		{"captive portal of 0 bytes", nil, opt(103, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := cat([]byte{2, 1, 2, 3}, opt(2, serverDUID), opt(25, cat([]byte{0, 0, 0, 1}, make([]byte, 8), opt(26, cat(prefix, tc.inner)))), tc.top)
			m, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(m.IAPD) != 1 || len(m.IAPD[0].Prefixes) != 1 || m.IAPD[0].Prefixes[0].Prefix.String() != "2a00:1:1::/48" {
				t.Errorf("IA_PD %+v; want 2a00:1:1::/48", m.IAPD)
			}
			if len(m.Problems) != 0 {
				t.Errorf("problems %q", m.Problems)
			}
		})
	}
}

// TestHugeOptionCount: a 64 KiB message of 16000 empty options (the most
// a UDP payload holds) parses in one pass, each option recorded once.
func TestHugeOptionCount(t *testing.T) {
	b := cat([]byte{2, 1, 2, 3}, opt(2, serverDUID))
	for len(b)+4 <= 0xffff-8 {
		b = append(b, 0xfd, 0xe8, 0, 0) // option 65000, length 0
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if want := 1 + (len(b)-4-4-len(serverDUID))/4; len(m.OptionCodes) != want {
		t.Errorf("%d option codes, want %d", len(m.OptionCodes), want)
	}
}

var updateKillers = flag.Bool("update-killers", false, "rewrite testdata/fuzz/FuzzParse/killer-* from TestKillerCorpus")

// TestKillerCorpus keeps the inputs of TestSolMaxRTOutOfRange,
// TestOddOptionsPassOver and (smaller) TestHugeOptionCount in FuzzParse's
// seed corpus, so -fuzz starts from them (rewrite with -update-killers).
func TestKillerCorpus(t *testing.T) {
	prefix := mustHex(t, "00000e10 00001c20 30 2a000001000100000000000000000000")
	adv := func(top, inner []byte) []byte {
		return cat([]byte{2, 1, 2, 3}, opt(2, serverDUID), opt(1, testIdentity().DUID),
			opt(25, cat([]byte{0, 0, 0, 1}, make([]byte, 8), opt(26, cat(prefix, inner)))), top)
	}
	seeds := map[string][]byte{
		"sol-max-rt-59":          adv(opt(82, []byte{0, 0, 0, 59}), nil),
		"sol-max-rt-86401":       adv(opt(82, []byte{0, 1, 0x51, 0x81}), nil),
		"sol-max-rt-ffffffff":    adv(opt(82, []byte{0xff, 0xff, 0xff, 0xff}), nil),
		"pd-exclude-3-bytes":     adv(nil, opt(67, []byte{64, 0x12, 0x34})),
		"pd-exclude-empty":       adv(nil, opt(67, nil)),
		"captive-portal-9-bytes": adv(opt(103, []byte("http://x/")), nil),
		"200-empty-options":      cat(adv(nil, nil), bytes.Repeat([]byte{0xfd, 0xe8, 0, 0}, 200)),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for name, b := range seeds {
		if _, err := Parse(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		path := filepath.Join(dir, "killer-"+name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if *updateKillers {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("%s is missing or stale (go test ./dhcpv6 -run TestKillerCorpus -update-killers): %v", path, err)
		}
	}
}

// FuzzParsePartial checks ParsePartial on the start of every message: it
// never panics, its errors wrap ErrCut or ErrMalformed, on a whole message
// it agrees with Parse, and the options it decodes from a cut message are
// the first options of the whole one. Seeds: every captured payload (some
// relayed), and messages with relay layers, IA_TA, Authentication and a
// Reconfigure Message (testdata/fuzz/FuzzParsePartial).
func FuzzParsePartial(f *testing.F) {
	for _, c := range loadCaptures(f) {
		f.Add(c.data, uint16(len(c.data)/2))
	}
	f.Fuzz(func(t *testing.T, b []byte, cut uint16) {
		whole, werr := Parse(b)
		m, err := ParsePartial(b)
		if werr == nil && (err != nil || !cmp.Equal(whole, m, cmpNetip)) {
			t.Fatalf("whole message: ParsePartial %+v, %v; Parse %+v", m, err, whole)
		}
		n := min(int(cut), len(b))
		m, err = ParsePartial(b[:n])
		if err != nil && !errors.Is(err, ErrCut) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v wraps neither ErrCut nor ErrMalformed", err)
		}
		if werr != nil || m == nil || len(m.Relays) > 0 {
			return
		}
		// Without relay layers the cut message's options are the whole
		// one's first options (the last may be the one the cut fell in).
		if len(m.OptionCodes) > len(whole.OptionCodes) || !slices.Equal(m.OptionCodes, whole.OptionCodes[:len(m.OptionCodes)]) {
			t.Fatalf("cut at %d: options %v, whole %v", n, m.OptionCodes, whole.OptionCodes)
		}
	})
}
