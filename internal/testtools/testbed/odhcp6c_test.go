package testbed

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestOdhcp6cScriptRecords runs the state script as odhcp6c does (argv
// IFACE EVENT, the results in the environment) and reads back what it
// wrote.
func TestOdhcp6cScriptRecords(t *testing.T) {
	dir := t.TempDir()
	records := filepath.Join(dir, "events.txt")
	script := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(script, []byte(odhcp6cScript(records)), 0o755); err != nil {
		t.Fatal(err)
	}
	call := func(event string, env ...string) {
		cmd := exec.Command(script, "wan0", event)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("script %s: %v\n%s", event, err, out)
		}
	}
	call("ra-updated", "RA_ROUTES=::/0,fe80::1,1800,512 2001:db8:1::/64,,86400,256", "RA_DNS=2001:db8:1::53")
	call("bound",
		"ADDRESSES=2001:db8:1::100/128,2999,3999,999,1999",
		"PREFIXES=2001:db8:8000::/48,2999,3999,999,1999 2001:db8:9000::/56,10,20,5,8,class=00000002,excluded=2001:db8:9000:1::/64",
		"RDNSS=2001:db8:1::53", "SERVER=fe80::1", "DOMAINS=example.net isp.example", "PASSTHRU=0017")

	got, err := ParseOdhcp6cRecords(mustRead(t, records))
	if err != nil {
		t.Fatal(err)
	}
	want := []Odhcp6cRecord{
		{Event: "ra-updated",
			RARoutes: []Odhcp6cRoute{
				{Prefix: netip.MustParsePrefix("::/0"), Gateway: netip.MustParseAddr("fe80::1"), Valid: 1800, Metric: 512},
				{Prefix: netip.MustParsePrefix("2001:db8:1::/64"), Valid: 86400, Metric: 256},
			},
			RADNS: []netip.Addr{netip.MustParseAddr("2001:db8:1::53")}},
		{Event: "bound",
			Addresses: []Odhcp6cLease{{Prefix: netip.MustParsePrefix("2001:db8:1::100/128"), Preferred: 2999, Valid: 3999, T1: 999, T2: 1999}},
			Prefixes: []Odhcp6cLease{
				{Prefix: netip.MustParsePrefix("2001:db8:8000::/48"), Preferred: 2999, Valid: 3999, T1: 999, T2: 1999},
				{Prefix: netip.MustParsePrefix("2001:db8:9000::/56"), Preferred: 10, Valid: 20, T1: 5, T2: 8, Class: "00000002",
					Excluded: netip.MustParsePrefix("2001:db8:9000:1::/64")},
			},
			RDNSS:    []netip.Addr{netip.MustParseAddr("2001:db8:1::53")},
			Server:   []netip.Addr{netip.MustParseAddr("fe80::1")},
			Domains:  []string{"example.net", "isp.example"},
			Passthru: "0017"},
	}
	opts := cmp.Options{cmpopts.IgnoreFields(Odhcp6cRecord{}, "Time"), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	for _, r := range got {
		if r.Time.IsZero() {
			t.Errorf("%s: no time", r.Event)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseOdhcp6cLease(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Odhcp6cLease
		wantErr bool
	}{
		// The README's format, before T1 and T2 were added.
		{in: "2001:db8::/48,3000,4000", want: Odhcp6cLease{Prefix: netip.MustParsePrefix("2001:db8::/48"), Preferred: 3000, Valid: 4000}},
		{in: "2001:db8::/48,0,0,0,0", want: Odhcp6cLease{Prefix: netip.MustParsePrefix("2001:db8::/48")}},
		{in: "2001:db8::/48,1,2,3,4,class=0000000a", want: Odhcp6cLease{Prefix: netip.MustParsePrefix("2001:db8::/48"),
			Preferred: 1, Valid: 2, T1: 3, T2: 4, Class: "0000000a"}},
		{in: "2001:db8::/48", wantErr: true},
		{in: "2001:db8::/48,1", wantErr: true},
		{in: "2001:db8::/48,1,2,3,4,5", wantErr: true},
		{in: "2001:db8::/48,x,2", wantErr: true},
		{in: "2001:db8::/48,1,2,excluded=nope", wantErr: true},
		{in: "not-an-address/48,1,2", wantErr: true},
		{in: "", wantErr: true},
	} {
		got, err := ParseOdhcp6cLease(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// FuzzParseOdhcp6cRecords: whatever a script file holds, parsing returns
// records or an error, and never panics; every record has an event.
func FuzzParseOdhcp6cRecords(f *testing.F) {
	f.Add([]byte("@event 1700000000000000000 bound\nADDRESSES=2001:db8::1/128,1,2,3,4\nPREFIXES=\n@end\n"))
	f.Add([]byte("@event 1 ra-updated\nRA_ROUTES=::/0,fe80::1,1800,512\n@event 2 bound\n@end\n"))
	f.Add([]byte("@event x y\n"))
	f.Add([]byte("PREFIXES=2001:db8::/48,1,2\n@end\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, _ := ParseOdhcp6cRecords(data)
		for _, r := range recs {
			if r.Event == "" {
				t.Errorf("record without event: %+v", r)
			}
		}
	})
}
