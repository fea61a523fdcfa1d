package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/uciconfig"
)

// A network config that does not parse does not stop run or analyze
// (issue 10): the report notes it and the router's client is netifd's
// defaults; no suggestion is written.
func TestAnalyzeBrokenConfig(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken")
	if err := os.WriteFile(broken, []byte("config interface 'wan'\n\tbogus line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := invoke("analyze", "--out", out, "--config", broken, sharedCapture(t, pppoeOK))
	if code == exitCannot {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		RouterClient struct {
			Config string   `json:"config"`
			Args   string   `json:"args"`
			Notes  []string `json:"notes"`
		} `json:"router_client"`
	}
	js, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatal(err)
	}
	rc := rep.RouterClient
	if rc.Config != "netifd defaults" || rc.Args != "-P0 -t120" || !strings.Contains(strings.Join(rc.Notes, " "), broken+" line 2") {
		t.Errorf("router_client %+v; want netifd's defaults and a note naming line 2", rc)
	}
	if _, err := os.Stat(filepath.Join(out, suggestedName)); err == nil {
		t.Error("a suggestion was written for a config that does not parse")
	}
	_ = stdout
}

func TestLoadNetConfig(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken")
	if err := os.WriteFile(broken, []byte("config interface 'wan'\n\toption proto 'dhcp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")

	nc, err := loadNetConfig(missing, false)
	if err != nil || nc.file != nil || !strings.Contains(nc.note, "no network config at "+missing) {
		t.Errorf("missing default: %+v, %v; want no file and a note", nc, err)
	}
	nc, err = loadNetConfig(os.DevNull, true)
	if err != nil || nc.file == nil {
		t.Errorf("/dev/null: %v; want an empty config", err)
	}
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"missing explicit", missing, []string{missing, "no such file", "--config"}},
		{"syntax error", broken, []string{broken + " line 2", "unterminated quote", "--config"}},
		{"a folder", dir, []string{"is a folder"}},
	} {
		_, err := loadNetConfig(tc.path, true)
		var cr cannotRun
		if !errors.As(err, &cr) {
			t.Errorf("%s: err = %v, want cannotRun", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not mention %q", tc.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", tc.name, err)
		}
	}
}

// A network config with a WireGuard key right after wan, so the diff's
// context would show it if it were not masked, and no wan6.
const configWithKey = `
config interface 'lan'
	option device 'br-lan'
	option proto 'static'
	option ipaddr '192.168.1.1'
	option netmask '255.255.255.0'
	option ip6assign '60'

config interface 'wan'
	option device 'eth0.2'
	option proto 'dhcp'

config interface 'vpn'
	option proto 'wireguard'
	option private_key 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk='
	list addresses '10.0.0.2/32'
`

const wgKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestAnalyzeWritesSuggestion analyses a healthy PPPoE capture (a /56
// delegated) against a config without wan6: the router runs no DHCPv6
// client, so the verdict is config-blocks-prefix (exit 1) and analyze
// writes network.suggested (0600, the key kept) and network.diff (key
// masked), leaves the config alone, and `v6diag config --from` prints the
// same diff again.
func TestAnalyzeWritesSuggestion(t *testing.T) {
	capFile := sharedCapture(t, pppoeOK)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "network")
	if err := os.WriteFile(cfg, []byte(configWithKey), 0o644); err != nil {
		t.Fatal(err)
	}
	before := fileHash(t, cfg)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := invoke("analyze", "--out", out, "--config", cfg, capFile)
	if code != exitProblem || !strings.Contains(stdout, "config-blocks-prefix") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 1 and config-blocks-prefix", code, stdout, stderr)
	}
	if fileHash(t, cfg) != before {
		t.Fatal("analyze changed the config file")
	}
	for _, name := range []string{suggestedName, diffName} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %o, want 600", name, st.Mode().Perm())
		}
	}
	suggested, _ := os.ReadFile(filepath.Join(out, suggestedName))
	diff, _ := os.ReadFile(filepath.Join(out, diffName))
	if !bytes.Contains(suggested, []byte(wgKey)) {
		t.Error("network.suggested lost the WireGuard key: it must be the whole file")
	}
	if !bytes.Contains(diff, []byte("+config interface 'wan6' # v6diag: ")) || !bytes.Contains(diff, []byte("+\toption device '@wan' # v6diag: ")) {
		t.Errorf("network.diff does not add wan6 on @wan:\n%s", diff)
	}
	if !bytes.Contains(diff, []byte("option private_key '"+uciconfig.SecretMask+"'")) {
		t.Errorf("network.diff should show the key's line, masked:\n%s", diff)
	}
	for what, b := range map[string]string{"network.diff": string(diff), "stdout": stdout, "stderr": stderr} {
		if strings.Contains(b, wgKey) {
			t.Errorf("%s shows the WireGuard key", what)
		}
	}
	if !strings.Contains(stdout, "suggested network config: "+filepath.Join(out, suggestedName)) {
		t.Errorf("stdout does not point at network.suggested:\n%s", stdout)
	}
	var rep struct {
		Notes []string `json:"notes"`
	}
	js, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "adds interface wan6") {
		t.Errorf("report.json notes do not describe the suggestion: %q", rep.Notes)
	}

	// The same suggestion again, from report.json.
	code, cfgOut, cfgErr := invoke("config", "--from", filepath.Join(out, "report.json"), "--config", cfg)
	if code != exitOK {
		t.Fatalf("config --from: exit %d, stderr %q", code, cfgErr)
	}
	if cfgOut != string(diff) {
		t.Errorf("config --from prints another diff than network.diff (-file +printed):\n%s", cmp.Diff(string(diff), cfgOut))
	}
	code, full, _ := invoke("config", "--from", filepath.Join(out, "report.json"), "--config", cfg, "--full")
	if code != exitOK || strings.Contains(full, wgKey) || !strings.Contains(full, "config interface 'wan6'") {
		t.Errorf("config --full: exit %d, want the whole masked file:\n%s", code, full)
	}
	written := filepath.Join(dir, "network.new")
	code, _, _ = invoke("config", "--from", filepath.Join(out, "report.json"), "--config", cfg, "--write", written)
	if got, _ := os.ReadFile(written); code != exitOK || !bytes.Equal(got, suggested) {
		t.Errorf("config --write: exit %d, file differs from network.suggested", code)
	}
	if st, err := os.Stat(written); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("--write file: %v, want mode 600", err)
	}
	// --write never replaces a file, the config least of all.
	code, _, errOut := invoke("config", "--from", filepath.Join(out, "report.json"), "--config", cfg, "--write", cfg)
	if code != exitCannot || !strings.Contains(errOut, "exists") || fileHash(t, cfg) != before {
		t.Errorf("--write over the config: exit %d, %q; want 2 and the config untouched", code, errOut)
	}
}

// TestAnalyzeNoSuggestion: when nothing needs to change, no network
// files are written and the report says why.
func TestAnalyzeNoSuggestion(t *testing.T) {
	capFile := sharedCapture(t, pppoeOK)
	out := filepath.Join(t.TempDir(), "out")
	cfg := filepath.Join("..", "..", "uciconfig", "testdata", "pppoe_ipv6_auto.network")
	code, stdout, stderr := invoke("analyze", "--out", out, "--config", cfg, capFile)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, name := range configFiles {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("%s written though nothing changes", name)
		}
	}
	if !strings.Contains(stdout, "nothing to change") {
		t.Errorf("stdout does not say nothing changes:\n%s", stdout)
	}
	if strings.Contains(stdout, "secret") {
		t.Error("stdout shows the PPPoE password")
	}
}

// TestConfigErrors: every mistake is one line on stderr, exit 2, and an
// analyze with a bad --config leaves no output folder behind.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "report.json")
	if err := os.WriteFile(rep, []byte(`{"verdict":{"code":"ok","who_must_act":"nobody"},"dhcpv6":{"delegated_prefixes":[{"prefix":"2001:db8::/64"}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken")
	if err := os.WriteFile(broken, []byte("config interface 'wan'\n\tbogus line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --from", []string{"config", "--config", os.DevNull}, "--from"},
		{"missing report", []string{"config", "--from", missing, "--config", os.DevNull}, "--from"},
		{"not a report", []string{"config", "--from", broken, "--config", os.DevNull}, "report.json"},
		{"missing config", []string{"config", "--from", rep, "--config", missing}, "no such file"},
		{"broken config", []string{"config", "--from", rep, "--config", broken}, "line 2"},
		{"stray argument", []string{"config", "--from", rep, "extra"}, "unexpected argument"},
		{"analyze, missing config", []string{"analyze", "--out", filepath.Join(dir, "out1"), "--config", missing, sharedCapture(t, pppoeOK)}, "no such file"},
	} {
		code, stdout, stderr := invoke(tc.args...)
		if code != exitCannot || stdout != "" {
			t.Errorf("%s: exit %d stdout %q; want 2 and nothing", tc.name, code, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: stderr %q; want one line mentioning %q", tc.name, stderr, tc.want)
		}
	}
	for _, d := range []string{"out1", "out2"} {
		if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
			t.Errorf("%s left behind after a config error", d)
		}
	}
}

func TestConfigHelp(t *testing.T) {
	code, out, _ := invoke("help", "config")
	if code != exitOK || !strings.HasPrefix(out, "Usage: v6diag config") {
		t.Fatalf("help config: exit %d\n%s", code, out)
	}
	for _, name := range flagNames(newConfigFlags(&configFlags{})) {
		if !strings.Contains(out, "  -"+name+" ") && !strings.Contains(out, "  -"+name+"\n") {
			t.Errorf("help does not mention -%s", name)
		}
	}
	if _, top, _ := invoke("help"); !strings.Contains(top, "v6diag config") {
		t.Error("top-level help does not mention v6diag config")
	}
}

// TestLoadNetConfigUncommitted: the network config read by name, as uci
// reads it, carries uci's uncommitted changes and says so; a copy named
// with --config elsewhere is read as it is; an override file wins.
func TestLoadNetConfigUncommitted(t *testing.T) {
	root := t.TempDir()
	dirs := uciDirs{conf: filepath.Join(root, "etc/config"), override: filepath.Join(root, "var/run/uci"), save: filepath.Join(root, "tmp/.uci")}
	for _, d := range []string{dirs.conf, dirs.save} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const config = "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'dhcp'\n"
	const delta = "network.wan6='interface'\nnetwork.wan6.device='@wan'\nnetwork.wan6.proto='dhcpv6'\nnetwork.wan6.reqprefix='56'\nnetwork.@interface[0].x='ignored'\n"
	path := filepath.Join(dirs.conf, "network")
	copyPath := filepath.Join(root, "copy")
	for p, b := range map[string]string{path: config, copyPath: config, filepath.Join(dirs.save, "network"): delta} {
		if err := os.WriteFile(p, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	nc, err := loadNetConfigIn(path, false, dirs)
	if err != nil {
		t.Fatal(err)
	}
	w6 := nc.file.Section("wan6")
	if w6 == nil {
		t.Fatalf("the uncommitted wan6 is missing:\n%s", nc.raw)
	}
	if v, _ := w6.Option("reqprefix"); v != "56" || !strings.Contains(string(nc.raw), "option reqprefix '56'") {
		t.Errorf("wan6 reqprefix %q; raw:\n%s", v, nc.raw)
	}
	joined := strings.Join(nc.notes, "\n")
	if !strings.Contains(joined, "4 uncommitted uci change(s) in "+filepath.Join(dirs.save, "network")) || !strings.Contains(joined, "1 line(s)") {
		t.Errorf("notes do not say what was applied and ignored: %q", nc.notes)
	}

	// The same file as a --config copy elsewhere: no changes applied.
	nc, err = loadNetConfigIn(copyPath, true, dirs)
	if err != nil {
		t.Fatal(err)
	}
	if nc.file.Section("wan6") != nil || len(nc.notes) > 0 || string(nc.raw) != config {
		t.Errorf("a copy outside %s got uci's changes: %q\n%s", dirs.conf, nc.notes, nc.raw)
	}

	// An override file is what uci reads by name.
	if err := os.MkdirAll(dirs.override, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirs.override, "network"), []byte("config interface 'wan'\n\toption proto 'pppoe'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	nc, err = loadNetConfigIn(path, false, dirs)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := nc.file.Section("wan").Option("proto"); v != "pppoe" || !strings.Contains(strings.Join(nc.notes, "\n"), "overrides") {
		t.Errorf("override not read: proto %q, notes %q", v, nc.notes)
	}
}
