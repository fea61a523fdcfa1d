package live

import (
	"crypto/rand"

	"github.com/v6diag/v6diag/dhcpv6"
)

func randomXID() dhcpv6.TransactionID {
	var x dhcpv6.TransactionID
	_, _ = rand.Read(x[:]) // never fails since Go 1.24
	return x
}
