package e2e

import (
	"os"
	"testing"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// TestMain removes the binaries the tests built (v6diag for the host and
// the emulated routers, the test ISP) once every test has run: a CI runner
// or a developer's /tmp must not fill up with them.
func TestMain(m *testing.M) {
	code := m.Run()
	testbed.RemoveBuild()
	testbed.RemoveTestISPBuild()
	os.Exit(code)
}
