package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/dhcpv6"
	"github.com/v6diag/v6diag/dhcpv6/options"
	"github.com/v6diag/v6diag/internal/testtools/testbed"
	"github.com/v6diag/v6diag/internal/testtools/testbed/lines"
	"github.com/v6diag/v6diag/uciconfig"
)

// Issue 10: v6diag speaks for the router's own client. Every claim it
// makes about odhcp6c is checked here against the real odhcp6c, on the
// same line, in the same test.

// routerClientReport is report.json's router_client.
type routerClientReport struct {
	Config      string `json:"config"`
	Args        string `json:"args"`
	Prefix      string `json:"prefix"`
	Address     string `json:"address"`
	Explanation string `json:"explanation"`
	Predicted   bool   `json:"predicted"`
	Incomplete  bool   `json:"incomplete"`
	Suggestion  *struct {
		Attempt  int    `json:"attempt"`
		Settings string `json:"settings"`
		Args     string `json:"args"`
		Prefix   string `json:"prefix"`
	} `json:"suggestion"`
}

// wan6Config is a router's /etc/config/network with a DHCP wan on the
// CPE veth and a wan6 on '@wan' with cfg's options.
func wan6Config(bed *testbed.Bed, cfg lines.Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "config interface 'wan'\n\toption device '%s'\n\toption proto 'dhcp'\n\n", bed.CPEIf)
	b.WriteString("config interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n")
	for _, o := range cfg.Options {
		fmt.Fprintf(&b, "\toption %s '%s'\n", o.Name, o.Value)
	}
	b.WriteString("\nconfig interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n\toption ip6assign '64'\n")
	return b.String()
}

// suggestedArgs maps network.suggested through netifd's mapping: the
// odhcp6c arguments a router with that file would run.
func suggestedArgs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rc := uciconfig.RouterClientFromConfig(path, b, uciconfig.NetifdHost{})
	if !rc.Runs {
		t.Fatalf("network.suggested runs no DHCPv6 client: %q", rc.Notes)
	}
	return rc.Argv
}

// prefixLen is the length of a CIDR string, 0 for "".
func prefixLen(t *testing.T, s string) int {
	t.Helper()
	if s == "" {
		return 0
	}
	var addr string
	var n int
	if _, err := fmt.Sscanf(strings.Replace(s, "/", " ", 1), "%s %d", &addr, &n); err != nil {
		t.Fatalf("prefix %q: %v", s, err)
	}
	return n
}

// matrixRow is one cell of the matrix, as the script prints it.
type matrixRow struct {
	line, config, odhcp6c, v6diag, verdict, suggestion, proof string
	equal                                                     bool
}

// matrixConfigs are the wan6 configs the matrix runs: the three
// (the default, reqaddress 'force' with reqprefix '48', reqprefix 'no')
// and two more.
var matrixConfigs = []string{lines.ConfigDefault, lines.ConfigForce48, lines.ConfigNoPrefix, lines.ConfigNoAddress, lines.ConfigPrefix56}

// TestRouterClientMatrix runs every line with every config: the real
// odhcp6c with the config's arguments, then v6diag with that config, and
// asserts that router_client says what odhcp6c got (a prefix or none, and
// its length; an address or none). Where v6diag suggests a config, the
// suggestion is proven: netifd's mapping of network.suggested gives
// odhcp6c's arguments, the real odhcp6c runs with them on the same line,
// and it must get the prefix the report promised — more than the router
// got with its own config.
func TestRouterClientMatrix(t *testing.T) {
	t.Parallel()
	testbed.NeedPeers(t)
	testbed.BuildTestISP(t)
	var cfgs []lines.Config
	for _, c := range lines.Configs() {
		if slices.Contains(matrixConfigs, c.Name) {
			cfgs = append(cfgs, c)
		}
	}
	var (
		mu   sync.Mutex
		rows []matrixRow
	)
	lines.RunCells(t, lines.Cells(lines.All(), cfgs), 12, func(t *testing.T, c lines.Cell) {
		bed := testbed.New(t)
		isp := c.Line.Setup(t, bed)
		truth := lines.RunOdhcp6c(t, bed, c.Config, lines.NothingWait)

		dir := t.TempDir()
		cfgPath := filepath.Join(dir, "network")
		if err := os.WriteFile(cfgPath, []byte(wan6Config(bed, c.Config)), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(bed.Dir, "v6diag")
		r, raw := runV6diagArgs(t, bed, out, "-i", bed.CPEIf, "--config", cfgPath, "--prefix-len", "48", "--timeout", "16s")
		rc := r.report.RouterClient
		row := matrixRow{line: c.Line.Name, config: c.Config.Name, odhcp6c: truth.Outcome(),
			v6diag:  fmt.Sprintf("prefix %s address %s", dashIfEmpty(rc.Prefix), dashIfEmpty(rc.Address)),
			verdict: r.report.Verdict.Code + "/" + r.report.Verdict.WhoMustAct, suggestion: "—", proof: "—"}
		defer func() {
			mu.Lock()
			rows = append(rows, row)
			mu.Unlock()
		}()

		if rc.Args != c.Config.ArgString() {
			t.Errorf("router_client.args %q, want %q: netifd's mapping of wan6 disagrees with the catalogue", rc.Args, c.Config.ArgString())
		}
		gotLen, wantLen := prefixLen(t, rc.Prefix), 0
		if p := truth.Prefix(); p.IsValid() {
			wantLen = p.Bits()
		}
		if gotLen != wantLen {
			t.Errorf("router_client.prefix %q, but the real odhcp6c got %s\n%s", rc.Prefix, truth.Outcome(), rc.Explanation)
		}
		if (rc.Address != "") != truth.Address().IsValid() {
			t.Errorf("router_client.address %q, but the real odhcp6c got %s", rc.Address, truth.Outcome())
		}
		row.equal = gotLen == wantLen && (rc.Address != "") == truth.Address().IsValid()
		want := 48
		switch {
		case wantLen > 0 && wantLen <= want && r.report.Verdict.WhoMustAct != "nobody":
			t.Errorf("odhcp6c gets a /%d, as large as wanted, but who_must_act is %q", wantLen, r.report.Verdict.WhoMustAct)
		case wantLen == 0 && r.report.Verdict.Code == "ok":
			t.Errorf("verdict ok, but the router's odhcp6c gets no prefix")
		}
		sg := rc.Suggestion
		suggested := filepath.Join(out, "network.suggested")
		_, statErr := os.Stat(suggested)
		if (sg == nil) != (statErr != nil) {
			t.Errorf("router_client.suggestion %+v, network.suggested: %v; want both or neither", sg, statErr)
		}
		if sg == nil {
			if r.report.Verdict.WhoMustAct == "user" {
				t.Errorf("who_must_act user without a suggestion: %s", r.report.Verdict.Summary)
			}
			return
		}
		row.suggestion = sg.Settings + " → " + sg.Prefix
		promised := prefixLen(t, sg.Prefix)
		if promised == 0 || (wantLen > 0 && promised >= wantLen) {
			t.Errorf("suggestion %+v gets the router nothing more than its /%d", sg, wantLen)
		}
		// Proof: the real odhcp6c with the suggested config.
		args := suggestedArgs(t, suggested)
		if strings.Join(args, " ") != sg.Args {
			t.Errorf("network.suggested maps to odhcp6c %q, the report promised %q", strings.Join(args, " "), sg.Args)
		}
		proof := lines.RunOdhcp6c(t, bed, lines.Config{Name: "suggested", Args: args}, lines.NothingWait)
		row.proof = proof.Outcome()
		if p := proof.Prefix(); !p.IsValid() || p.Bits() != promised {
			t.Errorf("odhcp6c %s (network.suggested) got %s; the report promised a /%d", strings.Join(args, " "), proof.Outcome(), promised)
			row.proof += " ✗"
		} else {
			row.proof += " ✓"
		}
		if t.Failed() {
			lines.SaveArtifacts(t, filepath.Join("router-client", c.Line.Name, c.Config.Name),
				truth.CapturePath, truth.LogPath, filepath.Join(out, "report.txt"), filepath.Join(out, "capture.pcapng"),
				suggested, isp.ServerLogPath())
			t.Logf("report.json:\n%s", raw)
		}
	})
	writeMatrix(t, rows)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// writeMatrix writes the matrix to $V6DIAG_TEST_ARTIFACTS/router-client-
// matrix.md, for scripts/router-client-matrix.sh to print.
func writeMatrix(t *testing.T, rows []matrixRow) {
	t.Helper()
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].line != rows[j].line {
			return rows[i].line < rows[j].line
		}
		return slices.Index(matrixConfigs, rows[i].config) < slices.Index(matrixConfigs, rows[j].config)
	})
	var b strings.Builder
	b.WriteString("| line | config | real odhcp6c | v6diag router_client | verdict/who | suggestion | proven with odhcp6c |\n|---|---|---|---|---|---|---|\n")
	equal := 0
	for _, r := range rows {
		mark := "≠"
		if r.equal {
			mark = "="
			equal++
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s %s | %s | %s | %s |\n", r.line, r.config, r.odhcp6c, mark, r.v6diag, r.verdict, r.suggestion, r.proof)
	}
	fmt.Fprintf(&b, "\n%d of %d cells equal\n", equal, len(rows))
	dir := lines.ArtifactsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "router-client-matrix.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("matrix (%d of %d equal):\n%s", equal, len(rows), b.String())
}

// TestRouterClientTiming runs the real odhcp6c and v6diag one after the
// other on the healthy line, five times, and records the figures the
// issue measures: v6diag's wall time next to odhcp6c's time to bound
// (scripts/router-client-matrix.sh checks v6diag <= 0.2x).
func TestRouterClientTiming(t *testing.T) {
	testbed.NeedPeers(t)
	bed := testbed.New(t)
	l, _ := lines.Lookup(lines.KeaAddressesAndPrefix)
	l.Setup(t, bed)
	cfg := lines.Configs()[0]
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "network")
	if err := os.WriteFile(cfgPath, []byte(wan6Config(bed, cfg)), 0o644); err != nil {
		t.Fatal(err)
	}
	var odh, v6 []time.Duration
	for i := range 5 {
		truth := lines.RunOdhcp6c(t, bed, cfg, lines.NothingWait)
		if !truth.Bound {
			log, _ := os.ReadFile(truth.LogPath)
			t.Fatalf("odhcp6c did not bind on the healthy line (run %d): %s\nexchange: %s\nlog:\n%s", i, truth.Outcome(), truth.Path(), log)
		}
		r, _ := runV6diagArgs(t, bed, filepath.Join(bed.Dir, fmt.Sprintf("timing-%d", i)),
			"-i", bed.CPEIf, "--config", cfgPath, "--quiet")
		if r.report.Verdict.Code != "ok" {
			t.Fatalf("v6diag on the healthy line: %s %s", r.report.Verdict.Code, r.report.Verdict.Summary)
		}
		odh = append(odh, truth.BoundAfter)
		v6 = append(v6, r.wall)
	}
	mo, mv := median(odh), median(v6)
	report := fmt.Sprintf("healthy line, 5 runs each: odhcp6c to bound %s (median %s); v6diag wall %s (median %s); ratio %.2f\n",
		joinDur(odh), fmtDur(mo), joinDur(v6), fmtDur(mv), mv.Seconds()/mo.Seconds())
	t.Log(report)
	if err := os.MkdirAll(lines.ArtifactsDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lines.ArtifactsDir(), "router-client-timing.txt"), []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sentMessage is a client message as captured: parsed, and its top-level
// options as bytes.
type sentMessage struct {
	*dhcpv6.Message
	options []options.Option
}

// firstMessages reads the first Solicit and Request a client sent in a
// capture, by DUID (nil: any client).
func firstMessages(t *testing.T, path string, duid dhcpv6.DUID) (solicit, request *sentMessage) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := capture.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	for {
		fr, err := rd.Next()
		if err != nil {
			return solicit, request
		}
		p, err := capture.Decode(fr)
		if err != nil || p.Transport != capture.TransportUDP || len(p.UDPPayload) < 4 {
			continue
		}
		payload := bytes.Clone(p.UDPPayload) // the reader reuses its buffer
		m, err := dhcpv6.Parse(payload)
		if err != nil || (len(duid) > 0 && !m.ClientID.Equal(duid)) {
			continue
		}
		opts, err := options.Parse(payload[4:])
		if err != nil {
			continue
		}
		sm := &sentMessage{Message: m, options: opts}
		switch {
		case m.Type == dhcpv6.MessageTypeSolicit && solicit == nil:
			solicit = sm
		case m.Type == dhcpv6.MessageTypeRequest && request == nil:
			request = sm
		}
	}
}

// byDesign are the options whose bytes differ by design between odhcp6c
// and v6diag's first attempt: Client ID (v6diag's own DUID), Server ID
// (the server each asks, the same here but compared as a whole message),
// Elapsed Time (when each retransmits), and the IAs (compared field by
// field: each client is offered its own lease).
var byDesign = []uint16{1, 2, 3, 8, 25}

// compareMessages lists the differences between odhcp6c's message and
// v6diag's, option by option, leaving out what differs by design.
func compareMessages(am, bm *sentMessage) []string {
	a, b := am.Message, bm.Message
	var diffs []string
	for i, o := range am.options {
		if slices.Contains(byDesign, o.Code) || i >= len(bm.options) || bm.options[i].Code != o.Code {
			continue
		}
		if !bytes.Equal(o.Data, bm.options[i].Data) {
			diffs = append(diffs, fmt.Sprintf("option %d bytes: odhcp6c %x, v6diag %x", o.Code, o.Data, bm.options[i].Data))
		}
	}
	if !slices.Equal(a.OptionCodes, b.OptionCodes) {
		diffs = append(diffs, fmt.Sprintf("option codes in order: odhcp6c %v, v6diag %v", a.OptionCodes, b.OptionCodes))
	}
	if !slices.Equal(a.RequestedOptions, b.RequestedOptions) {
		diffs = append(diffs, fmt.Sprintf("ORO: odhcp6c %v, v6diag %v", a.RequestedOptions, b.RequestedOptions))
	}
	if a.ReconfigureAccept != b.ReconfigureAccept || a.RapidCommit != b.RapidCommit {
		diffs = append(diffs, "Reconfigure Accept or Rapid Commit differ")
	}
	ias := func(kind string, x, y []dhcpv6.IA, prefixes bool) {
		if len(x) != len(y) {
			diffs = append(diffs, fmt.Sprintf("%s count: odhcp6c %d, v6diag %d", kind, len(x), len(y)))
			return
		}
		for i := range x {
			if x[i].IAID != y[i].IAID || x[i].T1 != y[i].T1 || x[i].T2 != y[i].T2 {
				diffs = append(diffs, fmt.Sprintf("%s %d header: odhcp6c %x T1 %s T2 %s, v6diag %x T1 %s T2 %s", kind, i, x[i].IAID, x[i].T1, x[i].T2, y[i].IAID, y[i].T1, y[i].T2))
			}
			if prefixes {
				if len(x[i].Prefixes) != len(y[i].Prefixes) {
					diffs = append(diffs, fmt.Sprintf("%s %d IA Prefix count: odhcp6c %d, v6diag %d", kind, i, len(x[i].Prefixes), len(y[i].Prefixes)))
					continue
				}
				for j := range x[i].Prefixes {
					// The prefix itself is the server's offer to each: only its
					// length and whether lifetimes are sent must agree.
					p, q := x[i].Prefixes[j], y[i].Prefixes[j]
					if p.Prefix.Bits() != q.Prefix.Bits() || (p.ValidLifetime == 0) != (q.ValidLifetime == 0) {
						diffs = append(diffs, fmt.Sprintf("%s %d IA Prefix: odhcp6c %s (valid %s), v6diag %s (valid %s)", kind, i, p.Prefix, p.ValidLifetime, q.Prefix, q.ValidLifetime))
					}
				}
			} else if len(x[i].Addresses) != len(y[i].Addresses) {
				diffs = append(diffs, fmt.Sprintf("%s %d IA Address count: odhcp6c %d, v6diag %d", kind, i, len(x[i].Addresses), len(y[i].Addresses)))
			}
		}
	}
	ias("IA_NA", a.IANA, b.IANA, false)
	ias("IA_PD", a.IAPD, b.IAPD, true)
	return diffs
}

// TestFirstAttemptIsOdhcp6c captures the real odhcp6c's Solicit and
// Request for a config, then v6diag's first attempt for the same config on
// the same line, and compares them option by option: the same options in
// the same order, the same ORO, IAs, IAIDs, prefix hint, Client FQDN and
// Reconfigure Accept. What differs by design, and is left out of the
// comparison: the DUID (v6diag's own, so the router's lease stays safe),
// the transaction ids, the Elapsed Time values, and the addresses and
// prefixes each was offered (each gets its own lease).
func TestFirstAttemptIsOdhcp6c(t *testing.T) {
	t.Parallel()
	testbed.NeedPeers(t)
	opt := func(name, value string) lines.Option { return lines.Option{Name: name, Value: value} }
	rich := lines.Config{Name: "rich", Options: []lines.Option{opt("reqaddress", "try"), opt("reqprefix", "56"), opt("noclientfqdn", "1"),
		opt("noacceptreconfig", "1"), opt("reqopts", "17 64"), opt("vendorclass", "0000040e0005736167656d"), opt("userclass", "gw")}}
	rich.Args = []string{"-Ntry", "-P56", "-f", "-a", "-V0000040e0005736167656d", "-ugw", "-r17", "-r64", "-t120"}
	cfgs := []lines.Config{lines.Configs()[0], lines.Configs()[1], rich}
	l, _ := lines.Lookup(lines.KeaAddressesAndPrefix)
	var cells []lines.Cell
	for _, c := range cfgs {
		cells = append(cells, lines.Cell{Line: l, Config: c})
	}
	lines.RunCells(t, cells, len(cells), func(t *testing.T, c lines.Cell) {
		bed := testbed.New(t)
		c.Line.Setup(t, bed)
		truth := lines.RunOdhcp6c(t, bed, c.Config, lines.NothingWait)
		oSol, oReq := firstMessages(t, truth.CapturePath, nil)
		if oSol == nil || oReq == nil {
			t.Fatalf("the capture of odhcp6c %s lacks its Solicit or Request", c.Config.ArgString())
		}
		dir := t.TempDir()
		cfgPath := filepath.Join(dir, "network")
		if err := os.WriteFile(cfgPath, []byte(wan6Config(bed, c.Config)), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(bed.Dir, "v6diag")
		r, _ := runV6diagArgs(t, bed, out, "-i", bed.CPEIf, "--config", cfgPath, "--strategy", "first")
		if r.report.RouterClient.Args != c.Config.ArgString() {
			t.Fatalf("v6diag's first attempt ran odhcp6c %q, want %q", r.report.RouterClient.Args, c.Config.ArgString())
		}
		duid, err := dhcpv6.ParseDUIDHex(r.report.DUID.Hex)
		if err != nil {
			t.Fatal(err)
		}
		vSol, vReq := firstMessages(t, filepath.Join(out, "capture.pcapng"), duid)
		if vSol == nil || vReq == nil {
			t.Fatal("v6diag's capture lacks its Solicit or Request")
		}
		if duid.Equal(oSol.Message.ClientID) {
			t.Error("v6diag sent the router's own DUID")
		}
		for _, d := range append(compareMessages(oSol, vSol), prefixAll("Request: ", compareMessages(oReq, vReq))...) {
			t.Errorf("Solicit: %s", d)
		}
		t.Logf("odhcp6c %s: Solicit options %v ORO %v, Request options %v ORO %v; v6diag: Solicit %v ORO %v, Request %v ORO %v",
			c.Config.ArgString(), oSol.OptionCodes, oSol.RequestedOptions, oReq.OptionCodes, oReq.RequestedOptions,
			vSol.OptionCodes, vSol.RequestedOptions, vReq.OptionCodes, vReq.RequestedOptions)
	})
}

func prefixAll(p string, ss []string) []string {
	for i := range ss {
		ss[i] = p + ss[i]
	}
	return ss
}
