package odhcp6c

import (
	"context"
	"errors"
	"os/exec"
	"path"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// Exit statuses of the real odhcp6c run on a device that does not exist:
// 1 when it refuses its arguments (usage, "invalid argument"), 4 when it
// took them and then failed to open the device (src/odhcp6c.c, main:
// "failed to initialize").
const (
	peerRefused  = 1
	peerAccepted = 4
)

// noDevice is the interface the real odhcp6c is given: first, so that it
// is the one it takes whatever words follow, and absent, so that it stops
// right after reading its arguments, before it sends anything.
const noDevice = "v6diag-noif0"

// TestParseArgsAgainstOdhcp6c runs OpenWrt's real odhcp6c over every
// command line of the parser's tables and checks that it accepts what
// ParseArgs accepts (or reports as not modelled) and refuses what
// ParseArgs refuses.
func TestParseArgsAgainstOdhcp6c(t *testing.T) {
	peers := testbed.NeedPeers(t)
	run := func(line string) int {
		t.Helper()
		words, err := splitWords(line)
		if err != nil {
			t.Fatal(err)
		}
		if len(words) > 0 && path.Base(words[0]) == "odhcp6c" {
			words = words[1:]
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, peers.Odhcp6c, append([]string{noDevice}, words...)...).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("odhcp6c %s: %v (want it to exit with a status)\n%s", line, err, out)
		}
		return exit.ExitCode()
	}
	for _, c := range argsCases {
		// -d would daemonize and -p write a pid file; -E needs a build
		// with ubus, which OpenWrt's has and the test peer lacks.
		if c.name == "invocation options are read and dropped" {
			continue
		}
		if got := run(c.in); got != peerAccepted {
			t.Errorf("odhcp6c %s: exit %d, want %d: it refuses what ParseArgs accepts", c.in, got, peerAccepted)
		}
	}
	for _, c := range refusedCases {
		want := peerRefused
		if errors.Is(c.err, ErrUnsupported) {
			want = peerAccepted
		}
		if got := run(c.in); got != want {
			t.Errorf("odhcp6c %s: exit %d, want %d (ParseArgs: %v)", c.in, got, want, c.err)
		}
	}
}
