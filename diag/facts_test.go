package diag

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

func TestAnswered(t *testing.T) {
	at := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	r := &Result{Timeline: []Event{
		{Kind: KindRouterSolicitation, Direction: DirectionOut, Offset: at(0)},
		{Kind: KindRouterAdvertisement, Direction: DirectionIn, Offset: at(3.9)},
		{Kind: KindRouterSolicitation, Direction: DirectionOut, Offset: at(10)},
		{Kind: KindRouterAdvertisement, Direction: DirectionIn, Offset: at(14.5)},
		{Kind: "Solicit", Direction: DirectionOut, TransactionID: "aa"},
		{Kind: "Advertise", Direction: DirectionIn, TransactionID: "aa"},
		{Kind: "Request", Direction: DirectionOut, TransactionID: "bb"},
		{Kind: "Reply", Direction: DirectionIn, TransactionID: "bb", Ignored: "wrong client"},
	}}
	want := []bool{true, false, false, false, true, false, false, false}
	if d := cmp.Diff(want, r.Answered()); d != "" {
		t.Errorf("Answered (-want +got):\n%s", d)
	}
}

func TestRAInterval(t *testing.T) {
	src := netip.MustParseAddr("fe80::1")
	ra := &ndp.RouterAdvertisement{}
	r := &Result{}
	for _, s := range []time.Duration{0, 10, 30, 40} {
		r.Timeline = append(r.Timeline, Event{Kind: KindRouterAdvertisement, RA: ra, Source: src, Offset: s * time.Second})
	}
	// Gaps 10, 20, 10: the median is 10 s.
	if got, ok := r.RAInterval(src); !ok || got != 10*time.Second {
		t.Errorf("RAInterval = %v, %v; want 10s, true", got, ok)
	}
	if _, ok := r.RAInterval(netip.MustParseAddr("fe80::2")); ok {
		t.Error("RAInterval of a silent router is set")
	}
}

func TestStatusCodesSayWhere(t *testing.T) {
	pfx := netip.MustParsePrefix("2001:db8::/56")
	m := &dhcpv6.Message{Type: dhcpv6.MessageTypeReply, Status: &dhcpv6.Status{Code: 0},
		IAPD: []dhcpv6.IA{{IAID: [4]byte{0, 0, 0, 1}, Status: &dhcpv6.Status{Code: dhcpv6.StatusNoPrefixAvail},
			Prefixes: []dhcpv6.IAPrefix{{Prefix: pfx, Status: &dhcpv6.Status{Code: 1, Message: "x"}}}}}}
	r := &Result{Timeline: []Event{{Frame: 7, Direction: DirectionIn, DHCP: m}, {Frame: 8, Direction: DirectionOut, DHCP: m}}}
	var got []string
	for _, s := range r.StatusCodes() {
		got = append(got, s.Where)
	}
	if d := cmp.Diff([]string{"message", "IA_PD 00000001", "2001:db8::/56"}, got); d != "" {
		t.Errorf("StatusCodes places (-want +got):\n%s", d)
	}
}

func TestCheckClock(t *testing.T) {
	first := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &Result{Stats: Stats{First: first}}
	built := first.Add(72 * time.Hour)
	if c := r.CheckClock(ClockEvidence{Live: false, Built: built}); c.Suspect {
		t.Errorf("an offline capture is judged by the build date: %+v", c)
	}
	c := r.CheckClock(ClockEvidence{Live: true, Built: built})
	if !c.Suspect || c.BehindAtLeast != 72*time.Hour {
		t.Errorf("CheckClock = %+v; want suspect, 72h behind", c)
	}
}
