//go:build v6diag_count

package main

import (
	"fmt"
	"os"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
)

// writeCounts writes, for a build with -tags v6diag_count, how many
// DHCPv6 frames were decoded and DHCPv6 payloads parsed into the file
// $V6DIAG_COUNT_FILE names (e2e/decodecount_test.go).
func writeCounts() {
	path := os.Getenv("V6DIAG_COUNT_FILE")
	if path == "" {
		return
	}
	text := fmt.Sprintf("decodes %d\nparses %d\n", capture.DHCPv6Decodes(), dhcpv6.Parses())
	_ = os.WriteFile(path, []byte(text), 0o600)
}
