package report

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/internal/jsonlite"
	"github.com/v6diag/v6diag/uciconfig"
)

// adviceView is the part of report.json a suggested config rests on, in
// Document's own field types: a run reads it off its Document, `v6diag
// config --from` off the report.json a run wrote, and both hand it to
// the same function.
type adviceView struct {
	Verdict      jsonVerdict      `json:"verdict"`
	RouterClient jsonRouterClient `json:"router_client"`
	Attempts     []jsonAttempt    `json:"attempts"`
}

// Advice is what a suggested config rests on: the verdict, who must act,
// what the router's client gets, and the netifd settings of the attempt
// that gets it more (none when no attempt does).
func (d *Document) Advice() (uciconfig.Advice, error) {
	a, err := adviceOf(adviceView{Verdict: d.Verdict, RouterClient: d.RouterClient, Attempts: d.Attempts})
	if err != nil {
		return a, fmt.Errorf("report: %w", err)
	}
	return a, nil
}

// ReadAdvice is Document.Advice of the run that wrote report.json b.
func ReadAdvice(b []byte) (uciconfig.Advice, error) {
	var v adviceView
	if err := jsonlite.Unmarshal(b, &v); err != nil {
		return uciconfig.Advice{}, fmt.Errorf("read report.json: %w", err)
	}
	a, err := adviceOf(v)
	if err != nil {
		return a, fmt.Errorf("read report.json: %w", err)
	}
	return a, nil
}

func adviceOf(v adviceView) (uciconfig.Advice, error) {
	if v.Verdict.Code == "" {
		return uciconfig.Advice{}, errors.New("no verdict.code: not a v6diag report")
	}
	a := uciconfig.Advice{Verdict: string(v.Verdict.Code), ISPMustAct: v.Verdict.WhoMustAct == diag.PartyISP,
		DelegatedPrefixLength: prefixBits(v.RouterClient.Prefix)}
	sg := v.RouterClient.Suggestion
	if sg == nil {
		return a, nil
	}
	if bits := prefixBits(sg.Prefix); bits > 0 {
		a.DelegatedPrefixLength = bits
	}
	if sg.Attempt == 0 {
		// Offline: the config runs no DHCPv6 client, and netifd's
		// defaults got the prefix in the capture.
		a.Working = &uciconfig.ClientSettings{}
		return a, nil
	}
	for _, at := range v.Attempts {
		if at.Index != sg.Attempt {
			continue
		}
		w, ok, err := at.Netifd.settings()
		if err != nil {
			return a, fmt.Errorf("attempt %d: %w", at.Index, err)
		}
		if ok {
			a.Working, a.Attempt, a.AttemptLabel = &w, at.Index, at.Label
			return a, nil
		}
	}
	return a, fmt.Errorf("router_client.suggestion names attempt %d, which has no netifd settings", sg.Attempt)
}

// prefixBits is the length of a prefix in CIDR form, 0 for none.
func prefixBits(s string) int {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Bits()
	}
	return 0
}
