package uciconfig

import (
	"strings"
	"testing"
)

// TestInterfacesOn: the interfaces a zone may list for a device, through
// the @wan alias and PPPoE's own device.
func TestInterfacesOn(t *testing.T) {
	f, err := Parse([]byte("config interface 'wan'\n\toption device 'eth0.2'\n\toption proto 'dhcp'\n\nconfig interface 'wan6'\n\toption device '@wan'\n\toption proto 'dhcpv6'\n\nconfig interface 'lan'\n\toption device 'br-lan'\n\nconfig interface 'dsl'\n\toption device 'eth1'\n\toption proto 'pppoe'\n"))
	if err != nil {
		t.Fatal(err)
	}
	for dev, want := range map[string]string{"eth0.2": "wan wan6", "br-lan": "lan", "pppoe-dsl": "dsl", "eth1": "", "eth9": ""} {
		if got := strings.Join(f.InterfacesOn(dev), " "); got != want {
			t.Errorf("InterfacesOn(%s) = %q, want %q", dev, got, want)
		}
	}
}
