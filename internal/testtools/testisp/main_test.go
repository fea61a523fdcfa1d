package testisp_test

import (
	"os"
	"testing"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// TestMain removes the v6diag and test ISP binaries the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	testbed.RemoveBuild()
	testbed.RemoveTestISPBuild()
	os.Exit(code)
}
