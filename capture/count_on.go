//go:build v6diag_count

package capture

import "sync/atomic"

// decodedDHCPv6 counts Decode calls whose frame is DHCPv6 (UDP to or from
// port 546 or 547). Only a build with -tags v6diag_count has it: the test
// of issue 12 checks that a run decodes each DHCPv6 frame once
// (e2e/decodecount_test.go). A global, as a counting hook must be.
var decodedDHCPv6 atomic.Int64

func countDecode(p *Packet) {
	if p.Transport == TransportUDP && (p.SourcePort == PortDHCPv6Client || p.SourcePort == PortDHCPv6Server ||
		p.DestinationPort == PortDHCPv6Client || p.DestinationPort == PortDHCPv6Server) {
		decodedDHCPv6.Add(1)
	}
}

// DHCPv6Decodes is how many DHCPv6 frames Decode has walked so far.
func DHCPv6Decodes() int64 { return decodedDHCPv6.Load() }
