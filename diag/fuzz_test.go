package diag

import (
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
)

var updateHostile = flag.Bool("update-hostile", false, "rewrite testdata/fuzz/FuzzAnalyzer/hostile-* from TestHostileFrames")

// dopt is one raw DHCPv6 option: code, length, body.
func dopt(code uint16, body []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, code)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// rawAdvertise is an Advertise to our client, Server ID and Client ID
// first, then the given raw option bytes, as a hostile server writes it.
func rawAdvertise(typ byte, x dhcpv6.TransactionID, rest ...[]byte) []byte {
	b := []byte{typ, x[0], x[1], x[2]}
	b = append(b, dopt(2, serverDUID)...)
	b = append(b, dopt(1, clientDUID)...)
	for _, r := range rest {
		b = append(b, r...)
	}
	return b
}

// iaPD is an IA_PD body: IAID 1, T1 1800, T2 2880, then the options.
func iaPD(opts ...[]byte) []byte {
	b := []byte{0, 0, 0, 1, 0, 0, 0x07, 0x08, 0, 0, 0x0b, 0x40}
	for _, o := range opts {
		b = append(b, o...)
	}
	return b
}

// iaPrefixBody is an IA Prefix body for 2001:db8:8000::/bits, cut to n bytes.
func iaPrefixBody(bits byte, n int, sub ...[]byte) []byte {
	b := []byte{0, 0, 0x0e, 0x10, 0, 0, 0x1c, 0x20, bits, 0x20, 0x01, 0x0d, 0xb8, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, s := range sub {
		b = append(b, s...)
	}
	return b[:min(n, len(b))]
}

func relayRepl(inner []byte) []byte {
	b := append([]byte{13, 0}, make([]byte, 32)...)
	return append(b, dopt(9, inner)...)
}

// hostileCase is one of the inputs that broke other implementations,
// carried in a capture: what the user must see for it.
type hostileCase struct {
	name  string
	build func(l *lab) int // returns the frame that is bad
	code  Code
	id    string   // the finding that names the bad frame ("" none)
	says  []string // what that finding's summary says
	check func(t *testing.T, r *Result)
}

func hostileCases(t testing.TB) []hostileCase {
	goodRA := managed.marshal(t)
	ra := func(opts ...byte) []byte { return append(append([]byte(nil), goodRA...), opts...) }
	exchange := func(bad []byte) func(l *lab) int {
		return func(l *lab) int {
			l.ra(managed)
			l.solicit(shape, xid(1))
			return l.server(bad)
		}
	}
	nested := func(depth int) []byte {
		b := rawAdvertise(2, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25)))))
		for range depth {
			b = relayRepl(b)
		}
		return b
	}
	return []hostileCase{
		{name: "option length 0xFFFC", build: exchange(rawAdvertise(2, xid(1), []byte{0, 25, 0xff, 0xfc}, make([]byte, 20))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3", "Advertise", "IA_PD option 25 length 65532 runs past the message"}},
		{name: "option length 0xFFFD", build: exchange(rawAdvertise(2, xid(1), []byte{0, 3, 0xff, 0xfd})),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3", "option 3 length 65533 runs past the message"}},
		{name: "option length 0xFFFE", build: exchange(rawAdvertise(2, xid(1), []byte{0, 82, 0xff, 0xfe, 0, 0})),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3", "option 82 length 65534"}},
		{name: "option length 0xFFFF", build: exchange(rawAdvertise(2, xid(1), []byte{0, 25, 0xff, 0xff}, make([]byte, 40))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3: Advertise from fe80::2 is malformed: IA_PD option 25 length 65535 runs past the message"}},
		{name: "IA_PD empty", build: exchange(rawAdvertise(2, xid(1), dopt(25, nil))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3", "Advertise", "IA_PD option length 0 shorter than 12"}},
		{name: "IA_PD 11 bytes", build: exchange(rawAdvertise(2, xid(1), dopt(25, make([]byte, 11)))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"IA_PD option length 11 shorter than 12"}},
		{name: "IA_NA empty", build: exchange(rawAdvertise(2, xid(1), dopt(3, nil))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"IA_NA option length 0 shorter than 12"}},
		{name: "IA_PD inner option past its end", build: exchange(rawAdvertise(2, xid(1), dopt(25, iaPD([]byte{0, 26, 0, 25, 0, 0})))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3", "IA_PD: IA Prefix option 26 length 25 runs past the message"}},
		{name: "IA Prefix 24 bytes", build: exchange(rawAdvertise(2, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 24)))))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"IA Prefix option length 24 shorter than 25"}},
		{name: "IA Prefix length 129", build: exchange(rawAdvertise(2, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(129, 25)))))),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"IA Prefix length 129 longer than 128"}},
		{name: "relays nested 9 deep", build: exchange(nested(9)),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3", "nested deeper than 8"}},
		{name: "Server ID DUID of length 0", build: exchange(append([]byte{2, 0xab, 0xcd, 1}, cat(dopt(2, nil), dopt(1, clientDUID), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25)))))...)),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-malformed", says: []string{"Frame 3", "Server ID DUID is 0 bytes"}},
		{name: "Server ID DUID of 131 bytes", build: exchange(append([]byte{2, 0xab, 0xcd, 1}, cat(dopt(2, append([]byte{0, 4}, make([]byte, 129)...)), dopt(1, clientDUID), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25)))))...)),
			code: CodeOfferNotTaken, id: "dhcpv6-malformed", says: []string{"Frame 3", "Server ID DUID is 131 bytes, longer than 130"}},
		{name: "PD-Exclude of odd length inside the IA Prefix", build: exchange(rawAdvertise(2, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 99, dopt(67, []byte{64, 0x12, 0x34}))))))),
			// RFC 6603 PD-Exclude is not used by v6diag: the prefix is still offered.
			code: CodeOfferNotTaken},
		{name: "captive portal option of odd length", build: exchange(rawAdvertise(2, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25)))), dopt(103, []byte("http://x/")))),
			code: CodeOfferNotTaken},
		{name: "SOL_MAX_RT of 59 s", build: exchange(rawAdvertise(2, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25)))), dopt(82, []byte{0, 0, 0, 59}))),
			code: CodeOfferNotTaken},
		{name: "SOL_MAX_RT of 86401 s", build: exchange(rawAdvertise(2, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25)))), dopt(82, []byte{0, 1, 0x51, 0x81}))),
			code: CodeOfferNotTaken},
		{name: "Reply before any Request", build: func(l *lab) int {
			l.ra(managed)
			l.solicit(shape, xid(1))
			return l.server(rawAdvertise(7, xid(1), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25))))))
		}, code: CodeNoDHCPv6Reply, id: "dhcpv6-reply-without-rapid-commit", says: []string{"ignored"}},
		{name: "Advertise for another client", build: exchange(append([]byte{2, 0xab, 0xcd, 1}, cat(dopt(2, serverDUID), dopt(1, neighbourDUID), dopt(25, iaPD(dopt(26, iaPrefixBody(48, 25)))))...)),
			code: CodeNoDHCPv6Reply, id: "dhcpv6-foreign-client-id", says: []string{"ignored"}},

		{name: "RA option length 0", build: func(l *lab) int { return l.raBytes(ra(5, 0, 0, 0, 0, 0, 0, 0)) },
			code: CodeNoRouterAdvertisement, id: "ra-option-length-zero"},
		{name: "RA option length 0 first", build: func(l *lab) int {
			return l.raBytes([]byte{134, 0, 0, 0, 64, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2})
		},
			code: CodeNoRouterAdvertisement, id: "ra-option-length-zero"},
		{name: "RA source link-layer option of length 255", build: func(l *lab) int { return l.raBytes(ra(1, 255, 2, 0, 0, 0, 0, 2)) },
			code: CodeNoRouterAdvertisement, id: "ra-option-truncated"},
		{name: "RA RDNSS of even length", build: func(l *lab) int {
			return l.raBytes(ra(25, 2, 0, 0, 0, 0, 0x07, 0x08, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0))
		}, code: CodeNoDHCPv6Reply, id: "ra-option-malformed", says: []string{"RDNSS", "length is 2"}},
		{name: "RA route information /48 in length 1", build: func(l *lab) int { return l.raBytes(ra(24, 1, 48, 0, 0, 0, 0x07, 0x08)) },
			code: CodeNoDHCPv6Reply, id: "ra-option-malformed", says: []string{"route information", "prefix length 48"}},
		{name: "RA DNSSL with a compression pointer", build: func(l *lab) int {
			return l.raBytes(ra(31, 2, 0, 0, 0, 0, 0x07, 0x08, 3, 'i', 's', 'p', 0xc0, 0x10, 0, 0))
		}, code: CodeNoDHCPv6Reply, id: "ra-option-malformed", says: []string{"DNSSL"}},
		{name: "RA DNSSL pointer loop", build: func(l *lab) int {
			return l.raBytes(ra(31, 2, 0, 0, 0, 0, 0x07, 0x08, 0xc0, 0x08, 0xc0, 0x08, 0, 0, 0, 0))
		}, code: CodeNoDHCPv6Reply, id: "ra-option-malformed", says: []string{"DNSSL"}},
		{name: "RA captive portal option of odd byte length", build: func(l *lab) int {
			return l.raBytes(ra(37, 2, 'h', 't', 't', 'p', ':', '/', '/', 'x', '/', 0, 0, 0, 0, 0))
		}, code: CodeNoDHCPv6Reply},
		{name: "RA behind a Hop-by-Hop header", build: func(l *lab) int {
			return l.raw(capture.LinkTypeEthernet, ethernet(capture.MulticastMAC(allNodes), isp.mac, 0x86dd, withExtension(t, 0, goodRA, false)))
		}, code: CodeNoDHCPv6Reply},
		{name: "RA in a fragment (RFC 6980)", build: func(l *lab) int {
			return l.raw(capture.LinkTypeEthernet, ethernet(capture.MulticastMAC(allNodes), isp.mac, 0x86dd, withExtension(t, 44, goodRA, false)))
		}, code: CodeNoRouterAdvertisement, id: "ra-fragmented"},
		{name: "RA with a truncated Hop-by-Hop header", build: func(l *lab) int {
			return l.raw(capture.LinkTypeEthernet, ethernet(capture.MulticastMAC(allNodes), isp.mac, 0x86dd, withExtension(t, 0, goodRA, true)))
		}, code: CodeNoRouterAdvertisement, id: "capture-undecodable-frames", says: []string{"frame 1", "extension header 0: truncated"},
			check: func(t *testing.T, r *Result) {
				if r.Stats.DecodeErrors != 1 {
					t.Errorf("decode errors %d, want 1", r.Stats.DecodeErrors)
				}
			}},
		{name: "RA with 2000 options", build: func(l *lab) int {
			b := append([]byte(nil), goodRA...)
			for range 2000 {
				b = append(b, 99, 1, 0, 0, 0, 0, 0, 0)
			}
			return l.raBytes(b[:min(len(b), 65535-8)])
		}, code: CodeNoDHCPv6Reply},
		{name: "RA shorter than its header", build: func(l *lab) int { return l.raBytes([]byte{134, 0, 0, 0, 64, 0xc0}) },
			code: CodeNoRouterAdvertisement, id: "ra-malformed", says: []string{"Frame 1", "Router Advertisement"}},
	}
}

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// withExtension wraps an RA from the ISP router in an IPv6 packet with one
// extension header (0 Hop-by-Hop, 44 Fragment) before the ICMPv6 message;
// cut ends the packet inside that header.
func withExtension(t testing.TB, next byte, icmp []byte, cut bool) []byte {
	p, err := capture.IPv6Packet{Source: isp.ll, Destination: allNodes, HopLimit: 255, Transport: capture.TransportICMPv6, Payload: icmp}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ext := []byte{58, 0, 1, 4, 0, 0, 0, 0} // Hop-by-Hop: PadN
	if next == 44 {
		ext = []byte{58, 0, 0, 1, 0, 0, 0, 7} // Fragment: offset 0, M=1
	}
	out := append(append(append([]byte(nil), p[:40]...), ext...), p[40:]...)
	out[6] = next
	binary.BigEndian.PutUint16(out[4:6], uint16(len(out)-40))
	if cut {
		return out[:44]
	}
	return out
}

// TestHostileFrames: each input that broke another implementation, in a
// capture, ends as the right finding citing its frame — never a crash, a
// hang or a silent drop — and the verdict still follows from the rest.
// The same frames are seeds of FuzzAnalyzer (testdata/fuzz/FuzzAnalyzer/
// hostile-*; rewrite them with -update-hostile).
func TestHostileFrames(t *testing.T) {
	for _, hc := range hostileCases(t) {
		t.Run(hc.name, func(t *testing.T) {
			l := newLab(t)
			bad := hc.build(l)
			r := l.analyze(clientFacts)
			if r.Verdict.Code != hc.code {
				t.Errorf("verdict %s (%s), want %s", r.Verdict.Code, r.Verdict.Summary, hc.code)
			}
			if r.Stats.Frames != len(l.frames) {
				t.Errorf("analysed %d frames of %d", r.Stats.Frames, len(l.frames))
			}
			if hc.id != "" {
				f := finding(r, hc.id)
				if f == nil {
					t.Fatalf("no %s finding; have %v", hc.id, summaries(r))
				}
				if len(f.Frames) != 1 || f.Frames[0] != bad {
					t.Errorf("%s cites frames %v, want [%d]", hc.id, f.Frames, bad)
				}
				for _, s := range hc.says {
					if !strings.Contains(f.Summary, s) {
						t.Errorf("%s says %q; want it to contain %q", hc.id, f.Summary, s)
					}
				}
			}
			if hc.check != nil {
				hc.check(t, r)
			}
			if *updateHostile {
				dir := filepath.Join("testdata", "fuzz", "FuzzAnalyzer")
				name := "hostile-" + strings.NewReplacer(" ", "-", "(", "", ")", "", "/", "-").Replace(strings.ToLower(hc.name))
				entry := fmt.Sprintf("go test fuzz v1\nuint16(%d)\n[]byte(%q)\nbool(true)\n", capture.LinkTypeEthernet, joinFrames(l.frames))
				if err := os.WriteFile(filepath.Join(dir, name), []byte(entry), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func summaries(r *Result) []string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.ID+": "+f.Summary)
	}
	return s
}

// TestHostileFloodBounded: a flood of malformed RAs from many routers and
// of Advertises from many servers leaves the timeline capped at MaxEvents,
// counts what it dropped, and still names the right verdict.
func TestHostileFloodBounded(t *testing.T) {
	l := newLab(t)
	l.healthy(managed, shape, withPD("2001:db8:8000::/48"))
	bad := managed.marshal(t)
	bad = append(bad, 5, 0, 0, 0, 0, 0, 0, 0)
	for i := range MaxEvents + 500 {
		l.at(time.Second + time.Duration(i)*time.Microsecond)
		if i%2 == 0 {
			l.raBytes(bad)
		} else {
			l.server(rawAdvertise(2, xid(1), dopt(25, make([]byte, 4))))
		}
	}
	r := l.analyze(clientFacts)
	if r.Verdict.Code != CodeOK {
		t.Errorf("verdict %s (%s), want ok: the flood came after a healthy exchange", r.Verdict.Code, r.Verdict.Summary)
	}
	if len(r.Timeline) != MaxEvents || r.Stats.TimelineDropped != 6+500 {
		t.Errorf("timeline %d, dropped %d; want %d and %d", len(r.Timeline), r.Stats.TimelineDropped, MaxEvents, 506)
	}
	if finding(r, "capture-events-capped") == nil {
		t.Errorf("no capture-events-capped finding")
	}
	for _, f := range r.Findings {
		if len(f.Frames) > maxProblemFrames {
			t.Errorf("%s cites %d frames, more than %d", f.ID, len(f.Frames), maxProblemFrames)
		}
	}
	if len(r.Findings) > 250 {
		t.Errorf("%d findings: a flood must not make the report endless", len(r.Findings))
	}
}

// TestFloodKeepsExchange: an Advertise flood (copies of the real one) and
// an RA flood fill the timeline before the Request and its Reply arrive;
// the client's messages and the Reply still make the analysis, so the
// verdict stays ok and the dropped messages are counted.
func TestFloodKeepsExchange(t *testing.T) {
	l := newLab(t)
	l.at(0).rs()
	l.at(time.Millisecond).ra(managed)
	adv := advertise(xid(1), withPreference(255), withPD("2001:db8:8000::/48"))
	l.at(2*time.Millisecond).solicit(shape, xid(1))
	for i := range MaxEvents + 200 {
		l.at(3*time.Millisecond + time.Duration(i)*time.Microsecond)
		if i%2 == 0 {
			l.server(adv)
		} else {
			l.ra(managed)
		}
	}
	l.at(time.Second).request(xid(2), adv)
	l.at(time.Second + time.Millisecond).server(reply(xid(2), withPD("2001:db8:8000::/48")))
	r := l.analyze(clientFacts)
	if r.Verdict.Code != CodeOK {
		t.Errorf("verdict %s (%s); want ok: the flood must not hide the Reply", r.Verdict.Code, r.Verdict.Summary)
	}
	if r.Stats.TimelineDropped != 203 || len(r.Timeline) != MaxEvents+2 {
		t.Errorf("dropped %d, timeline %d; want 203 dropped and the Request and Reply kept past %d", r.Stats.TimelineDropped, len(r.Timeline), MaxEvents)
	}
	if finding(r, "capture-events-capped") == nil {
		t.Errorf("no capture-events-capped finding")
	}
}

// TestFloodKeepsChosenServer: a flood of Advertise copies from one server
// fills the kept events before a second server's single Advertise — the one
// the client chooses — arrives. That Advertise is kept, so the Request is
// matched to it and the exchange reads as the success it was.
func TestFloodKeepsChosenServer(t *testing.T) {
	l := newLab(t)
	l.at(0).rs()
	l.at(time.Millisecond).ra(managed)
	l.at(2*time.Millisecond).solicit(shape, xid(1))
	copies := advertise(xid(1), withPreference(1), withPD("2001:db8:9000::/48"))
	for i := range MaxEvents + 200 {
		l.at(3*time.Millisecond + time.Duration(i)*time.Microsecond).server(copies)
	}
	chosen := advertise(xid(1), withServerID(otherServerDUID), withPreference(255), withPD("2001:db8:8000::/48"))
	chosenFrame := l.at(200 * time.Millisecond).server(chosen)
	l.at(250 * time.Millisecond).server(chosen) // a copy of it is a duplicate, not reserved
	l.at(time.Second).request(xid(2), chosen)
	l.at(time.Second + time.Millisecond).server(reply(xid(2), withServerID(otherServerDUID), withPD("2001:db8:8000::/48")))
	r := l.analyze(clientFacts)
	if r.Verdict.Code != CodeOK {
		t.Errorf("verdict %s (%s); want ok: the flood must not hide the chosen Advertise", r.Verdict.Code, r.Verdict.Summary)
	}
	if !slices.ContainsFunc(r.Timeline, func(e Event) bool { return e.Frame == chosenFrame }) {
		t.Errorf("the chosen server's Advertise (frame %d) was dropped from the timeline", chosenFrame)
	}
	// RS, RA and Solicit take three places: 2200-1997 copies and the
	// duplicate of the chosen Advertise are dropped.
	if r.Stats.TimelineDropped != 204 {
		t.Errorf("dropped %d; want 204 (the flood's copies past the cap and the chosen Advertise's duplicate)", r.Stats.TimelineDropped)
	}
}

// TestRoutersCapped: RAs from thousands of forged routers list only
// MaxRouters of them (the first, the real one among them), count the rest
// in a finding, and leave the verdict to the exchange.
func TestRoutersCapped(t *testing.T) {
	l := newLab(t)
	l.healthy(managed, shape, withPD("2001:db8:8000::/48"))
	// As many as the analysis keeps (MaxEvents), so every one is counted.
	const forged = MaxEvents - 100
	for i := range forged {
		fake := host{net.HardwareAddr{0x02, 0xf0, 0, 0, byte(i >> 8), byte(i)}, netip.AddrFrom16([16]byte{0xfe, 0x80, 13: 1, 14: byte(i >> 8), 15: byte(i)})}
		l.at(time.Second).ip(fake, nil, capture.IPv6Packet{Destination: allNodes, Transport: capture.TransportICMPv6, Payload: managed.marshal(t)})
	}
	r := l.analyze(clientFacts)
	if r.Verdict.Code != CodeOK {
		t.Errorf("verdict %s (%s); want ok", r.Verdict.Code, r.Verdict.Summary)
	}
	if len(r.Routers) != MaxRouters || r.Routers[0].Source != isp.ll || r.Stats.RoutersNotListed != forged-MaxRouters+1 {
		t.Errorf("%d routers (first %s), %d not listed; want %d with %s first and %d counted",
			len(r.Routers), r.Routers[0].Source, r.Stats.RoutersNotListed, MaxRouters, isp.ll, forged-MaxRouters+1)
	}
	f := finding(r, "ra-routers-capped")
	if f == nil || !strings.Contains(f.Summary, fmt.Sprint(forged-MaxRouters+1)) {
		t.Errorf("ra-routers-capped finding %+v; want it to count the routers not listed", f)
	}
	if len(r.Findings) > 100 {
		t.Errorf("%d findings; a flood of routers must not make one per router", len(r.Findings))
	}
}
