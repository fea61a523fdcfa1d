package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/internal/jsonlite"
	"github.com/v6diag/v6diag/uciconfig"
)

// ReadAdvice maps report.json onto the typed advice uciconfig takes.
func TestReadAdvice(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    uciconfig.Advice
		wantErr string
	}{
		{
			name: "no suggestion: what the router gets",
			json: `{"verdict":{"code":"ok","who_must_act":"nobody"},"router_client":{"prefix":"2001:db8:2::/56","suggestion":null},"attempts":[],"best_attempt":0}`,
			want: uciconfig.Advice{Verdict: "ok", DelegatedPrefixLength: 56},
		},
		{
			name: "the ISP must act, nothing delegated",
			json: `{"verdict":{"code":"no-dhcpv6-reply","who_must_act":"isp"},"router_client":{"prefix":""}}`,
			want: uciconfig.Advice{Verdict: "no-dhcpv6-reply", ISPMustAct: true},
		},
		{
			name: "the suggested attempt's netifd settings",
			json: `{"verdict":{"code":"config-blocks-prefix","who_must_act":"user"},"strategy":"auto","attempts":[
				{"index":1,"label":"IA_NA + IA_PD with /48 hint","netifd":{"reqaddress":"force","reqprefix":"48","noclientfqdn":false,"noacceptreconfig":false,"clientid":""}},
				{"index":2,"label":"IA_NA + IA_PD with /48 hint","netifd":{"reqaddress":"try","reqprefix":"48","noclientfqdn":true,"noacceptreconfig":false,"forceprefix":false,"clientid":"00030001020000000001"}}],
				"best_attempt":2,"router_client":{"prefix":"","suggestion":{"attempt":2,"prefix":"2001:db8::/48"}}}`,
			want: uciconfig.Advice{Verdict: "config-blocks-prefix", Attempt: 2, AttemptLabel: "IA_NA + IA_PD with /48 hint", DelegatedPrefixLength: 48,
				Working: &uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressTry, ReqPrefix: 48, NoClientFQDN: true, ClientID: "00030001020000000001"}},
		},
		{
			name: "a best attempt is no suggestion when it gets the router nothing more",
			json: `{"verdict":{"code":"ok","who_must_act":"isp"},"attempts":[{"index":1,"shape":{"rapid_commit":true},"netifd":{"reqaddress":"try","reqprefix":"auto"},"delegated_prefix_length":56}],"best_attempt":1,"router_client":{"prefix":"","suggestion":null}}`,
			want: uciconfig.Advice{Verdict: "ok", ISPMustAct: true},
		},
		{
			name:    "the suggestion names no attempt",
			json:    `{"verdict":{"code":"ok"},"attempts":[],"router_client":{"suggestion":{"attempt":3}}}`,
			wantErr: "attempt 3",
		},
		{
			name:    "a reqprefix netifd does not know",
			json:    `{"verdict":{"code":"ok"},"attempts":[{"index":1,"netifd":{"reqaddress":"try","reqprefix":"huge"}}],"router_client":{"suggestion":{"attempt":1}}}`,
			wantErr: "reqprefix",
		},
		{
			name:    "not a report",
			json:    `{"hello":"world"}`,
			wantErr: "not a v6diag report",
		},
		{
			name:    "not JSON",
			json:    `verdict: ok`,
			wantErr: "read report.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadAdvice([]byte(tt.json))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A run computes its suggestion from its Document, `v6diag config --from`
// from the report.json that run wrote: both must get the same advice.
func TestAdviceSameFromDocumentAndJSON(t *testing.T) {
	doc := &Document{
		Verdict: jsonVerdict{Code: "config-blocks-prefix", WhoMustAct: "user"},
		Attempts: []jsonAttempt{
			{Index: 1, Label: "odhcp6c -Nforce -P48", Netifd: netifdJSON(uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressForce, ReqPrefix: 48})},
			{Index: 2, Label: "IA_PD alone with /48 hint", Netifd: netifdJSON(uciconfig.ClientSettings{ReqAddress: uciconfig.ReqAddressNone, ReqPrefix: 48, NoClientFQDN: true})},
		},
		RouterClient: jsonRouterClient{Suggestion: &jsonSuggestion{Attempt: 2, Prefix: "2001:db8::/48"}},
	}
	fromDoc, err := doc.Advice()
	if err != nil {
		t.Fatal(err)
	}
	js, err := jsonlite.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ReadAdvice(js)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fromDoc, fromJSON); diff != "" {
		t.Errorf("Document.Advice and ReadAdvice differ (-doc +json):\n%s", diff)
	}
	if fromDoc.Working == nil || fromDoc.Working.ReqAddress != uciconfig.ReqAddressNone || fromDoc.Attempt != 2 || fromDoc.DelegatedPrefixLength != 48 {
		t.Errorf("advice %+v: want attempt 2's settings (reqaddress none) and a /48", fromDoc)
	}
}
