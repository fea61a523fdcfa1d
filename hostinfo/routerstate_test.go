package hostinfo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The files in testdata/routerstate are outputs recorded on OpenWrt
// routers and pasted in public places; testdata/routerstate/README.md
// says where each comes from.
func recorded(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "routerstate", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func i64(v int64) *int64 { return &v }

func TestParseNetifdStatusRecorded(t *testing.T) {
	tests := []struct {
		file, name string
		want       NetifdInterface
	}{
		{
			// A wan6 whose renewal failed: two addresses, the old prefix
			// still assigned to lan, four routes, the DHCPv6 options
			// odhcp6c passed on.
			file: "ubus-wan6-status-renew-failure.json", name: "wan6",
			want: NetifdInterface{
				Name: "wan6", Up: true, Available: true, Autostart: true, UptimeSeconds: 127329,
				Proto: "dhcpv6", Device: "wan", L3Device: "wan",
				IPv6Addresses: []NetifdAddress{
					{Address: "<old /128 address, hidden for privacy>", Mask: 128, Preferred: i64(66574), Valid: i64(152974)},
					{Address: "<new /64 address, hidden for privacy>", Mask: 64, Preferred: i64(152991), Valid: i64(239391)},
				},
				IPv6Prefixes: []NetifdPrefix{{
					NetifdAddress: NetifdAddress{Address: "<old /64 prefix, hidden for privacy>", Mask: 64, Preferred: i64(66574), Valid: i64(152974)},
					Class:         "wan6",
					Assigned:      []PrefixAssignment{{Interface: "lan", Address: "<old /64 prefix, hidden for privacy>", Mask: 64}},
				}},
				Routes: []NetifdRoute{
					{Target: "<new /64 prefix, hidden for privacy>", Mask: 64, Nexthop: "::", Metric: i64(256), Valid: i64(239391), Source: "::/0"},
					{Target: "::", Mask: 0, Nexthop: "fe80::1", Metric: i64(512), Valid: i64(1631), Source: "<old /64 prefix, hidden for privacy>/64"},
					{Target: "::", Mask: 0, Nexthop: "fe80::1", Metric: i64(512), Valid: i64(1631), Source: "<new /64 address, hidden for privacy>/64"},
					{Target: "::", Mask: 0, Nexthop: "fe80::1", Metric: i64(512), Valid: i64(1631), Source: "<old /128 address, hidden for privacy>/128"},
				},
				DNSServers: []string{"fe80::1", "fe80::1"},
				Data:       []KeyValue{{Key: "passthru", Value: "000600160015001600170018001f003800400043005e005f006000170010fe80000000000000000000000000000100170010fe800000000000000000000000000001"}},
			},
		},
		{
			// A dynamic dhcpv6 interface over PPPoE on LEDE, printed on one
			// line, its addresses hidden with x.
			file: "ifstatus-edu_6-dhcpv6-pppoe.json", name: "edu_6",
			want: NetifdInterface{
				Name: "edu_6", Up: true, Available: true, Autostart: true, Dynamic: true, UptimeSeconds: 141048,
				Proto: "dhcpv6", Device: "pppoe-edu", L3Device: "pppoe-edu",
				IPv6Addresses: []NetifdAddress{{Address: "2001:xxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx", Mask: 64, Preferred: i64(171757), Valid: i64(258157)}},
				Routes: []NetifdRoute{
					{Target: "2001:xxx:xxxx:xxxx::", Mask: 64, Nexthop: "::", Metric: i64(256), Valid: i64(258157), Source: "::/0"},
					{Target: "::", Mask: 0, Nexthop: "fe80::96db:daff:fe3e:8fcf", Metric: i64(512), Valid: i64(757), Source: "2001:xxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx/64"},
				},
				Data: []KeyValue{{Key: "zone", Value: "wan"}},
			},
		},
		{
			// An IPv4 DHCP wan, tab-indented as ubus prints it.
			file: "ifstatus-wan-dhcp.json", name: "wan",
			want: NetifdInterface{
				Name: "wan", Up: true, Available: true, Autostart: true, UptimeSeconds: 110308,
				Proto: "dhcp", Device: "eth0.1", L3Device: "eth0.1",
				IPv4Addresses: []NetifdAddress{{Address: "192.168.2.162", Mask: 24}},
				Routes: []NetifdRoute{
					{Target: "192.168.2.1", Mask: 32, Nexthop: "0.0.0.0", Source: "192.168.2.162/32"},
					{Target: "0.0.0.0", Mask: 0, Nexthop: "192.168.2.1", Source: "192.168.2.162/32"},
				},
				DNSServers: []string{"223.5.5.5", "202.99.160.68", "8.8.8.8"},
				Data:       []KeyValue{{Key: "leasetime", Value: "3600"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseNetifdStatus(tt.name, recorded(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseNetifdErrors: a proto handler's errors, in the form netifd's
// interface_dump_status writes them (constructed: no recorded status
// with errors was found in public pastes).
func TestParseNetifdErrors(t *testing.T) {
	got, err := ParseNetifdStatus("wan6", []byte(`{"up": false, "pending": false, "available": false, "proto": "dhcpv6",
		"errors": [{"subsystem": "dhcpv6", "code": "NO_DEVICE"}, {"subsystem": "dhcpv6", "code": "X", "data": ["a", "b"]}], "data": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []NetifdError{{Subsystem: "dhcpv6", Code: "NO_DEVICE"}, {Subsystem: "dhcpv6", Code: "X", Data: []string{"a", "b"}}}
	if diff := cmp.Diff(want, got.Errors); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ParseNetifdStatus("wan6", []byte("Command failed: Not found")); err == nil {
		t.Error("no error for ubus's failure message")
	}
}

func TestOdhcp6cLines(t *testing.T) {
	tests := []struct {
		file   string
		ifaces []string
		max    int
		first  string
		n      int
	}{
		// odhcpd's line is not odhcp6c's.
		{"logread-renew-failure.txt", []string{"wan6"}, 30, "Thu Feb 19 23:29:40 2026 daemon.warn odhcp6c[29169]: Server returned IA_PD status 'No Binding '", 4},
		{"logread-25.12-rc1-pppoe.txt", []string{"wan6"}, 5, "Mon Dec 22 10:12:08 2025 daemon.info odhcp6c[26138]: IA_NA 383d90dd T1 0 T2 0", 5},
		// OpenWrt 25 logs odhcp6c's output as netifd's lines for wan6;
		// netifd's own "Interface 'wan6' ..." lines are not odhcp6c's.
		{"logread-netifd-tagged-2026.txt", []string{"wan6"}, 30, "Sat May 16 12:34:52 2026 daemon.notice netifd: wan6 (18780): Starting RENEW transaction (timeout 51840s, max rc 0)", 10},
		{"logread-netifd-tagged-2026.txt", []string{"wan_6"}, 30, "", 0},
	}
	for _, tt := range tests {
		got := Odhcp6cLines(recorded(t, tt.file), tt.ifaces, tt.max)
		if len(got) != tt.n || (tt.n > 0 && got[0] != tt.first) {
			t.Errorf("%s %v: %d lines, first %q; want %d, %q", tt.file, tt.ifaces, len(got), first(got), tt.n, tt.first)
		}
		for _, l := range got {
			if strings.Contains(l, "odhcpd[") || strings.Contains(l, "Interface '") {
				t.Errorf("%s: kept %q", tt.file, l)
			}
		}
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// fakeRouter answers like a router's ubus and logread, from recordings.
type fakeRouter struct {
	t        *testing.T
	commands map[string]string // "ubus call network.interface.wan6 status" → recording
	failures map[string]error
	calls    []string
}

func (f *fakeRouter) run(_ context.Context, name string, args ...string) ([]byte, error) {
	cmd := strings.Join(append([]string{name}, args...), " ")
	f.calls = append(f.calls, cmd)
	if err, ok := f.failures[cmd]; ok {
		return nil, err
	}
	if file, ok := f.commands[cmd]; ok {
		return recorded(f.t, file), nil
	}
	return nil, errors.New(name + ": exit status 4: Command failed: Not found")
}

func TestReadRouterState(t *testing.T) {
	f := &fakeRouter{t: t, commands: map[string]string{
		"ubus call network.interface.wan status":  "ifstatus-wan-dhcp.json",
		"ubus call network.interface.wan6 status": "ubus-wan6-status-renew-failure.json",
		"logread": "logread-renew-failure.txt",
	}}
	all := func(string) bool { return true }
	st := ReadRouterState(context.Background(), f.run, all, []string{"wan", "wan6", "wan_6"}, []string{"wan6", "wan_6"})
	if len(st.Interfaces) != 2 || st.Interfaces[0].Name != "wan" || st.Interfaces[1].Name != "wan6" || len(st.Interfaces[1].IPv6Prefixes) != 1 {
		t.Errorf("interfaces %+v", st.Interfaces)
	}
	if len(st.Odhcp6cLog) != 4 {
		t.Errorf("log %q", st.Odhcp6cLog)
	}
	if want := []string{"router state: netifd's status of wan_6 not read: ubus: exit status 4: Command failed: Not found"}; !cmp.Equal(want, st.Notes) {
		t.Errorf("notes %q, want %q", st.Notes, want)
	}

	// ifstatus when there is no ubus; no logread.
	f = &fakeRouter{t: t, commands: map[string]string{"ifstatus wan6": "ubus-wan6-status-renew-failure.json"}}
	st = ReadRouterState(context.Background(), f.run, func(n string) bool { return n == "ifstatus" }, []string{"wan6"}, []string{"wan6"})
	if len(st.Interfaces) != 1 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "no logread") {
		t.Errorf("ifstatus path: %+v", st)
	}

	// Not OpenWrt: one note, nothing run.
	f = &fakeRouter{t: t}
	st = ReadRouterState(context.Background(), f.run, func(string) bool { return false }, []string{"wan", "wan6"}, []string{"wan6"})
	if len(st.Interfaces) != 0 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "not OpenWrt") || len(f.calls) != 0 {
		t.Errorf("not OpenWrt: %+v, calls %q", st, f.calls)
	}

	// No permission: ubus refuses, logread fails.
	f = &fakeRouter{t: t, failures: map[string]error{
		"ubus call network.interface.wan6 status": errors.New("ubus: exit status 6: Command failed: Permission denied"),
		"logread": errors.New("logread: exit status 1: Failed to connect to ubus"),
	}}
	st = ReadRouterState(context.Background(), f.run, all, []string{"wan6"}, []string{"wan6"})
	if len(st.Interfaces) != 0 || len(st.Notes) != 2 || !strings.Contains(st.Notes[0], "Permission denied") || !strings.Contains(st.Notes[1], "Failed to connect") {
		t.Errorf("no permission: %+v", st)
	}
}

// TestExecRunner: output is capped and a command that hangs is cut off.
func TestExecRunner(t *testing.T) {
	out, err := ExecRunner(context.Background(), "head", "-c", "3000000", "/dev/zero")
	if err != nil || len(out) != maxOutput {
		t.Errorf("head: %d bytes, %v; want %d", len(out), err, maxOutput)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := ExecRunner(ctx, "sleep", "10"); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("sleep: %v after %v", err, time.Since(start))
	}
	if _, err := ExecRunner(context.Background(), "sh", "-c", "echo 'Command failed: Not found' >&2; exit 4"); err == nil || !strings.Contains(err.Error(), "Command failed: Not found") {
		t.Errorf("failure: %v", err)
	}
}

// FuzzParseNetifdStatus: whatever ubus prints, the parser returns or
// fails without panicking, and Odhcp6cLines keeps at most max lines.
func FuzzParseNetifdStatus(f *testing.F) {
	for _, name := range []string{"ubus-wan6-status-renew-failure.json", "ifstatus-edu_6-dhcpv6-pppoe.json", "ifstatus-wan-dhcp.json", "logread-renew-failure.txt"} {
		f.Add(recorded(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseNetifdStatus("wan6", b)
		if got := Odhcp6cLines(b, []string{"wan6"}, 3); len(got) > 3 {
			t.Fatalf("%d lines", len(got))
		}
	})
}
