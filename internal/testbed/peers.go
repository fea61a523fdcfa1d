package testbed

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Peers are OpenWrt's own programs, built from the unmodified source
// snapshots in ../shared/peers as test peers: the real DHCPv6 client a
// router runs (odhcp6c) and its configuration command (uci).
type Peers struct {
	Odhcp6c string
	UCI     string
}

// peersEnv names a folder that already holds odhcp6c and uci (.ci/run
// builds them there once per run).
const peersEnv = "V6DIAG_PEERS"

var (
	peersOnce sync.Once
	peersDir  string
	peersErr  error
)

// NeedPeers returns the peers, building them on first use when
// $V6DIAG_PEERS is not set: ../shared/peers/build-peers.sh into a folder
// under the system's temporary directory, which later runs reuse (the
// script is a no-op when both binaries exist). It skips t, or fails it
// under CI, when they cannot be had.
func NeedPeers(t testing.TB) Peers {
	t.Helper()
	peersOnce.Do(func() { peersDir, peersErr = findPeers() })
	if peersErr != nil {
		missing(t, fmt.Sprintf("testbed: OpenWrt peers (odhcp6c, uci): %v", peersErr))
	}
	return Peers{Odhcp6c: filepath.Join(peersDir, "odhcp6c"), UCI: filepath.Join(peersDir, "uci")}
}

func findPeers() (string, error) {
	if dir := os.Getenv(peersEnv); dir != "" {
		for _, name := range []string{"odhcp6c", "uci"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				return "", fmt.Errorf("$%s=%s: %w", peersEnv, dir, err)
			}
		}
		return dir, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	script := filepath.Join(root, "..", "shared", "peers", "build-peers.sh")
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("no $%s and no %s: %w", peersEnv, script, err)
	}
	dir := filepath.Join(os.TempDir(), "v6diag-peers")
	out, err := exec.Command(script, dir).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", script, dir, err, out)
	}
	return dir, nil
}
