package dhcpv6

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"

	idhcp "github.com/insomniacslk/dhcp/dhcpv6"
)

// odhcp6cShape is what odhcp6c sends by default with reqprefix '48'.
func odhcp6cShape() RequestShape {
	return RequestShape{IANA: true, IAPD: true, PrefixLength: 48, ReconfigureAccept: true,
		ClientFQDN: "OpenWrt", RequestedOptions: OdhcpcRequestedOptions}
}

// rawOptions walks the top-level options of a client message (after the
// 4-byte header) and returns their bodies by code, independent of Parse.
func rawOptions(t *testing.T, b []byte) map[OptionCode][][]byte {
	t.Helper()
	out := map[OptionCode][][]byte{}
	for b = b[4:]; len(b) > 0; {
		if len(b) < 4 {
			t.Fatalf("truncated option header %x", b)
		}
		code, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+n {
			t.Fatalf("option %d runs past the message", code)
		}
		out[OptionCode(code)] = append(out[OptionCode(code)], b[4:4+n])
		b = b[4+n:]
	}
	return out
}

// The first rung of the ladder must look like odhcp6c's Solicit: Client
// FQDN with flags 0 and the host name fully qualified, Reconfigure Accept,
// and odhcp6c's ORO — checked with insomniacslk as an independent decoder.
func TestSolicitLikeOdhcp6c(t *testing.T) {
	id := testIdentity()
	b, err := NewSolicit(id, odhcp6cShape(), TransactionID{1, 2, 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := crossDecode(t, b)
	fqdn := m.Options.FQDN()
	if fqdn == nil {
		t.Fatalf("no Client FQDN option in %s", m.Summary())
	}
	if fqdn.Flags != 0 || len(fqdn.DomainName.Labels) != 1 || fqdn.DomainName.Labels[0] != "OpenWrt" {
		t.Errorf("Client FQDN flags %d name %v; want 0 and OpenWrt", fqdn.Flags, fqdn.DomainName.Labels)
	}
	raw := rawOptions(t, b)
	if got, want := raw[OptionClientFQDN][0], []byte("\x00\x07OpenWrt\x00"); !bytes.Equal(got, want) {
		t.Errorf("Client FQDN body %q, want %q (flags 0, root label, as dn_comp writes it)", got, want)
	}
	if m.GetOneOption(idhcp.OptionReconfAccept) == nil {
		t.Error("no Reconfigure Accept")
	}
	var oro []OptionCode
	for _, c := range m.Options.RequestedOptions() {
		oro = append(oro, OptionCode(c))
	}
	if !slices.Equal(oro, OdhcpcRequestedOptions) {
		t.Errorf("ORO %v, want odhcp6c's %v", oro, OdhcpcRequestedOptions)
	}
	if len(m.Options.IANA()) != 1 || len(m.Options.IAPD()) != 1 {
		t.Errorf("IAs %s; want one IA_NA and one IA_PD", m.Summary())
	}
}

// Dropping FQDN and Reconfigure Accept (netifd's noclientfqdn and
// noacceptreconfig) removes exactly those options.
func TestSolicitWithoutFQDNAndReconfigureAccept(t *testing.T) {
	s := odhcp6cShape()
	s.ClientFQDN, s.ReconfigureAccept = "", false
	b, err := NewSolicit(testIdentity(), s, TransactionID{1, 2, 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawOptions(t, crossDecode(t, b).ToBytes())
	if _, ok := raw[OptionClientFQDN]; ok {
		t.Error("Client FQDN sent though the shape has none")
	}
	if _, ok := raw[OptionReconfAccept]; ok {
		t.Error("Reconfigure Accept sent though the shape has none")
	}
	if _, ok := raw[OptionORO]; !ok {
		t.Error("ORO missing")
	}
}

// An ISP profile's extra options go into the Solicit as insomniacslk reads
// them (TestClientRequestKeepsShapeOptions checks the Request).
func TestExtraOptionsInSolicit(t *testing.T) {
	shape := odhcp6cShape()
	shape.Extra = []ExtraOption{VendorClass(4491, []byte("docsis3.0")), UserClass([]byte("FTTH"), []byte("v6"))}
	b, err := NewSolicit(testIdentity(), shape, TransactionID{9, 9, 9}, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := crossDecode(t, b)
	vc, ok := m.GetOneOption(idhcp.OptionVendorClass).(*idhcp.OptVendorClass)
	if !ok || vc.EnterpriseNumber != 4491 || len(vc.Data) != 1 || string(vc.Data[0]) != "docsis3.0" {
		t.Errorf("vendor class %+v in %s", vc, m.Summary())
	}
	uc, ok := m.GetOneOption(idhcp.OptionUserClass).(*idhcp.OptUserClass)
	if !ok || len(uc.UserClasses) != 2 || string(uc.UserClasses[0]) != "FTTH" {
		t.Errorf("user class %+v", uc)
	}
}

// The Request a Client builds from an Advertise repeats the shape's FQDN,
// Reconfigure Accept and extra options, as odhcp6c's Request does.
func TestClientRequestKeepsShapeOptions(t *testing.T) {
	shape := odhcp6cShape()
	shape.Extra = []ExtraOption{UserClass([]byte("FTTH")), VendorClass(4491, []byte("x"))}
	c := newTestClient(func(cfg *ClientConfig) { cfg.Shape = shape })
	mustParse(t, c.Start(t0), MessageTypeSolicit)
	id := c.cfg.Identity
	now := t0.Add(100 * time.Millisecond)
	c.Receive(now, answer(c, MessageTypeAdvertise, serverDUID, nil, []IA{naLease(id.IAID, "2001:db8::5")}, []IA{pdLease(id.IAID, "2001:db8:100::/48")}))
	out := c.Tick(c.Deadline())
	mustParse(t, out, MessageTypeRequest)
	raw := rawOptions(t, out[0].Payload)
	for _, code := range []OptionCode{OptionClientFQDN, OptionReconfAccept, OptionUserClass, OptionVendorClass, OptionORO} {
		if _, ok := raw[code]; !ok {
			t.Errorf("Request lacks option %d", code)
		}
	}
}

func TestShapeOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape RequestShape
		want  string
	}{
		{"label too long", RequestShape{IAPD: true, ClientFQDN: strings.Repeat("a", 64)}, "Client FQDN"},
		{"empty label", RequestShape{IAPD: true, ClientFQDN: "a..b"}, "Client FQDN"},
		{"managed option", RequestShape{IAPD: true, Extra: []ExtraOption{{Code: OptionRapidCommit}}}, "builds itself"},
		{"too long", RequestShape{IAPD: true, Extra: []ExtraOption{{Code: 16, Body: make([]byte, 70000)}}}, "longer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSolicit(testIdentity(), tc.shape, TransactionID{}, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one containing %q", err, tc.want)
			}
		})
	}
}
