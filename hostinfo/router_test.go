package hostinfo

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The DUID-LL rung is the router's identity: it may run only when nothing
// on the router suggests that its own client holds a lease.
func TestLeaseEvidence(t *testing.T) {
	const (
		wanLL    = "fe800000000000000000000000000001 03 40 20 80 eth0.2\n"
		wanSLAAC = "20010db8000100000000000000000002 03 40 00 00 eth0.2\n"
		wanIANA  = "20010db8000100000000000000000100 03 80 00 80 eth0.2\n"
		lanULA   = "fd000000000000000000000000000001 04 40 00 80 br-lan\n"
		lanGUA   = "20010db8800001000000000000000001 04 40 00 80 br-lan\n"
		lo       = "00000000000000000000000000000001 01 80 10 80 lo\n"
		// netifd's unreachable route for a delegated /56 (RTF_REJECT).
		reject = "20010db8800001000000000000000000 38 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 00200200 lo\n"
		plain  = "20010db8000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0.2\n"
	)
	for _, tc := range []struct {
		name, inet6, route, want string
	}{
		{"nothing but link-local, ULA and a SLAAC /64", wanLL + wanSLAAC + lanULA + lo, plain, ""},
		{"an IA_NA-like /128 on the WAN", wanLL + wanIANA, "", "eth0.2 holds 2001:db8:1::100/128"},
		{"a global address on the LAN", wanLL + lanGUA, "", "br-lan holds 2001:db8:8000:100::1/64"},
		{"an unreachable route for a delegation", wanLL, plain + reject, "unreachable route for 2001:db8:8000:100::/56"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fstest.MapFS{
				"proc/net/if_inet6":   {Data: []byte(tc.inet6)},
				"proc/net/ipv6_route": {Data: []byte(tc.route)},
			}
			got := LeaseEvidence(root, "eth0.2")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("evidence %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMachineIDAndStatfs(t *testing.T) {
	if got := MachineID(fstest.MapFS{"etc/machine-id": {Data: []byte("abc\n")}}); string(got) != "abc\n" {
		t.Errorf("machine id %q, want the file as it is", got)
	}
	if got := MachineID(fstest.MapFS{}); got != nil {
		t.Errorf("machine id without the file %q, want nil", got)
	}
	st, err := Statfs(t.TempDir())
	if err != nil || st.Free == 0 || st.ReadOnly {
		t.Errorf("Statfs of a test folder: %+v, %v", st, err)
	}
}
