package dhcpv6

import "testing"

// TestOptionCodeNames pins the three ways the one table names an option:
// String, a report's list label, and the phrase of a framing error.
func TestOptionCodeNames(t *testing.T) {
	for _, tc := range []struct {
		c                  OptionCode
		str, label, phrase string
		singleAtTopLevel   bool
	}{
		{OptionIAPD, "IA_PD", "25 IA_PD", "IA_PD option 25", false},
		{OptionDNSServers, "DNS Servers", "23 DNS Servers", "DNS Recursive Name Server option 23", true},
		{OptionPDExclude, "PD Exclude", "67", "PD Exclude option 67", false},
		{OptionAuth, "Authentication", "11 Authentication", "option 11", true},
		{OptionReconfMsg, "Reconfigure Message", "19", "option 19", true},
		{OptionNTPServer, "NTP Server", "56 NTP Server", "option 56", false},
		{112, "OptionCode(112)", "112", "option 112", false},
		{65535, "OptionCode(65535)", "65535", "option 65535", false},
	} {
		if got := tc.c.String(); got != tc.str {
			t.Errorf("OptionCode(%d).String() = %q, want %q", uint16(tc.c), got, tc.str)
		}
		if got := tc.c.Label(); got != tc.label {
			t.Errorf("OptionCode(%d).Label() = %q, want %q", uint16(tc.c), got, tc.label)
		}
		if got := tc.c.phrase(); got != tc.phrase {
			t.Errorf("OptionCode(%d).phrase() = %q, want %q", uint16(tc.c), got, tc.phrase)
		}
		if got := tc.c.single(); got != tc.singleAtTopLevel {
			t.Errorf("OptionCode(%d).single() = %v, want %v", uint16(tc.c), got, tc.singleAtTopLevel)
		}
	}
}
