package dhcpv6

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	idhcp "github.com/insomniacslk/dhcp/dhcpv6"
)

// DefaultRequestedOptions is the ORO v6diag sends when a RequestShape
// leaves RequestedOptions nil: DNS servers (23), domain list (24) and
// SOL_MAX_RT (82), which RFC 8415 §18.2.1 says a Solicit must request.
var DefaultRequestedOptions = []uint16{23, 24, 82}

// RequestShape is what a Solicit or Request asks for, in one value so a
// strategy ladder can vary it (PD-only, no hint, /56 hint, Rapid Commit…).
type RequestShape struct {
	IANA bool
	IAPD bool
	// PrefixLength is the IA Prefix hint ::/N put inside the IA_PD
	// (RFC 8415 §18.2.1); 0 sends the IA_PD with no IA Prefix option.
	PrefixLength      int
	RapidCommit       bool
	ReconfigureAccept bool
	// RequestedOptions is the ORO. nil means DefaultRequestedOptions; an
	// empty non-nil slice sends no ORO at all.
	RequestedOptions []uint16
}

// Identity is who v6diag claims to be: its DUID, and the one IAID used for
// both the IA_NA and the IA_PD.
type Identity struct {
	DUID DUID
	IAID [4]byte
}

// ErrNothingOffered is returned by NewRequest when the Advertise holds no
// address or prefix for an IA we asked for, and by NewRelease when there is
// nothing to release.
var ErrNothingOffered = errors.New("dhcpv6: no addresses or prefixes to carry")

// maxElapsed is the largest Elapsed Time: 0xffff hundredths of a second
// (RFC 8415 §21.9).
const maxElapsed = 0xffff * 10 * time.Millisecond

func (id Identity) validate() error {
	if len(id.DUID) < 3 || len(id.DUID) > maxDUIDLen {
		return fmt.Errorf("dhcpv6: client DUID is %d bytes, want 3 to %d", len(id.DUID), maxDUIDLen)
	}
	return nil
}

func (s RequestShape) validate() error {
	if !s.IANA && !s.IAPD {
		return errors.New("dhcpv6: request shape asks for neither IA_NA nor IA_PD")
	}
	if s.PrefixLength < 0 || s.PrefixLength > 128 {
		return fmt.Errorf("dhcpv6: prefix length hint %d outside 0..128", s.PrefixLength)
	}
	return nil
}

func (s RequestShape) oro() []uint16 {
	if s.RequestedOptions == nil {
		return DefaultRequestedOptions
	}
	return s.RequestedOptions
}

// duidOption wraps our raw DUID for insomniacslk without reinterpreting it:
// DUIDOpaque writes the type code and the rest back byte for byte.
func duidOption(d DUID) idhcp.DUID {
	return &idhcp.DUIDOpaque{Type: idhcp.DUIDType(d.Type()), Data: d[2:]}
}

// elapsedOption clamps e to what the 16-bit field holds; insomniacslk
// would wrap it.
func elapsedOption(e time.Duration) idhcp.Option {
	e = min(max(e, 0), maxElapsed)
	return idhcp.OptElapsedTime(e)
}

func codes(c []uint16) []idhcp.OptionCode {
	out := make([]idhcp.OptionCode, len(c))
	for i, v := range c {
		out[i] = idhcp.OptionCode(v)
	}
	return out
}

// newMessage starts a client message with the options every one carries:
// Client ID and Elapsed Time (RFC 8415 §18.2).
func newMessage(t MessageType, xid TransactionID, id Identity, elapsed time.Duration) *idhcp.Message {
	m := &idhcp.Message{MessageType: idhcp.MessageType(t), TransactionID: idhcp.TransactionID(xid)}
	m.AddOption(idhcp.OptClientID(duidOption(id.DUID)))
	m.AddOption(elapsedOption(elapsed))
	return m
}

func addShapeOptions(m *idhcp.Message, s RequestShape) {
	if oro := s.oro(); len(oro) > 0 {
		m.AddOption(idhcp.OptRequestedOption(codes(oro)...))
	}
	if s.ReconfigureAccept {
		m.AddOption(&idhcp.OptionGeneric{OptionCode: idhcp.OptionReconfAccept})
	}
}

// iaNA converts an IA to insomniacslk's IA_NA. Client messages send T1, T2
// and lifetimes as 0 (RFC 8415 §21.4, §21.6).
func iaNA(ia IA) *idhcp.OptIANA {
	o := &idhcp.OptIANA{IaId: ia.IAID}
	for _, a := range ia.Addresses {
		o.Options.Add(&idhcp.OptIAAddress{IPv6Addr: net.IP(a.Address.AsSlice())})
	}
	return o
}

// iaPD converts an IA to insomniacslk's IA_PD, with zero T1, T2 and
// lifetimes (RFC 8415 §21.21, §21.22).
func iaPD(ia IA) *idhcp.OptIAPD {
	o := &idhcp.OptIAPD{IaId: ia.IAID}
	for _, p := range ia.Prefixes {
		o.Options.Add(iaPrefixOption(p))
	}
	return o
}

func iaPrefixOption(p IAPrefix) *idhcp.OptIAPrefix {
	// The address goes out as the server sent it, bits past the length
	// included; insomniacslk does not mask it.
	return &idhcp.OptIAPrefix{Prefix: &net.IPNet{
		IP:   net.IP(p.Prefix.Addr().AsSlice()),
		Mask: net.CIDRMask(p.Prefix.Bits(), 128),
	}}
}

// NewSolicit builds a Solicit (RFC 8415 §18.2.1): Client ID, Elapsed Time,
// ORO, optionally Rapid Commit and Reconfigure Accept, then an empty IA_NA
// and/or an IA_PD with the prefix-length hint, as shape says. Unlike
// insomniacslk's NewSolicit it can leave the IA_NA out (PD-only).
func NewSolicit(id Identity, shape RequestShape, xid TransactionID, elapsed time.Duration) ([]byte, error) {
	if err := id.validate(); err != nil {
		return nil, err
	}
	if err := shape.validate(); err != nil {
		return nil, err
	}
	m := newMessage(MessageTypeSolicit, xid, id, elapsed)
	addShapeOptions(m, shape)
	if shape.RapidCommit {
		m.AddOption(&idhcp.OptionGeneric{OptionCode: idhcp.OptionRapidCommit})
	}
	if shape.IANA {
		m.AddOption(iaNA(IA{IAID: id.IAID}))
	}
	if shape.IAPD {
		pd := IA{IAID: id.IAID}
		if shape.PrefixLength > 0 {
			pd.Prefixes = []IAPrefix{{Prefix: netip.PrefixFrom(netip.IPv6Unspecified(), shape.PrefixLength)}}
		}
		o := iaPD(pd)
		m.AddOption(o)
	}
	return m.ToBytes(), nil
}

// offeredLeases returns the addresses and prefixes of ia that carry no
// error status; with needLifetime, also a non-zero valid lifetime (a lease
// with valid lifetime 0 is one the server withdraws).
func offeredLeases(ia IA, needLifetime bool) IA {
	out := IA{IAID: ia.IAID, T1: ia.T1, T2: ia.T2, Status: ia.Status}
	for _, a := range ia.Addresses {
		if a.Status.ok() && (!needLifetime || a.ValidLifetime > 0) {
			out.Addresses = append(out.Addresses, a)
		}
	}
	for _, p := range ia.Prefixes {
		if p.Status.ok() && (!needLifetime || p.ValidLifetime > 0) {
			out.Prefixes = append(out.Prefixes, p)
		}
	}
	return out
}

// Offered returns the IA_NAs and IA_PDs of an Advertise that a Request
// built from it would carry: those for our IAID, of a kind shape asks for,
// and holding at least one address or prefix without an error status.
func Offered(adv *Message, id Identity, shape RequestShape) (na, pd []IA) {
	if adv == nil {
		return nil, nil
	}
	if shape.IANA {
		for _, ia := range adv.IANA {
			if o := offeredLeases(ia, false); ia.IAID == id.IAID && ia.Status.ok() && len(o.Addresses) > 0 {
				na = append(na, o)
			}
		}
	}
	if shape.IAPD {
		for _, ia := range adv.IAPD {
			if o := offeredLeases(ia, false); ia.IAID == id.IAID && ia.Status.ok() && len(o.Prefixes) > 0 {
				pd = append(pd, o)
			}
		}
	}
	return na, pd
}

// NewRequest builds the Request for an Advertise (RFC 8415 §18.2.2): the
// Advertise's Server ID, and the IAs it offered (see Offered) with their
// addresses and prefixes as hints. An Advertise offering only an IA_PD gives
// a PD-only Request, which insomniacslk's NewRequestFromAdvertise cannot
// build. It fails with ErrNothingOffered if no IA qualifies.
func NewRequest(id Identity, shape RequestShape, xid TransactionID, elapsed time.Duration, advertise *Message) ([]byte, error) {
	if err := id.validate(); err != nil {
		return nil, err
	}
	if err := shape.validate(); err != nil {
		return nil, err
	}
	if advertise == nil {
		return nil, errors.New("dhcpv6: no Advertise to build a Request from")
	}
	if len(advertise.ServerID) == 0 {
		return nil, errors.New("dhcpv6: Advertise has no Server ID")
	}
	na, pd := Offered(advertise, id, shape)
	if len(na) == 0 && len(pd) == 0 {
		return nil, fmt.Errorf("%w: Advertise %s offers none for IAID %x", ErrNothingOffered, advertise.TransactionID, id.IAID)
	}
	m := newMessage(MessageTypeRequest, xid, id, elapsed)
	m.AddOption(idhcp.OptServerID(duidOption(advertise.ServerID)))
	addShapeOptions(m, shape)
	for _, ia := range na {
		m.AddOption(iaNA(ia))
	}
	for _, ia := range pd {
		m.AddOption(iaPD(ia))
	}
	return m.ToBytes(), nil
}

// NewRelease builds a Release (RFC 8415 §18.2.7) to the server serverID for
// the leases in obtained (IA_NAs) and obtainedPD (IA_PDs). Only IAs holding
// an address or prefix go in, each with exactly those leases, lifetimes 0.
func NewRelease(id Identity, xid TransactionID, elapsed time.Duration, serverID DUID, obtained []IA, obtainedPD []IA) ([]byte, error) {
	if err := id.validate(); err != nil {
		return nil, err
	}
	if len(serverID) < 2 {
		return nil, errors.New("dhcpv6: Release needs the server's DUID")
	}
	m := newMessage(MessageTypeRelease, xid, id, elapsed)
	m.AddOption(idhcp.OptServerID(duidOption(serverID)))
	n := 0
	for _, ia := range obtained {
		if len(ia.Addresses) > 0 {
			m.AddOption(iaNA(IA{IAID: ia.IAID, Addresses: ia.Addresses}))
			n++
		}
	}
	for _, ia := range obtainedPD {
		if len(ia.Prefixes) > 0 {
			m.AddOption(iaPD(IA{IAID: ia.IAID, Prefixes: ia.Prefixes}))
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: nothing obtained to release", ErrNothingOffered)
	}
	return m.ToBytes(), nil
}
