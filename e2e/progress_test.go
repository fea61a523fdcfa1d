package e2e

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

var statusLine = regexp.MustCompile(`^\[(\d+)s left\] (.+)$`)

// A live run's progress, on a line whose RAs ask for DHCPv6 but where no
// server answers (so the run lasts its whole --timeout): on a terminal one
// status line rewritten in place, counting down; without one, plain lines;
// with --quiet nothing but the verdict.
func TestProgress(t *testing.T) {
	script := testbed.NeedBinary(t, "script", "apt-get install util-linux")
	bin := testbed.BuildV6diag(t)
	bed := testbed.New(t)
	bed.StartRadvd(t, testbed.RadvdConfig{Managed: true, Other: true, Prefix: netip.MustParsePrefix("2001:db8:1::/64")})
	args := func(name string, extra ...string) []string {
		return append([]string{"run", "-i", bed.CPEIf, "--config", os.DevNull, "--timeout", "4s",
			"--out", filepath.Join(bed.Dir, "out-"+name)}, extra...)
	}
	run := func(name string, argv ...string) (stdout, stderr string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := bed.ExecCPE(ctx, argv[0], argv[1:]...)
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		err := cmd.Run()
		if code := exitCode(t, err); code != 1 {
			t.Fatalf("%s: exit %d, want 1 (no-dhcpv6-reply)\nstdout:\n%q\nstderr:\n%q", name, code, so.String(), se.String())
		}
		return so.String(), se.String()
	}

	t.Run("terminal", func(t *testing.T) {
		// script(1) gives v6diag a pseudo-terminal for stdout and stderr
		// and copies what it writes to its own stdout.
		quoted := []string{shellQuote(bin)}
		for _, a := range args("terminal") {
			quoted = append(quoted, shellQuote(a))
		}
		out, _ := run("terminal", script, "-qfec", strings.Join(quoted, " "), os.DevNull)
		parts := strings.Split(out, "\r\033[K")
		if len(parts) < 4 {
			t.Fatalf("%d status lines rewritten in place; want several:\n%q", len(parts)-1, out)
		}
		// Every rewrite but the last (which erases the line before the
		// summary) is a status line without a newline: one line, in place.
		var lefts []int
		awaiting := false
		for _, p := range parts[1 : len(parts)-1] {
			m := statusLine.FindStringSubmatch(p)
			if m == nil {
				t.Fatalf("status line %q is not \"[Ns left] …\" on one line", p)
			}
			n, _ := strconv.Atoi(m[1])
			lefts = append(lefts, n)
			awaiting = awaiting || strings.Contains(m[2], "awaiting Advertise")
		}
		for i := 1; i < len(lefts); i++ {
			if lefts[i] > lefts[i-1] {
				t.Errorf("seconds left go up: %v", lefts)
				break
			}
		}
		if lefts[0] < 3 || lefts[len(lefts)-1] > 1 {
			t.Errorf("seconds left %v; want a countdown from the 4 s timeout to about 0", lefts)
		}
		if !awaiting {
			t.Errorf("no status line says a Solicit awaits an Advertise:\n%q", out)
		}
		if !strings.Contains(parts[len(parts)-1], "no-dhcpv6-reply") && !strings.Contains(parts[len(parts)-1], "Solicit") {
			t.Errorf("the summary does not follow the erased status line:\n%q", parts[len(parts)-1])
		}
	})

	t.Run("plain", func(t *testing.T) {
		_, stderr := run("plain", append([]string{bin}, args("plain")...)...)
		if strings.ContainsAny(stderr, "\r\033") {
			t.Errorf("progress without a terminal has carriage returns or escapes:\n%q", stderr)
		}
		var events []string
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			m := statusLine.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("progress line %q is not \"[Ns left] …\"", l)
				continue
			}
			events = append(events, m[2])
		}
		joined := strings.Join(events, "\n")
		for _, want := range []string{"Router Solicitation 1 sent", "Solicit sent", "awaiting Advertise"} {
			if !strings.Contains(joined, want) {
				t.Errorf("plain progress lacks %q:\n%s", want, stderr)
			}
		}
	})

	t.Run("quiet", func(t *testing.T) {
		stdout, stderr := run("quiet", append([]string{bin}, args("quiet", "--quiet")...)...)
		if stderr != "" {
			t.Errorf("--quiet wrote to stderr: %q", stderr)
		}
		if strings.Count(stdout, "\n") != 1 || !strings.HasPrefix(stdout, "verdict: no-dhcpv6-reply") {
			t.Errorf("--quiet printed %q; want the one verdict line", stdout)
		}
	})
}

// shellQuote quotes s for sh -c.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
