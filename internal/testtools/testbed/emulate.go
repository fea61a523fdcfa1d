package testbed

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Target is a router architecture the tests build v6diag for and run under
// qemu-user, so that big-endian and 32-bit code paths meet real sockets.
type Target struct {
	// Name labels the target in test names and file names, e.g. "mips".
	Name string
	// Env is the go build environment beyond CGO_ENABLED=0, e.g.
	// GOARCH=mips GOMIPS=softfloat.
	Env []string
	// Qemu is Debian's qemu-user-static emulator for the target.
	Qemu string
}

// Targets are the emulated routers the issue asks for: big-endian MIPS
// with soft float (most OpenWrt MIPS boards have no FPU) and 32-bit ARMv7.
var Targets = []Target{
	{Name: "mips", Env: []string{"GOARCH=mips", "GOMIPS=softfloat"}, Qemu: "qemu-mips-static"},
	{Name: "arm", Env: []string{"GOARCH=arm", "GOARM=7"}, Qemu: "qemu-arm-static"},
}

var crossBuilds struct {
	mu    sync.Mutex
	dir   string
	paths map[string]string
}

// BuildV6diagFor cross-compiles ./cmd/v6diag for target once per test
// binary and returns the binary's path. It skips (under CI: fails) the test
// when the target's emulator is missing. Run the binary through
// target.Qemu; RemoveBuild deletes it.
func BuildV6diagFor(t testing.TB, target Target) string {
	t.Helper()
	NeedBinary(t, target.Qemu, "apt-get install qemu-user-static")
	crossBuilds.mu.Lock()
	defer crossBuilds.mu.Unlock()
	if p, ok := crossBuilds.paths[target.Name]; ok {
		return p
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if crossBuilds.dir == "" {
		if crossBuilds.dir, err = os.MkdirTemp("", "v6diag-cross-"); err != nil {
			t.Fatalf("testbed: %v", err)
		}
	}
	out := filepath.Join(crossBuilds.dir, "v6diag-"+target.Name)
	if _, err := goBuildEnv(root, "./cmd/v6diag", out, target.Env); err != nil {
		t.Fatalf("testbed: %v", err)
	}
	if crossBuilds.paths == nil {
		crossBuilds.paths = map[string]string{}
	}
	crossBuilds.paths[target.Name] = out
	return out
}

// removeCrossBuilds deletes what BuildV6diagFor compiled.
func removeCrossBuilds() {
	crossBuilds.mu.Lock()
	defer crossBuilds.mu.Unlock()
	if crossBuilds.dir != "" {
		_ = os.RemoveAll(crossBuilds.dir)
		crossBuilds.dir, crossBuilds.paths = "", nil
	}
}
