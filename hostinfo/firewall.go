package hostinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/v6diag/v6diag/firewall"
)

// FirewallMaxOutput is what ExecRunner keeps of a command's output: a
// listing that long may be cut, so it is not judged.
const FirewallMaxOutput = maxOutput

// ReadFirewall reads what the router's firewall is made of: the ruleset
// as loaded (`nft list ruleset` on OpenWrt 22.03 and later, `ip6tables-save`
// on older ones, whichever is there) and the config at configPath, read
// with readFile. What cannot be read becomes a note.
// networks are the logical interfaces on the WAN device (for the zones'
// 'network' lists).
func ReadFirewall(ctx context.Context, readFile func(string) ([]byte, error), configPath string, networks []string, run Runner) firewall.Sources {
	s := firewall.Sources{Networks: networks}
	if b, err := readFile(configPath); err != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("%s: %v", configPath, unwrapPath(err)))
	} else {
		s.Config = b
	}
	s.NftRuleset = runBounded(ctx, run, &s.Notes, "nft", "list", "ruleset")
	if len(s.NftRuleset) == 0 || !bytes.Contains(s.NftRuleset, []byte("hook input")) {
		s.IP6TablesSave = runBounded(ctx, run, &s.Notes, "ip6tables-save")
	}
	return s
}

// runBounded runs a command for ReadFirewall; its failure, or an output
// that may have been cut at FirewallMaxOutput, becomes a note.
func runBounded(ctx context.Context, run Runner, notes *[]string, name string, args ...string) []byte {
	what := strings.Join(append([]string{name}, args...), " ")
	b, err := run(ctx, name, args...)
	switch {
	case err != nil:
		*notes = append(*notes, fmt.Sprintf("%s: %v", what, err))
		return nil
	case len(b) >= FirewallMaxOutput:
		*notes = append(*notes, fmt.Sprintf("%s: more than %d bytes, not judged", what, FirewallMaxOutput))
		return nil
	}
	return b
}

// unwrapPath drops fs.PathError's repetition of the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
