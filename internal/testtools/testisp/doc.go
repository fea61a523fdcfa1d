// Package testisp is a scriptable test ISP for v6diag's end-to-end tests:
// it answers Router Solicitations and DHCPv6 client messages on the ISP
// side of the testbed's veth pair, from a Scenario, and makes on purpose
// the faults real servers (Kea, radvd) do not make — wrong transaction ids,
// missing Server IDs, forged routers, bad hop limits, floods.
//
// Status: usable
//
// It writes whole Ethernet frames on a raw AF_PACKET socket, so every
// field can be forged: source MAC and address, hop limit, UDP ports,
// option lengths. It is test-tree code: nothing in the v6diag binary
// imports it.
//
// # Using it from a test
//
//	bed := testbed.New(t)
//	sc := testisp.Healthy()                 // one router (M, O) and one server: verdict "ok"
//	sc.Servers[0].Rules[0].Action.Faults.WrongTransactionID = true
//	isp := testisp.Start(t, bed, sc)        // runs cmd/testisp in the ISP namespace, waits until ready
//	... run v6diag in the CPE namespace ...
//	isp.Sent(t, "Advertise")                // what the ISP really sent (Entry: time, kind, xid, addresses, note)
//	isp.Stop()                              // the server dies mid-exchange (also done by t.Cleanup)
//
// Start writes the scenario as JSON to the bed's directory and runs
// `testisp -i <ISP veth> -scenario FILE -log FILE.log` (built once per test
// binary by testbed.BuildTestISP). The log is JSON lines, one Entry each:
// {"event":"ready"} first, then "received", "sent", "dropped" or "error".
// Several test ISPs may run on one Bed, side by side or one after another.
//
// # Scenario format
//
// A Scenario is a list of routers and a list of DHCPv6 servers. Routers
// answer each RS (unless ignore_rs) with an RA to ff02::1, after rs_delay,
// and send unsolicited RAs every interval and, with flood, per_second RAs a
// second for duration (random_routers: each from a new MAC; random_prefixes:
// each with a new /64). An empty mac means the ISP veth's own MAC and
// link-local; a mac alone gives its EUI-64 link-local; source and
// hop_limit (0 = 255) forge the IPv6 header; raw_options are appended to
// the RA as they are, icmp_code sets the ICMPv6 code, truncate_to cuts
// the message short, fragment sends it as an atomic fragment, and raw_ipv6
// replaces the whole IPv6 packet.
//
// Each server drops messages that name another server's Server ID (unless
// any_server_id), then matches the client's message against its rules in
// order; the first match acts, no match drops. A match tests the message type and the
// request's shape (has_ia_na, has_ia_pd, hint_length with 0 = no IA
// Prefix hint, rapid_commit, client_fqdn, reconfigure_accept, duid_type
// LL/LLT/EN/UUID). An action drops, delays, and answers (Advertise to a
// Solicit, Reply to the rest, or what reply says; a Reply with Rapid Commit
// when rapid_commit is set and the Solicit asked for it) with the IAs,
// status codes, preference, server unicast, Reconfigure Accept, DNS,
// domain search and SOL_MAX_RT given, and the faults asked for:
// wrong_transaction_id, no_server_id, foreign_client_id, client_id,
// no_client_id, source_port, destination_port, destination, copies with
// per_second (an Advertise flood), pad_to and filler_options (giant
// messages), raw_options. IAs answer the client's IAs in order with the
// client's IAIDs; unasked sends them even when the client asked for none.
// Durations are Go duration strings, byte strings base64 (encoding/json).
//
//	{
//	  "routers": [
//	    {"managed": true, "other": true, "router_lifetime": "30m0s",
//	     "prefixes": [{"prefix": "2001:db8:1::/64", "on_link": true, "valid": "24h0m0s", "preferred": "4h0m0s"}]},
//	    {"mac": "02:00:00:00:00:66", "hop_limit": 64, "ignore_rs": true, "interval": "1s"}
//	  ],
//	  "servers": [
//	    {"preference": 255, "rules": [
//	      {"match": {"type": "Solicit", "has_ia_na": true},
//	       "action": {"ia_na": [{"status": {"code": 2, "message": "no addresses"}}],
//	                  "ia_pd": [{"t1": "1h0m0s", "t2": "2h0m0s",
//	                             "leases": [{"prefix": "2001:db8:8000::/48", "preferred": "3h0m0s", "valid": "4h0m0s"}]}]}},
//	      {"match": {"type": "Request"}, "action": {"delay": "3s", "faults": {"wrong_transaction_id": true}}}
//	    ]}
//	  ]
//	}
//
// The first router is healthy; the second is a rogue router whose RAs
// hosts must drop (hop limit 64). The server offers a /48 next to an IA_NA
// with NoAddrsAvail, and answers the Request late with the wrong
// transaction id.
//
// Engine holds the logic without I/O or clock (unit-tested with built
// frames); Run puts it on a socket; cmd/testisp is the command.
package testisp
