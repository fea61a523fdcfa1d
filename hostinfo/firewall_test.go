package hostinfo

import (
	"context"
	"errors"
	"io/fs"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestReadFirewall: the config comes from under root; nft is asked
// first, ip6tables-save only when nft shows no input hook; what fails
// becomes a note.
func TestReadFirewall(t *testing.T) {
	root := fstest.MapFS{"etc/config/firewall": {Data: []byte("config defaults\n")}}
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
}

// TestExecRunnerBounds: output past the bound and a command that does
// not end are errors, not a router's memory or a hung run.
func TestExecRunnerBounds(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	if _, err := ExecRunner(5*time.Second, 100)(context.Background(), "sh", "-c", "yes | head -c 1000"); !errors.Is(err, errOutputTooLong) {
		t.Errorf("1000 bytes with a bound of 100: %v", err)
	}
	start := time.Now()
	if _, err := ExecRunner(200*time.Millisecond, 100)(context.Background(), "sh", "-c", "sleep 5"); err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("a command that sleeps: %v after %s", err, time.Since(start))
	}
	if b, err := ExecRunner(5*time.Second, 100)(context.Background(), "sh", "-c", "echo ok"); err != nil || string(b) != "ok\n" {
		t.Errorf("echo: %q, %v", b, err)
	}
}
