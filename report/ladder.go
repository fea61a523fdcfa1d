package report

import (
	"fmt"
	"strings"

	"github.com/v6diag/v6diag/diag"
)

// maxLadderArrows bounds the diagram: past a few hundred arrows a ladder
// stops being readable and the page grows heavy; the timeline table and
// report.json keep every message.
const maxLadderArrows = 150

// maxLadderPeers bounds the columns; further routers and servers share an
// "others" column.
const maxLadderPeers = 6

// Ladder geometry, in SVG user units.
const (
	ladderGutter  = 170 // left margin with times and frame numbers
	ladderSpacing = 230 // distance between columns
	ladderTop     = 70  // room for the column heads
	ladderRow     = 44  // height of one arrow
	ladderMargin  = 110 // right margin for the last column's labels
	ladderBottom  = 30
)

// ladder is the exchange laid out as a sequence diagram: the client's
// column on the left, one column per router and DHCPv6 server.
type ladder struct {
	Width, Height int
	Columns       []ladderColumn
	Arrows        []ladderArrow
	Shown, Total  int
}

type ladderColumn struct {
	X           int
	Title, Sub  string
	Placeholder bool // no one answered: a column for where the message went
}

type ladderArrow struct {
	Y              int
	X1, X2         int
	LabelX         int
	Label          string // "Solicit", "RA", …
	Meta           string // "frame 4 · +0.213 s"
	Extra          string // "retransmission 2", "no answer", "ignored: …"
	Title          string // hover text: UTC time, detail
	Class          string // out, in, ignored, unanswered
	Dashed, NoPeer bool
	CrossX         int
	Frame          int
}

func newLadder(d Document) ladder {
	var l ladder
	l.Total = len(d.Timeline)
	type peer struct{ key, title, sub string }
	var peers []peer
	index := map[string]int{}
	addPeer := func(key, title, sub string) int {
		if i, ok := index[key]; ok {
			return i
		}
		if len(peers) == maxLadderPeers {
			if i, ok := index["others"]; ok {
				index[key] = i
				return i
			}
			key, title, sub = "others", "others", "further routers and servers"
		}
		peers = append(peers, peer{key, title, sub})
		index[key] = len(peers) - 1
		return len(peers) - 1
	}
	for _, r := range d.RA.Routers {
		addPeer("ra "+r.Source, "router", r.Source)
	}
	for _, s := range d.DHCPv6.Servers {
		addPeer("server "+s.ServerID, "DHCPv6 server", s.Address)
	}
	// Columns for everything else that speaks, and placeholders for where
	// unanswered messages went.
	hasRS, hasSolicit := false, false
	for _, e := range d.Timeline {
		switch {
		case e.Direction == diag.DirectionIn && e.Kind == diag.KindRouterAdvertisement:
			addPeer("ra "+e.Source, "router", e.Source)
		case e.Direction == diag.DirectionIn && e.ServerID != "":
			addPeer("server "+e.ServerID, "DHCPv6 server", e.Source)
		case e.Direction == diag.DirectionIn:
			addPeer("addr "+e.Source, "sender", e.Source)
		case e.Kind == diag.KindRouterSolicitation:
			hasRS = true
		default:
			hasSolicit = true
		}
	}
	firstOf := func(prefix string) (int, bool) {
		for i, p := range peers {
			if strings.HasPrefix(p.key, prefix) {
				return i, true
			}
		}
		return 0, false
	}
	if _, ok := firstOf("ra "); !ok && hasRS {
		addPeer("ra none", "routers", "ff02::2 (no answer)")
	}
	if _, ok := firstOf("server "); !ok && hasSolicit {
		addPeer("server none", "DHCPv6 servers", "ff02::1:2 (no answer)")
	}

	l.Columns = append(l.Columns, ladderColumn{X: ladderGutter + ladderSpacing/2, Title: "this router (client)", Sub: firstNonEmpty(d.Link.ClientLinkLocal, d.Link.ClientMAC)})
	for i, p := range peers {
		l.Columns = append(l.Columns, ladderColumn{X: ladderGutter + ladderSpacing/2 + (i+1)*ladderSpacing, Title: p.title, Sub: p.sub,
			Placeholder: strings.HasSuffix(p.key, " none")})
	}
	l.Width = ladderGutter + len(l.Columns)*ladderSpacing + ladderMargin - ladderSpacing/2
	colX := func(i int) int { return l.Columns[i+1].X }

	sent := map[string]int{}
	for _, e := range d.Timeline {
		if len(l.Arrows) == maxLadderArrows {
			break
		}
		a := ladderArrow{Y: ladderTop + 20 + len(l.Arrows)*ladderRow, Label: string(e.Kind), Frame: e.Frame,
			Meta: fmt.Sprintf("frame %d · +%.3f s", e.Frame, e.Offset)}
		a.Title = strings.TrimSpace(fmt.Sprintf("%s UTC. %s %s → %s. %s", e.Time, e.Kind, e.Source, e.Destination, e.Detail))
		client := l.Columns[0].X
		if e.Direction == diag.DirectionOut {
			var to int
			switch {
			case e.Kind == diag.KindRouterSolicitation:
				to, _ = firstOf("ra ")
			default:
				if j, ok := index["server "+e.ServerID]; ok && e.ServerID != "" {
					to = j
				} else {
					to, _ = firstOf("server ")
				}
			}
			a.X1, a.X2, a.Class = client, colX(to), "out"
			key := string(e.Kind) + " " + e.TransactionID
			sent[key]++
			if n := sent[key]; n > 1 {
				a.Extra = fmt.Sprintf("retransmission %d", n-1)
			}
			if !e.Answered {
				a.Class, a.Dashed, a.CrossX = "out unanswered", true, a.X2
				a.Extra = strings.TrimPrefix(a.Extra+" · no answer", " · ")
			}
			if e.TransactionID != "" {
				a.Label += " " + e.TransactionID
			}
		} else {
			var from int
			switch {
			case e.Kind == diag.KindRouterAdvertisement:
				from = index["ra "+e.Source]
			case e.ServerID != "":
				from = index["server "+e.ServerID]
			default:
				from = index["addr "+e.Source]
			}
			a.X1, a.X2, a.Class = colX(from), client, "in"
			if e.TransactionID != "" {
				a.Label += " " + e.TransactionID
			}
			if e.Ignored != "" {
				a.Class, a.Dashed = "in ignored", true
				a.Extra = "ignored: " + e.Ignored
			}
		}
		a.LabelX = (a.X1 + a.X2) / 2
		l.Arrows = append(l.Arrows, a)
	}
	l.Shown = len(l.Arrows)
	l.Height = ladderTop + 20 + len(l.Arrows)*ladderRow + ladderBottom
	return l
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
