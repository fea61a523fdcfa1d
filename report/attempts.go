package report

import (
	"fmt"
	"strings"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/uciconfig"
)

// AttemptPlan is one rung of a live run's strategy ladder as the run
// planned it: what it sent and the netifd settings that send the same. The
// per-attempt analysis (diag.Result.Attempts) says what it got.
type AttemptPlan struct {
	Index int
	Label string
	// Args are the odhcp6c arguments the attempt emulated.
	Args  string
	Shape AttemptShape
	// Netifd are the wan6 settings that make odhcp6c send the attempt's
	// shape.
	Netifd  uciconfig.ClientSettings
	Skipped string
}

// AttemptShape is what an attempt's Solicit and Request asked for.
type AttemptShape struct {
	IANA, IAPD        bool
	PrefixHint        int
	RapidCommit       bool
	ClientFQDN        bool
	ReconfigureAccept bool
	// DUIDType is "uuid" (v6diag's own), "ll" (the router's DUID-LL), or
	// the type of a DUID given with --duid ("llt", "en").
	DUIDType string
}

type jsonShape struct {
	IANA              bool   `json:"ia_na"`
	IAPD              bool   `json:"ia_pd"`
	PrefixHint        int    `json:"prefix_hint"`
	RapidCommit       bool   `json:"rapid_commit"`
	ClientFQDN        bool   `json:"client_fqdn"`
	ReconfigureAccept bool   `json:"reconfigure_accept"`
	DUIDType          string `json:"duid_type"`
}

// jsonNetifd is report.json's form of uciconfig.ClientSettings: the
// option values as /etc/config/network writes them.
type jsonNetifd struct {
	ReqAddress       string `json:"reqaddress"`
	ReqPrefix        string `json:"reqprefix"`
	NoClientFQDN     bool   `json:"noclientfqdn"`
	NoAcceptReconfig bool   `json:"noacceptreconfig"`
	ForcePrefix      bool   `json:"forceprefix"`
	ClientID         string `json:"clientid"`
}

type jsonAttempt struct {
	Index                 int        `json:"index"`
	Label                 string     `json:"label"`
	Args                  string     `json:"args"`
	Shape                 jsonShape  `json:"shape"`
	Netifd                jsonNetifd `json:"netifd"`
	Verdict               string     `json:"verdict"`
	DelegatedPrefixLength int        `json:"delegated_prefix_length"`
	// RouterPrefix is what odhcp6c with the attempt's arguments gets.
	RouterPrefix string   `json:"router_prefix"`
	StatusCodes  []string `json:"status_codes"`
	FirstFrame   int      `json:"first_frame"`
	LastFrame    int      `json:"last_frame"`
	Skipped      string   `json:"skipped"`
}

// attemptsJSON joins the planned attempts with their analysis, by index.
func attemptsJSON(plans []AttemptPlan, r *diag.Result) []jsonAttempt {
	out := []jsonAttempt{}
	for _, p := range plans {
		a := jsonAttempt{Index: p.Index, Label: p.Label, Args: p.Args, Skipped: p.Skipped, StatusCodes: []string{},
			Shape: jsonShape(p.Shape), Netifd: netifdJSON(p.Netifd)}
		for _, ar := range r.Attempts {
			if ar.Index != p.Index {
				continue
			}
			a.Verdict = string(ar.Verdict.Code)
			a.DelegatedPrefixLength = ar.DelegatedPrefixLength
			if ar.RouterPrefix.IsValid() {
				a.RouterPrefix = ar.RouterPrefix.String()
			}
			a.StatusCodes = append(a.StatusCodes, ar.StatusCodes...)
			a.FirstFrame, a.LastFrame = ar.FirstFrame, ar.LastFrame
		}
		out = append(out, a)
	}
	return out
}

func bestText(i int) string {
	if i == 0 {
		return "none worked"
	}
	return fmt.Sprintf("attempt %d", i)
}

func netifdJSON(c uciconfig.ClientSettings) jsonNetifd {
	return jsonNetifd{ReqAddress: string(c.AddressMode()), ReqPrefix: c.ReqPrefix.String(), NoClientFQDN: c.NoClientFQDN,
		NoAcceptReconfig: c.NoAcceptReconfig, ForcePrefix: c.ForcePrefix, ClientID: c.ClientID}
}

// settings reads the settings back; an attempt written without them (no
// reqaddress) has none.
func (n jsonNetifd) settings() (uciconfig.ClientSettings, bool, error) {
	if n.ReqAddress == "" {
		return uciconfig.ClientSettings{}, false, nil
	}
	c := uciconfig.ClientSettings{NoClientFQDN: n.NoClientFQDN, NoAcceptReconfig: n.NoAcceptReconfig,
		ForcePrefix: n.ForcePrefix, ClientID: n.ClientID}
	var err error
	if c.ReqAddress, err = uciconfig.ParseReqAddress(n.ReqAddress); err != nil {
		return c, true, err
	}
	c.ReqPrefix, err = uciconfig.ParseReqPrefix(n.ReqPrefix)
	return c, true, err
}

func netifdText(n jsonNetifd) string {
	parts := []string{"reqaddress " + n.ReqAddress, "reqprefix " + n.ReqPrefix}
	if n.NoClientFQDN {
		parts = append(parts, "noclientfqdn 1")
	}
	if n.ForcePrefix {
		parts = append(parts, "forceprefix 1")
	}
	if n.NoAcceptReconfig {
		parts = append(parts, "noacceptreconfig 1")
	}
	if n.ClientID != "" {
		parts = append(parts, "clientid "+n.ClientID)
	}
	return strings.Join(parts, ", ")
}
