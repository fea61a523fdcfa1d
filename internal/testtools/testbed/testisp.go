package testbed

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var testispBuild struct {
	once sync.Once
	path string
	err  error
}

// BuildTestISP compiles ./internal/testtools/testisp/cmd/testisp (CGO_ENABLED=0) once
// per test binary and returns the binary's path, as BuildV6diag does for
// v6diag. The binary lives in a temporary directory RemoveTestISPBuild
// deletes.
func BuildTestISP(t testing.TB) string {
	t.Helper()
	testispBuild.once.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			testispBuild.err = err
			return
		}
		dir, err := os.MkdirTemp("", "v6diag-testisp-")
		if err != nil {
			testispBuild.err = err
			return
		}
		testispBuild.path, testispBuild.err = goBuild(root, "./internal/testtools/testisp/cmd/testisp", filepath.Join(dir, "testisp"))
	})
	if testispBuild.err != nil {
		t.Fatalf("testbed: %v", testispBuild.err)
	}
	return testispBuild.path
}

// RemoveTestISPBuild deletes the directory BuildTestISP compiled into.
func RemoveTestISPBuild() {
	if testispBuild.path != "" {
		_ = os.RemoveAll(filepath.Dir(testispBuild.path))
	}
}
