package report

import (
	"bytes"
	"encoding/json"
	"github.com/v6diag/v6diag/uciconfig"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/diag"
)

func ladderDoc() Document {
	run := Run{Tool: "v6diag", Mode: "run", Strategy: "auto", Attempts: []AttemptPlan{
		{Index: 1, Label: "IA_NA + IA_PD with /48 hint, Client FQDN, Reconfigure Accept (like odhcp6c)",
			Shape:  AttemptShape{IANA: true, IAPD: true, PrefixHint: 48, ClientFQDN: true, ReconfigureAccept: true, DUIDType: "uuid"},
			Netifd: uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48}},
		{Index: 2, Label: "IA_PD alone with /48 hint, Client FQDN, Reconfigure Accept",
			Shape:  AttemptShape{IAPD: true, PrefixHint: 48, ClientFQDN: true, ReconfigureAccept: true, DUIDType: "uuid"},
			Netifd: uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressNone, ReqPrefix: 48}},
		{Index: 3, Label: "IA_NA + IA_PD with /48 hint, DUID-LL of the WAN MAC", Skipped: "br-lan holds 2001:db8:5::1/64",
			Shape:  AttemptShape{IANA: true, IAPD: true, PrefixHint: 48, DUIDType: "ll"},
			Netifd: uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48, NoClientFQDN: true, NoAcceptReconfig: true, ClientID: "00030001020000000001"}},
	}}
	res := &diag.Result{Verdict: diag.Verdict{Code: diag.CodeNoPrefixOffered, Summary: "x", WhoMustAct: diag.PartyUser}, BestAttempt: 2,
		Attempts: []diag.AttemptResult{
			{Index: 1, Verdict: diag.Verdict{Code: diag.CodeNoPrefixOffered}, StatusCodes: []string{"NoAddrsAvail"}, FirstFrame: 3, LastFrame: 4},
			{Index: 2, Verdict: diag.Verdict{Code: diag.CodeOK}, PrefixOK: true, DelegatedPrefixLength: 48, FirstFrame: 5, LastFrame: 10},
		}}
	return NewDocument(run, res)
}

// report.json carries the ladder under exactly the names the config
// suggestion reads.
func TestAttemptsJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, ladderDoc()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Strategy    string           `json:"strategy"`
		BestAttempt int              `json:"best_attempt"`
		Attempts    []map[string]any `json:"attempts"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Strategy != "auto" || got.BestAttempt != 2 || len(got.Attempts) != 3 {
		t.Fatalf("strategy %q best %d attempts %d", got.Strategy, got.BestAttempt, len(got.Attempts))
	}
	for _, k := range []string{"index", "label", "shape", "netifd", "verdict", "delegated_prefix_length", "status_codes", "first_frame", "last_frame", "skipped"} {
		if _, ok := got.Attempts[0][k]; !ok {
			t.Errorf("attempts[0] lacks %q", k)
		}
	}
	shape := got.Attempts[1]["shape"].(map[string]any)
	for k, want := range map[string]any{"ia_na": false, "ia_pd": true, "prefix_hint": 48.0, "rapid_commit": false, "client_fqdn": true, "reconfigure_accept": true, "duid_type": "uuid"} {
		if shape[k] != want {
			t.Errorf("attempts[1].shape.%s = %v, want %v", k, shape[k], want)
		}
	}
	nf := got.Attempts[2]["netifd"].(map[string]any)
	for k, want := range map[string]any{"reqaddress": "try", "reqprefix": "48", "noclientfqdn": true, "noacceptreconfig": true, "clientid": "00030001020000000001"} {
		if nf[k] != want {
			t.Errorf("attempts[2].netifd.%s = %v, want %v", k, nf[k], want)
		}
	}
	if got.Attempts[1]["verdict"] != "ok" || got.Attempts[1]["delegated_prefix_length"] != 48.0 || got.Attempts[2]["skipped"] != "br-lan holds 2001:db8:5::1/64" {
		t.Errorf("attempts %v", got.Attempts)
	}
	if sc := got.Attempts[2]["status_codes"].([]any); len(sc) != 0 {
		t.Errorf("a skipped attempt has status codes %v", sc)
	}
}

// report.txt shows the table of attempts, the best one marked.
func TestAttemptsText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, ladderDoc()); err != nil {
		t.Fatal(err)
	}
	// Words, not lines: report.txt wraps at 80 columns.
	txt := strings.Join(strings.Fields(buf.String()), " ")
	for _, want := range []string{
		"Attempts: --strategy auto; best: attempt 2.",
		"#: 2 (best); Sent: IA_PD alone with /48 hint",
		"ok, /48 delegated",
		"NoAddrsAvail",
		"reqaddress none, reqprefix 48",
		"skipped: br-lan holds 2001:db8:5::1/64",
		"clientid 00030001020000000001",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("report.txt lacks %q:\n%s", want, txt)
		}
	}
	one := ladderDoc()
	one.Attempts = one.Attempts[:1]
	buf.Reset()
	if err := WriteText(&buf, one); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Attempts:") {
		t.Error("a single attempt gets a table")
	}
}
