package report

import (
	"fmt"
	"strings"

	"github.com/v6diag/v6diag/diag"
)

// jsonRouterClient is report.json's router_client: what the router's own
// DHCPv6 client, odhcp6c started by netifd with the router's wan6 options,
// gets on this line. Its first five fields are the stable contract of
// issue 10 (README's report.json table).
type jsonRouterClient struct {
	// Config is where the options came from ("/etc/config/network#wan6",
	// "netifd defaults", "--client-args").
	Config string `json:"config"`
	// Args is the odhcp6c command line netifd derives ("-Ntry -P0 -t120").
	Args string `json:"args"`
	// Prefix and Address are what it gets, "" when nothing.
	Prefix      string `json:"prefix"`
	Address     string `json:"address"`
	Explanation string `json:"explanation"`
	Frames      []int  `json:"frames"`
	// Predicted: the capture holds no Reply to odhcp6c's own Request, so
	// prefix and address are what it is offered. Incomplete: the capture
	// lacks the answer to something odhcp6c would send.
	Predicted  bool     `json:"predicted"`
	Incomplete bool     `json:"incomplete"`
	Notes      []string `json:"notes"`
	// Attempt is the ladder attempt that ran odhcp6c's shape; 0 offline.
	Attempt int `json:"attempt"`
	// Suggestion is a config that gets the router more, proven by an
	// attempt; null when none does.
	Suggestion *jsonSuggestion `json:"suggestion"`
}

type jsonSuggestion struct {
	Attempt  int    `json:"attempt"`
	Settings string `json:"settings"`
	Args     string `json:"args"`
	Prefix   string `json:"prefix"`
	Address  string `json:"address"`
}

func routerClientJSON(r *diag.Result) jsonRouterClient {
	rc := r.RouterClient
	if rc == nil {
		return jsonRouterClient{Frames: []int{}, Notes: []string{},
			Explanation: "No DHCPv6 client was named for the router, so v6diag does not say what it gets."}
	}
	j := jsonRouterClient{Config: rc.Source, Args: rc.ArgsText, Explanation: rc.Explanation,
		Frames: orEmpty(rc.Frames), Predicted: rc.Predicted, Incomplete: rc.Incomplete,
		Notes: orEmpty(rc.Notes), Attempt: rc.Attempt}
	if rc.Prefix.IsValid() {
		j.Prefix = rc.Prefix.String()
	}
	if rc.Address.IsValid() {
		j.Address = rc.Address.String()
	}
	if s := r.Suggested; s != nil {
		j.Suggestion = &jsonSuggestion{Attempt: s.Attempt, Settings: s.Advice, Args: s.ArgsText}
		if s.Prefix.IsValid() {
			j.Suggestion.Prefix = s.Prefix.String()
		}
		if s.Address.IsValid() {
			j.Suggestion.Address = s.Address.String()
		}
	}
	return j
}

// routerLines is the router client's part of every report, in the order
// text, markdown and HTML show it: who the client is, what it gets, why,
// and what a proven config change gets it.
type routerLines struct {
	Client, Gets, Why, Suggestion string
	Notes                         []string
}

func routerClientLines(d Document) routerLines {
	rc := d.RouterClient
	var l routerLines
	if rc.Args == "" && rc.Config == "" {
		l.Why = rc.Explanation
		return l
	}
	l.Client = "odhcp6c " + rc.Args
	if rc.Config != "" {
		l.Client += " (" + rc.Config + ")"
	}
	var got []string
	if rc.Prefix != "" {
		got = append(got, "prefix "+rc.Prefix)
	}
	if rc.Address != "" {
		got = append(got, "address "+rc.Address)
	}
	switch {
	case len(got) == 0:
		l.Gets = "nothing: no prefix, no address"
	case rc.Predicted:
		l.Gets = strings.Join(got, ", ") + " (offered; no Reply to its Request is in the capture)"
	default:
		l.Gets = strings.Join(got, ", ")
	}
	l.Why = rc.Explanation
	if s := rc.Suggestion; s != nil {
		proof := fmt.Sprintf("attempt %d proved it", s.Attempt)
		if s.Attempt == 0 {
			proof = "the capture shows the ISP offering it"
		}
		got := s.Prefix
		if got == "" {
			got = "a prefix"
		}
		l.Suggestion = fmt.Sprintf("With %s (odhcp6c %s) it gets %s; %s. network.suggested has the change.",
			s.Settings, s.Args, got, proof)
	}
	l.Notes = rc.Notes
	return l
}
