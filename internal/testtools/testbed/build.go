package testbed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Build compiles ./cmd/v6diag (CGO_ENABLED=0) once per test binary and
// returns the binary's path. The repository root is found by walking up from
// the working directory to go.mod. The binary lives in a temporary directory
// that RemoveBuild deletes; call it from TestMain after m.Run if you care.
func (b *Bed) Build(t testing.TB) string {
	t.Helper()
	return BuildV6diag(t)
}

// BuildV6diag is Build without a Bed, for tests that need only the binary.
func BuildV6diag(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		build.path, build.err = buildV6diag()
	})
	if build.err != nil {
		t.Fatalf("testbed: %v", build.err)
	}
	return build.path
}

var countingBuild struct {
	once sync.Once
	path string
	err  error
}

// BuildV6diagCounting is BuildV6diag with -tags v6diag_count: the binary
// writes how many DHCPv6 frames it decoded and payloads it parsed into
// $V6DIAG_COUNT_FILE when it exits (cmd/v6diag/count_on.go).
func BuildV6diagCounting(t testing.TB) string {
	t.Helper()
	BuildV6diag(t) // for build.dir, which RemoveBuild deletes
	countingBuild.once.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			countingBuild.err = err
			return
		}
		countingBuild.path, countingBuild.err = goBuild(root, "./cmd/v6diag", filepath.Join(build.dir, "v6diag-counting"), "-tags", "v6diag_count")
	})
	if countingBuild.err != nil {
		t.Fatalf("testbed: %v", countingBuild.err)
	}
	return countingBuild.path
}

// RemoveBuild deletes the directory Build compiled into, if any.
func RemoveBuild() {
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	removeCrossBuilds()
}

func buildV6diag() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "v6diag-build-")
	if err != nil {
		return "", err
	}
	build.dir = dir
	return goBuild(root, "./cmd/v6diag", filepath.Join(dir, "v6diag"))
}

// goBuild runs `go build -o out [flags] pkg` in root with CGO_ENABLED=0.
func goBuild(root, pkg, out string, flags ...string) (string, error) {
	return goBuildEnv(root, pkg, out, nil, flags...)
}

// goBuildEnv is goBuild with extra environment, e.g. GOARCH for a router.
// A build for another architecture is built as OpenWrt's packages are,
// without inlining (scripts/openwrt-build.sh), so the emulated tests run
// what ships.
func goBuildEnv(root, pkg, out string, env []string, flags ...string) (string, error) {
	gobin, err := goTool()
	if err != nil {
		return "", err
	}
	args := append([]string{"build", "-o", out}, flags...)
	if len(env) > 0 {
		args = append(args, "-trimpath", "-gcflags", "all=-l")
	}
	cmd := exec.Command(gobin, append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
	}
	return out, nil
}

// RepoRoot walks up from the working directory to the directory holding
// go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	for _, p := range []string{filepath.Join(os.Getenv("GOROOT"), "bin", "go"), "/usr/local/go/bin/go"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("go tool not found in PATH, $GOROOT/bin or /usr/local/go/bin")
}
