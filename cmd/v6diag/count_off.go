//go:build !v6diag_count

package main

// writeCounts is count_on.go's; the binary that ships counts nothing.
func writeCounts() {}
