package dhcpv6

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/v6diag/v6diag/dhcpv6/options"
)

// ErrMalformed is wrapped by every Parse error: the bytes do not frame as a
// DHCPv6 message (RFC 8415 §8, §9, §21).
var ErrMalformed = errors.New("dhcpv6: malformed message")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// MessageType is the msg-type field, numbered as in RFC 8415 §7.3.
type MessageType uint8

// The message types of RFC 8415 §7.3.
const (
	MessageTypeSolicit            MessageType = 1
	MessageTypeAdvertise          MessageType = 2
	MessageTypeRequest            MessageType = 3
	MessageTypeConfirm            MessageType = 4
	MessageTypeRenew              MessageType = 5
	MessageTypeRebind             MessageType = 6
	MessageTypeReply              MessageType = 7
	MessageTypeRelease            MessageType = 8
	MessageTypeDecline            MessageType = 9
	MessageTypeReconfigure        MessageType = 10
	MessageTypeInformationRequest MessageType = 11
	MessageTypeRelayForward       MessageType = 12
	MessageTypeRelayReply         MessageType = 13
)

var messageTypeNames = [...]string{
	MessageTypeSolicit:            "Solicit",
	MessageTypeAdvertise:          "Advertise",
	MessageTypeRequest:            "Request",
	MessageTypeConfirm:            "Confirm",
	MessageTypeRenew:              "Renew",
	MessageTypeRebind:             "Rebind",
	MessageTypeReply:              "Reply",
	MessageTypeRelease:            "Release",
	MessageTypeDecline:            "Decline",
	MessageTypeReconfigure:        "Reconfigure",
	MessageTypeInformationRequest: "Information-request",
	MessageTypeRelayForward:       "Relay-forw",
	MessageTypeRelayReply:         "Relay-repl",
	// Kinds from later RFCs (kinds.go), named so a report can say what
	// they are.
	MessageTypeLeasequery:         "Leasequery",
	MessageTypeLeasequeryReply:    "Leasequery-reply",
	MessageTypeLeasequeryDone:     "Leasequery-done",
	MessageTypeLeasequeryData:     "Leasequery-data",
	MessageTypeReconfigureRequest: "Reconfigure-request",
	MessageTypeReconfigureReply:   "Reconfigure-reply",
	MessageTypeDHCPv4Query:        "DHCPv4-query",
	MessageTypeDHCPv4Response:     "DHCPv4-response",
	MessageTypeActiveLeasequery:   "Active-leasequery",
	MessageTypeStartTLS:           "StartTLS",
	MessageTypeBndUpd:             "BNDUPD",
	MessageTypeBndReply:           "BNDREPLY",
	MessageTypePoolReq:            "POOLREQ",
	MessageTypePoolResp:           "POOLRESP",
	MessageTypeUpdReq:             "UPDREQ",
	MessageTypeUpdReqAll:          "UPDREQALL",
	MessageTypeUpdDone:            "UPDDONE",
	MessageTypeConnect:            "CONNECT",
	MessageTypeConnectReply:       "CONNECTREPLY",
	MessageTypeDisconnect:         "DISCONNECT",
	MessageTypeState:              "STATE",
	MessageTypeContact:            "CONTACT",
}

// String returns the RFC 8415 name of the message type.
func (t MessageType) String() string {
	if int(t) < len(messageTypeNames) && messageTypeNames[t] != "" {
		return messageTypeNames[t]
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// TransactionID is the 3-byte transaction-id of RFC 8415 §8.
type TransactionID [3]byte

// String formats the id as Wireshark does, e.g. "0x1a2b3c".
func (x TransactionID) String() string {
	return fmt.Sprintf("0x%02x%02x%02x", x[0], x[1], x[2])
}

// Status is a Status Code option (RFC 8415 §21.13).
type Status struct {
	Code    uint16
	Message string
}

// The status codes of RFC 8415 §21.13 that a client can meet.
const (
	StatusSuccess       uint16 = 0
	StatusUnspecFail    uint16 = 1
	StatusNoAddrsAvail  uint16 = 2
	StatusNoBinding     uint16 = 3
	StatusNotOnLink     uint16 = 4
	StatusUseMulticast  uint16 = 5
	StatusNoPrefixAvail uint16 = 6
)

var statusNames = [...]string{
	StatusSuccess:       "Success",
	StatusUnspecFail:    "UnspecFail",
	StatusNoAddrsAvail:  "NoAddrsAvail",
	StatusNoBinding:     "NoBinding",
	StatusNotOnLink:     "NotOnLink",
	StatusUseMulticast:  "UseMulticast",
	StatusNoPrefixAvail: "NoPrefixAvail",
}

// Name returns the RFC 8415 name of the code, or "Status(N)".
func (s Status) Name() string {
	if int(s.Code) < len(statusNames) {
		return statusNames[s.Code]
	}
	return fmt.Sprintf("Status(%d)", s.Code)
}

// String gives the name and, when the server sent one, its message:
// `NoPrefixAvail "no prefixes left"`.
func (s Status) String() string {
	if s.Message == "" {
		return s.Name()
	}
	return fmt.Sprintf("%s %q", s.Name(), s.Message)
}

// ok reports whether s is absent or Success.
func (s *Status) ok() bool { return s == nil || s.Code == StatusSuccess }

// Infinity is the lifetime 0xffffffff, which RFC 8415 §7.7 defines as
// infinite; Parse keeps it as this many seconds.
const Infinity = time.Duration(0xffffffff) * time.Second

// IAAddress is an IA Address option (RFC 8415 §21.6).
type IAAddress struct {
	Address           netip.Addr
	PreferredLifetime time.Duration
	ValidLifetime     time.Duration
	Status            *Status
}

// IAPrefix is an IA Prefix option (RFC 8415 §21.22). Prefix keeps the bits
// the server sent, even past the prefix length.
type IAPrefix struct {
	Prefix            netip.Prefix
	PreferredLifetime time.Duration
	ValidLifetime     time.Duration
	Status            *Status
}

// IA is an IA_NA (RFC 8415 §21.4) or IA_PD (RFC 8415 §21.21): an IA_NA
// carries Addresses, an IA_PD Prefixes.
type IA struct {
	IAID      [4]byte
	T1, T2    time.Duration
	Addresses []IAAddress
	Prefixes  []IAPrefix
	Status    *Status
}

// Message is a decoded client/server message (RFC 8415 §8). Relay messages
// are unwrapped: RelayHops counts the Relay-forw/Relay-repl layers peeled,
// at most MaxRelayHops.
type Message struct {
	Type              MessageType
	TransactionID     TransactionID
	ClientID          DUID // nil if absent
	ServerID          DUID // nil if absent
	Preference        *uint8
	RapidCommit       bool
	ReconfigureAccept bool
	ElapsedTime       *time.Duration
	RequestedOptions  []OptionCode // ORO
	IANA              []IA
	IATA              []IA // temporary addresses (RFC 8415 §21.5); T1 and T2 are zero
	IAPD              []IA
	Status            *Status      // message-level Status Code
	DNSServers        []netip.Addr // option 23
	DomainSearch      []string     // option 24
	ServerUnicast     netip.Addr   // option 12, zero if absent
	SolMaxRT          *time.Duration
	// Authentication is option 11 (RFC 8415 §21.11), nil if absent.
	Authentication *Authentication
	// ReconfigureMessage is the msg-type a Reconfigure asks the client to
	// send (option 19, RFC 8415 §21.19); 0 if absent.
	ReconfigureMessage MessageType
	OptionCodes        []OptionCode // codes of all top-level options in wire order
	RelayHops          int
	// Relays are the Relay-forw/Relay-repl layers peeled, outermost (the
	// one nearest the server) first; len(Relays) == RelayHops.
	Relays []Relay
	// Problems lists what is wrong with the message without breaking its
	// framing: a DUID of length 0 or over 130, a fixed-size option of the
	// wrong size, a repeated option that may appear once. The fields such
	// an option would fill are left unset (a DUID is still recorded).
	Problems []string
}

// Relay is one Relay-forw or Relay-repl layer (RFC 8415 §9): which relay
// took the message from which link, and what it asked the server to send
// back with the answer.
type Relay struct {
	Type     MessageType
	HopCount uint8
	// LinkAddress names the client's link to the server (:: when the
	// relay identifies it by Interface-Id alone); PeerAddress is where
	// the relay got the message from: the client, or the next relay.
	LinkAddress, PeerAddress netip.Addr
	// InterfaceID is option 18 (RFC 8415 §21.18), nil if absent: the
	// relay's name for the client's interface, which the server must
	// copy into its Relay-repl (§19.3).
	InterfaceID []byte
	// RemoteID is option 37 (RFC 4649 §3) without its enterprise number,
	// nil if absent; RemoteIDEnterprise is that number.
	RemoteID           []byte
	RemoteIDEnterprise uint32
	OptionCodes        []OptionCode
}

// Authentication is an Authentication option (RFC 8415 §21.11).
type Authentication struct {
	Protocol, Algorithm, RDM uint8
	ReplayDetection          uint64
	Info                     []byte
}

// Authentication protocols (RFC 8415 §20, IANA registry).
const (
	AuthProtocolDelayed     uint8 = 2 // RFC 3315 §21.4 (deprecated)
	AuthProtocolReconfigure uint8 = 3 // Reconfigure Key, RFC 8415 §20.4
)

// Reconfigure Key Authentication Protocol info types (RFC 8415 §20.4).
const (
	ReconfigureKeyValue byte = 1 // a Reply hands the client the key
	ReconfigureKeyHMAC  byte = 2 // a Reconfigure is signed with it
)

// ReconfigureKeyType returns the type byte of a Reconfigure Key
// Authentication Protocol option (ReconfigureKeyValue or
// ReconfigureKeyHMAC), or 0 for another protocol or a malformed one.
func (a *Authentication) ReconfigureKeyType() byte {
	if a == nil || a.Protocol != AuthProtocolReconfigure || len(a.Info) != 17 {
		return 0
	}
	return a.Info[0]
}

// MaxRelayHops is how many Relay-forw/Relay-repl layers Parse peels before
// it gives up. RFC 8415 §7.6 lets relays nest up to HOP_COUNT_LIMIT (8).
const MaxRelayHops = 8

// maxDUIDLen is the longest DUID, type code included (RFC 8415 §11.1).
const maxDUIDLen = 130

const (
	relayHeaderLen   = 34 // msg-type, hop-count, link-address, peer-address
	messageHeaderLen = 4  // msg-type, transaction-id
	iaHeaderLen      = 12 // IAID, T1, T2
	iaAddressLen     = 24 // address, preferred, valid
	iaPrefixLen      = 25 // preferred, valid, prefix-length, prefix
)

// Parse decodes one DHCPv6 UDP payload (RFC 8415 §8, §9), unwrapping relay
// messages. It never panics. Errors wrap ErrMalformed and name the fault,
// e.g. "IA_PD option length 8 shorter than 12". When the header could be
// read, the error comes with a Message holding what was decoded before the
// fault (at least Type, TransactionID and RelayHops), so a diagnosis can
// still say which exchange the broken packet belonged to.
func Parse(b []byte) (*Message, error) {
	countParse()
	b, relays, _, err := unwrapRelays(b, false)
	if err != nil {
		return nil, err
	}
	if len(b) < messageHeaderLen {
		return nil, malformed("message is %d bytes, shorter than the %d-byte header", len(b), messageHeaderLen)
	}
	m := headerOf(b, relays)
	opts, err := parseOptions(b[messageHeaderLen:])
	if err != nil {
		return m, malformed("%v", err)
	}
	return m, m.decodeOptions(opts)
}

// parseOptions splits an option area with options.Parse, naming an
// option that runs past the area as Parse's errors name it
// ("IA_PD option 25 length …"): options walks codes without knowing them.
func parseOptions(b []byte) ([]options.Option, error) {
	opts, err := options.Parse(b)
	if le, ok := errors.AsType[*options.LengthError](err); ok {
		return opts, fmt.Errorf("%s%w", OptionCode(le.Code).namePrefix(), err)
	}
	return opts, err
}

// unwrapRelays peels the Relay-forw and Relay-repl layers off b (RFC 8415
// §9) and returns the message inside. With cut (ParsePartial), b is the
// start of a message the capture cut: the options of each layer are split
// with options.ParseCut, a Relay Message option cut at the end is followed
// into, and cutIn names it.
func unwrapRelays(b []byte, cut bool) (inner []byte, relays []Relay, cutIn string, err error) {
	for len(b) > 0 && (MessageType(b[0]) == MessageTypeRelayForward || MessageType(b[0]) == MessageTypeRelayReply) {
		t := MessageType(b[0])
		layer := len(relays) + 1
		switch {
		case layer > MaxRelayHops:
			return nil, nil, "", malformed("relay messages nested deeper than %d", MaxRelayHops)
		case len(b) < relayHeaderLen && cut:
			return nil, nil, "", fmt.Errorf("%w: cut inside the %s header (%d of %d bytes)", ErrCut, t, len(b), relayHeaderLen)
		case len(b) < relayHeaderLen:
			return nil, nil, "", malformed("%s header is %d bytes, shorter than %d", t, len(b), relayHeaderLen)
		}
		var opts []options.Option
		var lost *options.Cut
		if cut {
			opts, lost = options.ParseCut(b[relayHeaderLen:])
		} else if opts, err = parseOptions(b[relayHeaderLen:]); err != nil {
			return nil, nil, "", malformed("%s layer %d: %v", t, layer, err)
		}
		relays = append(relays, relayLayer(t, b[:relayHeaderLen], opts))
		if rm, ok := options.First(opts, uint16(OptionRelayMsg)); ok {
			b = rm.Data
			continue
		}
		switch {
		case !cut:
			return nil, nil, "", malformed("%s layer %d carries no Relay Message option", t, layer)
		case lost == nil || OptionCode(lost.Code) != OptionRelayMsg:
			return nil, nil, "", fmt.Errorf("%w: cut before %s layer %d's Relay Message option", ErrCut, t, layer)
		}
		b = lost.Data
		cutIn = fmt.Sprintf("%s layer %d's Relay Message (%d of %d bytes)", t, layer, len(lost.Data), lost.Length)
	}
	return b, relays, cutIn, nil
}

// headerOf starts a Message from a header of at least messageHeaderLen
// bytes.
func headerOf(b []byte, relays []Relay) *Message {
	m := &Message{Type: MessageType(b[0]), RelayHops: len(relays), Relays: relays}
	copy(m.TransactionID[:], b[1:4])
	return m
}

// decodeOptions fills m from its top-level options.
func (m *Message) decodeOptions(opts []options.Option) error {
	for _, o := range opts {
		m.OptionCodes = append(m.OptionCodes, OptionCode(o.Code))
	}
	seen := make(map[OptionCode]bool)
	for _, o := range opts {
		c := OptionCode(o.Code)
		single := c.single()
		if single && seen[c] {
			continue
		}
		seen[c] = true
		if single {
			if n := options.Count(opts, o.Code); n > 1 {
				m.problem("%s option appears %d times; the first is used", c.title(), n)
			}
		}
		if err := m.decodeOption(o); err != nil {
			return err
		}
	}
	return nil
}

// relayLayer records one relay header (RFC 8415 §9.1) and the options
// beside its Relay Message. The bytes are copied.
func relayLayer(t MessageType, hdr []byte, opts []options.Option) Relay {
	r := Relay{
		Type:        t,
		HopCount:    hdr[1],
		LinkAddress: netip.AddrFrom16([16]byte(hdr[2:18])),
		PeerAddress: netip.AddrFrom16([16]byte(hdr[18:34])),
	}
	for _, o := range opts {
		r.OptionCodes = append(r.OptionCodes, OptionCode(o.Code))
	}
	if o, ok := options.First(opts, uint16(OptionInterfaceID)); ok {
		r.InterfaceID = append([]byte{}, o.Data...)
	}
	if o, ok := options.First(opts, uint16(OptionRemoteID)); ok && len(o.Data) >= 4 {
		r.RemoteIDEnterprise = binary.BigEndian.Uint32(o.Data)
		r.RemoteID = append([]byte{}, o.Data[4:]...)
	}
	return r
}

func (m *Message) problem(format string, args ...any) {
	m.Problems = append(m.Problems, fmt.Sprintf(format, args...))
}

// decodeOption fills m from one top-level option. It returns an error only
// for faults in the framing of IA options; other oddities become Problems.
func (m *Message) decodeOption(o options.Option) error {
	d := o.Data
	switch c := OptionCode(o.Code); c {
	case OptionClientID:
		m.ClientID = m.duid("Client ID", d)
	case OptionServerID:
		m.ServerID = m.duid("Server ID", d)
	case OptionIANA, OptionIATA, OptionIAPD:
		ia, err := parseIA(c, d, m)
		if err != nil {
			return err
		}
		switch c {
		case OptionIANA:
			m.IANA = append(m.IANA, ia)
		case OptionIATA:
			m.IATA = append(m.IATA, ia)
		default:
			m.IAPD = append(m.IAPD, ia)
		}
	case OptionAuth:
		// RFC 8415 §21.11: protocol, algorithm, RDM, 8-byte replay
		// detection, then the protocol's information.
		if len(d) < 11 {
			m.problem("Authentication option length %d shorter than 11", len(d))
			return nil
		}
		m.Authentication = &Authentication{Protocol: d[0], Algorithm: d[1], RDM: d[2],
			ReplayDetection: binary.BigEndian.Uint64(d[3:11]), Info: append([]byte{}, d[11:]...)}
	case OptionReconfMsg:
		if len(d) != 1 {
			m.problem("Reconfigure Message option length %d, want 1", len(d))
			return nil
		}
		m.ReconfigureMessage = MessageType(d[0])
	case OptionORO:
		if len(d)%2 != 0 {
			m.problem("ORO option length %d is odd", len(d))
			return nil
		}
		m.RequestedOptions = make([]OptionCode, 0, len(d)/2)
		for i := 0; i+1 < len(d); i += 2 {
			m.RequestedOptions = append(m.RequestedOptions, OptionCode(binary.BigEndian.Uint16(d[i:])))
		}
	case OptionPreference:
		if len(d) != 1 {
			m.problem("Preference option length %d, want 1", len(d))
			return nil
		}
		p := d[0]
		m.Preference = &p
	case OptionElapsedTime:
		if len(d) != 2 {
			m.problem("Elapsed Time option length %d, want 2", len(d))
			return nil
		}
		e := time.Duration(binary.BigEndian.Uint16(d)) * 10 * time.Millisecond
		m.ElapsedTime = &e
	case OptionUnicast:
		if len(d) != 16 {
			m.problem("Server Unicast option length %d, want 16", len(d))
			return nil
		}
		m.ServerUnicast = netip.AddrFrom16([16]byte(d))
	case OptionStatusCode:
		m.Status = parseStatus(d, "message", m)
	case OptionRapidCommit:
		m.RapidCommit = true
		if len(d) != 0 {
			m.problem("Rapid Commit option length %d, want 0", len(d))
		}
	case OptionReconfAccept:
		m.ReconfigureAccept = true
		if len(d) != 0 {
			m.problem("Reconfigure Accept option length %d, want 0", len(d))
		}
	case OptionDNSServers:
		if len(d)%16 != 0 {
			m.problem("DNS Recursive Name Server option length %d is not a multiple of 16", len(d))
			return nil
		}
		m.DNSServers = make([]netip.Addr, 0, len(d)/16)
		for i := 0; i+16 <= len(d); i += 16 {
			m.DNSServers = append(m.DNSServers, netip.AddrFrom16([16]byte(d[i:i+16])))
		}
	case OptionDomainList:
		// Names decoded before a fault are kept: the report shows them
		// beside the problem.
		names, err := options.ParseDomainList(d)
		if err != nil {
			m.problem("Domain Search List option: %v", err)
		}
		m.DomainSearch = names
	case OptionSolMaxRT:
		if len(d) != 4 {
			m.problem("SOL_MAX_RT option length %d, want 4", len(d))
			return nil
		}
		s := time.Duration(binary.BigEndian.Uint32(d)) * time.Second
		m.SolMaxRT = &s
		if s < minServerSolMaxRT || s > maxServerSolMaxRT {
			m.problem("SOL_MAX_RT %d s is outside 60–86400 s, so clients ignore it (RFC 8415 §21.24)", binary.BigEndian.Uint32(d))
		}
	}
	return nil
}

// duid records a Client or Server ID, noting a length RFC 8415 §11.1 rules
// out. The bytes are copied: Message never aliases the input.
func (m *Message) duid(name string, d []byte) DUID {
	switch {
	case len(d) < 2:
		m.problem("%s DUID is %d bytes, too short to hold a DUID type", name, len(d))
	case len(d) > maxDUIDLen:
		m.problem("%s DUID is %d bytes, longer than %d", name, len(d), maxDUIDLen)
	}
	return append(DUID{}, d...)
}

// parseStatus decodes a Status Code option body; where says whose it is,
// for the problem report.
func parseStatus(d []byte, where string, m *Message) *Status {
	if len(d) < 2 {
		m.problem("%s Status Code option length %d shorter than 2", where, len(d))
		return nil
	}
	return &Status{Code: binary.BigEndian.Uint16(d), Message: string(d[2:])}
}

func seconds(b []byte) time.Duration {
	return time.Duration(binary.BigEndian.Uint32(b)) * time.Second
}

// parseIA decodes an IA_NA, IA_TA or IA_PD body, with the IA Address, IA
// Prefix and Status Code options inside it. An IA_TA has no T1 and T2
// (RFC 8415 §21.5), so its header is only the IAID.
func parseIA(code OptionCode, d []byte, m *Message) (IA, error) {
	name, header := "IA_NA", iaHeaderLen
	switch code {
	case OptionIAPD:
		name = "IA_PD"
	case OptionIATA:
		name, header = "IA_TA", 4
	}
	if len(d) < header {
		return IA{}, malformed("%s option length %d shorter than %d", name, len(d), header)
	}
	var ia IA
	copy(ia.IAID[:], d[:4])
	if header == iaHeaderLen {
		ia.T1, ia.T2 = seconds(d[4:8]), seconds(d[8:12])
	}
	opts, err := parseOptions(d[header:])
	if err != nil {
		return ia, malformed("%s: %v", name, err)
	}
	for _, o := range opts {
		switch OptionCode(o.Code) {
		case OptionStatusCode:
			if ia.Status == nil {
				ia.Status = parseStatus(o.Data, name, m)
			}
		case OptionIAAddr:
			if code == OptionIAPD {
				m.problem("%s carries an IA Address option", name)
				continue
			}
			a, err := parseIAAddress(o.Data, m)
			if err != nil {
				return ia, malformed("%s: %v", name, err)
			}
			ia.Addresses = append(ia.Addresses, a)
		case OptionIAPrefix:
			if code != OptionIAPD {
				m.problem("%s carries an IA Prefix option", name)
				continue
			}
			p, err := parseIAPrefix(o.Data, m)
			if err != nil {
				return ia, malformed("%s: %v", name, err)
			}
			ia.Prefixes = append(ia.Prefixes, p)
		}
	}
	return ia, nil
}

func parseIAAddress(d []byte, m *Message) (IAAddress, error) {
	if len(d) < iaAddressLen {
		return IAAddress{}, fmt.Errorf("IA Address option length %d shorter than %d", len(d), iaAddressLen)
	}
	a := IAAddress{
		Address:           netip.AddrFrom16([16]byte(d[:16])),
		PreferredLifetime: seconds(d[16:20]),
		ValidLifetime:     seconds(d[20:24]),
	}
	opts, err := parseOptions(d[iaAddressLen:])
	if err != nil {
		return a, fmt.Errorf("IA Address %s: %w", a.Address, err)
	}
	if o, ok := options.First(opts, uint16(OptionStatusCode)); ok {
		a.Status = parseStatus(o.Data, "IA Address", m)
	}
	return a, nil
}

func parseIAPrefix(d []byte, m *Message) (IAPrefix, error) {
	if len(d) < iaPrefixLen {
		return IAPrefix{}, fmt.Errorf("IA Prefix option length %d shorter than %d", len(d), iaPrefixLen)
	}
	bits := int(d[8])
	if bits > 128 {
		return IAPrefix{}, fmt.Errorf("IA Prefix length %d longer than 128", bits)
	}
	p := IAPrefix{
		Prefix:            netip.PrefixFrom(netip.AddrFrom16([16]byte(d[9:25])), bits),
		PreferredLifetime: seconds(d[0:4]),
		ValidLifetime:     seconds(d[4:8]),
	}
	opts, err := parseOptions(d[iaPrefixLen:])
	if err != nil {
		return p, fmt.Errorf("IA Prefix %s: %w", p.Prefix, err)
	}
	if o, ok := options.First(opts, uint16(OptionStatusCode)); ok {
		p.Status = parseStatus(o.Data, "IA Prefix", m)
	}
	return p, nil
}
