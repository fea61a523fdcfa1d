package digest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLinksNoCrypto: the binary must not import crypto/*, which
// would bring back Go's FIPS 140 module (docs/CONTRACT.md).
func TestBinaryLinksNoCrypto(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/v6diag").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "crypto" || strings.HasPrefix(pkg, "crypto/") {
			t.Errorf("cmd/v6diag depends on %s", pkg)
		}
	}
}
