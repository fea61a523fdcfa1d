//go:build !v6diag_count

package dhcpv6

// countParse is count_on.go's counting hook; it does nothing in the
// binary that ships.
func countParse() {}
