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
	CodeOK                    Code = "ok"
	CodeLinkDown              Code = "link-down"
	CodeNoIPv6ControlTraffic  Code = "no-ipv6-control-traffic"
	CodeNoRouterAdvertisement Code = "no-router-advertisement"
	CodeSLAACOnly             Code = "slaac-only"
	CodeNoDHCPv6Reply         Code = "no-dhcpv6-reply"
	// CodeConfigBlocksPrefix: the ISP offers a prefix, but the router's
	// DHCPv6 client, with the arguments its config gives it, refuses or
	// does not ask for it (odhcp6c -Nforce with no address offered,
	// reqprefix 'no', -F); a changed config gets it.
	CodeConfigBlocksPrefix Code = "config-blocks-prefix"
	CodeNoPrefixOffered    Code = "no-prefix-offered"
	// CodeOfferNotTaken: a usable prefix was offered in an Advertise and
	// the client never asked for it with a Request (outside
	// --solicit-only) — usually the client's configuration rejects the
	// offer (odhcp6c's reqaddress 'force' with NoAddrsAvail for IA_NA).
	CodeOfferNotTaken              Code = "offer-not-taken"
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
	// Ignored says why a client would ignore this message: RFC 4861
	// §6.1.2 for a Router Advertisement, RFC 8415 §16 for DHCPv6.
	Ignored string

	// srcPort and dstPort are the UDP ports of a DHCPv6 message.
	srcPort, dstPort uint16
	// pppoe marks a frame carried in a PPPoE session.
	pppoe bool
	// malformed holds the parse error of a DHCPv6 message that was only
	// partly decoded; a client discards such a message.
	malformed string

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
	// PPPoE is set when the router's advertisements came over a PPPoE
	// session, where the link MTU is at most 1492 (RFC 2516 §7).
	PPPoE bool
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
	// IgnoredRouterAdvertisements counts RAs that fail RFC 4861 §6.1.2 (or
	// could not be read) and so do not count as routers.
	IgnoredRouterAdvertisements int
	// RoutersNotListed counts routers past MaxRouters: their RAs are in
	// the timeline but not in Routers.
	RoutersNotListed int
	First, Last      time.Time
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
	// Sequence is the client's DHCPv6 exchange message by message, with
	// the timing of each against RFC 8415's timers.
	Sequence []Step
	Findings []Finding
	Stats    Stats
	// Attempts is the diagnosis of each attempt of a live run's strategy
	// ladder, and BestAttempt the Index of the one that worked best (0:
	// none did); see attempts.go.
	Attempts    []AttemptResult
	BestAttempt int
	// RouterClient is what the router's own odhcp6c gets on this line with
	// its config (routerclient.go); nil when the facts name no client.
	RouterClient *RouterClient
	// Suggested is the config that gets the router more, proven by an
	// attempt of the ladder; nil when none does.
	Suggested *Suggested
}

// Step is one DHCPv6 message of the client's exchange (RFC 8415 §15, §18),
// with its timing. Client messages carry their transmission number within
// the transaction and the gap since the previous transmission, with the
// window RFC 8415 §15 allows for that gap; server messages carry their
// latency.
type Step struct {
	Frame         int
	Kind          Kind
	Direction     Direction
	TransactionID string
	Offset        time.Duration
	// Transmission is 1 for a client message's first transmission in its
	// transaction, 2 for the first retransmission, and so on; 0 for
	// server messages.
	Transmission int
	// Gap is the time since the previous transmission in the transaction
	// (0 for the first). GapMin and GapMax bound it per RFC 8415 §15
	// (IRT, MRT and RAND ±0.1, from the previous gap); both are 0 when no
	// bound applies.
	Gap, GapMin, GapMax time.Duration
	// GapOK is false when Gap falls outside [GapMin, GapMax]; true where
	// no window applies (first transmissions, server messages).
	GapOK bool
	// Latency is, for a server message, the time since the latest client
	// transmission in its transaction; SinceFirst since the first one.
	Latency, SinceFirst time.Duration
	// Ignored repeats the timeline's reason when a client discards the
	// message.
	Ignored string
}
