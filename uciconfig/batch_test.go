package uciconfig

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// TestUCIBatchWithUCI applies network.uci with the real uci to a copy of
// the config each suggestion case starts from, commits it, and compares
// `uci show network` with that of network.suggested: the same sections,
// in the same order, with the same values.
func TestUCIBatchWithUCI(t *testing.T) {
	peers := testbed.NeedPeers(t)
	type roundTrip struct {
		name   string
		in     []byte
		advice Advice
	}
	var cases []roundTrip
	files := corpus(t)
	for _, tc := range suggestCases {
		cases = append(cases, roundTrip{"corpus/" + tc.name, files[tc.config], tc.advice})
	}
	for _, tc := range decisionCases {
		cases = append(cases, roundTrip{"decision/" + tc.name, []byte(tc.in), tc.advice})
	}
	changed := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sg, err := Suggest(tc.in, tc.advice)
			if err != nil {
				t.Fatal(err)
			}
			batch := sg.UCIBatch("network")
			if !sg.Changed() {
				if batch != nil {
					t.Errorf("nothing changed, but the batch is %q", batch)
				}
				return
			}
			changed++
			got := peers.UCIShow(t, tc.in, batch)
			want := peers.UCIShow(t, sg.Bytes(), nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("uci show after the batch differs from network.suggested (-suggested +batch):\n%s\nbatch:\n%s", diff, batch)
			}
			checkSecretsMasked(t, tc.in, batch, sg.Masked())
			checkBatchNamesOnlyChanges(t, batch, sg)
		})
	}
	if changed < 10 {
		t.Errorf("only %d cases changed the config; the round trip proves little", changed)
	}
}

// checkBatchNamesOnlyChanges: every command of the batch sets, deletes
// or reorders a section or option that a change names.
func checkBatchNamesOnlyChanges(t *testing.T, batch []byte, sg *Suggestion) {
	t.Helper()
	named := map[string]bool{}
	for _, c := range sg.Changes {
		if c.Option == "" {
			named["network."+c.Section] = true
		} else {
			named["network."+c.Section+"."+c.Option] = true
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(string(batch)), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		verb, arg, _ := strings.Cut(l, " ")
		target, _, _ := strings.Cut(arg, "=")
		if !named[target] || (verb != "set" && verb != "delete" && verb != "reorder") {
			t.Errorf("batch line %q names nothing the suggestion changes", l)
		}
	}
}

func TestUCIBatch(t *testing.T) {
	in := dhcpWAN + "config interface\n\toption proto 'none'\n" + lan60
	sg, err := Suggest([]byte(in), Advice{Verdict: "ok", Working: w(ReqAddressNone, 56), Attempt: 2, AttemptLabel: worked56, DelegatedPrefixLength: 56})
	if err != nil {
		t.Fatal(err)
	}
	want := "# no DHCPv6 client was configured on the WAN; this one runs odhcp6c with the settings that got a prefix\n" +
		"set network.wan6=interface\n" +
		"# run on the link of interface wan\n" +
		"set network.wan6.device='@wan'\n" +
		"# odhcp6c asks for the address and prefix\n" +
		"set network.wan6.proto='dhcpv6'\n" +
		"# send no IA_NA (address), only IA_PD, as in attempt 2 (IA_PD /56), which got a /56\n" +
		"set network.wan6.reqaddress='none'\n" +
		"# 'auto' sends no length hint; asked for a /56, the ISP delegated a /56 (attempt 2)\n" +
		"set network.wan6.reqprefix='56'\n" +
		"# where network.suggested has it (uci adds a section at the end)\n" +
		"reorder network.wan6=2\n"
	if diff := cmp.Diff(want, string(sg.UCIBatch("network"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, want := sg.ApplyCommand("network.uci"), "uci batch < network.uci && uci commit network && ifup wan6"; got != want {
		t.Errorf("ApplyCommand = %q, want %q", got, want)
	}
}
