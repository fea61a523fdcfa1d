package testisp

import (
	"net/netip"
	"time"
)

// Addresses and prefixes the healthy scenario hands out, for tests that
// start from it and check what the client got.
var (
	HealthyLinkPrefix = netip.MustParsePrefix("2001:db8:1::/64")
	HealthyAddress    = netip.MustParsePrefix("2001:db8:1::100/128")
	HealthyDelegated  = netip.MustParsePrefix("2001:db8:8000::/48")
	HealthyDNS        = netip.MustParseAddr("2001:db8:1::53")
)

// HealthyRouter is a router asking for DHCPv6 (M and O), with an on-link,
// non-autonomous /64 and an RDNSS, answering Router Solicitations.
func HealthyRouter() Router {
	return Router{
		Managed: true, Other: true, CurHopLimit: 64,
		RouterLifetime: Duration(1800 * time.Second),
		Prefixes: []PrefixInfo{{Prefix: HealthyLinkPrefix, OnLink: true,
			Valid: Duration(86400 * time.Second), Preferred: Duration(14400 * time.Second)}},
		RDNSS: []netip.Addr{HealthyDNS},
	}
}

// HealthyIANA and HealthyIAPD are the IAs the healthy server offers.
func HealthyIANA() IA {
	return IA{T1: Duration(time.Hour), T2: Duration(2 * time.Hour), Leases: []Lease{{Prefix: HealthyAddress,
		Preferred: Duration(3 * time.Hour), Valid: Duration(4 * time.Hour)}}}
}

// HealthyIAPD is the IA_PD the healthy server offers: a /48.
func HealthyIAPD() IA {
	return IA{T1: Duration(time.Hour), T2: Duration(2 * time.Hour), Leases: []Lease{{Prefix: HealthyDelegated,
		Preferred: Duration(3 * time.Hour), Valid: Duration(4 * time.Hour)}}}
}

// HealthyAnswer is the action of a server that gives what was asked.
func HealthyAnswer() Action {
	return Action{IANA: []IA{HealthyIANA()}, IAPD: []IA{HealthyIAPD()}, DNS: []netip.Addr{HealthyDNS}}
}

// HealthyServer answers Solicit with Advertise, Request/Renew/Rebind with
// Reply, and Release with a Success Reply, like a well-run Kea.
func HealthyServer() Server {
	return Server{Rules: []Rule{
		{Match: Match{Type: "Solicit"}, Action: HealthyAnswer()},
		{Match: Match{Type: "Request"}, Action: HealthyAnswer()},
		{Match: Match{Type: "Renew"}, Action: HealthyAnswer()},
		{Match: Match{Type: "Rebind"}, Action: HealthyAnswer()},
		{Match: Match{Type: "Release"}, Action: Action{Status: &Status{Code: 0, Message: "released"}}},
		{Match: Match{Type: "Information-request"}, Action: Action{DNS: []netip.Addr{HealthyDNS}}},
	}}
}

// Healthy is one healthy router and one healthy server: v6diag's verdict
// on it is "ok". Tests break one thing in it.
func Healthy() Scenario {
	return Scenario{Routers: []Router{HealthyRouter()}, Servers: []Server{HealthyServer()}}
}
