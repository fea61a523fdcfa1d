package dhcpv6

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/v6diag/v6diag/dhcpv6/options"
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
	// ClientFQDN, when not empty, is the host name sent in a Client FQDN
	// option (RFC 4704), as odhcp6c does unless netifd's noclientfqdn is
	// set (client_shape.go).
	ClientFQDN string
	// Extra are options an ISP profile needs in every Solicit and Request
	// (vendor class, user class, …; client_shape.go).
	Extra []ExtraOption
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
	return s.validateClientOptions()
}

func (s RequestShape) oro() []uint16 {
	if s.RequestedOptions == nil {
		return DefaultRequestedOptions
	}
	return s.RequestedOptions
}

// newMessage starts a client message with the header (RFC 8415 §8) and the
// options every one carries: Client ID (§21.2) and Elapsed Time (§21.9).
func newMessage(t MessageType, xid TransactionID, id Identity, elapsed time.Duration) *options.Encoder {
	e := options.NewEncoder([]byte{byte(t), xid[0], xid[1], xid[2]})
	e.Option(optClientID, id.DUID)
	e.Option(optElapsedTime, elapsedBody(elapsed))
	return e
}

// elapsedBody is the Elapsed Time in hundredths of a second, rounded and
// clamped to what the 16-bit field holds rather than wrapped (§21.9).
func elapsedBody(e time.Duration) []byte {
	e = min(max(e, 0), maxElapsed)
	return binary.BigEndian.AppendUint16(nil, uint16(e.Round(10*time.Millisecond)/(10*time.Millisecond)))
}

func addShapeOptions(e *options.Encoder, s RequestShape) {
	if oro := s.oro(); len(oro) > 0 {
		e.Uint16s(optORO, oro)
	}
	if s.ReconfigureAccept {
		e.Empty(optReconfAccept)
	}
	addClientOptions(e, s)
}

// iaBody starts an IA_NA or IA_PD body: IAID, then T1 and T2, which a
// client sends as 0 (RFC 8415 §21.4, §21.21).
func iaBody(iaid [4]byte) *options.Encoder {
	return options.NewEncoder(append(iaid[:], make([]byte, 8)...))
}

// iaNABody encodes an IA_NA (§21.4) holding an IA Address (§21.6) per
// address, with preferred and valid lifetimes 0.
func iaNABody(ia IA) ([]byte, error) {
	e := iaBody(ia.IAID)
	for _, a := range ia.Addresses {
		addr := a.Address.As16()
		e.Option(optIAAddr, append(addr[:], make([]byte, 8)...))
	}
	return e.Bytes()
}

// iaPDBody encodes an IA_PD (§21.21) holding an IA Prefix (§21.22) per
// prefix, with lifetimes 0.
func iaPDBody(ia IA) ([]byte, error) {
	e := iaBody(ia.IAID)
	for _, p := range ia.Prefixes {
		e.Option(optIAPrefix, iaPrefixBody(p))
	}
	return e.Bytes()
}

// iaPrefixBody is preferred and valid lifetime (0), prefix-length and the
// 16 address bytes. The address goes out as the server sent it, bits past
// the length included: the hint repeats the offer exactly.
func iaPrefixBody(p IAPrefix) []byte {
	b := make([]byte, 8, iaPrefixLen)
	if !p.Prefix.IsValid() {
		return append(b, make([]byte, 17)...)
	}
	addr := p.Prefix.Addr().As16()
	b = append(b, byte(p.Prefix.Bits()))
	return append(b, addr[:]...)
}

// addIA appends an IA_NA or IA_PD option whose body body built.
func addIA(e *options.Encoder, code uint16, body func(IA) ([]byte, error), ia IA) error {
	b, err := body(ia)
	if err != nil {
		return fmt.Errorf("dhcpv6: encode IA %x: %w", ia.IAID, err)
	}
	e.Option(code, b)
	return nil
}

// finish returns the encoded message or the first encoding error.
func finish(e *options.Encoder, t MessageType) ([]byte, error) {
	b, err := e.Bytes()
	if err != nil {
		return nil, fmt.Errorf("dhcpv6: encode %s: %w", t, err)
	}
	return b, nil
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
		m.Empty(optRapidCommit)
	}
	if shape.IANA {
		if err := addIA(m, optIANA, iaNABody, IA{IAID: id.IAID}); err != nil {
			return nil, err
		}
	}
	if shape.IAPD {
		pd := IA{IAID: id.IAID}
		if shape.PrefixLength > 0 {
			pd.Prefixes = []IAPrefix{{Prefix: netip.PrefixFrom(netip.IPv6Unspecified(), shape.PrefixLength)}}
		}
		if err := addIA(m, optIAPD, iaPDBody, pd); err != nil {
			return nil, err
		}
	}
	return finish(m, MessageTypeSolicit)
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
	m.Option(optServerID, advertise.ServerID)
	addShapeOptions(m, shape)
	for _, ia := range na {
		if err := addIA(m, optIANA, iaNABody, ia); err != nil {
			return nil, err
		}
	}
	for _, ia := range pd {
		if err := addIA(m, optIAPD, iaPDBody, ia); err != nil {
			return nil, err
		}
	}
	return finish(m, MessageTypeRequest)
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
	m.Option(optServerID, serverID)
	n := 0
	for _, ia := range obtained {
		if len(ia.Addresses) > 0 {
			if err := addIA(m, optIANA, iaNABody, IA{IAID: ia.IAID, Addresses: ia.Addresses}); err != nil {
				return nil, err
			}
			n++
		}
	}
	for _, ia := range obtainedPD {
		if len(ia.Prefixes) > 0 {
			if err := addIA(m, optIAPD, iaPDBody, IA{IAID: ia.IAID, Prefixes: ia.Prefixes}); err != nil {
				return nil, err
			}
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: nothing obtained to release", ErrNothingOffered)
	}
	return finish(m, MessageTypeRelease)
}
