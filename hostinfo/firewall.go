package hostinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"time"

	"github.com/v6diag/v6diag/firewall"
)

// Runner runs a command and returns its standard output. ExecRunner is
// the real one; tests give their own.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// errOutputTooLong marks a command whose output passed the bound.
var errOutputTooLong = errors.New("output too long")

// ExecRunner runs commands with a timeout each and keeps at most
// maxOutput bytes of output: a ruleset of megabytes (large sets) is not
// judged, rather than read into a router's memory.
func ExecRunner(timeout time.Duration, maxOutput int) Runner {
	return func(ctx context.Context, name string, args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		// A child that keeps the output pipe open (a shell's sleep) must
		// not hold Wait past the timeout.
		cmd.WaitDelay = 500 * time.Millisecond
		out, stderr := &boundedBuffer{max: maxOutput}, &boundedBuffer{max: 256}
		cmd.Stdout, cmd.Stderr = out, stderr
		err := cmd.Run()
		switch {
		case out.over:
			return nil, fmt.Errorf("%s: %w (more than %d bytes)", name, errOutputTooLong, maxOutput)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%s: no answer within %s", name, timeout)
		case err != nil && stderr.Len() > 0:
			return nil, fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
		case err != nil:
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return out.Bytes(), nil
	}
}

// boundedBuffer keeps the first max bytes written and notes the rest.
// It does not embed bytes.Buffer: io.Copy would use the embedded ReadFrom
// and pass the bound by.
type boundedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

// Write keeps what fits and reports everything written, so the command
// is not killed by a broken pipe before it ends.
func (b *boundedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.max - b.buf.Len(); n > room {
		b.over = true
		p = p[:max(room, 0)]
	}
	b.buf.Write(p)
	return n, nil
}

func (b *boundedBuffer) Bytes() []byte  { return b.buf.Bytes() }
func (b *boundedBuffer) Len() int       { return b.buf.Len() }
func (b *boundedBuffer) String() string { return b.buf.String() }

// FirewallCommandTimeout and FirewallMaxOutput bound reading the loaded
// ruleset on the router.
const (
	FirewallCommandTimeout = 5 * time.Second
	FirewallMaxOutput      = 2 << 20
)

// ReadFirewall reads what the router's firewall is made of: the ruleset
// as loaded (`nft list ruleset` on OpenWrt 22.03 and later, `ip6tables-save`
// on older ones, whichever is there) and the config at configPath (an
// absolute path, read under root). What cannot be read becomes a note.
// networks are the logical interfaces on the WAN device (for the zones'
// 'network' lists).
func ReadFirewall(ctx context.Context, root fs.FS, configPath string, networks []string, run Runner) firewall.Sources {
	s := firewall.Sources{Networks: networks}
	if b, err := fs.ReadFile(root, strings.TrimPrefix(configPath, "/")); err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("%s: %v", configPath, unwrapPath(err)))
	} else {
		s.Config = b
	}
	if b, err := run(ctx, "nft", "list", "ruleset"); err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("nft list ruleset: %v", err))
	} else {
		s.NftRuleset = b
	}
	if len(s.NftRuleset) == 0 || !bytes.Contains(s.NftRuleset, []byte("hook input")) {
		if b, err := run(ctx, "ip6tables-save"); err != nil {
			s.Notes = append(s.Notes, fmt.Sprintf("ip6tables-save: %v", err))
		} else {
			s.IP6TablesSave = b
		}
	}
	return s
}

// unwrapPath drops fs.PathError's repetition of the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
