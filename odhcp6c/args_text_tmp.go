package odhcp6c

// TEMPORARY until args.go gains its codec (issue10-netifd branch): the
// command line in netifd's order, for sentences and report.json.

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// String writes the arguments as netifd passes them, e.g. "-Ntry -P0 -t120".
func (a Args) String() string {
	var p []string
	add := func(f string, args ...any) { p = append(p, fmt.Sprintf(f, args...)) }
	if a.Addresses != "" {
		add("-N%s", a.Addresses)
	}
	for _, pr := range a.Prefixes {
		s := fmt.Sprint(pr.Length)
		if pr.Hint.IsValid() {
			s = fmt.Sprintf("%s/%d", pr.Hint, pr.Length)
		}
		if pr.ExplicitIAID {
			s += ":" + hex.EncodeToString(pr.IAID[:])
		}
		add("-P%s", s)
	}
	if len(a.ClientID) > 0 {
		add("-c%s", hex.EncodeToString(a.ClientID))
	}
	flags := []struct {
		on bool
		f  string
	}{{a.StrictOptions, "-R"}, {a.NoSLAACOnly, "-S"}, {a.ForcePrefix, "-F"}, {a.NoRelease, "-k"},
		{a.StrictRFC7550, "--strict-rfc7550"}, {a.NoServerUnicast, "-U"}, {a.NoClientFQDN, "-f"}, {a.NoAcceptReconfig, "-a"}}
	for _, f := range flags {
		if f.on {
			p = append(p, f.f)
		}
	}
	if a.InterfaceID != "" {
		add("-i%s", a.InterfaceID)
	}
	if a.VendorClass != "" {
		add("-V%s", a.VendorClass)
	}
	if a.UserClass != "" {
		add("-u%s", a.UserClass)
	}
	if a.KeepRADNSLifetime {
		p = append(p, "-L")
	}
	if a.SKPriority != 0 {
		add("-K%d", a.SKPriority)
	}
	for _, x := range a.SendOptions {
		add("-x%s", x)
	}
	for _, r := range a.RequestedOptions {
		add("-r%d", r)
	}
	if a.SolicitMaxRT != 0 {
		add("-t%d", a.SolicitMaxRT)
	}
	return strings.Join(p, " ")
}
