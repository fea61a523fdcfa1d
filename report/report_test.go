package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/odhcp6c"
	"github.com/v6diag/v6diag/report"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

// analyze runs the diagnosis on one of diag's recorded live runs, as a live
// run does after capturing.
func analyze(t *testing.T, name string) *diag.Result {
	t.Helper()
	path := filepath.Join("..", "diag", "testdata", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := capture.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// The router runs odhcp6c with netifd's defaults (-P0 -t120).
	rc := &diag.RouterClientFacts{Args: odhcp6c.Args{Prefixes: []odhcp6c.PrefixRequest{{IAID: [4]byte{0, 0, 0, 1}}}, SolicitMaxRT: odhcp6c.IntArg{Value: 120, Given: true}},
		Source: "netifd defaults", Host: odhcp6c.Host{IfName: "eth0.2", HostName: "OpenWrt"}}
	rc.ArgsText = rc.Args.String()
	a := diag.NewAnalyzer(diag.Facts{Live: true, Carrier: true, RouterClient: rc})
	for {
		fr, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		a.Add(fr)
	}
	return a.Finish()
}

// fixedRun is a live run with every field that varies between runs fixed,
// so the rendered reports are byte-stable.
func fixedRun(source string) report.Run {
	return report.Run{
		Tool:     "v6diag",
		Version:  "test",
		Mode:     "run",
		Started:  time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Duration: 1500 * time.Millisecond,
		Source:   "/tmp/v6diag-test/" + source,
		Interface: &report.Interface{
			Name:      "wan0",
			MAC:       net.HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01},
			LinkLocal: netip.MustParseAddr("fe80::5eff:fe10:1"),
			MTU:       1500,
			Carrier:   true,
			LinkType:  "Ethernet",
			Source:    "/sys/class/net",
		},
		Port546: "free: no other DHCPv6 client held UDP port 546",
		Notes:   []string{"interface wan0: named with -i"},
	}
}

var cases = []struct {
	name    string // golden file stem
	capture string // under diag/testdata
	verdict diag.Code
}{
	{"kea-healthy", "kea-healthy.pcapng", diag.CodeOK},
	{"radvd-no-dhcpv6", "radvd-no-dhcpv6.pcapng", diag.CodeNoDHCPv6Reply},
}

func render(t *testing.T, name, capture string) (report.Document, []byte, []byte) {
	t.Helper()
	doc := report.NewDocument(fixedRun(capture), analyze(t, capture))
	var txt, js bytes.Buffer
	if err := report.WriteText(&txt, doc); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteJSON(&js, doc); err != nil {
		t.Fatal(err)
	}
	return doc, txt.Bytes(), js.Bytes()
}

// TestGolden compares report.txt, report.json, report.md and report.html with the reviewed files in
// testdata/. After an intended change: go test ./report -update, then read
// the diff.
func TestGolden(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, txt, js := render(t, tc.name, tc.capture)
			if got := diag.Code(doc.Verdict.Code); got != tc.verdict {
				t.Errorf("verdict %q, want %q", got, tc.verdict)
			}
			golden(t, filepath.Join("testdata", tc.name+".txt.golden"), txt)
			golden(t, filepath.Join("testdata", tc.name+".json.golden"), js)
			var md, page bytes.Buffer
			if err := report.WriteMarkdown(&md, doc); err != nil {
				t.Fatal(err)
			}
			if err := report.WriteHTML(&page, doc); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tc.name+".md.golden"), md.Bytes())
			golden(t, filepath.Join("testdata", tc.name+".html.golden"), page.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); if intended, rerun with -update and review:\n%s", path, diff)
	}
}

// JSON types as encoding/json decodes them into any.
const (
	tString = "string"
	tNumber = "number"
	tBool   = "bool"
	tArray  = "array"
	tObject = "object"
	tNull   = "null"
)

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return tString
	case float64:
		return tNumber
	case bool:
		return tBool
	case []any:
		return tArray
	case map[string]any:
		return tObject
	case nil:
		return tNull
	}
	return "unknown"
}

// field is one entry of README's report.json table: where it is and the
// JSON types it may have.
type field struct {
	key   string
	types []string
}

func f(key string, types ...string) field { return field{key, types} }

// checkFields asserts each field is present in obj with one of its types.
func checkFields(t *testing.T, where string, obj any, fields ...field) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Errorf("%s is %s, want object", where, jsonType(obj))
		return
	}
	for _, fd := range fields {
		v, ok := m[fd.key]
		if !ok {
			t.Errorf("%s.%s is missing", where, fd.key)
			continue
		}
		got := jsonType(v)
		if !strings.Contains(" "+strings.Join(fd.types, " ")+" ", " "+got+" ") {
			t.Errorf("%s.%s is %s (%v), want %s", where, fd.key, got, v, strings.Join(fd.types, " or "))
		}
	}
}

func elems(t *testing.T, where string, v any) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Errorf("%s is %s, want array", where, jsonType(v))
	}
	return a
}

func strs(t *testing.T, where string, v any) {
	t.Helper()
	for _, e := range elems(t, where, v) {
		if jsonType(e) != tString {
			t.Errorf("%s holds %s %v, want strings", where, jsonType(e), e)
		}
	}
}

func nums(t *testing.T, where string, v any) {
	t.Helper()
	for _, e := range elems(t, where, v) {
		if jsonType(e) != tNumber {
			t.Errorf("%s holds %s %v, want numbers", where, jsonType(e), e)
		}
	}
}

// TestJSONContract checks report.json against README's report.json table:
// every field there, with its JSON type, and lists that are [] when empty,
// never null or missing — scripts index them without checking.
func TestJSONContract(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, js := render(t, tc.name, tc.capture)
			var doc map[string]any
			if err := json.Unmarshal(js, &doc); err != nil {
				t.Fatal(err)
			}
			checkFields(t, "report", doc, f("schema", tNumber), f("verdict", tObject), f("interface", tObject),
				f("duid", tObject, tNull), f("port_546", tString), f("ra", tObject), f("dhcpv6", tObject),
				f("timeline", tArray), f("findings", tArray), f("capture", tObject))
			if doc["schema"] != float64(report.SchemaVersion) {
				t.Errorf("schema %v, want %d", doc["schema"], report.SchemaVersion)
			}
			checkFields(t, "verdict", doc["verdict"], f("code", tString), f("summary", tString), f("who_must_act", tString))
			checkFields(t, "interface", doc["interface"], f("name", tString), f("mac", tString), f("link_local", tString),
				f("mtu", tNumber), f("carrier", tBool), f("link_type", tString), f("facts_from", tString))
			if d, ok := doc["duid"].(map[string]any); ok {
				checkFields(t, "duid", d, f("hex", tString), f("type", tString), f("iaids", tArray))
				strs(t, "duid.iaids", d["iaids"])
			}

			ra, _ := doc["ra"].(map[string]any)
			checkFields(t, "ra", ra, f("routers", tArray))
			routers := elems(t, "ra.routers", ra["routers"])
			if len(routers) == 0 {
				t.Errorf("ra.routers is empty; both captures hold RAs")
			}
			for _, r := range routers {
				checkFields(t, "ra.routers[]", r, f("source", tString), f("source_mac", tString), f("managed", tBool),
					f("other", tBool), f("router_lifetime_seconds", tNumber), f("preference", tString),
					f("prefixes", tArray), f("rdnss", tArray), f("dnssl", tArray), f("mtu", tNumber),
					f("advertisements", tNumber), f("solicited_latency_seconds", tNumber, tNull), f("frames", tArray))
				rm, _ := r.(map[string]any)
				for _, p := range elems(t, "ra.routers[].prefixes", rm["prefixes"]) {
					checkFields(t, "ra.routers[].prefixes[]", p, f("prefix", tString), f("on_link", tBool), f("autonomous", tBool),
						f("valid_lifetime_seconds", tNumber), f("preferred_lifetime_seconds", tNumber))
				}
				strs(t, "ra.routers[].rdnss", rm["rdnss"])
				strs(t, "ra.routers[].dnssl", rm["dnssl"])
				nums(t, "ra.routers[].frames", rm["frames"])
			}

			x, _ := doc["dhcpv6"].(map[string]any)
			checkFields(t, "dhcpv6", x, f("solicits_sent", tNumber), f("requests_sent", tNumber), f("releases_sent", tNumber),
				f("prefix_hint", tNumber), f("servers", tArray), f("delegated_prefixes", tArray), f("addresses", tArray), f("dns", tArray))
			for _, s := range elems(t, "dhcpv6.servers", x["servers"]) {
				checkFields(t, "dhcpv6.servers[]", s, f("server_id", tString), f("server_id_type", tString), f("address", tString),
					f("source_mac", tString), f("preference", tNumber, tNull), f("latency_seconds", tNumber),
					f("messages", tNumber), f("frames", tArray))
				nums(t, "dhcpv6.servers[].frames", s.(map[string]any)["frames"])
			}
			for _, list := range []string{"delegated_prefixes", "addresses"} {
				for _, l := range elems(t, "dhcpv6."+list, x[list]) {
					checkFields(t, "dhcpv6."+list+"[]", l, f("prefix", tString), f("iaid", tString), f("t1_seconds", tNumber),
						f("t2_seconds", tNumber), f("preferred_lifetime_seconds", tNumber), f("valid_lifetime_seconds", tNumber),
						f("confirmed", tBool), f("frame", tNumber))
				}
			}
			strs(t, "dhcpv6.dns", x["dns"])

			timeline := elems(t, "timeline", doc["timeline"])
			if len(timeline) == 0 {
				t.Errorf("timeline is empty")
			}
			for _, e := range timeline {
				checkFields(t, "timeline[]", e, f("frame", tNumber), f("time", tString), f("offset_seconds", tNumber),
					f("direction", tString), f("kind", tString), f("source", tString), f("destination", tString),
					f("source_mac", tString), f("transaction_id", tString), f("note", tString), f("ignored", tString))
				if d := e.(map[string]any)["direction"]; d != "in" && d != "out" {
					t.Errorf("timeline[].direction %v, want in or out", d)
				}
			}
			for _, fi := range elems(t, "findings", doc["findings"]) {
				checkFields(t, "findings[]", fi, f("id", tString), f("severity", tString), f("summary", tString),
					f("for_isp", tString), f("rfc", tString), f("frames", tArray))
				nums(t, "findings[].frames", fi.(map[string]any)["frames"])
			}
			checkFields(t, "capture", doc["capture"], f("frames", tNumber), f("control_frames", tNumber),
				f("decode_errors", tNumber), f("timeline_dropped", tNumber), f("first", tString), f("last", tString))
		})
	}
}

// TestEmptyListsAreArrays: with no DHCPv6 server, the DHCPv6 lists are []
// (not null): scripts index them without checking.
func TestEmptyListsAreArrays(t *testing.T) {
	_, _, js := render(t, "radvd-no-dhcpv6", "radvd-no-dhcpv6.pcapng")
	var doc struct {
		DHCPv6 map[string]json.RawMessage `json:"dhcpv6"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"servers", "delegated_prefixes", "addresses", "dns"} {
		if got := string(doc.DHCPv6[k]); got != "[]" {
			t.Errorf("dhcpv6.%s = %s, want []", k, got)
		}
	}
	if bytes.Contains(js, []byte(": null")) {
		for _, line := range strings.Split(string(js), "\n") {
			if strings.HasSuffix(strings.TrimSuffix(line, ","), ": null") && !strings.Contains(line, `"preference"`) &&
				!strings.Contains(line, `"solicited_latency_seconds"`) && !strings.Contains(line, `"duid"`) &&
				!strings.Contains(line, `"vlan"`) && !strings.Contains(line, `"interval_seconds"`) && !strings.Contains(line, `"suggestion"`) {
				t.Errorf("unexpected null in report.json: %s", strings.TrimSpace(line))
			}
		}
	}
}

// TestEmptyResult: a diagnosis with nothing in it (an empty capture) still
// renders every list as [].
func TestEmptyResult(t *testing.T) {
	doc := report.NewDocument(report.Run{Tool: "v6diag", Version: "test", Mode: "analyze"}, &diag.Result{})
	var js bytes.Buffer
	if err := report.WriteJSON(&js, doc); err != nil {
		t.Fatal(err)
	}
	// router_client.suggestion is null when no attempt proved a better
	// config, as README documents; nothing else may be.
	if strings.Contains(strings.Replace(js.String(), `"suggestion": null`, "", 1), "null") {
		t.Errorf("report.json of an empty result holds null:\n%s", js.String())
	}
	var txt bytes.Buffer
	if err := report.WriteText(&txt, doc); err != nil {
		t.Fatal(err)
	}
}

// TestSummary: the lines a terminal shows after a run.
func TestSummary(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, _, _ := render(t, tc.name, tc.capture)
			var b bytes.Buffer
			if err := report.WriteSummary(&b, doc, "/tmp/v6diag-test"); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tc.name+".summary.golden"), b.Bytes())
		})
	}
}

// TestTextTimelineBounded: report.txt shows at most 200 timeline rows and
// says where the rest are.
func TestTextTimelineBounded(t *testing.T) {
	r := &diag.Result{}
	for i := 1; i <= 250; i++ {
		r.Timeline = append(r.Timeline, diag.Event{Frame: i, Direction: diag.DirectionIn, Kind: diag.KindRouterAdvertisement})
	}
	var b bytes.Buffer
	if err := report.WriteText(&b, report.NewDocument(report.Run{Version: "test", Mode: "analyze"}, r)); err != nil {
		t.Fatal(err)
	}
	txt := b.String()
	if !strings.Contains(strings.Join(strings.Fields(txt), " "), "the first 200 are listed, report.json holds all") {
		t.Errorf("report.txt does not say rows are left out:\n%s", txt[len(txt)-300:])
	}
	if strings.Contains(txt, "\n  201 ") {
		t.Errorf("report.txt shows row 201")
	}
}
