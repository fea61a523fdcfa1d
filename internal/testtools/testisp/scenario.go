package testisp

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"
)

// Scenario is everything the test ISP does on one link: the routers that
// send Router Advertisements and the DHCPv6 servers that answer clients.
// It is plain data so that a test can write it as JSON for the testisp
// command running in the ISP namespace.
type Scenario struct {
	Routers []Router `json:"routers,omitempty"`
	Servers []Server `json:"servers,omitempty"`
	// Seed makes the random parts (flood prefixes and routers) repeatable;
	// 0 means 1.
	Seed int64 `json:"seed,omitempty"`
}

// Duration is a time.Duration written as "1.5s" in JSON.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("testisp: duration %q: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

// MAC is an Ethernet address written as "02:00:00:00:00:01" in JSON; the
// empty MAC means "the ISP interface's own".
type MAC net.HardwareAddr

// MarshalText implements encoding.TextMarshaler.
func (m MAC) MarshalText() ([]byte, error) {
	if len(m) == 0 {
		return []byte{}, nil
	}
	return []byte(net.HardwareAddr(m).String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *MAC) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = nil
		return nil
	}
	hw, err := net.ParseMAC(string(b))
	if err != nil {
		return fmt.Errorf("testisp: MAC %q: %w", b, err)
	}
	*m = MAC(hw)
	return nil
}

// Router sends Router Advertisements (RFC 4861 §4.2) with the fields given.
// Everything is sent exactly as written, valid or not: a HopLimit other than
// 255 or a Source outside fe80::/10 makes an RA that hosts must ignore
// (RFC 4861 §6.1.2), which is the point of some scenarios.
type Router struct {
	// MAC is the Ethernet source and the Source Link-Layer Address option;
	// empty means the ISP interface's MAC.
	MAC MAC `json:"mac,omitempty"`
	// Source is the IPv6 source; zero means the interface's link-local
	// address when MAC is empty, else the EUI-64 link-local of MAC.
	Source netip.Addr `json:"source,omitzero"`
	// Destination of unsolicited RAs; zero means ff02::1.
	Destination netip.Addr `json:"destination,omitzero"`
	// HopLimit is the IPv6 header's hop limit; 0 means 255.
	HopLimit uint8 `json:"hop_limit,omitempty"`

	CurHopLimit    uint8    `json:"cur_hop_limit,omitempty"`
	Managed        bool     `json:"managed,omitempty"`
	Other          bool     `json:"other,omitempty"`
	Preference     uint8    `json:"preference,omitempty"` // 0 medium, 1 high, 3 low (RFC 4191)
	RouterLifetime Duration `json:"router_lifetime,omitempty"`
	ReachableTime  Duration `json:"reachable_time,omitempty"`
	RetransTimer   Duration `json:"retrans_timer,omitempty"`

	Prefixes      []PrefixInfo `json:"prefixes,omitempty"`
	MTU           uint32       `json:"mtu,omitempty"` // 0: no MTU option
	RDNSS         []netip.Addr `json:"rdnss,omitempty"`
	RDNSSLifetime Duration     `json:"rdnss_lifetime,omitempty"` // 0: 3 × RouterLifetime, or 1800 s
	DNSSL         []string     `json:"dnssl,omitempty"`
	Routes        []RouteInfo  `json:"routes,omitempty"`
	// NoSourceLinkLayer leaves out the Source Link-Layer Address option.
	NoSourceLinkLayer bool `json:"no_source_link_layer,omitempty"`
	// RawOptions are appended to the options as they are, so they can carry
	// bad lengths (a length byte of 0, one longer than the packet).
	RawOptions []byte `json:"raw_options,omitempty"`
	// ICMPCode is put in the ICMPv6 code field (hosts drop RAs whose code
	// is not 0); TruncateTo, if set, cuts the ICMPv6 message to that many
	// bytes (a too-short RA).
	ICMPCode   uint8 `json:"icmp_code,omitempty"`
	TruncateTo int   `json:"truncate_to,omitempty"`
	// Fragment sends the RA behind a Fragment header (an atomic fragment),
	// which RFC 6980 §5 tells hosts to drop.
	Fragment bool `json:"fragment,omitempty"`
	// RawIPv6, if set, is sent instead of the RA as the whole IPv6 packet
	// behind the router's Ethernet header: for packets no builder makes
	// (a truncated extension header, a wrong payload length).
	RawIPv6 []byte `json:"raw_ipv6,omitempty"`

	// IgnoreRS makes the router deaf to Router Solicitations.
	IgnoreRS bool `json:"ignore_rs,omitempty"`
	// RSDelay delays the answer to a Router Solicitation.
	RSDelay Duration `json:"rs_delay,omitempty"`
	// Interval sends unsolicited RAs this often, the first at start;
	// 0 sends none.
	Interval Duration `json:"interval,omitempty"`
	// Flood, if set, sends RAs at a rate, starting at start.
	Flood *RAFlood `json:"flood,omitempty"`
}

// PrefixInfo is a Prefix Information option (RFC 4861 §4.6.2).
type PrefixInfo struct {
	Prefix     netip.Prefix `json:"prefix"`
	OnLink     bool         `json:"on_link,omitempty"`
	Autonomous bool         `json:"autonomous,omitempty"`
	Valid      Duration     `json:"valid,omitempty"`
	Preferred  Duration     `json:"preferred,omitempty"`
}

// RouteInfo is a Route Information option (RFC 4191 §2.3).
type RouteInfo struct {
	Prefix     netip.Prefix `json:"prefix"`
	Preference uint8        `json:"preference,omitempty"`
	Lifetime   Duration     `json:"lifetime,omitempty"`
}

// RAFlood sends PerSecond RAs a second for Duration. With RandomRouters
// each RA comes from a fresh random MAC and link-local address; with
// RandomPrefixes each carries a fresh random /64 instead of the router's
// prefixes.
type RAFlood struct {
	PerSecond      int      `json:"per_second"`
	Duration       Duration `json:"duration"`
	RandomRouters  bool     `json:"random_routers,omitempty"`
	RandomPrefixes bool     `json:"random_prefixes,omitempty"`
}

// Server is one DHCPv6 server (RFC 8415). Each incoming client message is
// matched against Rules in order; the first match decides, and a message
// no rule matches is dropped.
type Server struct {
	// DUID is the Server ID; empty means DUID-LL of MAC.
	DUID []byte `json:"duid,omitempty"`
	// MAC and Source are the Ethernet and IPv6 sources, with the same
	// defaults as Router's.
	MAC    MAC        `json:"mac,omitempty"`
	Source netip.Addr `json:"source,omitzero"`
	// Preference, if set, is sent in a Preference option in Advertises.
	Preference *uint8 `json:"preference,omitempty"`
	Rules      []Rule `json:"rules"`
	// AnyServerID answers messages that name another server's Server ID;
	// by default they are dropped, as RFC 8415 §16 says a server must.
	AnyServerID bool `json:"any_server_id,omitempty"`
}

// Rule is a condition on the client's message and what to do when it holds.
type Rule struct {
	Match  Match  `json:"match"`
	Action Action `json:"action"`
}

// Match is a condition on a client message; unset fields match anything.
type Match struct {
	// Type is the message type name ("Solicit", "Request", "Release",
	// "Renew", "Rebind", "Information-request"…); empty matches any.
	Type        string `json:"type,omitempty"`
	HasIANA     *bool  `json:"has_ia_na,omitempty"`
	HasIAPD     *bool  `json:"has_ia_pd,omitempty"`
	RapidCommit *bool  `json:"rapid_commit,omitempty"`
	// ClientFQDN and ReconfigureAccept test for options 39 and 20.
	ClientFQDN        *bool `json:"client_fqdn,omitempty"`
	ReconfigureAccept *bool `json:"reconfigure_accept,omitempty"`
	// HintLength is the prefix length of the first IA Prefix in the first
	// IA_PD; 0 means the IA_PD carries no hint.
	HintLength *int `json:"hint_length,omitempty"`
	// DUIDType is "LLT", "EN", "LL" or "UUID".
	DUIDType string `json:"duid_type,omitempty"`
}

// Action is what a server does with a matched message.
type Action struct {
	// Drop ignores the message.
	Drop bool `json:"drop,omitempty"`
	// Delay holds the answer back this long.
	Delay Duration `json:"delay,omitempty"`
	// Reply is the type sent back: "Advertise" or "Reply". Empty means
	// Advertise to a Solicit (Reply when RapidCommit is set and the
	// Solicit asked for it) and Reply to anything else.
	Reply string `json:"reply,omitempty"`

	// IANA and IAPD answer the client's IA_NAs and IA_PDs in order (the
	// last entry serves any further IAs), keeping the client's IAIDs. IAs
	// the client did not send are not answered, unless Unasked is set, in
	// which case every entry is sent once with IAID 1, 2, ….
	IANA    []IA `json:"ia_na,omitempty"`
	IAPD    []IA `json:"ia_pd,omitempty"`
	Unasked bool `json:"unasked,omitempty"`

	// Status is a message-level Status Code.
	Status *Status `json:"status,omitempty"`
	// Preference overrides the server's.
	Preference *uint8 `json:"preference,omitempty"`
	// RapidCommit answers a Solicit that asked for it with a Reply
	// carrying Rapid Commit (RFC 8415 §18.3.1).
	RapidCommit       bool         `json:"rapid_commit,omitempty"`
	ServerUnicast     netip.Addr   `json:"server_unicast,omitzero"`
	ReconfigureAccept bool         `json:"reconfigure_accept,omitempty"`
	DNS               []netip.Addr `json:"dns,omitempty"`
	DomainSearch      []string     `json:"domain_search,omitempty"`
	SolMaxRT          *Duration    `json:"sol_max_rt,omitempty"`

	Faults Faults `json:"faults,omitzero"`
}

// IA is an IA_NA or IA_PD in an answer. For an IA_NA, Leases hold /128
// addresses; for an IA_PD, delegated prefixes.
type IA struct {
	T1     Duration `json:"t1,omitempty"`
	T2     Duration `json:"t2,omitempty"`
	Leases []Lease  `json:"leases,omitempty"`
	Status *Status  `json:"status,omitempty"`
}

// Lease is an IA Address or IA Prefix option.
type Lease struct {
	Prefix    netip.Prefix `json:"prefix"`
	Preferred Duration     `json:"preferred,omitempty"`
	Valid     Duration     `json:"valid,omitempty"`
	Status    *Status      `json:"status,omitempty"`
}

// Status is a Status Code option (RFC 8415 §21.13).
type Status struct {
	Code    uint16 `json:"code"`
	Message string `json:"message,omitempty"`
}

// Faults are the ways the answer breaks the protocol.
type Faults struct {
	// WrongTransactionID flips the transaction id's bits.
	WrongTransactionID bool `json:"wrong_transaction_id,omitempty"`
	NoServerID         bool `json:"no_server_id,omitempty"`
	// ClientID replaces the echoed Client ID; ForeignClientID makes one
	// up (a DUID-LL of 02:00:00:00:be:ef), as a reply meant for another
	// client would carry. NoClientID leaves it out.
	ClientID        []byte `json:"client_id,omitempty"`
	ForeignClientID bool   `json:"foreign_client_id,omitempty"`
	NoClientID      bool   `json:"no_client_id,omitempty"`
	// SourcePort, DestinationPort and Destination replace 547, 546 and the
	// client's address.
	SourcePort      uint16     `json:"source_port,omitempty"`
	DestinationPort uint16     `json:"destination_port,omitempty"`
	Destination     netip.Addr `json:"destination,omitzero"`
	// Copies sends the answer this many times (0 and 1 mean once), each
	// 1/PerSecond apart (PerSecond 0: back to back): an Advertise flood.
	Copies    int `json:"copies,omitempty"`
	PerSecond int `json:"per_second,omitempty"`
	// PadTo grows the message with a filler option (code 65000) until the
	// DHCPv6 payload is this many bytes; FillerOptions adds that many
	// empty filler options before.
	PadTo         int `json:"pad_to,omitempty"`
	FillerOptions int `json:"filler_options,omitempty"`
	// RawOptions are appended as they are (bad lengths included).
	RawOptions []byte `json:"raw_options,omitempty"`
}

// Ptr returns a pointer to v, for Match fields and Preference.
func Ptr[T any](v T) *T { return &v }

// WriteFile writes s as JSON to path.
func (s Scenario) WriteFile(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("testisp: encode scenario: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("testisp: write scenario: %w", err)
	}
	return nil
}

// ReadScenario reads a scenario written by WriteFile. Unknown fields are
// an error, so a typo in a hand-written scenario does not pass silently.
func ReadScenario(path string) (Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("testisp: read scenario: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return Scenario{}, fmt.Errorf("testisp: decode scenario %s: %w", path, err)
	}
	return s, nil
}
