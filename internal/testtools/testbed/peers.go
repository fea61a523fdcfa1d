package testbed

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// UCIShow runs the real uci on config as the "network" config in a folder
// of its own (-c), with its change files there too (-t) and an empty
// override folder (-C), never the machine's /etc/config or /tmp/.uci:
// `uci batch` with batch as input and `uci commit network` when batch is
// not nil, then `uci show network`, whose output it returns. Any message
// uci prints on stderr fails t.
func (p Peers) UCIShow(t testing.TB, config, batch []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "network"), config, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(stdin []byte, args ...string) string {
		t.Helper()
		all := append([]string{"-c", dir, "-C", filepath.Join(dir, "override"), "-t", filepath.Join(dir, "delta")}, args...)
		cmd := exec.Command(p.UCI, all...)
		cmd.Stdin = bytes.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("uci %s: %v\n%s\ninput:\n%s", strings.Join(args, " "), err, stderr.String(), stdin)
		}
		return stdout.String()
	}
	if batch != nil {
		run(batch, "batch")
		run(nil, "commit", "network")
	}
	return run(nil, "show", "network")
}
