package uciconfig

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
)

// uciChanges runs uci commands on config without committing them (-t: the
// change files go to a folder of the test's own) and returns the change
// file uci saved and what `uci show network` shows with it applied.
func uciChanges(t *testing.T, uci string, config []byte, commands ...[]string) (delta []byte, show string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "network"), config, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		all := append([]string{"-c", dir, "-C", filepath.Join(dir, "override"), "-t", filepath.Join(dir, "delta")}, args...)
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(uci, all...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("uci %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String()
	}
	for _, c := range commands {
		run(c...)
	}
	delta, err := os.ReadFile(filepath.Join(dir, "delta", "network"))
	if err != nil {
		t.Fatalf("uci saved no change file: %v", err)
	}
	return delta, run("show", "network")
}

// TestApplyDeltaWithUCI makes uncommitted changes with the real uci (set,
// add, delete, rename, reorder, add_list, del_list; values with quotes,
// spaces and newlines; anonymous sections), then checks that ParseDelta
// and ApplyDelta on the committed file give what uci itself shows: the
// file v6diag reads is the one uci and, after a commit, netifd see.
func TestApplyDeltaWithUCI(t *testing.T) {
	peers := testbed.NeedPeers(t)
	base := "config globals 'globals'\n\toption ula_prefix 'fd00::/48'\n\n" +
		"config device\n\toption name 'br-lan'\n\toption type 'bridge'\n\tlist ports 'lan1'\n\tlist ports 'lan2'\n\n" +
		lan60 + "\n" + dhcpWAN + "\n" + wan6 + "\n" +
		"config device\n\toption name 'wan'\n\toption macaddr '00:11:22:33:44:55'\n"
	tests := []struct {
		name     string
		commands [][]string
	}{
		{"set options", [][]string{
			{"set", "network.wan6.reqaddress=none"},
			{"set", "network.wan6.reqprefix=56"},
			{"set", "network.wan.proto=pppoe"},
			{"set", "network.wan.password=it's a \"secret\"\nline two"},
		}},
		{"delete option and section", [][]string{
			{"delete", "network.lan.ip6assign"},
			{"delete", "network.wan6"},
		}},
		{"new named section", [][]string{
			{"set", "network.wan6b=interface"},
			{"set", "network.wan6b.device=@wan"},
			{"set", "network.wan6b.proto=dhcpv6"},
		}},
		{"anonymous sections: change, add, delete", [][]string{
			{"set", "network.@device[0].mtu=1500"},
			{"add", "network", "device"},
			{"set", "network.@device[-1].name=eth9"},
			{"delete", "network.@device[1]"},
		}},
		{"lists", [][]string{
			{"add_list", "network.@device[0].ports=lan3"},
			{"del_list", "network.@device[0].ports=lan1"},
			{"add_list", "network.lan.dns=2001:db8::1"},
			{"add_list", "network.lan.proto=x"}, // a plain option becomes a list
			{"delete", "network.@device[0].ports=0"},
		}},
		{"rename and reorder", [][]string{
			{"rename", "network.wan6=wan6x"},
			{"rename", "network.wan.device=ifname"},
			{"rename", "network.@device[1]=wandev"},
			{"reorder", "network.wan6x=0"},
			{"reorder", "network.globals=9"},
		}},
		{"change a section's type", [][]string{
			{"set", "network.wan6=alias"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delta, want := uciChanges(t, peers.UCI, []byte(base), tt.commands...)
			f := mustParse(t, base)
			d := ParseDelta(delta, "network")
			if d.Ignored != 0 {
				t.Errorf("%d lines of uci's own change file ignored:\n%s", d.Ignored, delta)
			}
			applied, notes := f.ApplyDelta(d)
			if applied != len(d.Commands) || len(notes) > 0 {
				t.Errorf("applied %d of %d: %q\nchange file:\n%s", applied, len(d.Commands), notes, delta)
			}
			out := f.Bytes()
			if _, err := Parse(out); err != nil {
				t.Fatalf("the file with the changes does not parse: %v\n%s", err, out)
			}
			if diff := cmp.Diff(want, peers.UCIShow(t, out, nil)); diff != "" {
				t.Errorf("uci show (-uci with its change file +v6diag's file):\n%s\nchange file:\n%s\nfile:\n%s", diff, delta, out)
			}
		})
	}
}

// TestParseDelta covers what libuci rejects line by line, and the quoting.
func TestParseDelta(t *testing.T) {
	in := "network.wan.proto='dhcp'\n" +
		"+network.cfg0a1b2c='device'\n" +
		"-network.wan6\n" +
		"-network.lan.dns='0'\n" +
		"@network.wan='wan2'\n" +
		"^network.wan2='3'\n" +
		"|network.lan.dns='2001:db8::1'\n" +
		"~network.lan.dns='2001:db8::2'\n" +
		"network.wan.password='it'\\''s\nmulti'\n" +
		"network.wan.x=\"a\\\"b\"#comment\n" +
		"\n" +
		"firewall.wan.proto='x'\n" + // another package
		"network.@interface[0].proto='x'\n" + // extended syntax
		"network.wan.proto\n" + // a set without a value
		"^network.wan.proto='1'\n" + // reorder of an option
		"network.wan.proto='dhcp' \n" + // more after the argument
		"network.wan.proto='dhcp';x\n" +
		"network.wan.bad-name='x'\n" +
		"network.wan.proto='unterminated\n"
	got := ParseDelta([]byte(in), "network")
	want := Delta{Commands: []DeltaCommand{
		{Op: DeltaSet, Section: "wan", Option: "proto", Value: "dhcp", HasValue: true},
		{Op: DeltaAdd, Section: "cfg0a1b2c", Value: "device", HasValue: true},
		{Op: DeltaRemove, Section: "wan6"},
		{Op: DeltaRemove, Section: "lan", Option: "dns", Value: "0", HasValue: true},
		{Op: DeltaRename, Section: "wan", Value: "wan2", HasValue: true},
		{Op: DeltaReorder, Section: "wan2", Value: "3", HasValue: true},
		{Op: DeltaListAdd, Section: "lan", Option: "dns", Value: "2001:db8::1", HasValue: true},
		{Op: DeltaListDel, Section: "lan", Option: "dns", Value: "2001:db8::2", HasValue: true},
		{Op: DeltaSet, Section: "wan", Option: "password", Value: "it's\nmulti", HasValue: true},
		{Op: DeltaSet, Section: "wan", Option: "x", Value: "a\"b", HasValue: true},
	}, Ignored: 8}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAnonymousName(t *testing.T) {
	// Names uci gave these sections: `uci -X show network` on this file.
	f := mustParse(t, "config globals 'globals'\nconfig device\nconfig interface 'lan'\nconfig device\n\toption name 'x'\n")
	var got []string
	for _, s := range f.Sections() {
		got = append(got, s.AnonymousName())
	}
	if diff := cmp.Diff([]string{"", "cfg020f15", "", "cfg040f15"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzParseDelta: any change file parses without panic, each command it
// returns writes back (String, secrets aside) to a line that parses to
// the same command, and applying it to a real config gives a file that
// parses.
func FuzzParseDelta(f *testing.F) {
	for _, s := range []string{
		"network.wan.proto='dhcp'\n+network.cfg0a1b2c='device'\n-network.wan6\n",
		"@network.wan='wan2'\n^network.wan2='3'\n|network.lan.dns='a'\n~network.lan.dns='a'\n",
		"network.wan.password='it'\\''s\nmulti'\nnetwork.wan.x=\"a\\\"b\"#c\n",
		"-network.@device[0]\n-network.cfg020f15\nnetwork.cfg020f15.mtu='1'\n",
		"network.wan.proto='dhcp' \n;\n\\\n'",
	} {
		f.Add([]byte(s))
	}
	config := []byte("config globals 'globals'\nconfig device\n\tlist ports 'a'\n" + lan60 + dhcpWAN + wan6)
	f.Fuzz(func(t *testing.T, b []byte) {
		d := ParseDelta(b, "network")
		for _, c := range d.Commands {
			if IsSecretOption(c.Option) {
				continue
			}
			re := ParseDelta([]byte(c.String()+"\n"), "network")
			if len(re.Commands) != 1 || re.Commands[0] != c {
				t.Fatalf("%+v writes as %q, which parses to %+v", c, c.String(), re)
			}
		}
		file, err := Parse(config)
		if err != nil {
			t.Fatal(err)
		}
		file.ApplyDelta(d)
		if out := file.Bytes(); true {
			if _, err := Parse(out); err != nil {
				t.Fatalf("config with the changes does not parse: %v\n%q\nchanges: %q", err, out, b)
			}
		}
	})
}
