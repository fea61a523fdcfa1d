package capture

import "testing"

func TestInterfaceLinkType(t *testing.T) {
	for _, tc := range []struct {
		arphrd uint16
		want   LinkType
	}{
		{ARPHRDEther, LinkTypeEthernet},
		{ARPHRDLoopback, LinkTypeEthernet},
		{ARPHRDPPP, LinkTypeRaw},
		{ARPHRDNone, LinkTypeRaw},
	} {
		if got := (Interface{Type: tc.arphrd}).LinkType(); got != tc.want {
			t.Errorf("ARPHRD %d: LinkType() = %s, want %s", tc.arphrd, got, tc.want)
		}
	}
}
