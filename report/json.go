package report

import (
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/internal/jsonlite"
	"github.com/v6diag/v6diag/linkinfo"
)

// SchemaVersion is report.json's schema version. It changes only when a
// field changes meaning or goes away; new fields do not bump it.
const SchemaVersion = 1

// Run holds what the command knew about the run itself: the tool, the mode,
// the interface, the identity it used.
type Run struct {
	Tool      string
	Version   string
	Mode      string // "run", "run --solicit-only", "run --passive", "analyze"
	Started   time.Time
	Duration  time.Duration
	Source    string // capture file analysed
	Interface *Interface
	// Port546 says whether another DHCPv6 client held UDP port 546 on the
	// router during the run.
	Port546 string
	// Notes are facts about the run worth a line in the report.
	Notes []string
	// Capture describes a live run's capture path and bounds; nil offline.
	Capture *LiveCapture
	// Host is what the router says about itself (live runs); nil if
	// nothing was found.
	Host *hostinfo.Host
	// Built is when this v6diag binary was built, zero if unknown: a live
	// capture dated earlier shows a clock that is wrong.
	Built time.Time
	// Framing is how the control frames were tagged on the wire (VLAN,
	// PPPoE), nil if not looked at.
	Framing *linkinfo.Link
	// Strategy is a live run's --strategy (auto, first, all); "" offline.
	Strategy string
	// Attempts are the rungs of the strategy ladder, run or skipped
	// (attempts.go).
	Attempts []AttemptPlan
	// RouterState is what netifd and odhcp6c on the router held (live
	// runs on a router; routerstate.go); nil when not read.
	RouterState *hostinfo.RouterState
}

// LiveCapture is how a live run captured: the path taken (so a report from
// an emulator or an odd kernel says which) and the bounds that keep a
// flood from filling memory.
type LiveCapture struct {
	Method             string // capture.Method
	ReceiveBufferBytes int
	MaxFrames          int
	FramesNotRecorded  int
	// KernelDrops is nil when the kernel gave no count (under qemu-user).
	KernelDrops *int
}

// Interface describes the WAN interface of a live run.
type Interface struct {
	Name      string
	MAC       net.HardwareAddr
	LinkLocal netip.Addr
	MTU       int
	Carrier   bool
	LinkType  string
	Source    string
	// VLAN is the 802.1Q tag of a VLAN device (eth0.7), nil otherwise.
	VLAN *hostinfo.VLAN
	// PPPoE marks a PPP link (pppoe-wan).
	PPPoE bool
}

// Document is report.json. Every field README's report.json table lists is
// always present, so scripts can index without checking: lists are [] when
// empty, an unknown string is "", an absent number 0 (mtu: no MTU option)
// or null where 0 would be a value (preference, solicited_latency_seconds).
// Only the objects of a live run (interface, port_546) and duid, when no
// client was seen, are left out.
type Document struct {
	Schema    int              `json:"schema"`
	Tool      string           `json:"tool"`
	Version   string           `json:"version"`
	Mode      string           `json:"mode"`
	Started   string           `json:"started,omitempty"`
	Duration  float64          `json:"duration_seconds"`
	Source    string           `json:"source,omitempty"`
	Verdict   jsonVerdict      `json:"verdict"`
	Clock     jsonClock        `json:"clock"`
	Router    *jsonHost        `json:"router,omitempty"`
	Interface *jsonInterface   `json:"interface,omitempty"`
	Link      jsonLink         `json:"link"`
	DUID      *jsonDUID        `json:"duid,omitempty"`
	Port546   string           `json:"port_546,omitempty"`
	RA        jsonRA           `json:"ra"`
	DHCPv6    jsonDHCPv6       `json:"dhcpv6"`
	Timeline  []jsonEvent      `json:"timeline"`
	Findings  []jsonFinding    `json:"findings"`
	Capture   jsonCaptureStats `json:"capture"`
	Notes     []string         `json:"notes,omitempty"`
	// Strategy, Attempts and BestAttempt describe the strategy ladder
	// (attempts.go); BestAttempt is 1-based, 0 when none worked.
	Strategy    string        `json:"strategy,omitempty"`
	Attempts    []jsonAttempt `json:"attempts"`
	BestAttempt int           `json:"best_attempt"`
	// RouterClient is what the router's own odhcp6c gets with its config
	// (routerclient.go).
	RouterClient jsonRouterClient `json:"router_client"`
	// RouterState is the router's own view of its WAN (routerstate.go);
	// live runs only.
	RouterState *jsonRouterState `json:"router_state,omitempty"`
}

type jsonVerdict struct {
	Code       diag.Code  `json:"code"`
	Summary    string     `json:"summary"`
	WhoMustAct diag.Party `json:"who_must_act"`
	// ForISP is one paragraph addressed to the ISP's support staff.
	ForISP string `json:"for_isp"`
}

type jsonInterface struct {
	Name      string    `json:"name"`
	MAC       string    `json:"mac"`
	LinkLocal string    `json:"link_local"`
	MTU       int       `json:"mtu"`
	Carrier   bool      `json:"carrier"`
	LinkType  string    `json:"link_type"`
	Source    string    `json:"facts_from"`
	VLAN      *jsonVLAN `json:"vlan"`
	PPPoE     bool      `json:"pppoe"`
}

type jsonDUID struct {
	Hex   string   `json:"hex"`
	Type  string   `json:"type"`
	IAIDs []string `json:"iaids"`
}

type jsonRA struct {
	Routers []jsonRouter `json:"routers"`
}

type jsonRouter struct {
	Source           string       `json:"source"`
	SourceMAC        string       `json:"source_mac"`
	Managed          bool         `json:"managed"`
	Other            bool         `json:"other"`
	RouterLifetime   float64      `json:"router_lifetime_seconds"`
	Preference       string       `json:"preference"`
	Prefixes         []jsonPrefix `json:"prefixes"`
	RDNSS            []string     `json:"rdnss"`
	DNSSL            []string     `json:"dnssl"`
	MTU              uint32       `json:"mtu"`
	Advertisements   int          `json:"advertisements"`
	SolicitedLatency *float64     `json:"solicited_latency_seconds"`
	Frames           []int        `json:"frames"`
	// Interval is the median time between this router's RAs, null with
	// fewer than two.
	Interval *float64 `json:"interval_seconds"`
}

type jsonPrefix struct {
	Prefix            string  `json:"prefix"`
	OnLink            bool    `json:"on_link"`
	Autonomous        bool    `json:"autonomous"`
	ValidLifetime     float64 `json:"valid_lifetime_seconds"`
	PreferredLifetime float64 `json:"preferred_lifetime_seconds"`
}

type jsonDHCPv6 struct {
	Solicits          int                `json:"solicits_sent"`
	Requests          int                `json:"requests_sent"`
	Releases          int                `json:"releases_sent"`
	PrefixHint        int                `json:"prefix_hint"`
	Servers           []jsonServer       `json:"servers"`
	DelegatedPrefixes []jsonLease        `json:"delegated_prefixes"`
	Addresses         []jsonLease        `json:"addresses"`
	DNS               []string           `json:"dns"`
	SolicitShapes     []jsonSolicitShape `json:"solicit_shapes"`
	StatusCodes       []jsonStatusCode   `json:"status_codes"`
	Sequence          []jsonStep         `json:"sequence"`
}

type jsonServer struct {
	ServerID   string  `json:"server_id"`
	DUIDType   string  `json:"server_id_type"`
	Address    string  `json:"address"`
	SourceMAC  string  `json:"source_mac"`
	Preference *int    `json:"preference"`
	Latency    float64 `json:"latency_seconds"`
	Messages   int     `json:"messages"`
	Frames     []int   `json:"frames"`
}

type jsonLease struct {
	Prefix            string  `json:"prefix"`
	IAID              string  `json:"iaid"`
	T1                float64 `json:"t1_seconds"`
	T2                float64 `json:"t2_seconds"`
	PreferredLifetime float64 `json:"preferred_lifetime_seconds"`
	ValidLifetime     float64 `json:"valid_lifetime_seconds"`
	Confirmed         bool    `json:"confirmed"`
	Frame             int     `json:"frame"`
}

type jsonEvent struct {
	Frame         int            `json:"frame"`
	Time          string         `json:"time"`
	Offset        float64        `json:"offset_seconds"`
	Direction     diag.Direction `json:"direction"`
	Kind          diag.Kind      `json:"kind"`
	Source        string         `json:"source"`
	Destination   string         `json:"destination"`
	SourceMAC     string         `json:"source_mac"`
	TransactionID string         `json:"transaction_id"`
	Note          string         `json:"note"`
	Ignored       string         `json:"ignored"`
	// ServerID is the Server ID of a DHCPv6 message, "" if none.
	ServerID string `json:"server_id"`
	// Detail says what the message carried: flags, IAs, hints, prefixes,
	// statuses, options.
	Detail string `json:"detail"`
	// Answered: a client message got an answer (diag.Result.Answered).
	Answered bool `json:"-"`
}

type jsonFinding struct {
	ID       string        `json:"id"`
	Severity diag.Severity `json:"severity"`
	Summary  string        `json:"summary"`
	ForISP   string        `json:"for_isp"`
	RFC      string        `json:"rfc"`
	Frames   []int         `json:"frames"`
}

type jsonCaptureStats struct {
	Frames          int `json:"frames"`
	ControlFrames   int `json:"control_frames"`
	DecodeErrors    int `json:"decode_errors"`
	TimelineDropped int `json:"timeline_dropped"`
	// IgnoredRAs counts RAs that fail RFC 4861 §6.1.2 and so count as no router.
	IgnoredRAs int    `json:"ignored_router_advertisements"`
	First      string `json:"first"`
	Last       string `json:"last"`
	// Live runs only (flattened into "capture", as encoding/json would).
	*jsonLiveCapture
}

type jsonLiveCapture struct {
	Method             string `json:"method"`
	ReceiveBufferBytes int    `json:"receive_buffer_bytes"`
	MaxFrames          int    `json:"max_frames"`
	FramesNotRecorded  int    `json:"frames_not_recorded"`
	KernelDrops        *int   `json:"kernel_drops"`
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func mac(m net.HardwareAddr) string {
	if len(m) == 0 {
		return ""
	}
	return m.String()
}

func addr(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func iaid(b [4]byte) string { return hex.EncodeToString(b[:]) }

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// NewDocument lays a diagnosis out as report.json.
func NewDocument(run Run, r *diag.Result) Document {
	d := Document{
		Schema:   SchemaVersion,
		Tool:     run.Tool,
		Version:  run.Version,
		Mode:     run.Mode,
		Started:  stamp(run.Started),
		Duration: seconds(run.Duration),
		Source:   run.Source,
		Verdict:  jsonVerdict{Code: r.Verdict.Code, Summary: r.Verdict.Summary, WhoMustAct: r.Verdict.WhoMustAct},
		Port546:  run.Port546,
		Notes:    run.Notes,
		Capture: jsonCaptureStats{Frames: r.Stats.Frames, ControlFrames: r.Stats.ControlFrames, DecodeErrors: r.Stats.DecodeErrors,
			TimelineDropped: r.Stats.TimelineDropped, IgnoredRAs: r.Stats.IgnoredRouterAdvertisements, First: stamp(r.Stats.First), Last: stamp(r.Stats.Last)},
	}
	d.RouterState = routerStateDoc(run.RouterState)
	if c := run.Capture; c != nil {
		d.Capture.jsonLiveCapture = &jsonLiveCapture{Method: c.Method, ReceiveBufferBytes: c.ReceiveBufferBytes,
			MaxFrames: c.MaxFrames, FramesNotRecorded: c.FramesNotRecorded, KernelDrops: c.KernelDrops}
	}
	if i := run.Interface; i != nil {
		d.Interface = &jsonInterface{Name: i.Name, MAC: mac(i.MAC), LinkLocal: addr(i.LinkLocal), MTU: i.MTU, Carrier: i.Carrier, LinkType: i.LinkType, Source: i.Source}
	}
	if len(r.Client.DUID) > 0 {
		d.DUID = &jsonDUID{Hex: r.Client.DUID.String(), Type: r.Client.DUID.TypeName(), IAIDs: []string{}}
		for _, id := range r.Client.IAIDs {
			d.DUID.IAIDs = append(d.DUID.IAIDs, iaid(id))
		}
	}
	d.RA.Routers = []jsonRouter{}
	for _, rt := range r.Routers {
		jr := jsonRouter{Source: addr(rt.Source), SourceMAC: mac(rt.SourceMAC), Managed: rt.Managed, Other: rt.Other,
			RouterLifetime: seconds(rt.RouterLifetime), Preference: rt.Preference, MTU: rt.MTU, DNSSL: orEmpty(rt.DNSSL),
			Advertisements: rt.Advertisements, Frames: orEmpty(rt.Frames), Prefixes: []jsonPrefix{}, RDNSS: []string{}}
		for _, p := range rt.Prefixes {
			jr.Prefixes = append(jr.Prefixes, jsonPrefix{Prefix: p.Prefix.String(), OnLink: p.OnLink, Autonomous: p.Autonomous,
				ValidLifetime: seconds(p.ValidLifetime), PreferredLifetime: seconds(p.PreferredLifetime)})
		}
		for _, s := range rt.RDNSS {
			jr.RDNSS = append(jr.RDNSS, s.String())
		}
		if rt.AnsweredSolicitation {
			l := seconds(rt.SolicitedLatency)
			jr.SolicitedLatency = &l
		}
		d.RA.Routers = append(d.RA.Routers, jr)
	}
	d.DHCPv6 = jsonDHCPv6{Solicits: r.Client.Solicits, Requests: r.Client.Requests, Releases: r.Client.Releases,
		PrefixHint: r.Client.PrefixHint, Servers: []jsonServer{}, DelegatedPrefixes: []jsonLease{}, Addresses: []jsonLease{}, DNS: []string{}}
	for _, s := range r.Servers {
		js := jsonServer{ServerID: s.ServerID.String(), DUIDType: s.ServerID.TypeName(), Address: addr(s.Address), SourceMAC: mac(s.SourceMAC),
			Latency: seconds(s.Latency), Messages: s.Messages, Frames: orEmpty(s.Frames)}
		if s.Preference >= 0 {
			p := s.Preference
			js.Preference = &p
		}
		d.DHCPv6.Servers = append(d.DHCPv6.Servers, js)
	}
	lease := func(l diag.Lease) jsonLease {
		return jsonLease{Prefix: l.Prefix.String(), IAID: iaid(l.IAID), T1: seconds(l.T1), T2: seconds(l.T2),
			PreferredLifetime: seconds(l.PreferredLifetime), ValidLifetime: seconds(l.ValidLifetime), Confirmed: l.Confirmed, Frame: l.Frame}
	}
	for _, l := range r.DelegatedPrefixes {
		d.DHCPv6.DelegatedPrefixes = append(d.DHCPv6.DelegatedPrefixes, lease(l))
	}
	for _, l := range r.Addresses {
		d.DHCPv6.Addresses = append(d.DHCPv6.Addresses, lease(l))
	}
	for _, s := range r.DNS {
		d.DHCPv6.DNS = append(d.DHCPv6.DNS, s.String())
	}
	d.DHCPv6.Sequence = sequenceJSON(r.Sequence)
	d.Timeline = []jsonEvent{}
	for _, e := range r.Timeline {
		d.Timeline = append(d.Timeline, jsonEvent{Frame: e.Frame, Time: stamp(e.Time), Offset: seconds(e.Offset), Direction: e.Direction,
			Kind: e.Kind, Source: addr(e.Source), Destination: addr(e.Dest), SourceMAC: mac(e.SourceMAC),
			TransactionID: e.TransactionID, Note: e.Note, Ignored: e.Ignored})
	}
	d.Findings = []jsonFinding{}
	for _, f := range r.Findings {
		d.Findings = append(d.Findings, jsonFinding{ID: f.ID, Severity: f.Severity, Summary: f.Summary, ForISP: f.ForISP, RFC: f.RFC, Frames: orEmpty(f.Frames)})
	}
	d.addFacts(run, r)
	d.Strategy, d.Attempts, d.BestAttempt = run.Strategy, attemptsJSON(run.Attempts, r), r.BestAttempt
	d.RouterClient = routerClientJSON(r)
	return d
}

// WriteJSON writes report.json.
func WriteJSON(w io.Writer, d Document) error {
	// jsonlite writes what json.Encoder with a two-space indent wrote, at
	// a fraction of encoding/json's size (issue 4's flash budget).
	if err := jsonlite.Encode(w, d); err != nil {
		return fmt.Errorf("report: write json: %w", err)
	}
	return nil
}

// DUIDFromIdentity fills the duid field from the identity a live run used,
// for runs where the capture never showed it (no Solicit went out).
// The DUID is read through its methods, so that report need not import
// dhcpv6.
func (d *Document) DUIDFromIdentity(duid interface {
	String() string
	TypeName() string
}, iaid [4]byte) {
	d.DUID = &jsonDUID{Hex: duid.String(), Type: duid.TypeName(), IAIDs: []string{hex.EncodeToString(iaid[:])}}
}
