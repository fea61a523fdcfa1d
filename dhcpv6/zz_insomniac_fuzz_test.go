package dhcpv6

import (
	"testing"

	idhcp "github.com/insomniacslk/dhcp/dhcpv6"
)

func FuzzInsomniacslk(f *testing.F) {
	for _, c := range loadCaptures(f) {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = idhcp.FromBytes(b) })
}
