//go:build v6diag_count

package dhcpv6

import "sync/atomic"

// parsed counts Parse and ParsePartial calls. Only a build with -tags
// v6diag_count has it (capture/count_on.go says why).
var parsed atomic.Int64

func countParse() { parsed.Add(1) }

// Parses is how many DHCPv6 payloads Parse and ParsePartial have read so
// far.
func Parses() int64 { return parsed.Load() }
