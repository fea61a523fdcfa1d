package hostinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
// judged, rather than read into a router's memory. It starts the process
// with os.StartProcess rather than os/exec, which would add some 130 KB to
// the mips build (issue 4's flash budget) for features this does not use.
func ExecRunner(timeout time.Duration, maxOutput int) Runner {
	return func(ctx context.Context, name string, args ...string) ([]byte, error) {
		path, err := lookPath(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r, w, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		devnull, err := os.Open(os.DevNull)
		if err != nil {
			r.Close()
			w.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p, err := os.StartProcess(path, append([]string{name}, args...), &os.ProcAttr{Files: []*os.File{devnull, w, devnull}})
		w.Close()
		devnull.Close()
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		// The deadline ends the read even when a child of the command
		// keeps the pipe open after the command is killed.
		deadline := time.Now().Add(timeout)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		r.SetReadDeadline(deadline)
		timer := time.AfterFunc(time.Until(deadline), func() { p.Kill() })
		out := &boundedBuffer{max: maxOutput}
		_, readErr := io.Copy(out, r)
		r.Close()
		st, waitErr := p.Wait()
		timer.Stop()
		switch {
		case out.over:
			return nil, fmt.Errorf("%s: %w (more than %d bytes)", name, errOutputTooLong, maxOutput)
		case readErr != nil || !time.Now().Before(deadline):
			return nil, fmt.Errorf("%s: no answer within %s", name, timeout)
		case waitErr != nil:
			return nil, fmt.Errorf("%s: %w", name, waitErr)
		case !st.Success():
			return nil, fmt.Errorf("%s: %s", name, st)
		}
		return out.Bytes(), nil
	}
}

// lookPath finds name in $PATH, or in /usr/sbin and /sbin, where OpenWrt
// keeps nft and ip6tables-save and where a root shell's $PATH may not
// reach under sudo.
func lookPath(name string) (string, error) {
	dirs := append(filepath.SplitList(os.Getenv("PATH")), "/usr/sbin", "/sbin")
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("not found in $PATH, /usr/sbin or /sbin: %w", fs.ErrNotExist)
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
