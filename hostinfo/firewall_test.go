package hostinfo

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// TestReadFirewall: the config comes from under root; nft is asked
// first, ip6tables-save only when nft shows no input hook; what fails
// becomes a note.
func TestReadFirewall(t *testing.T) {
	fsys := fstest.MapFS{"etc/config/firewall": {Data: []byte("config defaults\n")}}
	root := func(p string) ([]byte, error) { return fs.ReadFile(fsys, strings.TrimPrefix(p, "/")) }
	var asked []string
	run := func(nft, ipt string) Runner {
		return func(_ context.Context, name string, args ...string) ([]byte, error) {
			asked = append(asked, name)
			out := map[string]string{"nft": nft, "ip6tables-save": ipt}[name]
			if out == "" {
				return nil, fs.ErrNotExist
			}
			return []byte(out), nil
		}
	}
	s := ReadFirewall(context.Background(), root, "/etc/config/firewall", []string{"wan"}, run("table inet fw4 {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}\n", "*filter\nCOMMIT\n"))
	if string(s.Config) != "config defaults\n" || len(s.NftRuleset) == 0 || s.IP6TablesSave != nil || strings.Join(asked, " ") != "nft" || len(s.Notes) != 0 {
		t.Errorf("fw4 router: %+v, asked %v", s, asked)
	}
	asked = nil
	s = ReadFirewall(context.Background(), root, "/etc/config/missing", nil, run("", "*filter\nCOMMIT\n"))
	if s.Config != nil || string(s.IP6TablesSave) != "*filter\nCOMMIT\n" || strings.Join(asked, " ") != "nft ip6tables-save" || len(s.Notes) != 2 {
		t.Errorf("fw3 router: %+v, asked %v", s, asked)
	}
	// A listing as long as what ExecRunner keeps may have been cut.
	long := strings.Repeat("#\n", FirewallMaxOutput/2)
	s = ReadFirewall(context.Background(), root, "/etc/config/firewall", nil, run(long, ""))
	if s.NftRuleset != nil || !strings.Contains(strings.Join(s.Notes, " "), "not judged") {
		t.Errorf("a listing of %d bytes was taken: %d bytes, notes %v", len(long), len(s.NftRuleset), s.Notes)
	}
}
