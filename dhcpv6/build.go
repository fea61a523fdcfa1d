package dhcpv6

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/v6diag/v6diag/dhcpv6/options"
)

// DefaultRequestedOptions is the ORO v6diag sends when a RequestShape
// leaves RequestedOptions nil: DNS servers (23), domain list (24) and
// SOL_MAX_RT (82), which RFC 8415 §18.2.1 says a Solicit must request.
var DefaultRequestedOptions = []OptionCode{OptionDNSServers, OptionDomainList, OptionSolMaxRT}

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
	// empty non-nil slice sends no ORO at all, unless AlwaysORO is set.
	RequestedOptions []OptionCode
	// SolicitOnlyOptions are requested in a Solicit and left out of the
	// ORO of a Request: odhcp6c asks for SOL_MAX_RT only while soliciting
	// (src/dhcpv6.c, dhcpv6_send: OPT_ORO_SOLICIT).
	SolicitOnlyOptions []OptionCode
	// AlwaysORO sends the ORO option even when it lists nothing, as
	// odhcp6c does (its header always carries one).
	AlwaysORO bool
	// PrefixHint is the address part of the IA Prefix hint (odhcp6c's
	// "-P ADDR/LEN"); the zero Addr sends ::.
	PrefixHint netip.Addr
	// ClientFQDN, when not empty, is the host name sent in a Client FQDN
	// option (RFC 4704), as odhcp6c does unless netifd's noclientfqdn is
	// set (client_shape.go).
	ClientFQDN string
	// Extra are options an ISP profile needs in every Solicit and Request
	// (vendor class, user class, …; client_shape.go).
	Extra []ExtraOption
}

// Identity is who v6diag claims to be: its DUID and the IAIDs of its IA_NA
// and IA_PD. odhcp6c gives them different IAIDs (the MD5 of the interface
// name for the IA_NA, 1 for the first IA_PD); v6diag's own shapes use one
// for both.
type Identity struct {
	DUID DUID
	// IAID is the IA_NA's IAID, PDIAID the IA_PD's.
	IAID, PDIAID [4]byte
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

// oro is the ORO of a message of type t: a Request leaves out the options
// asked for only in a Solicit.
func (s RequestShape) oro(t MessageType) []OptionCode {
	codes := s.RequestedOptions
	if codes == nil {
		codes = DefaultRequestedOptions
	}
	if t == MessageTypeSolicit || len(s.SolicitOnlyOptions) == 0 {
		return codes
	}
	out := make([]OptionCode, 0, len(codes))
	for _, c := range codes {
		if !slices.Contains(s.SolicitOnlyOptions, c) {
			out = append(out, c)
		}
	}
	return out
}

// newMessage starts a client message with the header (RFC 8415 §8), then
// Elapsed Time (§21.9), the ORO (§21.7, Solicit and Request only), Client
// ID (§21.2) and, when given, Server ID (§21.3). The order is odhcp6c's
// (src/dhcpv6.c, dhcpv6_send: the iovec from IOV_HDR to IOV_IA_PD), so
// that v6diag's first attempt reads like the router's own client on the
// wire; RFC 8415 lets options come in any order.
func newMessage(t MessageType, xid TransactionID, id Identity, elapsed time.Duration, s *RequestShape, serverID DUID) *options.Encoder {
	e := options.NewEncoder([]byte{byte(t), xid[0], xid[1], xid[2]})
	e.Option(uint16(OptionElapsedTime), elapsedBody(elapsed))
	if s != nil {
		if oro := s.oro(t); len(oro) > 0 || s.AlwaysORO {
			e.Option(uint16(OptionORO), codesBody(oro))
		}
	}
	e.Option(uint16(OptionClientID), id.DUID)
	if serverID != nil {
		e.Option(uint16(OptionServerID), serverID)
	}
	return e
}

// elapsedBody is the Elapsed Time in hundredths of a second, rounded and
// clamped to what the 16-bit field holds rather than wrapped (§21.9).
func elapsedBody(e time.Duration) []byte {
	e = min(max(e, 0), maxElapsed)
	return binary.BigEndian.AppendUint16(nil, uint16(e.Round(10*time.Millisecond)/(10*time.Millisecond)))
}

// addShapeOptions appends what follows the identifiers in odhcp6c's
// order: the profile's extra options (its STATE_OPTS: -V, -u, -x),
// Reconfigure Accept, the Client FQDN, then Rapid Commit, which odhcp6c
// never sends.
func addShapeOptions(e *options.Encoder, s RequestShape, t MessageType) {
	for _, o := range s.Extra {
		e.Option(uint16(o.Code), o.Body)
	}
	if s.ReconfigureAccept {
		e.Empty(uint16(OptionReconfAccept))
	}
	addClientFQDN(e, s)
	if s.RapidCommit && t == MessageTypeSolicit {
		e.Empty(uint16(OptionRapidCommit))
	}
}

// iaBody starts an IA_NA or IA_PD body: IAID, then T1 and T2, which a
// client sends as 0 (RFC 8415 §21.4, §21.21).
func iaBody(iaid [4]byte) *options.Encoder {
	return options.NewEncoder(append(iaid[:], make([]byte, 8)...))
}

// iaNABody encodes an IA_NA (§21.4) holding an IA Address (§21.6) per
// address, with the lifetimes ia carries (0 in a Solicit and a Release;
// a Request repeats the Advertise's as hints, as odhcp6c does).
func iaNABody(ia IA) ([]byte, error) {
	e := iaBody(ia.IAID)
	for _, a := range ia.Addresses {
		addr := a.Address.As16()
		b := append(addr[:], lifetimeBytes(a.PreferredLifetime, a.ValidLifetime)...)
		e.Option(uint16(OptionIAAddr), b)
	}
	return e.Bytes()
}

// iaPDBody encodes an IA_PD (§21.21) holding an IA Prefix (§21.22) per
// prefix, with the lifetimes ia carries.
func iaPDBody(ia IA) ([]byte, error) {
	e := iaBody(ia.IAID)
	for _, p := range ia.Prefixes {
		e.Option(uint16(OptionIAPrefix), iaPrefixBody(p))
	}
	return e.Bytes()
}

// lifetimeBytes encodes a preferred and a valid lifetime in seconds,
// clamped to the 32-bit field (Infinity is 0xffffffff).
func lifetimeBytes(preferred, valid time.Duration) []byte {
	secs := func(d time.Duration) uint32 {
		return uint32(min(max(d/time.Second, 0), 0xffffffff))
	}
	b := binary.BigEndian.AppendUint32(make([]byte, 0, 8), secs(preferred))
	return binary.BigEndian.AppendUint32(b, secs(valid))
}

// iaPrefixBody is preferred and valid lifetime, prefix-length and the 16
// address bytes. The address goes out as the server sent it, bits past the
// length included: the hint repeats the offer exactly.
func iaPrefixBody(p IAPrefix) []byte {
	b := lifetimeBytes(p.PreferredLifetime, p.ValidLifetime)
	if !p.Prefix.IsValid() {
		return append(b, make([]byte, 17)...)
	}
	addr := p.Prefix.Addr().As16()
	b = append(b, byte(p.Prefix.Bits()))
	return append(b, addr[:]...)
}

// addIA appends an IA_NA or IA_PD option whose body body built.
func addIA(e *options.Encoder, code OptionCode, body func(IA) ([]byte, error), ia IA) error {
	b, err := body(ia)
	if err != nil {
		return fmt.Errorf("dhcpv6: encode IA %x: %w", ia.IAID, err)
	}
	e.Option(uint16(code), b)
	return nil
}

// codesBody is the body of an Option Request option (RFC 8415 §21.7):
// each code as a 16-bit value.
func codesBody(codes []OptionCode) []byte {
	body := make([]byte, 0, 2*len(codes))
	for _, c := range codes {
		body = binary.BigEndian.AppendUint16(body, uint16(c))
	}
	return body
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
	m := newMessage(MessageTypeSolicit, xid, id, elapsed, &shape, nil)
	addShapeOptions(m, shape, MessageTypeSolicit)
	if shape.IANA {
		if err := addIA(m, OptionIANA, iaNABody, IA{IAID: id.IAID}); err != nil {
			return nil, err
		}
	}
	if shape.IAPD {
		pd := IA{IAID: id.PDIAID}
		if shape.PrefixLength > 0 {
			hint := netip.IPv6Unspecified()
			if shape.PrefixHint.Is6() {
				hint = shape.PrefixHint
			}
			pd.Prefixes = []IAPrefix{{Prefix: netip.PrefixFrom(hint, shape.PrefixLength)}}
		}
		if err := addIA(m, OptionIAPD, iaPDBody, pd); err != nil {
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
			if o := offeredLeases(ia, false); ia.IAID == id.PDIAID && ia.Status.ok() && len(o.Prefixes) > 0 {
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
		return nil, fmt.Errorf("%w: Advertise %s offers none for IAIDs %x and %x", ErrNothingOffered, advertise.TransactionID, id.IAID, id.PDIAID)
	}
	return NewRequestFor(id, shape, xid, elapsed, advertise.ServerID, na, pd)
}

// NewRequestFor builds a Request (RFC 8415 §18.2.2) to the server serverID
// carrying exactly the IAs na and pd, with the addresses, prefixes and
// lifetimes they hold as hints: what a client policy chose from an
// Advertise (odhcp6c puts in its Request the entries it kept, with the
// Advertise's lifetimes; src/dhcpv6.c, dhcpv6_send).
func NewRequestFor(id Identity, shape RequestShape, xid TransactionID, elapsed time.Duration, serverID DUID, na, pd []IA) ([]byte, error) {
	if err := id.validate(); err != nil {
		return nil, err
	}
	if err := shape.validate(); err != nil {
		return nil, err
	}
	if len(serverID) == 0 {
		return nil, errors.New("dhcpv6: Request needs the server's DUID")
	}
	if len(na) == 0 && len(pd) == 0 {
		return nil, fmt.Errorf("%w: Request with no IA", ErrNothingOffered)
	}
	m := newMessage(MessageTypeRequest, xid, id, elapsed, &shape, serverID)
	addShapeOptions(m, shape, MessageTypeRequest)
	for _, ia := range na {
		if err := addIA(m, OptionIANA, iaNABody, ia); err != nil {
			return nil, err
		}
	}
	for _, ia := range pd {
		if err := addIA(m, OptionIAPD, iaPDBody, ia); err != nil {
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
	m := newMessage(MessageTypeRelease, xid, id, elapsed, nil, serverID)
	n := 0
	for _, ia := range obtained {
		if len(ia.Addresses) > 0 {
			if err := addIA(m, OptionIANA, iaNABody, IA{IAID: ia.IAID, Addresses: zeroLifetimes(ia).Addresses}); err != nil {
				return nil, err
			}
			n++
		}
	}
	for _, ia := range obtainedPD {
		if len(ia.Prefixes) > 0 {
			if err := addIA(m, OptionIAPD, iaPDBody, IA{IAID: ia.IAID, Prefixes: zeroLifetimes(ia).Prefixes}); err != nil {
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

// zeroLifetimes returns ia's addresses and prefixes with lifetimes 0, as a
// Release carries them (RFC 8415 §18.2.7 leaves them to the server; 0 says
// the client no longer wants them).
func zeroLifetimes(ia IA) IA {
	out := IA{IAID: ia.IAID}
	for _, a := range ia.Addresses {
		out.Addresses = append(out.Addresses, IAAddress{Address: a.Address})
	}
	for _, p := range ia.Prefixes {
		out.Prefixes = append(out.Prefixes, IAPrefix{Prefix: p.Prefix})
	}
	return out
}
