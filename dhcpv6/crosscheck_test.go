package dhcpv6

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	idhcp "github.com/insomniacslk/dhcp/dhcpv6"
)

// The tests in this file decode what NewSolicit, NewRequest and NewRelease
// encode with insomniacslk/dhcp, an independent implementation that the
// binary no longer links: if our encoder and our parser shared a
// misreading of RFC 8415 §21, the round trip through Parse would not catch
// it, but this would.

// crossDecode parses b with insomniacslk and checks that it re-encodes to
// exactly b: every option was understood, with nothing left over.
func crossDecode(t *testing.T, b []byte) *idhcp.Message {
	t.Helper()
	m, err := idhcp.MessageFromBytes(b)
	if err != nil {
		t.Fatalf("insomniacslk cannot decode %x: %v", b, err)
	}
	if again := m.ToBytes(); !bytes.Equal(again, b) {
		t.Fatalf("insomniacslk re-encodes differently\nours %x\ntheirs %x\n%s", b, again, m.Summary())
	}
	return m
}

// crossIA is what insomniacslk read from one IA option.
type crossIA struct {
	iaid   [4]byte
	t1, t2 time.Duration
	leases []string // addresses or prefixes in CIDR form
	lives  []time.Duration
}

func crossIAs(t *testing.T, m *idhcp.Message) (na, pd []crossIA) {
	t.Helper()
	for _, o := range m.Options.IANA() {
		c := crossIA{iaid: o.IaId, t1: o.T1, t2: o.T2}
		for _, a := range o.Options.Addresses() {
			c.leases = append(c.leases, a.IPv6Addr.String())
			c.lives = append(c.lives, a.PreferredLifetime, a.ValidLifetime)
		}
		na = append(na, c)
	}
	for _, o := range m.Options.IAPD() {
		c := crossIA{iaid: o.IaId, t1: o.T1, t2: o.T2}
		for _, p := range o.Options.Prefixes() {
			ones, _ := p.Prefix.Mask.Size()
			c.leases = append(c.leases, netip.PrefixFrom(netip.AddrFrom16([16]byte(p.Prefix.IP.To16())), ones).String())
			c.lives = append(c.lives, p.PreferredLifetime, p.ValidLifetime)
		}
		pd = append(pd, c)
	}
	return na, pd
}

func TestCrossCheckSolicit(t *testing.T) {
	id := Identity{DUID: StableDUID(testMAC), IAID: [4]byte{0xde, 0xad, 0xbe, 0xef}, PDIAID: [4]byte{0xde, 0xad, 0xbe, 0xef}}
	xid := TransactionID{0xab, 0xcd, 0xef}
	tests := []struct {
		name    string
		shape   RequestShape
		elapsed time.Duration
		// want
		elapsedHundredths uint16
		oro               []uint16
		na, pd            []crossIA
	}{
		{
			name:  "IA_NA and IA_PD /48 hint, both flags",
			shape: RequestShape{IANA: true, IAPD: true, PrefixLength: 48, RapidCommit: true, ReconfigureAccept: true},
			// 1.234 s is 123.4 hundredths: rounded to 123.
			elapsed: 1234 * time.Millisecond, elapsedHundredths: 123,
			oro: []uint16{23, 24, 82},
			na:  []crossIA{{iaid: id.IAID}},
			pd:  []crossIA{{iaid: id.IAID, leases: []string{"::/48"}, lives: []time.Duration{0, 0}}},
		},
		{
			name:    "PD-only without hint, empty ORO, elapsed past the field clamped",
			shape:   RequestShape{IAPD: true, RequestedOptions: []OptionCode{}},
			elapsed: 24 * time.Hour, elapsedHundredths: 0xffff,
			pd: []crossIA{{iaid: id.IAID}},
		},
		{
			name:    "IA_NA only, negative elapsed, custom ORO",
			shape:   RequestShape{IANA: true, RequestedOptions: []OptionCode{23, 64, 82, 0xffff}},
			elapsed: -time.Second, elapsedHundredths: 0,
			oro: []uint16{23, 64, 82, 0xffff},
			na:  []crossIA{{iaid: id.IAID}},
		},
		{
			name:  "hint /128",
			shape: RequestShape{IAPD: true, PrefixLength: 128},
			oro:   []uint16{23, 24, 82},
			pd:    []crossIA{{iaid: id.IAID, leases: []string{"::/128"}, lives: []time.Duration{0, 0}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewSolicit(id, tt.shape, xid, tt.elapsed)
			if err != nil {
				t.Fatal(err)
			}
			m := crossDecode(t, b)
			if m.MessageType != idhcp.MessageTypeSolicit || m.TransactionID != idhcp.TransactionID(xid) {
				t.Errorf("header: type %v xid %v, want SOLICIT %v", m.MessageType, m.TransactionID, xid)
			}
			checkClientAndElapsed(t, m, id, tt.elapsedHundredths)
			var oro []uint16
			for _, c := range m.Options.RequestedOptions() {
				oro = append(oro, uint16(c))
			}
			if !slices.Equal(oro, tt.oro) {
				t.Errorf("ORO %v, want %v", oro, tt.oro)
			}
			if got := m.GetOneOption(idhcp.OptionRapidCommit) != nil; got != tt.shape.RapidCommit {
				t.Errorf("Rapid Commit present %v, want %v", got, tt.shape.RapidCommit)
			}
			if got := m.GetOneOption(idhcp.OptionReconfAccept) != nil; got != tt.shape.ReconfigureAccept {
				t.Errorf("Reconfigure Accept present %v, want %v", got, tt.shape.ReconfigureAccept)
			}
			na, pd := crossIAs(t, m)
			checkIAs(t, "IA_NA", na, tt.na)
			checkIAs(t, "IA_PD", pd, tt.pd)
		})
	}
}

func TestCrossCheckRequestAndRelease(t *testing.T) {
	id := Identity{DUID: DUIDLL(net.HardwareAddr{0, 0x11, 0x22, 0x33, 0x44, 0x55}), IAID: [4]byte{0, 0, 0, 1}, PDIAID: [4]byte{0, 0, 0, 1}}
	server := DUID(mustHex(t, "0001 0001 1c3825e8 080027d410bb")) // DUID-LLT
	// The offered prefix has bits past /56 set: the Request repeats them.
	offeredPrefix := netip.PrefixFrom(netip.MustParseAddr("2001:db8:100:ff::1"), 56)
	adv := &Message{
		Type: MessageTypeAdvertise, ServerID: server,
		IANA: []IA{{IAID: id.IAID, T1: time.Hour, T2: 2 * time.Hour, Addresses: []IAAddress{
			{Address: netip.MustParseAddr("2001:db8::a"), PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour},
			{Address: netip.MustParseAddr("2001:db8::b"), PreferredLifetime: time.Hour, ValidLifetime: 2 * time.Hour},
		}}},
		IAPD: []IA{{IAID: id.IAID, T1: time.Hour, Prefixes: []IAPrefix{
			{Prefix: offeredPrefix, PreferredLifetime: time.Hour, ValidLifetime: Infinity},
		}}},
	}
	shape := RequestShape{IANA: true, IAPD: true, PrefixLength: 56, ReconfigureAccept: true}
	// A Request repeats the offered lifetimes as hints (as odhcp6c does);
	// a Release sends them as 0.
	wantNA := []crossIA{{iaid: id.IAID, leases: []string{"2001:db8::a", "2001:db8::b"}, lives: make([]time.Duration, 4)}}
	wantPD := []crossIA{{iaid: id.IAID, leases: []string{"2001:db8:100:ff::1/56"}, lives: make([]time.Duration, 2)}}
	hintNA := []crossIA{{iaid: id.IAID, leases: wantNA[0].leases, lives: []time.Duration{time.Hour, 2 * time.Hour, time.Hour, 2 * time.Hour}}}
	hintPD := []crossIA{{iaid: id.IAID, leases: wantPD[0].leases, lives: []time.Duration{time.Hour, Infinity}}}

	t.Run("Request", func(t *testing.T) {
		b, err := NewRequest(id, shape, TransactionID{1, 2, 3}, 10*time.Millisecond, adv)
		if err != nil {
			t.Fatal(err)
		}
		m := crossDecode(t, b)
		if m.MessageType != idhcp.MessageTypeRequest {
			t.Errorf("type %v, want REQUEST", m.MessageType)
		}
		checkClientAndElapsed(t, m, id, 1)
		checkServer(t, m, server)
		if m.GetOneOption(idhcp.OptionReconfAccept) == nil {
			t.Error("Reconfigure Accept missing")
		}
		na, pd := crossIAs(t, m)
		checkIAs(t, "IA_NA", na, hintNA)
		checkIAs(t, "IA_PD", pd, hintPD)
	})
	t.Run("Release", func(t *testing.T) {
		b, err := NewRelease(id, TransactionID{4, 5, 6}, 0, server, adv.IANA, adv.IAPD)
		if err != nil {
			t.Fatal(err)
		}
		m := crossDecode(t, b)
		if m.MessageType != idhcp.MessageTypeRelease {
			t.Errorf("type %v, want RELEASE", m.MessageType)
		}
		checkClientAndElapsed(t, m, id, 0)
		checkServer(t, m, server)
		if m.GetOneOption(idhcp.OptionORO) != nil {
			t.Error("Release carries an ORO; RFC 8415 §18.2.7 lists none")
		}
		na, pd := crossIAs(t, m)
		checkIAs(t, "IA_NA", na, wantNA)
		checkIAs(t, "IA_PD", pd, wantPD)
	})
}

func checkClientAndElapsed(t *testing.T, m *idhcp.Message, id Identity, hundredths uint16) {
	t.Helper()
	cid := m.Options.ClientID()
	if cid == nil {
		t.Fatal("no Client ID")
	}
	if got := cid.ToBytes(); !bytes.Equal(got, id.DUID) {
		t.Errorf("Client ID %x, want %x", got, []byte(id.DUID))
	}
	if got, want := m.Options.ElapsedTime(), time.Duration(hundredths)*10*time.Millisecond; got != want {
		t.Errorf("Elapsed Time %v, want %v", got, want)
	}
}

func checkServer(t *testing.T, m *idhcp.Message, want DUID) {
	t.Helper()
	sid := m.Options.ServerID()
	if sid == nil {
		t.Fatal("no Server ID")
	}
	if got := sid.ToBytes(); !bytes.Equal(got, want) {
		t.Errorf("Server ID %x, want %x", got, []byte(want))
	}
}

func checkIAs(t *testing.T, kind string, got, want []crossIA) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d options, want %d: %+v", kind, len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.iaid != w.iaid || g.t1 != 0 || g.t2 != 0 || !slices.Equal(g.leases, w.leases) || !slices.Equal(g.lives, w.lives) {
			t.Errorf("%s %d: got %+v, want %+v (T1 and T2 0)", kind, i, g, w)
		}
	}
}
