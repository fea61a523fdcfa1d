//go:build !v6diag_count

package capture

// countDecode is count_on.go's counting hook; it does nothing in the
// binary that ships.
func countDecode(*Packet) {}
