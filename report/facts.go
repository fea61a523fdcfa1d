package report

import (
	"fmt"
	"strings"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/linkinfo"
)

// jsonHost is report.json's "router": what the router says about itself.
type jsonHost struct {
	Model       string `json:"model"`
	BoardName   string `json:"board_name"`
	Release     string `json:"release"`
	Target      string `json:"target"`
	Arch        string `json:"arch"`
	Kernel      string `json:"kernel"`
	KernelBuilt string `json:"kernel_built"`
}

type jsonVLAN struct {
	ID       int    `json:"id"`
	Priority int    `json:"priority"`
	Parent   string `json:"parent"`
}

// jsonLink is what the capture shows of the client's side of the link, in
// every mode (analyze too).
type jsonLink struct {
	ClientMAC       string `json:"client_mac"`
	ClientLinkLocal string `json:"client_link_local"`
	// PPPoE is set when the control frames came in a PPPoE session.
	PPPoE bool `json:"pppoe"`
	// ClientFraming and ISPFraming say how the client's and the ISP's
	// control frames were tagged in the capture.
	ClientFraming jsonFraming `json:"client_framing"`
	ISPFraming    jsonFraming `json:"isp_framing"`
}

type jsonFraming struct {
	Frames       int            `json:"frames"`
	VLANs        []jsonWireVLAN `json:"vlans"`
	PPPoE        bool           `json:"pppoe"`
	PPPoESession int            `json:"pppoe_session"`
	Mixed        bool           `json:"mixed"`
}

type jsonWireVLAN struct {
	ID       int    `json:"id"`
	Priority int    `json:"priority"`
	TPID     string `json:"tpid"`
}

func framingJSON(f linkinfo.Framing) jsonFraming {
	j := jsonFraming{Frames: f.Frames, VLANs: []jsonWireVLAN{}, Mixed: f.Mixed}
	for _, v := range f.VLANs {
		j.VLANs = append(j.VLANs, jsonWireVLAN{ID: int(v.ID), Priority: int(v.Priority), TPID: fmt.Sprintf("0x%04x", v.TPID)})
	}
	j.PPPoE, j.PPPoESession = f.PPPoE, int(f.Session)
	return j
}

// framingText says in a few words how one direction was framed.
func framingText(f jsonFraming) string {
	if f.Frames == 0 {
		return "none seen"
	}
	var parts []string
	for _, v := range f.VLANs {
		parts = append(parts, fmt.Sprintf("VLAN %d priority %d", v.ID, v.Priority))
	}
	if len(parts) == 0 {
		parts = append(parts, "untagged")
	}
	if f.PPPoE {
		parts = append(parts, fmt.Sprintf("PPPoE session 0x%04x", f.PPPoESession))
	}
	s := strings.Join(parts, ", ")
	if f.Mixed {
		s += " (others differ)"
	}
	return s
}

// jsonClock says how far the timestamps can be trusted.
type jsonClock struct {
	// Zone is always "UTC": every time in the report is UTC.
	Zone    string `json:"zone"`
	Suspect bool   `json:"suspect"`
	// Note explains a suspect clock in one sentence, "" otherwise.
	Note string `json:"note"`
	// BehindAtLeast is a lower bound of how far the clock that stamped the
	// capture was behind, when evidence gives one.
	BehindAtLeast float64 `json:"behind_at_least_seconds"`
}

// jsonSolicitShape is one distinct shape of the Solicits the client sent.
type jsonSolicitShape struct {
	Frames            []int         `json:"frames"`
	IANA              []string      `json:"ia_na"` // IAIDs
	IAPD              []jsonIAPDAsk `json:"ia_pd"`
	RapidCommit       bool          `json:"rapid_commit"`
	ReconfigureAccept bool          `json:"reconfigure_accept"`
	RequestedOptions  []int         `json:"requested_options"`
	Options           []int         `json:"options"`
	Summary           string        `json:"summary"`
}

type jsonIAPDAsk struct {
	IAID string `json:"iaid"`
	// Hint is the IA Prefix length asked for, 0 when none.
	Hint int `json:"hint"`
}

// jsonStatusCode is one Status Code option a server sent (RFC 8415 §21.13).
type jsonStatusCode struct {
	Frame   int    `json:"frame"`
	Message string `json:"message"`
	// Where is "message", "IA_NA <iaid>", "IA_PD <iaid>", or the address or
	// prefix it was attached to.
	Where string `json:"where"`
	Code  int    `json:"code"`
	Name  string `json:"name"`
	Text  string `json:"text"`
}

// addFacts fills what NewDocument's first pass leaves out: the router,
// link, per-message details, Solicit shapes, status codes, RA intervals,
// the clock check and the paragraph for the ISP.
func (d *Document) addFacts(run Run, r *diag.Result) {
	if h := run.Host; h != nil && !h.Empty() {
		d.Router = &jsonHost{Model: h.Model, BoardName: h.BoardName, Release: h.Release, Target: h.Target, Arch: h.Arch,
			Kernel: h.Kernel, KernelBuilt: stamp(h.KernelBuilt)}
	}
	if i := run.Interface; i != nil && d.Interface != nil {
		if v := i.VLAN; v != nil {
			d.Interface.VLAN = &jsonVLAN{ID: v.ID, Priority: v.Priority, Parent: v.Parent}
		}
		d.Interface.PPPoE = i.PPPoE
	}
	d.Link = jsonLink{ClientMAC: mac(r.Client.SourceMAC), ClientLinkLocal: addr(r.Client.Address)}
	if f := run.Framing; f != nil {
		d.Link.ClientFraming, d.Link.ISPFraming = framingJSON(f.Client), framingJSON(f.ISP)
		d.Link.PPPoE = f.Client.PPPoE || f.ISP.PPPoE
	} else {
		d.Link.ClientFraming, d.Link.ISPFraming = framingJSON(linkinfo.Framing{}), framingJSON(linkinfo.Framing{})
	}
	for _, rt := range r.Routers {
		d.Link.PPPoE = d.Link.PPPoE || rt.PPPoE
	}
	answered := r.Answered()
	for i := range r.Timeline {
		if i >= len(d.Timeline) {
			break
		}
		e := &r.Timeline[i]
		d.Timeline[i].ServerID, d.Timeline[i].Detail, d.Timeline[i].Answered = e.ServerID().String(), e.Detail(), answered[i]
	}
	d.DHCPv6.SolicitShapes = solicitShapes(r)
	d.DHCPv6.StatusCodes = statusCodes(r)
	for i := range d.RA.Routers {
		if i < len(r.Routers) {
			if iv, ok := r.RAInterval(r.Routers[i].Source); ok {
				s := iv.Seconds()
				d.RA.Routers[i].Interval = &s
			}
		}
	}
	d.Clock = clockJSON(run, r)
	d.Verdict.ForISP = ispParagraph(d, r)
}

// solicitShapes lays the client's Solicit shapes out for report.json.
func solicitShapes(r *diag.Result) []jsonSolicitShape {
	out := []jsonSolicitShape{}
	for _, sh := range r.SolicitShapes() {
		s := jsonSolicitShape{Frames: sh.Frames, IANA: []string{}, IAPD: []jsonIAPDAsk{}, RapidCommit: sh.RapidCommit,
			ReconfigureAccept: sh.ReconfigureAccept, RequestedOptions: ints(sh.RequestedOptions), Options: ints(sh.Options), Summary: sh.Summary}
		for _, id := range sh.IANA {
			s.IANA = append(s.IANA, iaid(id))
		}
		for _, pd := range sh.IAPD {
			s.IAPD = append(s.IAPD, jsonIAPDAsk{IAID: iaid(pd.IAID), Hint: pd.Hint})
		}
		out = append(out, s)
	}
	return out
}

func ints[T ~uint16](codes []T) []int {
	out := []int{}
	for _, c := range codes {
		out = append(out, int(c))
	}
	return out
}

// statusCodes lays out every Status Code option servers sent.
func statusCodes(r *diag.Result) []jsonStatusCode {
	out := []jsonStatusCode{}
	for _, sc := range r.StatusCodes() {
		out = append(out, jsonStatusCode{Frame: sc.Frame, Message: sc.Message.String(), Where: sc.Where,
			Code: int(sc.Status.Code), Name: sc.Status.Name(), Text: sc.Status.Message})
	}
	return out
}

// clockJSON lays the clock check out; the run says which dates bound it.
func clockJSON(run Run, r *diag.Result) jsonClock {
	ev := diag.ClockEvidence{Started: run.Started, Live: strings.HasPrefix(run.Mode, "run"), Built: run.Built}
	if run.Host != nil {
		ev.KernelBuilt = run.Host.KernelBuilt
	}
	c := r.CheckClock(ev)
	return jsonClock{Zone: "UTC", Suspect: c.Suspect, Note: c.Note, BehindAtLeast: c.BehindAtLeast.Seconds()}
}

// maxSaid bounds the list of what the ISP side said in every report;
// report.json's timeline has every message's detail.
const maxSaid = 50

// said lists the messages from routers and servers with what each
// carried, at most maxSaid, and how many more there were.
func said(d Document) (lines []string, more int) {
	for _, e := range d.Timeline {
		if e.Direction != diag.DirectionIn || e.Detail == "" {
			continue
		}
		if len(lines) == maxSaid {
			more++
			continue
		}
		l := fmt.Sprintf("frame %d, %s from %s: %s", e.Frame, e.Kind, e.Source, e.Detail)
		if e.Ignored != "" {
			l += " (ignored: " + e.Ignored + ")"
		}
		lines = append(lines, l)
	}
	return lines, more
}
