package diag

import (
	"net"
	"net/netip"
	"time"

	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/ndp"
)

// Code is a verdict code. The codes and their meanings are a stable
// contract (report.json's verdict.code).
type Code string

// Verdict codes, in precedence order: when several apply, the earliest in
// this list (after CodeOK) wins.
const (
	CodeOK                         Code = "ok"
	CodeLinkDown                   Code = "link-down"
	CodeNoIPv6ControlTraffic       Code = "no-ipv6-control-traffic"
	CodeNoRouterAdvertisement      Code = "no-router-advertisement"
	CodeSLAACOnly                  Code = "slaac-only"
	CodeNoDHCPv6Reply              Code = "no-dhcpv6-reply"
	CodeNoPrefixOffered            Code = "no-prefix-offered"
	CodeRequestUnanswered          Code = "request-unanswered"
	CodeReplyRefused               Code = "reply-refused"
	CodePrefixSmallerThanRequested Code = "prefix-smaller-than-requested"
)

// Party names who must act on a verdict.
type Party string

// Who must act.
const (
	PartyNobody Party = "nobody"
	PartyISP    Party = "isp"
	PartyUser   Party = "user"
)

// Verdict is the one-line answer.
type Verdict struct {
	Code    Code
	Summary string
	// WhoMustAct says whose move it is.
	WhoMustAct Party
}

// Severity grades a finding.
type Severity string

// Severities, mildest first.
const (
	SeverityPass Severity = "pass"
	SeverityInfo Severity = "info"
	SeverityWarn Severity = "warn"
	SeverityFail Severity = "fail"
)

// Finding is one observation with the evidence behind it.
type Finding struct {
	// ID is stable across releases: tickets and scripts refer to it.
	ID       string
	Severity Severity
	// Summary is one plain sentence for the user.
	Summary string
	// ForISP is one sentence addressed to the ISP's support staff, if the
	// finding concerns them.
	ForISP string
	RFC    string
	// Frames are the frame numbers in the capture the finding rests on.
	Frames []int
}

// Direction says which way a message went relative to the client under
// diagnosis.
type Direction string

// Directions on the timeline.
const (
	DirectionOut Direction = "out" // sent by the client (the router's WAN side)
	DirectionIn  Direction = "in"  // received from the ISP side
)

// Kind names what an event on the timeline is.
type Kind string

// Event kinds beyond DHCPv6 message type names.
const (
	KindRouterSolicitation  Kind = "RS"
	KindRouterAdvertisement Kind = "RA"
)

// Event is one control message on the timeline.
type Event struct {
	Frame     int
	Time      time.Time
	Offset    time.Duration
	Direction Direction
	Kind      Kind
	Source    netip.Addr
	Dest      netip.Addr
	SourceMAC net.HardwareAddr
	// TransactionID is set for DHCPv6 messages.
	TransactionID string
	// Note adds what matters about this message in a few words.
	Note string
	// Ignored says why a client would ignore this message (RFC 8415 §16).
	Ignored string

	RA   *ndp.RouterAdvertisement `json:"-"`
	DHCP *dhcpv6.Message          `json:"-"`
}

// Router is what one router advertised.
type Router struct {
	Source                 netip.Addr
	SourceMAC              net.HardwareAddr
	Managed, Other         bool
	RouterLifetime         time.Duration
	Preference             string
	Prefixes               []ndp.PrefixInformation
	RDNSS                  []netip.Addr
	DNSSL                  []string
	MTU                    uint32
	Advertisements         int
	Frames                 []int
	FirstSeen, LastSeen    time.Duration
	Problems               []ndp.Problem
	AnsweredSolicitation   bool
	SolicitedLatency       time.Duration
	SolicitedLatencyFrames []int
}

// Server is one DHCPv6 server that answered the client.
type Server struct {
	ServerID   dhcpv6.DUID
	Address    netip.Addr
	SourceMAC  net.HardwareAddr
	Preference int // -1 when absent
	Messages   int
	Frames     []int
	// Latency is the time from the client's message to the server's first
	// answer to it.
	Latency time.Duration
}

// Lease is an address or prefix a server gave, with its IA timers.
type Lease struct {
	Prefix            netip.Prefix
	IAID              [4]byte
	T1, T2            time.Duration
	PreferredLifetime time.Duration
	ValidLifetime     time.Duration
	// Confirmed is set when a Reply (not just an Advertise) carried it.
	Confirmed bool
	Frame     int
}

// Client is the DHCPv6 client under diagnosis.
type Client struct {
	DUID      dhcpv6.DUID
	IAIDs     [][4]byte
	SourceMAC net.HardwareAddr
	Address   netip.Addr
	// PrefixHint is the IA Prefix length asked for in the Solicit; 0 when
	// no hint was sent.
	PrefixHint int
	AskedIANA  bool
	AskedIAPD  bool
	Solicits   int
	Requests   int
	Releases   int
}

// Stats counts what the analysis saw.
type Stats struct {
	Frames            int
	ControlFrames     int
	DecodeErrors      int
	TimelineDropped   int
	UnsupportedFrames int
	First, Last       time.Time
}

// Result is the whole diagnosis.
type Result struct {
	Verdict           Verdict
	Client            Client
	Routers           []Router
	Servers           []Server
	DelegatedPrefixes []Lease
	Addresses         []Lease
	DNS               []netip.Addr
	Timeline          []Event
	Findings          []Finding
	Stats             Stats
}
